"""`ddp.nn.modules.sparse` (torch.nn.modules.sparse): the same classes as ddp/core/nn/sparse.py."""
from ..sparse import Embedding  # noqa: F401
