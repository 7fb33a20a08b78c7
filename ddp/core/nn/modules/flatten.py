"""`ddp.nn.modules.flatten` (torch.nn.modules.flatten): the same classes as ddp/core/nn/activation.py."""
from ..activation import Flatten, Unflatten  # noqa: F401
