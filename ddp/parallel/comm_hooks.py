"""Communication hooks for `DistributedDataParallel` (PyTorch's ``register_comm_hook`` API).

A hook replaces the mean-allreduce of each gradient bucket: ``hook(state, bucket)`` gets a `GradBucket`
(the bucket's flat gradient, its parameters, its index) and returns a `Future` whose value is the reduced
flat gradient, which DDP copies into the bucket when it waits for it. Hooks run in bucket order on every
rank (a full bucket waits for the ones before it), and DDP waits for their futures in bucket order, so
the collectives a hook starts, lazily in `Future.then` callbacks too, line up across the ranks.

Built in (PyTorch's names; `state` is a process group, a `Communicator` or None for DDP's own):

- `allreduce_hook`: the default reduction, bitwise: a non-blocking mean for every bucket but the last,
  the blocking mean for the last, as DDP without a hook does.
- `fp16_compress_hook`: the bucket cast to float16 and divided by the world size, summed by one float16
  allreduce (2 bytes per element move), cast back to the bucket's dtype.
- `bf16_compress_hook`: the same with bfloat16, which numpy lacks: each float32 is rounded to its nearest
  bfloat16 (round half to even on the upper 16 bits) and the upper 16 bits move as uint16, 2 bytes per
  element, by an allgather (a reduction of uint16 would add the bit patterns); every rank then sums the
  gathered values in float32 in rank order and rounds the sum to bfloat16, as a bfloat16 allreduce
  returns it. An allgather receives (world_size - 1) payloads where a ring allreduce moves about two.

`powerSGD_hook` and `PowerSGDState` are in powersgd_hook.py. Each state that counts (``bytes_sent``)
adds the payload bytes this rank hands to its collectives.
"""
import numpy as np

from ..core.tensor import Tensor
from .comm import Communicator
from .process_group import ProcessGroup


class Future:
    """The value of a reduction that may still be in flight (``torch.futures.Future``'s shape).

    `wait()` blocks until the value is ready and returns it; `then(fn)` returns a Future of ``fn(self)``,
    which runs when that Future is waited for (so a chain of collectives starts in the order of the waits,
    the same on every rank).
    """

    def __init__(self, value=None, wait=None, test=None):
        self._value, self._wait, self._test = value, wait, test
        self._done = wait is None

    def wait(self):
        """Block until the value is ready; return it."""
        if not self._done:
            self._value, self._wait, self._done = self._wait(), None, True
        return self._value

    def done(self):
        """True when the value is ready, or the communication it waits on has finished (a `then` callback
        may still have work, and collectives, to do in `wait()`)."""
        return self._done or (self._test is not None and self._test())

    def value(self):
        """The value of a finished Future (after `wait()`, or inside a `then` callback)."""
        if not self.done():
            raise RuntimeError("Future.value: the future is not done yet; call wait() first")
        return self.wait()

    def then(self, fn):
        """A Future of ``fn(self)``, run after this one completes."""
        def run():
            self.wait()
            return fn(self)
        return Future(wait=run, test=self.done)

    def set_result(self, value):
        """Complete a Future made without a value (``Future()`` then ``set_result``)."""
        self._value, self._wait, self._done = value, None, True


def _work_future(work, value):
    """A Future of `value`, ready once the communicator's non-blocking `work` is."""
    def finish():
        work.wait()
        return value
    return Future(wait=finish, test=work.is_completed)


class GradBucket:
    """One DDP bucket as a hook sees it (PyTorch's ``dist.GradBucket``).

    ``buffer()`` is the flat gradient (a Tensor on the bucket's storage: a hook may reduce it in place),
    ``gradients()`` the per-parameter views of it, ``parameters()`` the parameters, ``index()`` the bucket's
    position in reduction order, ``is_last()`` whether it is the last bucket of the backward pass.
    """

    def __init__(self, flat, slots, index, last, comm):
        self._flat, self._slots, self._index, self._last, self._comm = flat, slots, index, last, comm

    def buffer(self):
        return Tensor(self._flat)

    def gradients(self):
        return [Tensor(s.view) for s in self._slots]

    def parameters(self):
        return [s.param for s in self._slots]

    def index(self):
        return self._index

    def is_last(self):
        return self._last

    def set_buffer(self, tensor):
        """Copy `tensor` (same size) into the bucket's flat gradient."""
        np.copyto(self._flat, np.asarray(_array(tensor)).reshape(self._flat.shape))


def communicator(state, bucket):
    """The communicator a hook reduces over: `state` as a group or Communicator, else DDP's."""
    group = getattr(state, "process_group", state)
    if isinstance(group, ProcessGroup):
        return group.comm
    if isinstance(group, Communicator):
        return group
    if group is None:
        return bucket._comm
    raise TypeError(f"comm hook: expected a process group, a Communicator or None as the state (or a state "
                    f"with .process_group), got {type(group).__name__}")


