"""`ddp.nn.modules.instancenorm` (torch.nn.modules.instancenorm): the very classes of `ddp.nn`
(and the bases that isinstance checks name)."""
from .. import (  # noqa: F401
    InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d,
)
from ..normalization import _InstanceNorm  # noqa: F401
