"""`ddp.nn.modules.pooling` (torch.nn.modules.pooling): the very classes of `ddp.nn`."""
from .. import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d  # noqa: F401