def _array(x):
    return x.numpy() if isinstance(x, Tensor) else x


def _count(state, nbytes):
    if hasattr(state, "bytes_sent"):
        state.bytes_sent += int(nbytes)


# ------------------------------------------------------------------------------------------- the hooks
def allreduce_hook(process_group, bucket):
    """The mean over the ranks, exactly as DDP reduces without a hook (the default hook)."""
    comm, flat = communicator(process_group, bucket), bucket._flat
    _count(process_group, flat.nbytes)
    if bucket.is_last():
        comm.allreduce(flat, op="mean")  # nothing left to overlap with: the blocking call is the fastest
        return Future(Tensor(flat))
    return _work_future(comm.iallreduce(flat, op="mean"), Tensor(flat))


def fp16_compress_hook(process_group, bucket):
    """Cast to float16, divide by the world size, sum over the ranks in float16, cast back."""
    comm, flat = communicator(process_group, bucket), bucket._flat
    half = flat.astype(np.float16)
    np.divide(half, np.float16(comm.world_size), out=half)
    _count(process_group, half.nbytes)

    def decompress(fut):
        np.copyto(flat, half)
        return Tensor(flat)
    return _work_future(comm.iallreduce(half), half).then(decompress)


def to_bfloat16_bits(x):
    """The uint16 upper halves of float32 `x` rounded to the nearest bfloat16 (ties to even)."""
    x = np.ascontiguousarray(x, np.float32)
    bits = x.view(np.uint32)
    out = bits >> np.uint32(16)
    out &= np.uint32(1)
    out += np.uint32(0x7FFF)
    out += bits  # the upper half rounds up when the lower half is over 0x8000, or 0x8000 and the upper odd
    out >>= np.uint32(16)
    nan = np.isnan(x)
    if nan.any():  # a NaN stays a (quiet) NaN instead of rounding into the exponent
        out[nan] = (bits[nan] >> np.uint32(16)) | np.uint32(0x0040)
    return out.astype(np.uint16)


def from_bfloat16_bits(bits):
    """float32 values of bfloat16 bit patterns (uint16)."""
    return (bits.astype(np.uint32) << np.uint32(16)).view(np.float32)


def bf16_compress_hook(process_group, bucket):
    """Round to bfloat16, divide by the world size (in bfloat16), gather 2 bytes per element from every
    rank, sum in rank order and round the sum to bfloat16; cast back to the bucket's dtype."""
    comm, flat = communicator(process_group, bucket), bucket._flat
    mine = to_bfloat16_bits(from_bfloat16_bits(to_bfloat16_bits(flat)) / np.float32(comm.world_size))
    _count(process_group, mine.nbytes)
    gathered = comm.allgather(mine)
    total = from_bfloat16_bits(gathered[0]).copy()
    for row in gathered[1:]:  # rank order: the same sum, bit for bit, on every rank
        total += from_bfloat16_bits(row)
    np.copyto(flat, from_bfloat16_bits(to_bfloat16_bits(total)))
    return Future(Tensor(flat))


# ---------------------------------------------------------------------------------------- DDP's side
class HookWork:
    """What DDP keeps for a hooked bucket in flight: ``wait()`` copies the hook's result into the bucket."""

    def __init__(self, future, flat, name):
        if not isinstance(future, Future) and not hasattr(future, "wait"):
            raise TypeError(f"DistributedDataParallel: the comm hook {name} must return a Future (with "
                            f"wait()), got {type(future).__name__}")
        self.future, self.flat, self.name = future, flat, name

    def wait(self):
        got = self.future.wait()
        got = got[0] if isinstance(got, (list, tuple)) and len(got) == 1 else got
        arr = _array(got)
        if not isinstance(arr, np.ndarray) or arr.size != self.flat.size:
            shape = getattr(arr, "shape", type(arr).__name__)
            raise RuntimeError(f"DistributedDataParallel: the comm hook {self.name} must return a Future of "
                               f"the bucket's flat gradient ({self.flat.size} elements), got {shape}")
        if arr is not self.flat:
            np.copyto(self.flat, arr.reshape(self.flat.shape))
        return self.flat

    def is_completed(self):
        done = getattr(self.future, "done", None)
        return True if done is None else done()


def run_hook(ddp, bucket, index):
    """Call DDP's registered hook on `bucket` (number `index`); return its `HookWork`."""
    state, hook = ddp._comm_hook
    last = index == len(ddp._buckets) - 1
    grad_bucket = GradBucket(bucket.flat, bucket.slots, index, last, ddp.comm)
    return HookWork(hook(state, grad_bucket), bucket.flat, getattr(hook, "__name__", repr(hook)))
