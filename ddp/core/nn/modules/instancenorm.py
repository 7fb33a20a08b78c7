"""`ddp.nn.modules.instancenorm` (torch.nn.modules.instancenorm): the very classes of `ddp.nn`
(and the bases that isinstance checks name)."""
from .. import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d  # noqa: F401
from ..normalization import _InstanceNorm  # noqa: F401
