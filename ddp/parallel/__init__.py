"""Training across ranks: communicators, simulated ranks, distributed sampling, data parallelism
(`DistributedDataParallel`) and pipelined model parallelism (`split`, `Pipeline`).

Start a script with ``comm = ddp.parallel.init()``: under ``mpirun`` it talks MPI, under
``ddp.parallel.spawn`` it talks between threads, and a plain ``python`` run is one rank.
"""

from . import comm_hooks, powersgd_hook
from .comm import Communicator, LocalCommunicator, Work
from .data_parallel import DistributedDataParallel
from .metrics import MetricSums, all_reduce_sum, reduce_metrics
from .pipeline import Pipeline
from .launch import get_comm, get_rank, get_world_size, init, is_initialized, launched_by_mpi
from .sampler import DistributedSampler
from .spawn import spawn
from .sync_batchnorm import SyncBatchNorm
from .tensor_parallel import (ColumnParallelLinear, ParallelMLP, ParallelMultiheadAttention, RowParallelLinear,
                              full_state_dict)
from .split import Plan, split
from .thread_comm import ThreadCommunicator
from .thread_world import Aborted
from .zero import ZeroRedundancyOptimizer

__all__ = [
    "Aborted", "Communicator", "DistributedDataParallel", "DistributedSampler", "LocalCommunicator",
    "MetricSums", "Pipeline", "Plan", "ThreadCommunicator", "Work", "all_reduce_sum", "get_comm", "get_rank",
    "get_world_size", "init", "is_initialized", "launched_by_mpi", "reduce_metrics", "spawn", "split",
    "ZeroRedundancyOptimizer", "SyncBatchNorm", "ColumnParallelLinear", "RowParallelLinear", "ParallelMLP",
    "ParallelMultiheadAttention", "full_state_dict", "comm_hooks", "powersgd_hook",
]
