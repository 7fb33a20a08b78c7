"""Argument normalisation shared by the public ops: tensors from Python data, and dims."""
import builtins

import numpy as np

from .tensor import Tensor


def as_tensor_arg(x, like=None):
    """x as a Tensor; Python numbers take `like`'s float dtype and Python floats become float32, so that
    passing plain data never makes float64."""
    if isinstance(x, Tensor):
        return x
    a = np.asarray(x)
    if like is not None and a.dtype.kind in "fiub" and like.dtype.kind == "f" and a.ndim == 0:
        a = a.astype(like.dtype)
    elif a.dtype == np.float64 and not isinstance(x, np.ndarray):
        a = a.astype(np.float32)
    return Tensor(a)


def normalize_dim(dim, ndim, op):
    """A dim (or tuple of dims) as non-negative ints, with PyTorch's error for one out of range."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        return tuple(normalize_dim(d, ndim, op) for d in dim)
    lo, hi = -builtins.max(ndim, 1), builtins.max(ndim, 1) - 1
    if not lo <= dim <= hi:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % builtins.max(ndim, 1) if ndim else 0
