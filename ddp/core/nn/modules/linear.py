"""`ddp.nn.modules.linear` (torch.nn.modules.linear): the very classes of `ddp.nn`."""
from .. import Bilinear, Identity, LazyLinear, Linear  # noqa: F401
