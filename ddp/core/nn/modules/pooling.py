"""`ddp.nn.modules.pooling` (torch.nn.modules.pooling): the very classes of `ddp.nn`."""
from .. import (  # noqa: F401
    AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d,
    MaxPool1d, MaxPool2d,
)
