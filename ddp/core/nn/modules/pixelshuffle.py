"""`ddp.nn.modules.pixelshuffle` (torch.nn.modules.pixelshuffle): the very classes of `ddp.nn`."""
from .. import PixelShuffle, PixelUnshuffle  # noqa: F401
