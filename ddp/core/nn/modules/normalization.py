"""`ddp.nn.modules.normalization` (torch.nn.modules.normalization): the same classes as ddp/core/nn/normalization.py."""
from ..normalization import GroupNorm, LayerNorm  # noqa: F401
