"""`ddp.nn.modules.linear` (torch.nn.modules.linear): the very classes of `ddp.nn`
(and the bases that isinstance checks name)."""
from .. import Bilinear, Identity, LazyLinear, Linear  # noqa: F401
from ..linear import NonDynamicallyQuantizableLinear  # noqa: F401
