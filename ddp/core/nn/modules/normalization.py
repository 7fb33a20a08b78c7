"""`ddp.nn.modules.normalization` (torch.nn.modules.normalization): the very classes of `ddp.nn`."""
from .. import CrossMapLRN2d, GroupNorm, LayerNorm, LocalResponseNorm, RMSNorm  # noqa: F401
