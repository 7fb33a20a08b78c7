"""`ddp.nn.modules.sparse` (torch.nn.modules.sparse): the very classes of `ddp.nn`."""
from .. import Embedding, EmbeddingBag  # noqa: F401
