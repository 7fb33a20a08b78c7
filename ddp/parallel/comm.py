"""The communicator interface shared by every backend, and the one-rank local backend.

A `Communicator` moves numpy buffers between ranks. Three backends implement it:

- `MPICommunicator` (mpi_comm.py): real processes started by ``mpirun``, mpi4py's buffer API.
- `ThreadCommunicator` (thread_comm.py): simulated ranks as threads of one process (`spawn`).
- `LocalCommunicator` (here): a single rank; every collective is the identity.

The public methods here validate arguments once, for all backends, and call the backend's
private ``_allreduce``, ``_broadcast``, ... with plain contiguous numpy arrays.

Warning:
    Every collective (``allreduce``, ``broadcast``, ``barrier``, ``split`` ...) synchronizes
    the ranks of the communicator: all of them must make the same collective calls in the
    same order, or the job waits forever (the thread backend reports this after a timeout).
"""

import numpy as np

REDUCE_OPS = ("sum", "mean", "max", "min")


def as_buffer(buf, call, *, writeable=False, reduce=False):
    """Return the contiguous ndarray behind `buf` (ndarray or Tensor), or raise a clear error."""
    arr = buf.numpy() if not isinstance(buf, np.ndarray) and hasattr(buf, "numpy") else buf
    if isinstance(arr, np.generic) and not writeable:  # a numpy scalar is fine to read from
        arr = np.asarray(arr)
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"{call}: expected a numpy array or Tensor, got {type(buf).__name__}")
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{call}: unsupported dtype {arr.dtype}; expected a numeric or bool array")
    if reduce and arr.dtype.kind == "b":
        raise TypeError(f"{call}: cannot reduce a bool array; cast it to an integer dtype first")
    if not arr.flags.c_contiguous:
        raise ValueError(
            f"{call}: buffer of shape {arr.shape} with strides {arr.strides} is not C-contiguous; "
            "pass np.ascontiguousarray(x) (and copy the result back if needed)")
    if writeable and not arr.flags.writeable:
        raise ValueError(f"{call}: buffer of shape {arr.shape} is read-only")
    return arr


def check_op(op, arr, call):
    """Validate a reduction name; "mean" needs a floating or complex dtype."""
    if op not in REDUCE_OPS:
        raise ValueError(f"{call}: unknown op {op!r}; expected one of {', '.join(REDUCE_OPS)}")
    if op == "mean" and arr.dtype.kind not in "fc":
        raise TypeError(f"{call}: op='mean' needs a floating dtype, got {arr.dtype}; use op='sum'")


def _dtype_code(dtype):
    """One int per dtype (its kind and item size), equal for equal dtypes, to compare them across ranks."""
    return ord(dtype.kind) * 100 + dtype.itemsize


def _check_tag(tag, call):
    if not isinstance(tag, (int, np.integer)) or tag < 0:
        raise ValueError(f"{call}: tag must be a non-negative int, got {tag!r}")


def _counts(counts, n, name):
    c = np.asarray(counts)
    if c.shape != (n,) or c.dtype.kind not in "iu" or (c < 0).any():
        raise ValueError(f"alltoallv: {name} must be {n} non-negative ints, got {counts!r}")
    return c.astype(np.int64)


class Work:
    """Handle of a non-blocking operation: ``wait()`` completes it and returns its buffer."""

    def __init__(self, result, wait=None, test=None, then=None):
        self._result, self._wait, self._test, self._then = result, wait, test, then
        self._done = False

    def wait(self):
        """Block until the operation finishes; return the buffer it filled (or sent)."""
        if not self._done:
            if self._wait is not None:
                self._wait()
            if self._then is not None:
                self._then()
            self._done = True
        return self._result

    def is_completed(self):
        """True when ``wait()`` would not block (``wait()`` must still be called)."""
        return self._done or self._test is None or self._test()


