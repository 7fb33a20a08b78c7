"""`ddp.nn.modules.batchnorm` (torch.nn.modules.batchnorm): the very classes of `ddp.nn`
(and the bases that isinstance checks name)."""
from .. import BatchNorm1d, BatchNorm2d, BatchNorm3d, SyncBatchNorm  # noqa: F401
from ..normalization import _BatchNorm  # noqa: F401
