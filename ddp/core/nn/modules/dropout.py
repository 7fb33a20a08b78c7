"""`ddp.nn.modules.dropout` (torch.nn.modules.dropout): the very classes of `ddp.nn`
(and the bases that isinstance checks name)."""
from .. import AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout  # noqa: F401
from ..dropout import _DropoutNd  # noqa: F401
