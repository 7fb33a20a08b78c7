"""`MPICommunicator`: the `Communicator` interface on mpi4py (real ranks under ``mpirun``).

Arrays travel through mpi4py's buffer API (``Allreduce``, ``Bcast``, ...: no pickling);
only the ``*_object`` methods use the pickle API, for small objects.

Large blocking allreduces (64 KiB and up) go through shared memory (shm_allreduce.py), without a
copy for arrays from `reduce_buffer`: between ranks of one node directly, and across nodes
hierarchically (within each node through shared memory, between the nodes through MPI; see
hierarchical.py). A non-blocking `iallreduce` of a `reduce_buffer` array (DDP's buckets) takes the
same path, queued and advanced by the tests, the wait and a progress thread (shm_progress.py;
``DDP_SHM_IALLREDUCE=0`` gives it MPI's ``Iallreduce`` instead). The rest go through MPI.

Rounding: MPI chooses its own reduction order (e.g. recursive doubling), so a float sum can
differ in the last bits from the thread backend's rank-order sum (the shared-memory path, on
one node or across nodes, sums in rank order, as the thread backend does). Within one job every
rank receives the same bits either way (the tests check this).
"""

import functools
import os

import numpy as np
from mpi4py import MPI

from . import shm_progress, watchdog
from .comm import Communicator
from .shm_allreduce import SharedMemoryAllreduce

_OPS = {"sum": MPI.SUM, "mean": MPI.SUM, "max": MPI.MAX, "min": MPI.MIN}
_NO_WATCH = (None, None)  # (watchdog, debug) when neither is on
# `iallreduce` of a `reduce_buffer` array through shared memory (shm_progress.py); DDP_SHM_IALLREDUCE=0: MPI's
SHM_IALLREDUCE = os.environ.get("DDP_SHM_IALLREDUCE", "1") != "0"


def watched(op, root=None, peer=None):
    """Run the backend method under the process's watchdog (see watchdog.py), recording the call.

    `root` / `peer` name the positional argument (after the buffer) that holds the root or the peer
    rank. A collective (no peer) is numbered in the communicator's sequence and, in debug mode, first
    compares its fingerprint with every rank's.
    """
    def wrap(method):
        @functools.wraps(method)
        def run(self, *args):
            dog, debug = MPICommunicator.watch
            if dog is None and not debug:
                return method(self, *args)
            arr = args[0] if args and isinstance(args[0], np.ndarray) else None
            if peer is None:
                seq = self._collectives = self._collectives + 1
            else:
                seq = self._messages = self._messages + 1
            call = watchdog.Call(seq, op, self._label, self._members, arr,
                                 None if root is None else args[root], None if peer is None else args[peer])
            self._started = call  # for _watch_wait of a non-blocking call
            if dog is not None:
                dog.enter(call)
            try:
                if debug and peer is None:
                    self._check_fingerprint(call)
                return method(self, *args)
            finally:
                if dog is not None:
                    dog.leave()
        return run
    return wrap


