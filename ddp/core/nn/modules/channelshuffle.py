"""`ddp.nn.modules.channelshuffle` (torch.nn.modules.channelshuffle): the very classes of `ddp.nn`."""
from .. import ChannelShuffle  # noqa: F401
