"""Factories that say where a tensor's memory comes from or how it is laid out: `asarray` and `frombuffer`
share existing memory (a numpy array, a Tensor, any object with the buffer protocol) where they can, and
`empty_strided` and `empty_permuted` make new memory with given strides or a given physical dim order.

ddp tensors are numpy arrays, so sharing is numpy's: writes through either side are seen by the other.
"Uninitialised" memory is zeros here (PyTorch leaves it as it finds it).
"""
import warnings

import numpy as np

from .creation import tensor as _copying_tensor
from .device import check_device
from .dtypes import as_dtype, get_default_dtype
from .sizes import size_arg
from .tensor import Tensor

__all__ = ["asarray", "frombuffer", "empty_strided", "empty_permuted"]


def _has_buffer(obj):
    try:
        memoryview(obj)
    except TypeError:
        return False
    return True


def _asarray_tensor(obj, dtype, copy, requires_grad):
    """asarray of a Tensor: the tensor itself when nothing changes, else a (differentiable) cast or copy."""
    out = obj
    if dtype is not None and dtype != obj.dtype:
        if copy is False:
            raise ValueError(f"asarray(): copy=False, but a {obj.dtype} tensor cannot be viewed as {dtype}")
        out = obj.to(dtype)
    elif copy:
        out = obj.clone()
    if requires_grad is None or bool(requires_grad) == out.requires_grad:
        return out
    if not requires_grad:
        return out.detach()
    return out.requires_grad_(True)  # as PyTorch: a tensor returned itself now requires grad


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """`obj` as a Tensor, sharing its memory where possible (PyTorch's asarray).

    Args:
        obj: a Tensor (returned itself when nothing changes), a numpy array (shared unless `dtype` differs), an
            object with the buffer protocol (its bytes read as `dtype`, the default float dtype if None, as
            PyTorch does), or numbers and nested sequences (copied, with `tensor`'s default dtypes).
        copy: None shares when it can; True always copies; False never does (ValueError if it must).
        requires_grad: None keeps a Tensor's flag (False for other data).
    Raises:
        ValueError: copy=False where a copy is needed.

    Example:
        >>> a = np.zeros(3); t = ddp.asarray(a); t[0] = 1.0; a[0]
        1.0
    """
    check_device(device, "asarray")
    dtype = as_dtype(dtype)
    if isinstance(obj, Tensor):
        return _asarray_tensor(obj, dtype, copy, requires_grad)
    if isinstance(obj, np.ndarray):
        if dtype is not None and dtype != obj.dtype and copy is False:
            raise ValueError(f"asarray(): copy=False, but a {obj.dtype} array cannot be viewed as {dtype}")
        array = np.array(obj, dtype=dtype, copy=True) if copy else np.asarray(obj, dtype=dtype)
    elif _has_buffer(obj) and not isinstance(obj, (str, np.generic)):
        array = frombuffer(obj, dtype=dtype or get_default_dtype())._data
        array = array.copy() if copy else array
    else:
        if copy is False:
            raise ValueError(f"asarray(): copy=False, but {type(obj).__name__} data must be copied into a tensor")
        array = np.asarray(obj, dtype=dtype) if isinstance(obj, np.generic) else _copying_tensor(obj, dtype)._data
    return Tensor(array, requires_grad=bool(requires_grad))


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over the bytes of `buffer` (bytes, bytearray, array.array, memoryview, mmap, ...), read as
    `count` elements of `dtype` (all of them if -1) from byte `offset`, sharing its memory.

    A read-only buffer (bytes) gives a read-only tensor, with a warning: writing to it raises (PyTorch lets
    such writes through to memory it should not change).

    Raises:
        ValueError: an object without the buffer protocol, an empty result, an offset past the end, or a
        length that is not a whole number of elements.
    """
    dtype = as_dtype(dtype)
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError(f"frombuffer(): expected an object with the buffer protocol, got "
                         f"{type(buffer).__name__}") from None
    length, size = view.nbytes, dtype.itemsize
    if length == 0 or count == 0:
        raise ValueError(f"frombuffer(): the result would be empty (buffer of {length} bytes, count={count})")
    if not 0 <= offset < length:
        raise ValueError(f"frombuffer(): offset ({offset} bytes) must be in [0, {length}) for a buffer of "
                         f"{length} bytes")
    if count < 0:
        if (length - offset) % size:
            raise ValueError(f"frombuffer(): the {length - offset} bytes after offset {offset} are not a whole "
                             f"number of {dtype} elements ({size} bytes each)")
        count = (length - offset) // size
    elif offset + count * size > length:
        raise ValueError(f"frombuffer(): {count} elements of {size} bytes after offset {offset} need "
                         f"{offset + count * size} bytes, but the buffer has {length}")
    array = np.frombuffer(view.cast("B"), dtype=dtype, count=count, offset=offset)
    if not array.flags.writeable:
        warnings.warn("frombuffer(): the buffer is read-only, so the tensor is too: writing to it will raise; "
                      "copy the buffer (bytearray(...)) for a writable tensor", UserWarning, stacklevel=2)
    return Tensor(array, requires_grad=requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of `size` whose elements are `stride` elements apart along each dim (steps of 0 repeat an
    element), over a buffer just large enough. Zeros.

    Raises:
        RuntimeError: size and stride differ in length, or a stride is negative.
    """
    check_device(device, "empty_strided")
    shape = size_arg((size,), "empty_strided")
    steps = tuple(int(s) for s in stride)
    if len(steps) != len(shape):
        raise RuntimeError(f"empty_strided(): size {shape} has {len(shape)} dims but stride {steps} has "
                           f"{len(steps)}")
    if any(s < 0 for s in steps):
        raise RuntimeError(f"empty_strided(): strides must be >= 0, got {steps}")
    dtype = as_dtype(dtype) or get_default_dtype()
    extent = 0 if 0 in shape else 1 + sum((n - 1) * s for n, s in zip(shape, steps))
    buffer = np.zeros(extent, dtype=dtype)
    array = np.lib.stride_tricks.as_strided(buffer, shape, tuple(s * dtype.itemsize for s in steps))
    return Tensor(array, requires_grad=requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """A tensor of `size` whose memory holds its dims in the order `physical_layout` (outermost first):
    `empty_permuted((N, C, H, W), (0, 2, 3, 1))` is channels-last. Zeros.

    Raises:
        RuntimeError: physical_layout is not a permutation of range(len(size)).
    """
    check_device(device, "empty_permuted")
    shape = size_arg((size,), "empty_permuted")
    order = tuple(int(d) for d in physical_layout)
    if sorted(order) != list(np.arange(len(shape))):
        raise RuntimeError(f"empty_permuted(): physical_layout {order} must be a permutation of the "
                           f"{len(shape)} dims of size {shape} (each of 0..{len(shape) - 1} once)")
    memory = np.zeros([shape[d] for d in order], dtype=as_dtype(dtype) or get_default_dtype())
    return Tensor(memory.transpose(np.argsort(order)), requires_grad=requires_grad)
