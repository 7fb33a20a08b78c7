"""DistributedDataParallel's gradient buckets: flat storage for groups of parameters' gradients.

A `Bucket` holds the gradients of consecutive same-dtype parameters in one flat array (from the
communicator's `reduce_buffer`, so between MPI ranks of one node it lives in shared memory), and one
collective reduces it. Each parameter's `Slot` is its view into the bucket; its `.grad` is a Tensor on
that view (PyTorch's ``gradient_as_bucket_view``), and its `_grad_buffer` lets Linear's and Conv2d's
backward write a fresh gradient straight into it.
"""
import numpy as np

from ..core.tensor import Tensor


class Slot:
    """One parameter's place in its bucket: `view` (shaped like the parameter) and `grad` (a Tensor on it)."""

    def __init__(self, param, bucket, view, index):
        self.param, self.bucket, self.view, self.index = param, bucket, view, index
        self.grad = Tensor(view)

    def adopt_grad(self):
        """Make the parameter's `.grad` the bucket view, copying a gradient that backward made elsewhere."""
        if self.param.grad.numpy() is not self.view:
            np.copyto(self.view, self.param.grad.numpy())
            self.param.grad = self.grad


class Bucket:
    """Flat storage for the gradients of a group of same-dtype parameters; one collective reduces it."""

    def __init__(self, params, first_index, allocate):
        sizes = [p.numel() for p in params]
        self.flat = allocate(sum(sizes), params[0].dtype)  # zeros, where the communicator reduces fastest
        self.slots, start = [], 0
        for i, (p, n) in enumerate(zip(params, sizes)):
            view = self.flat[start:start + n].reshape(p.shape)
            self.slots.append(Slot(p, self, view, first_index + i))
            start += n
        self.pending = len(params)
        self.work = None
        self.launched = None  # when its reduction started, for the timeline


def make_buckets(params, cap_bytes, allocate):
    """Group consecutive parameters of one dtype into buckets of at most `cap_bytes` (one if larger);
    `allocate(count, dtype)` makes their flat storage."""
    buckets, group, size, index = [], [], 0, 0
    for p in params:
        nbytes = p.numel() * p.dtype.itemsize
        if group and (p.dtype != group[0].dtype or size + nbytes > cap_bytes):
            buckets.append(Bucket(group, index, allocate))
            index, group, size = index + len(group), [], 0
        group.append(p)
        size += nbytes
    buckets.append(Bucket(group, index, allocate))
    return buckets


def release_grad_buffers(pairs):
    """Once the wrapper is gone, backward makes fresh gradients again."""
    for param, view in pairs:
        if param._grad_buffer is view:
            param._grad_buffer = None
