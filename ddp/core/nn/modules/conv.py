"""`ddp.nn.modules.conv` (torch.nn.modules.conv): the very classes of `ddp.nn`
(and the bases that isinstance checks name)."""
from .. import (  # noqa: F401
    Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, LazyConv1d, LazyConv2d,
    LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d,
)
from ..conv import _ConvNd, _ConvTransposeNd  # noqa: F401
