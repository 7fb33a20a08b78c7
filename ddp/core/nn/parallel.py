"""`ddp.nn.parallel` (torch.nn.parallel): the `DistributedDataParallel` of `ddp.parallel`, and
`DataParallel` / `data_parallel`, which run the module in this process (there are no GPUs)."""
from ddp.parallel.data_parallel import DistributedDataParallel

from .data_parallel import DataParallel, data_parallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
