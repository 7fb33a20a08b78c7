"""`torch.distributed.algorithms`'s path: `Join` (ddp/parallel/join.py) and the DDP communication hooks."""
from . import ddp_comm_hooks
from .join import Join

__all__ = ["Join", "ddp_comm_hooks"]
