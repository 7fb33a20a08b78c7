"""Allreduce of large arrays through MPI-3 shared-memory windows: on one node, and hierarchically
across nodes.

MPICH moves a large intra-node allreduce through its own shared-memory queues, copying each block
several times. Here every rank's data sits in a window that all ranks of its node can read: each local
rank reduces one slice over its node's segments, in rank order, and copies the others' reduced slices
out. An array made by `buffer()` (DDP's gradient buckets) lives in such a window and is reduced where it
is; any other array is first copied into a staging window. A mean divides each reduced slice while it is
in cache. ``scripts/bench_ddp_sync.py`` compares this with ``MPI_Allreduce``.

When the ranks span several nodes, each holding a block of the same number of consecutive ranks
(hierarchical.py), every local rank's slice is reduced across the nodes by MPI between the ranks that
hold that slice on each node, then copied out within the node: reduce within the node through shared
memory, across nodes through MPI, broadcast back through shared memory (Horovod's hierarchical
allreduce). Any other layout, and two ranks on two nodes, take MPI's own path.

Summation order: always rank order, ``((x0 + x1) + x2) + ...`` left to right, for every element. On one
node one rank adds all the node's ranks' values of its slice; across nodes the slice's running sum
passes from node to node in rank order (hierarchical.py's chain), each node adding its ranks' values
left to right. The order depends only on the ranks, never on timing or message arrival, and each
element is summed once and copied to everyone: every rank gets the same bits on every run, and the same
bits as the thread backend, which also sums in rank order (so N ranks equal one process summing their
gradients in rank order).

Non-blocking (`start`, for arrays made by `buffer()`): the same steps as a generator that yields the MPI
request each step waits for (the barriers are ``Ibarrier``s, the cross-node chain's receives are posted
at once and waited for one by one, so no step blocks); shm_progress.py queues the reductions and
advances them in the order they started, from the main thread's tests and waits and from a progress
thread. Both paths run the same arithmetic in the same order, so they give the same bits.
"""
import numpy as np
from mpi4py import MPI

from .hierarchical import Topology, chain_steps, grow
from .shm_progress import Pending

MIN_BYTES = 1 << 16  # below this, MPI's latency-optimised algorithms are as fast
_UFUNCS = {"sum": np.add, "mean": np.add, "max": np.maximum, "min": np.minimum}