class Communicator:
    """A group of ranks and the collectives between them (abstract base).

    Attributes:
        rank: this process's (or thread's) index in the group, 0 <= rank < world_size.
        world_size: number of ranks in the group (alias ``size``).

    Buffers are C-contiguous numpy arrays (a Tensor is unwrapped with ``.numpy()``); in-place
    operations return the object they were given.
    """

    rank = 0
    world_size = 1
    _reduces_mean = False  # True: the backend's _allreduce and _iallreduce take op="mean" (sum, then divide)

    @property
    def size(self):
        """Alias of ``world_size`` (MPI's name)."""
        return self.world_size

    def __repr__(self):
        return f"{type(self).__name__}(rank={self.rank}, world_size={self.world_size})"

    # -- collectives on arrays ------------------------------------------------------------------
    def allreduce(self, buf, op="sum"):
        """Reduce `buf` over all ranks in place and return it; every rank gets the same values.

        Args:
            buf: ndarray or Tensor, same shape and dtype on every rank.
            op: "sum", "mean" (sum, then divide by world_size), "max" or "min".

        Example:
            >>> g = comm.allreduce(np.ones(3, np.float32), op="mean")
        """
        arr = as_buffer(buf, "allreduce", writeable=True, reduce=True)
        check_op(op, arr, "allreduce")
        divide = op == "mean" and not self._reduces_mean
        self._allreduce(arr, "sum" if divide else op)
        if divide:
            arr /= self.world_size
        return buf

    def reduce_buffer(self, count, dtype=np.float32):
        """A zero-filled 1-D array that `allreduce` and `iallreduce` reduce fastest in place.

        On MPI ranks of one node it lives in shared memory that the other ranks read directly, so a
        reduction need not copy it in first (DistributedDataParallel keeps its gradient buckets there);
        elsewhere it is an ordinary array. Collective: every rank asks for the same count and dtype.
        """
        return self._reduce_buffer(int(count), np.dtype(dtype))

    def iallreduce(self, buf, op="sum"):
        """Start ``allreduce(buf, op)``, return a `Work`; leave `buf` alone until ``wait()``."""
        arr = as_buffer(buf, "iallreduce", writeable=True, reduce=True)
        check_op(op, arr, "iallreduce")
        divide = op == "mean" and not self._reduces_mean
        wait, test = self._iallreduce(arr, "sum" if divide else op)
        n = self.world_size
        then = (lambda: np.divide(arr, n, out=arr)) if divide else None
        return Work(buf, wait, test, then)

    def broadcast(self, buf, root=0):
        """Copy root's `buf` into `buf` on every rank (in place) and return it."""
        arr = as_buffer(buf, "broadcast", writeable=True)
        self._check_rank(root, "broadcast", "root")
        self._broadcast(arr, root)
        return buf

    def allgather(self, buf, out=None):
        """Return an array of shape ``(world_size, *buf.shape)`` whose row r is rank r's `buf`."""
        arr = as_buffer(buf, "allgather")
        shape = (self.world_size,) + arr.shape
        out = self._out(out, shape, arr.dtype, "allgather")
        self._allgather(arr, out)
        return out

    def reduce_scatter(self, buf, op="sum", out=None):
        """Reduce `buf` over ranks and return only block `rank` of the result.

        `buf` has shape ``(world_size * k, ...)``; block r is ``buf[r*k:(r+1)*k]`` and the
        result has shape ``(k, ...)`` (MPI's Reduce_scatter_block).
        """
        arr = as_buffer(buf, "reduce_scatter", reduce=True)
        check_op(op, arr, "reduce_scatter")
        if arr.ndim == 0 or arr.shape[0] % self.world_size:
            raise ValueError(f"reduce_scatter: first dimension of shape {arr.shape} must be "
                             f"divisible by world_size={self.world_size}")
        shape = (arr.shape[0] // self.world_size,) + arr.shape[1:]
        out = self._out(out, shape, arr.dtype, "reduce_scatter")
        self._reduce_scatter(arr, out, "sum" if op == "mean" else op)
        if op == "mean":
            out /= self.world_size
        return out

    def alltoallv(self, buf, send_counts, out, recv_counts):
        """Send ``send_counts[r]`` elements of `buf` to each rank r, in rank order, and receive
        ``recv_counts[r]`` elements from each rank r into `out`, in rank order (MPI's Alltoallv).

        Counts may differ between pairs (zero too). Every rank first learns every pair's counts and
        dtype (one small allgather), so a rank whose `recv_counts` do not match what its peers send
        makes every rank raise the same ValueError instead of receiving a truncated message.
        """
        arr = as_buffer(buf, "alltoallv")
        res = as_buffer(out, "alltoallv", writeable=True)
        send, recv = (_counts(c, self.world_size, name) for c, name in
                      ((send_counts, "send_counts"), (recv_counts, "recv_counts")))
        if send.sum() != arr.size or recv.sum() != res.size:
            raise ValueError(f"alltoallv: send_counts sum to {send.sum()} and recv_counts to {recv.sum()}, "
                             f"but buf has {arr.size} elements and out {res.size}")
        if res.dtype != arr.dtype:
            raise ValueError(f"alltoallv: out has dtype {res.dtype} but buf has {arr.dtype}")
        table = self.allgather(np.concatenate([send, recv, [_dtype_code(arr.dtype)]]))
        n = self.world_size
        sends, recvs, dtypes = table[:, :n], table[:, n:2 * n], table[:, -1]
        if len(set(dtypes)) > 1:
            desc = ", ".join(f"rank {r}: {np.dtype(f'{chr(d // 100)}{d % 100}')}" for r, d in enumerate(dtypes))
            raise ValueError(f"alltoallv: ranks pass different dtypes ({desc})")
        wrong = [(s, d) for s in range(n) for d in range(n) if sends[s, d] != recvs[d, s]]
        if wrong:
            s, d = wrong[0]
            raise ValueError(f"alltoallv: rank {s} sends {sends[s, d]} elements to rank {d}, which expects "
                             f"{recvs[d, s]} (recv_counts must equal what each peer sends)")
        self._alltoallv(arr.reshape(-1), send, res.reshape(-1), recv)
        return out

    def barrier(self):
        """Wait until every rank of the group reaches the barrier."""
        self._barrier()

    def split(self, color, key=None):
        """Collective: partition the ranks into sub-communicators, one per `color`.

        Ranks with the same `color` form a new communicator, ordered by (`key`, old rank);
        `key` defaults to the old rank. A rank passing ``color=None`` gets None.
        """
        if color is not None and (not isinstance(color, (int, np.integer)) or color < 0):
            raise ValueError(f"split: color must be a non-negative int or None, got {color!r}")
        key = self.rank if key is None else key
        if not isinstance(key, (int, np.integer)):
            raise TypeError(f"split: key must be an int, got {type(key).__name__}")
        return self._split(None if color is None else int(color), int(key))

    # -- point to point --------------------------------------------------------------------------
    def send(self, buf, dest, tag=0):
        """Send `buf` to rank `dest`; returns when `buf` may be reused."""
        arr = as_buffer(buf, "send")
        self._check_peer(dest, tag, "send", "dest")
        self._send(arr, dest, tag)

    def recv(self, buf, source, tag=0):
        """Receive a message from `source` into the preallocated `buf` and return `buf`.

        The message must have exactly ``buf.size`` elements of ``buf.dtype``. To receive into a
        new array: ``comm.recv(np.empty(shape, dtype), source)``.
        """
        arr = as_buffer(buf, "recv", writeable=True)
        self._check_peer(source, tag, "recv", "source")
        self._recv(arr, source, tag)
        return buf

    def recv_any(self, buf, tag=0):
        """Receive the first message with `tag` that arrives from any other rank into `buf`; return
        the rank that sent it (MPI's ANY_SOURCE; a parameter server's loop over its workers)."""
        arr = as_buffer(buf, "recv_any", writeable=True)
        if self.world_size < 2:
            self._no_peer("recv_any")
        _check_tag(tag, "recv_any")
        return self._recv(arr, None, tag)

    def isend(self, buf, dest, tag=0):
        """Start ``send``; returns a `Work` (keep `buf` unchanged until ``wait()``)."""
        arr = as_buffer(buf, "isend")
        self._check_peer(dest, tag, "isend", "dest")
        return Work(buf, *self._isend(arr, dest, tag))

    def irecv(self, buf, source, tag=0):
        """Start ``recv`` into `buf`; ``wait()`` returns the filled `buf`."""
        arr = as_buffer(buf, "irecv", writeable=True)
        self._check_peer(source, tag, "irecv", "source")
        return Work(buf, *self._irecv(arr, source, tag))

    # -- small Python objects (pickled; not for hot paths) ---------------------------------------
    def broadcast_object(self, obj, root=0):
        """Return root's `obj` on every rank (pickled; for small objects such as headers)."""
        self._check_rank(root, "broadcast_object", "root")
        return self._broadcast_object(obj, root)

    def allgather_object(self, obj):
        """Return the list of every rank's `obj`, indexed by rank."""
        return self._allgather_object(obj)

    def send_object(self, obj, dest, tag=0):
        """Send a small picklable object to `dest`."""
        self._check_peer(dest, tag, "send_object", "dest")
        self._send_object(obj, dest, tag)

    def recv_object(self, source, tag=0):
        """Receive an object sent with ``send_object`` from `source`."""
        self._check_peer(source, tag, "recv_object", "source")
        return self._recv_object(source, tag)

    # -- helpers ---------------------------------------------------------------------------------
    def _check_rank(self, r, call, name):
        if not isinstance(r, (int, np.integer)) or not 0 <= r < self.world_size:
            raise ValueError(f"{call}: {name}={r!r} is not a rank in [0, {self.world_size})")

    def _no_peer(self, call):
        raise RuntimeError(f"{call}: {type(self).__name__} has a single rank, so there is no other "
                           "rank to talk to; start the script with mpirun or ddp.parallel.spawn")

    def _check_peer(self, peer, tag, call, name):
        self._check_rank(peer, call, name)
        _check_tag(tag, call)

    @staticmethod
    def _out(out, shape, dtype, call):
        if out is None:
            return np.empty(shape, dtype)
        arr = as_buffer(out, call, writeable=True)
        if arr.shape != shape or arr.dtype != dtype:
            raise ValueError(f"{call}: out has shape {arr.shape} and dtype {arr.dtype}, "
                             f"expected shape {shape} and dtype {dtype}")
        return arr

    def _reduce_buffer(self, count, dtype):
        return np.zeros(count, dtype)


class LocalCommunicator(Communicator):
    """The one-rank communicator of a plain ``python script.py`` run: collectives are identities.

    Point-to-point calls raise, since a rank sending to itself would wait forever.
    """

    def _allreduce(self, arr, op):
        pass

    def _iallreduce(self, arr, op):
        return None, None

    def _broadcast(self, arr, root):
        pass

    def _allgather(self, arr, out):
        out[0] = arr

    def _reduce_scatter(self, arr, out, op):
        out[...] = arr

    def _alltoallv(self, arr, send_counts, out, recv_counts):
        out[...] = arr

    def _barrier(self):
        pass

    def _split(self, color, key):
        return None if color is None else LocalCommunicator()

    def _send(self, arr, dest, tag):
        self._no_peer("send")

    def _recv(self, arr, source, tag):
        self._no_peer("recv")

    def _isend(self, arr, dest, tag):
        self._no_peer("isend")

    def _irecv(self, arr, source, tag):
        self._no_peer("irecv")

    def _broadcast_object(self, obj, root):
        return obj

    def _allgather_object(self, obj):
        return [obj]

    def _send_object(self, obj, dest, tag):
        self._no_peer("send_object")

    def _recv_object(self, source, tag):
        self._no_peer("recv_object")
