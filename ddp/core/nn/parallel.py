"""`ddp.nn.parallel` (torch.nn.parallel): the `DistributedDataParallel` of `ddp.parallel`."""
from ddp.parallel.data_parallel import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
