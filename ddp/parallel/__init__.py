"""Training across ranks: communicators, simulated ranks, distributed sampling.

Start a script with ``comm = ddp.parallel.init()``: under ``mpirun`` it talks MPI, under
``ddp.parallel.spawn`` it talks between threads, and a plain ``python`` run is one rank.
"""

from .comm import Communicator, LocalCommunicator, Work
from .launch import get_comm, get_rank, get_world_size, init, is_initialized, launched_by_mpi
from .sampler import DistributedSampler
from .spawn import spawn
from .thread_comm import ThreadCommunicator
from .thread_world import Aborted

__all__ = [
    "Aborted", "Communicator", "DistributedSampler", "LocalCommunicator", "ThreadCommunicator",
    "Work", "get_comm", "get_rank", "get_world_size", "init", "is_initialized",
    "launched_by_mpi", "spawn",
]
