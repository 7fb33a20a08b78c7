"""`ddp.nn.modules.pooling` (torch.nn.modules.pooling): the same classes as ddp/core/nn/pooling.py."""
from ..pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d  # noqa: F401
