"""Helpers of `ddp.distributed`'s calls: the numpy arrays behind Tensors, in-place writes, global to group
ranks, and `Work`, the handle that ``async_op=True`` returns."""
import numpy as np

from ..core.tensor import Tensor
from .comm import Work as _CommWork


class Work(_CommWork):
    """Handle of an ``async_op=True`` call (torch.distributed's): ``wait()`` completes it and returns True.

    Calls that finish before they return give a completed Work; `all_reduce`, `isend` and `irecv`
    give one that is still running (leave their tensors alone until ``wait()``). The waiting itself is
    the communicator's `Work`; this adds PyTorch's return values and accessors.
    """

    def __init__(self, tensors, wait=None, test=None, then=None):
        super().__init__(list(tensors), wait, test, then)
        self._done = wait is None and then is None

    def wait(self, timeout=None):
        """Block until the operation has finished; its tensors then hold the result."""
        super().wait()
        return True

    def is_completed(self):
        """True when ``wait()`` would not block."""
        return bool(super().is_completed())

    def is_success(self):
        """True once completed (a failure raises instead)."""
        return self.is_completed()

    def exception(self):
        """None: failures raise from ``wait()``."""
        return None

    def result(self):
        """The tensors the operation wrote (or sent)."""
        return self._result

    def get_future(self):
        """A `Future` (ddp.futures) of `result()`, done when this is: what PyTorch's comm hooks chain
        (``dist.all_reduce(t, async_op=True).get_future().then(...)``)."""
        from .comm_hooks import Future

        return Future(wait=lambda: (self.wait(), self.result())[1], test=self.is_completed)


def done(tensors, async_op):
    """What a call that has already finished returns: None, or a completed `Work` with async_op."""
    return Work(tensors) if async_op else None


def read(tensor, call):
    """The numpy array behind `tensor` (a TypeError naming `call` if it is not a ddp Tensor)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{call}: expected a ddp Tensor, got {type(tensor).__name__}")
    return tensor.numpy()


def writable(tensor, call):
    """(array, finish): a contiguous array to work on in place, and finish() to land it in `tensor`."""
    arr = read(tensor, call)
    if not arr.flags.writeable:
        raise ValueError(f"{call}: the tensor of shape {tuple(arr.shape)} is read-only (a broadcast view?); "
                         "pass tensor.clone()")
    if arr.flags.c_contiguous:
        return arr, tensor._bump_version
    work = np.ascontiguousarray(arr)

    def finish():
        np.copyto(arr, work)
        tensor._bump_version()
    return work, finish


def write(tensor, value):
    """Copy `value` (any shape with the tensor's number of elements) into `tensor` in place."""
    arr = tensor.numpy()
    np.copyto(arr, np.reshape(value, arr.shape))
    tensor._bump_version()


def group_rank(pg, rank, given_group_rank, call, name):
    """The group rank of global `rank`, or `given_group_rank` (``group_src``/``group_dst``) if given."""
    if given_group_rank is not None:
        if not isinstance(given_group_rank, int) or not 0 <= given_group_rank < pg.size():
            raise ValueError(f"{call}: group_{name}={given_group_rank!r} is not a rank of a group of {pg.size()}")
        return given_group_rank
    if not isinstance(rank, int):
        raise TypeError(f"{call}: {name} must be an int (a global rank), got {type(rank).__name__}")
    return pg.group_rank(rank, call)
