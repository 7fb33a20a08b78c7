"""`ddp.nn.modules.linear` (torch.nn.modules.linear): the same classes as ddp/core/nn/linear.py."""
from ..linear import Identity, Linear  # noqa: F401
