"""as_strided: a view with any element strides over a tensor's storage, the numpy array that owns its memory."""
import numpy as np

from ..autograd import Function


def storage_root(a):
    """The array whose memory `a` views: numpy's `.base` chain followed to its end, through the wrappers that
    numpy's stride tricks put in it (an object whose own `.base` is the array)."""
    root = a
    while True:
        base = root.base
        if isinstance(base, np.ndarray):
            root = base
        elif isinstance(getattr(base, "base", None), np.ndarray):
            root = base.base
        else:
            return root


def address(a):
    return a.__array_interface__["data"][0]


def geometry(a, root):
    """(shape, strides, offset) of `a` in elements of its dtype, counted from the start of `root`'s memory; None
    where `a` does not sit on whole elements of it (a byte-level view of another dtype)."""
    size = a.itemsize
    offset, rest = divmod(address(a) - address(root), size)
    if rest or any(s % size for s in a.strides):
        return None
    return a.shape, tuple(s // size for s in a.strides), offset


def positions(shape, strides, offset):
    """The storage position of every element of a view (shape, strides, offset), as an int64 array of `shape`."""
    where = np.full((), offset, dtype=np.int64)
    for n, s in zip(shape, strides):  # one step per dim: the positions broadcast over the dims so far
        where = where[..., None] + np.arange(n, dtype=np.int64) * s
    return where


class AsStrided(Function):
    """The view (size, stride, offset) of x's storage (checked by the caller to fit in it).

    d/dx: the gradient of each output element is added into its storage position (overlapping elements
    accumulate), and each element of x reads its position back, divided by how many elements of x share it
    (as PyTorch, so that an x that is itself an overlapping view, say an expand, gets the gradient once)."""

    @staticmethod
    def forward(ctx, x, *, size, stride, offset):
        root = storage_root(x)
        ctx.views = geometry(x, root), (size, stride, offset)
        if not np.prod(size, dtype=np.int64):
            return np.ndarray(size, x.dtype, buffer=root, strides=[s * x.itemsize for s in stride])
        return np.ndarray(size, x.dtype, buffer=root, offset=offset * x.itemsize,
                          strides=[s * x.itemsize for s in stride])

    @staticmethod
    def backward(ctx, g):
        source, view = ctx.views
        at_x, at_out = positions(*source).reshape(-1), positions(*view).reshape(-1)
        keys, which = np.unique(np.concatenate([at_x, at_out]), return_inverse=True)
        of_x, of_out = which[:at_x.size], which[at_x.size:]
        total = np.bincount(of_out, weights=g.reshape(-1), minlength=keys.size)
        share = np.bincount(of_x, minlength=keys.size)
        gx = total[of_x] if share.max(initial=1) == 1 else total[of_x] / share[of_x]
        return gx.reshape(source[0]).astype(g.dtype, copy=False)
