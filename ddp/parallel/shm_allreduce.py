"""Allreduce of large arrays through MPI-3 shared-memory windows, for ranks on one node.

MPICH moves a large intra-node allreduce through its own shared-memory queues, copying each block
several times. Here every rank's data sits in a window that all ranks can read: each rank reduces one
slice over all the ranks' segments, in rank order 0, 1, 2, ..., and copies the others' reduced slices
out. An array made by `buffer()` (DDP's gradient buckets) lives in such a window and is reduced where it
is; any other array is first copied into a staging window. A mean divides each reduced slice while it is
in cache. ``scripts/bench_ddp_sync.py`` compares this with ``MPI_Allreduce``.

Every slice is reduced once, by one rank, in rank order, so every rank receives the same bits (and the
same as the thread backend, which also sums in rank order).
"""
import numpy as np
from mpi4py import MPI

MIN_BYTES = 1 << 16  # below this, MPI's latency-optimised algorithms are as fast
_UFUNCS = {"sum": np.add, "mean": np.add, "max": np.maximum, "min": np.minimum}


class SharedMemoryAllreduce:
    """Allreduce over `comm` (an mpi4py intra-communicator) through shared memory.

    `usable(nbytes)` says whether an allreduce of that many bytes takes this path: only when all of
    `comm`'s ranks share one node and `nbytes` is at least `MIN_BYTES`. `usable`, `buffer` and
    `allreduce` are collective (windows are made collectively) and decide the same way on every rank,
    since the arrays of an allreduce have the same size everywhere.
    """

    def __init__(self, comm):
        self.comm = comm
        self.rank, self.size = comm.Get_rank(), comm.Get_size()
        self._one_node = None  # decided on first use (a collective)
        self._windows = {}  # id(array) -> _Window, for arrays made by buffer()
        self._staging, self._half = None, 0  # window for other arrays: two halves of `_half` bytes
        self._phase = 0  # which half the next staged call uses (double buffering)

    def usable(self, nbytes):
        if self.size < 2 or nbytes < MIN_BYTES:
            return False
        if self._one_node is None:
            node = self.comm.Split_type(MPI.COMM_TYPE_SHARED)
            self._one_node = node.Get_size() == self.size
            node.Free()
        return self._one_node

    def buffer(self, count, dtype):
        """Collective: a zero-filled array of `count` elements that `allreduce` reduces without a copy,
        or None when this path does not apply to its size."""
        dtype = np.dtype(dtype)
        if not self.usable(count * dtype.itemsize):
            return None
        window = _Window(self.comm, count * dtype.itemsize)
        views = [v.view(dtype) for v in window.segments]
        views[self.rank][...] = 0  # read by others only after the first allreduce's fence
        window.views, window.scratch = views, np.empty(-(-count // self.size), dtype)
        self._windows[id(views[self.rank])] = window  # keeps the window (and the array) alive
        return views[self.rank]

    def allreduce(self, arr, op):
        """Reduce the C-contiguous `arr` in place with `op` ("sum", "mean", "max" or "min")."""
        window = self._windows.get(id(arr))
        if window is not None and window.views[self.rank] is arr:
            self._reduce(window, window.views, window.scratch, arr, op)
            window.fence()  # the others have read my slice before I write into my segment again
            return
        self._reserve(arr.nbytes)
        start = self._phase * self._half
        self._phase ^= 1  # a rank reuses this half only after everyone passed the next call's first fence
        views = [s[start:start + arr.nbytes].view(arr.dtype) for s in self._staging.segments]
        flat = arr.reshape(-1)
        np.copyto(views[self.rank], flat)
        self._reduce(self._staging, views, flat, flat, op)  # flat's partial sums are overwritten at the end

    def _reduce(self, window, views, scratch, dest, op):
        """Reduce slice `rank` of every rank's view into this rank's view, then copy all slices to `dest`."""
        window.fence()  # every rank's data is in place
        n = views[0].size
        bounds = [n * r // self.size for r in range(self.size + 1)]
        lo, hi = bounds[self.rank], bounds[self.rank + 1]
        out, ufunc = views[self.rank][lo:hi], _UFUNCS[op]
        if self.size == 2:  # out is one of the inputs, element for element: safe in place
            ufunc(views[0][lo:hi], views[1][lo:hi], out=out)
        else:  # accumulate in scratch so that this rank's own slice is read before it is overwritten
            acc = scratch[:hi - lo]
            ufunc(views[0][lo:hi], views[1][lo:hi], out=acc)
            for r in range(2, self.size):
                ufunc(acc, views[r][lo:hi], out=out if r == self.size - 1 else acc)
        if op == "mean":
            np.divide(out, self.size, out=out)
        window.fence()  # every slice is reduced
        in_place = dest is views[self.rank]
        for r in range(self.size):
            if not (in_place and r == self.rank):
                np.copyto(dest[bounds[r]:bounds[r + 1]], views[r][bounds[r]:bounds[r + 1]])

    def _reserve(self, nbytes):
        """Collective: make the staging window hold two arrays of `nbytes` per rank (one per phase)."""
        if nbytes <= self._half:
            return
        if self._staging is not None:
            self._staging.free()
        self._half = max(1 << 20, 1 << (nbytes - 1).bit_length())  # powers of two: few regrowths
        self._staging, self._phase = _Window(self.comm, 2 * self._half), 0


class _Window:
    """An MPI shared window of `nbytes` per rank; `segments[r]` is rank r's part, as uint8."""

    def __init__(self, comm, nbytes):
        self.comm = comm
        self.win = MPI.Win.Allocate_shared(nbytes, 1, comm=comm)
        self.win.Lock_all(MPI.MODE_NOCHECK)
        self.segments = [np.frombuffer(self.win.Shared_query(r)[0], np.uint8, nbytes)
                         for r in range(comm.Get_size())]

    def fence(self):
        """Barrier that also orders the loads and stores of shared memory around it."""
        self.win.Sync()
        self.comm.Barrier()
        self.win.Sync()

    def free(self):
        self.comm.Barrier()  # no rank still reads it
        self.win.Unlock_all()
        self.win.Free()
