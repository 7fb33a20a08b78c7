"""`ddp.nn.modules.instancenorm` (torch.nn.modules.instancenorm): the same classes as ddp/core/nn/normalization.py."""
from ..normalization import _InstanceNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d  # noqa: F401
