"""`ddp.nn.modules.flatten` (torch.nn.modules.flatten): the very classes of `ddp.nn`."""
from .. import Flatten, Unflatten  # noqa: F401
