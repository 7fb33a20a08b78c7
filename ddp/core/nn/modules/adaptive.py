"""`ddp.nn.modules.adaptive` (torch.nn.modules.adaptive): the very classes of `ddp.nn`."""
from .. import AdaptiveLogSoftmaxWithLoss  # noqa: F401
