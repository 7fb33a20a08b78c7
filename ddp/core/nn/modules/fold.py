"""`ddp.nn.modules.fold` (torch.nn.modules.fold): the very classes of `ddp.nn`."""
from .. import Fold, Unfold  # noqa: F401
