"""`ddp.utils.data.distributed` (torch.utils.data.distributed): the `DistributedSampler` of `ddp.parallel`."""
from ddp.parallel.sampler import DistributedSampler

__all__ = ["DistributedSampler"]
