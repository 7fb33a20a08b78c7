"""`ddp.nn.modules.batchnorm` (torch.nn.modules.batchnorm): the very classes of `ddp.nn`
(and the bases that isinstance checks name)."""
from .. import (  # noqa: F401
    BatchNorm1d, BatchNorm2d, BatchNorm3d, LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, SyncBatchNorm,
)
from ..normalization import _BatchNorm, _NormBase  # noqa: F401
