"""`ddp.nn.modules.conv` (torch.nn.modules.conv): the same classes as ddp/core/nn/conv.py."""
from ..conv import _ConvNd, Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d  # noqa: F401
