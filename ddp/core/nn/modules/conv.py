"""`ddp.nn.modules.conv` (torch.nn.modules.conv): the very classes of `ddp.nn`
(and the bases that isinstance checks name)."""
from .. import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d  # noqa: F401
from ..conv import _ConvNd  # noqa: F401