class SharedMemoryAllreduce:
    """Allreduce over `comm` (an mpi4py intra-communicator) through shared memory.

    `usable(nbytes)` says whether an allreduce of that many bytes takes this path: only when `comm`'s
    ranks share one node or span nodes of equal, contiguous blocks, and `nbytes` is at least `MIN_BYTES`.
    `usable`, `buffer`, `allreduce` and `start` are collective (windows are made collectively) and decide
    the same way on every rank, since the arrays of an allreduce have the same size everywhere.
    """

    def __init__(self, comm):
        self.comm = comm
        self.rank, self.size = comm.Get_rank(), comm.Get_size()
        self._topo = None  # the node layout (hierarchical.py), found on first use (a collective)
        self._gathered = []  # scratch for the cross-node chain (hierarchical.py)
        self._windows = {}  # id(array) -> _Window, for arrays made by buffer()
        self._staging, self._half = None, 0  # window for other arrays: two halves of `_half` bytes
        self._phase = 0  # which half the next staged call uses (double buffering)
        self.pending = Pending()  # the non-blocking reductions in flight (shm_progress.py)

    def usable(self, nbytes):
        if self.size < 2 or nbytes < MIN_BYTES:
            return False
        if self._topo is None:
            self._topo = Topology.of(self.comm)
            if self._topo.usable:
                self.local, self.local_size = self._topo.node.Get_rank(), self._topo.node.Get_size()
        return self._topo.usable

    def buffer(self, count, dtype):
        """Collective: a zero-filled array of `count` elements that `allreduce` reduces without a copy,
        or None when this path does not apply to its size."""
        dtype = np.dtype(dtype)
        if not self.usable(count * dtype.itemsize):
            return None
        self.pending.drain()  # a window is made on the node's communicator: after the barriers in flight
        window = _Window(self._topo.node, count * dtype.itemsize)
        views = [v.view(dtype) for v in window.segments]
        views[self.local][...] = 0  # read by others only after the first allreduce's fence
        window.views, window.scratch = views, np.empty(-(-count // self.local_size), dtype)
        self._windows[id(views[self.local])] = window  # keeps the window (and the array) alive
        return views[self.local]

    def takes(self, arr):
        """Whether `allreduce(arr)` should take this path. An array made by `buffer()` always does. Any other
        must be copied into a staging window and out again, which costs more than it saves when the node
        has only two ranks (1.15-1.35x MPI_Allreduce above 4 MiB on 2 cores, about even below; better than
        MPI from 3 ranks on); there MPI's sum of two is the same bits. Across nodes it is always staged, for
        the rank-order sum. Collective, like `usable`."""
        if not self.usable(arr.nbytes):
            return False
        return self.owns(arr) or self.local_size > 2 or self._topo.cross is not None

    def owns(self, arr):
        """Whether `arr` was made by `buffer()` (only those can be reduced by `start`)."""
        window = self._windows.get(id(arr))
        return window is not None and window.views[self.local] is arr

    def allreduce(self, arr, op):
        """Reduce the C-contiguous `arr` in place with `op` ("sum", "mean", "max" or "min")."""
        self.pending.drain()  # the reductions started before this one finish first, on every rank
        if self.owns(arr):
            _run(self._in_window(arr, op))
            return
        self._reserve(arr.nbytes)
        start = self._phase * self._half
        self._phase ^= 1  # a rank reuses this half only after everyone passed the next call's first fence
        views = [s[start:start + arr.nbytes].view(arr.dtype) for s in self._staging.segments]
        flat = arr.reshape(-1)
        np.copyto(views[self.local], flat)
        _run(self._reduce(self._staging, views, flat, flat, op))  # flat's partial sums are overwritten at the end

    def start(self, arr, op, thread):
        """Start reducing `arr` (made by `buffer()`) in place; returns the (wait, test) pair of the reduction.
        `thread`: the progress thread advances it too (shm_progress.py; needs MPI_THREAD_MULTIPLE)."""
        return self.pending.push(self._in_window(arr, op), thread)

    def _in_window(self, arr, op):
        """Steps of the reduction of a `buffer()` array, where it is."""
        window = self._windows[id(arr)]
        yield from self._reduce(window, window.views, window.scratch, arr, op)
        yield from window.fence()  # the others have read my slice before I write into my segment again

    def _reduce(self, window, views, scratch, dest, op):
        """Steps: reduce slice `local` of every local rank's view into this rank's view (then over the
        nodes), and copy all slices to `dest`."""
        yield from window.fence()  # every rank's data is in place
        n, size, rank = views[0].size, self.local_size, self.local
        bounds = [n * r // size for r in range(size + 1)]
        lo, hi = bounds[rank], bounds[rank + 1]
        out, ufunc = views[rank][lo:hi], _UFUNCS[op]
        if self._topo.cross is not None:  # across nodes: the chain adds this node's ranks in its turn
            part = grow(self._gathered, out.dtype, out.size)
            yield from chain_steps(self._topo.cross, [v[lo:hi] for v in views], out, ufunc, part)
        elif size == 2:  # out is one of the inputs, element for element: safe in place
            ufunc(views[0][lo:hi], views[1][lo:hi], out=out)
        else:  # accumulate in scratch so that this rank's own slice is read before it is overwritten
            acc = scratch[:hi - lo]
            ufunc(views[0][lo:hi], views[1][lo:hi], out=acc)
            for r in range(2, size):
                ufunc(acc, views[r][lo:hi], out=out if r == size - 1 else acc)
        if op == "mean":
            np.divide(out, self.size, out=out)
        yield from window.fence()  # every slice is reduced
        in_place = dest is views[rank]
        for r in range(size):
            if not (in_place and r == rank):
                np.copyto(dest[bounds[r]:bounds[r + 1]], views[r][bounds[r]:bounds[r + 1]])

    def _reserve(self, nbytes):
        """Collective: make the staging window hold two arrays of `nbytes` per rank (one per phase)."""
        if nbytes <= self._half:
            return
        if self._staging is not None:
            self._staging.free()
        self._half = max(1 << 20, 1 << (nbytes - 1).bit_length())  # powers of two: few regrowths
        self._staging, self._phase = _Window(self._topo.node, 2 * self._half), 0


class _Window:
    """An MPI shared window of `nbytes` per rank; `segments[r]` is rank r's part, as uint8."""

    def __init__(self, comm, nbytes):
        self.comm = comm
        self.win = MPI.Win.Allocate_shared(nbytes, 1, comm=comm)
        self.win.Lock_all(MPI.MODE_NOCHECK)
        self.segments = [np.frombuffer(self.win.Shared_query(r)[0], np.uint8, nbytes)
                         for r in range(comm.Get_size())]

    def fence(self):
        """Step: a barrier that also orders the loads and stores of shared memory around it."""
        self.win.Sync()
        yield self.comm.Ibarrier()
        self.win.Sync()

    def free(self):
        self.comm.Barrier()  # no rank still reads it
        self.win.Unlock_all()
        self.win.Free()


def _run(steps):
    """Run a reduction's steps to the end, waiting for each request."""
    for request in steps:
        request.Wait()
