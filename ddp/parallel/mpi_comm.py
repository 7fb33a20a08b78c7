"""`MPICommunicator`: the `Communicator` interface on mpi4py (real ranks under ``mpirun``).

Arrays travel through mpi4py's buffer API (``Allreduce``, ``Bcast``, ...: no pickling);
only the ``*_object`` methods use the pickle API, for small objects.

Large blocking allreduces (64 KiB and up) between ranks of one node go through shared memory
(shm_allreduce.py), without a copy for arrays from `reduce_buffer`; the rest, and every
non-blocking `iallreduce`, through MPI.

Rounding: MPI chooses its own reduction order (e.g. recursive doubling), so a float sum can
differ in the last bits from the thread backend's rank-order sum (the shared-memory path sums
in rank order, as the thread backend does). Within one job every rank receives the same bits
either way (the tests check this).
"""

import numpy as np
from mpi4py import MPI

from .comm import Communicator
from .shm_allreduce import SharedMemoryAllreduce

_OPS = {"sum": MPI.SUM, "mean": MPI.SUM, "max": MPI.MAX, "min": MPI.MIN}


class MPICommunicator(Communicator):
    """A communicator over an ``mpi4py.MPI.Comm`` (default ``COMM_WORLD``).

    Args:
        comm: the mpi4py communicator to wrap.
        shared_memory: reduce large arrays through shared memory when all ranks share a node.
    """

    _reduces_mean = True  # the shared-memory path divides while each reduced slice is in cache

    def __init__(self, comm=None, shared_memory=True):
        self.comm = MPI.COMM_WORLD if comm is None else comm
        self.rank = self.comm.Get_rank()
        self.world_size = self.comm.Get_size()
        self._shm = SharedMemoryAllreduce(self.comm) if shared_memory else None

    def abort(self, errorcode=1):
        """End every rank of the job now (MPI_Abort)."""
        self.comm.Abort(errorcode)

    def _allreduce(self, arr, op):
        if self._shm is not None and self._shm.usable(arr.nbytes):
            self._shm.allreduce(arr, op)
        else:
            self.comm.Allreduce(MPI.IN_PLACE, arr, op=_OPS[op])
            if op == "mean":
                np.divide(arr, self.world_size, out=arr)

    def _reduce_buffer(self, count, dtype):
        buf = self._shm.buffer(count, dtype) if self._shm is not None else None
        return np.zeros(count, dtype) if buf is None else buf

    def _iallreduce(self, arr, op):
        # Always MPI's: the shared-memory path blocks until every rank arrives, which would deadlock a rank
        # that starts the reduction, then receives from a rank that sends before starting it.
        req = self.comm.Iallreduce(MPI.IN_PLACE, arr, op=_OPS[op])
        return req.Wait, req.Test

    def _broadcast(self, arr, root):
        self.comm.Bcast(arr, root=root)

    def _allgather(self, arr, out):
        self.comm.Allgather(arr, out)

    def _reduce_scatter(self, arr, out, op):
        self.comm.Reduce_scatter_block(arr, out, op=_OPS[op])

    def _barrier(self):
        self.comm.Barrier()

    def _split(self, color, key):
        sub = self.comm.Split(MPI.UNDEFINED if color is None else color, key)
        return None if sub == MPI.COMM_NULL else MPICommunicator(sub, self._shm is not None)

    def _send(self, arr, dest, tag):
        self.comm.Send(arr, dest=dest, tag=tag)

    def _recv(self, arr, source, tag):
        status = MPI.Status()
        self.comm.Recv(arr, source=source, tag=tag, status=status)
        _check_count(status, arr, source, tag)

    def _isend(self, arr, dest, tag):
        req = self.comm.Isend(arr, dest=dest, tag=tag)
        return req.Wait, req.Test

    def _irecv(self, arr, source, tag):
        req, status, done = self.comm.Irecv(arr, source=source, tag=tag), MPI.Status(), []

        def test():  # a completed request is freed: keep its status for the size check
            if not done and req.Test(status):
                done.append(True)
            return bool(done)

        def wait():
            if not done:
                req.Wait(status)
            _check_count(status, arr, source, tag)
        return wait, test

    def _broadcast_object(self, obj, root):
        return self.comm.bcast(obj, root=root)

    def _allgather_object(self, obj):
        return self.comm.allgather(obj)

    def _send_object(self, obj, dest, tag):
        self.comm.send(obj, dest=dest, tag=tag)

    def _recv_object(self, source, tag):
        return self.comm.recv(source=source, tag=tag)


def _check_count(status, arr, source, tag):
    """MPI accepts a shorter message silently; we require an exact size match."""
    got = status.Get_count(MPI.BYTE)
    if got != arr.nbytes:
        raise RuntimeError(f"recv: message from rank {source} (tag {tag}) has {got} bytes but the "
                           f"buffer of shape {arr.shape} and dtype {arr.dtype} has {arr.nbytes}")
