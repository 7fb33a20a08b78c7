"""`ddp.nn.modules.sparse` (torch.nn.modules.sparse): the very classes of `ddp.nn`."""
from .. import Embedding  # noqa: F401
