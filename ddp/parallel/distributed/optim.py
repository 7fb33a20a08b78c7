"""`torch.distributed.optim`'s path: `ZeroRedundancyOptimizer` lives in ddp/parallel/zero.py."""
from ..zero import ZeroRedundancyOptimizer

__all__ = ["ZeroRedundancyOptimizer"]
