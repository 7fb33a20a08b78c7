"""`ddp.nn.modules.pixelshuffle` (torch.nn.modules.pixelshuffle): the same classes as ddp/core/nn/upsampling.py."""
from ..upsampling import PixelShuffle, PixelUnshuffle  # noqa: F401