class MPICommunicator(Communicator):
    """A communicator over an ``mpi4py.MPI.Comm`` (default ``COMM_WORLD``).

    Args:
        comm: the mpi4py communicator to wrap.
        shared_memory: reduce large arrays through shared memory: on one node, or hierarchically when
            the ranks span nodes of equal, contiguous blocks of ranks.
    """

    _reduces_mean = True  # the shared-memory paths divide while each reduced slice is in cache
    watch = _NO_WATCH  # (Watchdog or None, debug flag) of the process: set by ddp.parallel.init

    def __init__(self, comm=None, shared_memory=True):
        self.comm = MPI.COMM_WORLD if comm is None else comm
        self.rank = self.comm.Get_rank()
        self.world_size = self.comm.Get_size()
        self._shm = SharedMemoryAllreduce(self.comm) if shared_memory else None
        world = MPI.COMM_WORLD.Get_group()
        self._members = frozenset(MPI.Group.Translate_ranks(self.comm.Get_group(), range(self.world_size), world))
        self._label = "world" if len(self._members) == MPI.COMM_WORLD.Get_size() else \
            f"the group of world ranks {sorted(self._members)}"
        self._collectives = self._messages = 0  # sequence numbers of the calls, for reports
        self._debug_comm = None  # debug mode's own duplicate, for fingerprints
        self._started = None  # the Call being started (non-blocking calls watch their wait with it)

    def _watch_wait(self, wait):
        """`wait` of the non-blocking call being started, recorded under the watchdog as that call."""
        dog, started = MPICommunicator.watch[0], self._started
        if dog is None or started is None:
            return wait

        def watched_wait(*args):
            call = watchdog.Call(started.seq, f"wait of {started.op}", started.comm, started.members)
            call.dtype, call.shape, call.peer = started.dtype, started.shape, started.peer
            dog.enter(call)
            try:
                return wait(*args)
            finally:
                dog.leave()
        return watched_wait

    def _check_fingerprint(self, call):
        """Debug mode: every rank compares what it is about to call; on a mismatch all raise at once."""
        if self._debug_comm is None:
            self._debug_comm = self.comm.Dup()
        prints = self._debug_comm.allgather((call.fingerprint(), call.describe()))
        if any(p != prints[0][0] for p, _ in prints):
            calls = "; ".join(f"rank {r} called {desc}" for r, (_, desc) in enumerate(prints))
            raise RuntimeError(f"collective mismatch (DDP_DEBUG): {calls}")

    def abort(self, errorcode=1):
        """End every rank of the job now (MPI_Abort)."""
        self.comm.Abort(errorcode)

    @watched("allreduce")
    def _allreduce(self, arr, op):
        if self._shm is not None and self._shm.takes(arr):
            self._shm.allreduce(arr, op)
        else:
            self.comm.Allreduce(MPI.IN_PLACE, arr, op=_OPS[op])
            if op == "mean":
                np.divide(arr, self.world_size, out=arr)

    @watched("reduce_buffer")
    def _reduce_buffer(self, count, dtype):
        buf = self._shm.buffer(count, dtype) if self._shm is not None else None
        return np.zeros(count, dtype) if buf is None else buf

    @watched("iallreduce")
    def _iallreduce(self, arr, op):
        if SHM_IALLREDUCE and self._shm is not None and self._shm.owns(arr):  # a `reduce_buffer` array
            wait, test = self._shm.start(arr, op, shm_progress.INTERVAL > 0 and thread_multiple())
            return self._watch_wait(wait), test
        req = self.comm.Iallreduce(MPI.IN_PLACE, arr, op=_OPS[op])
        if op != "mean":
            return self._watch_wait(req.Wait), req.Test
        n = self.world_size

        def wait_and_divide():
            req.Wait()
            np.divide(arr, n, out=arr)
        return self._watch_wait(wait_and_divide), req.Test

    @watched("broadcast", root=1)
    def _broadcast(self, arr, root):
        self.comm.Bcast(arr, root=root)

    @watched("allgather")
    def _allgather(self, arr, out):
        self.comm.Allgather(arr, out)

    @watched("reduce_scatter")
    def _reduce_scatter(self, arr, out, op):
        self.comm.Reduce_scatter_block(arr, out, op=_OPS[op])

    @watched("alltoallv")
    def _alltoallv(self, arr, send_counts, out, recv_counts):
        send_at, recv_at = (np.concatenate([[0], np.cumsum(c)[:-1]]) for c in (send_counts, recv_counts))
        self.comm.Alltoallv([arr, (send_counts.tolist(), send_at.tolist())],
                            [out, (recv_counts.tolist(), recv_at.tolist())])

    @watched("barrier")
    def _barrier(self):
        self.comm.Barrier()

    @watched("split")
    def _split(self, color, key):
        sub = self.comm.Split(MPI.UNDEFINED if color is None else color, key)
        return None if sub == MPI.COMM_NULL else MPICommunicator(sub, self._shm is not None)

    @watched("send", peer=1)
    def _send(self, arr, dest, tag):
        self.comm.Send(arr, dest=dest, tag=tag)

    @watched("recv", peer=1)
    def _recv(self, arr, source, tag):
        status = MPI.Status()
        self.comm.Recv(arr, source=MPI.ANY_SOURCE if source is None else source, tag=tag, status=status)
        _check_count(status, arr, status.Get_source(), tag)
        return status.Get_source()

    @watched("isend", peer=1)
    def _isend(self, arr, dest, tag):
        req = self.comm.Isend(arr, dest=dest, tag=tag)
        return self._watch_wait(req.Wait), req.Test

    @watched("irecv", peer=1)
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
        return self._watch_wait(wait), test

    @watched("broadcast_object", root=1)
    def _broadcast_object(self, obj, root):
        return self.comm.bcast(obj, root=root)

    @watched("allgather_object")
    def _allgather_object(self, obj):
        return self.comm.allgather(obj)

    @watched("send_object", peer=1)
    def _send_object(self, obj, dest, tag):
        self.comm.send(obj, dest=dest, tag=tag)

    @watched("recv_object", peer=0)
    def _recv_object(self, source, tag):
        return self.comm.recv(source=source, tag=tag)


def _check_count(status, arr, source, tag):
    """MPI accepts a shorter message silently; we require an exact size match."""
    got = status.Get_count(MPI.BYTE)
    if got != arr.nbytes:
        raise RuntimeError(f"recv: message from rank {source} (tag {tag}) has {got} bytes but the "
                           f"buffer of shape {arr.shape} and dtype {arr.dtype} has {arr.nbytes}")


@functools.cache
def thread_multiple():
    """Whether MPI was initialised with MPI_THREAD_MULTIPLE, so that a thread (the watchdog's, the
    shared-memory progress thread) may call MPI beside the main one."""
    return MPI.Query_thread() == MPI.THREAD_MULTIPLE
