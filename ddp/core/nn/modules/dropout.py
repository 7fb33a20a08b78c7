"""`ddp.nn.modules.dropout` (torch.nn.modules.dropout): the same classes as ddp/core/nn/dropout.py."""
from ..dropout import (  # noqa: F401
    _DropoutNd, AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout,
)
