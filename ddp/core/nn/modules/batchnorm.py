"""`ddp.nn.modules.batchnorm` (torch.nn.modules.batchnorm): the same classes as ddp/core/nn/normalization.py."""
from ..normalization import _BatchNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d  # noqa: F401
