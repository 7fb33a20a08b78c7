"""Tensor factories with PyTorch's default dtypes: float32 for floating data, int64 for integers."""
import numpy as np

from .dtypes import as_dtype
from .random import get_generator
from .tensor import Tensor


def _default_dtype(array, source):
    """float32 for Python floats, int64 for Python ints; numpy data keeps its dtype (as torch.tensor)."""
    if array.dtype == np.float64 and not (isinstance(source, np.ndarray) or isinstance(source, np.floating)):
        return np.float32
    if array.dtype.kind in "iu" and not isinstance(source, (np.ndarray, np.integer)):
        return np.int64  # Python ints; a numpy integer array keeps its dtype, as torch.tensor does
    return array.dtype


def tensor(data, dtype=None, requires_grad=False, device=None):
    """A new tensor holding a copy of `data` (numbers, nested lists, numpy arrays or Tensors)."""
    if isinstance(data, Tensor):
        data = data._data
    if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        data = [d._data if isinstance(d, Tensor) else d for d in data]
    array = np.array(data)
    if array.dtype == object:
        raise TypeError(f"tensor: could not infer a numeric dtype from data of type {type(data).__name__}")
    dtype = as_dtype(dtype) or _default_dtype(array, data)
    return Tensor(array.astype(dtype, copy=False), requires_grad=requires_grad)


def as_tensor(data, dtype=None):
    """`data` as a Tensor, sharing memory when it already is an array of the right dtype."""
    if isinstance(data, Tensor) and (dtype is None or as_dtype(dtype) == data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or as_dtype(dtype) == data.dtype):
        return Tensor(data)
    return tensor(data, dtype=dtype)


def from_numpy(array):
    """A tensor sharing `array`'s memory and dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(array).__name__})")
    return Tensor(array)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


def _filled(fill, size, dtype, requires_grad, default=np.float32):
    return Tensor(fill(_size(size), dtype=as_dtype(dtype) or default), requires_grad=requires_grad)


def zeros(*size, dtype=None, requires_grad=False, device=None):
    return _filled(np.zeros, size, dtype, requires_grad)


def ones(*size, dtype=None, requires_grad=False, device=None):
    return _filled(np.ones, size, dtype, requires_grad)


def empty(*size, dtype=None, requires_grad=False, device=None):
    return _filled(np.empty, size, dtype, requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    default = np.float32 if isinstance(fill_value, float) else np.int64 if isinstance(fill_value, int) else None
    if isinstance(fill_value, bool):
        default = np.bool_
    array = np.full(_size((size,)), fill_value, dtype=as_dtype(dtype) or default)
    return Tensor(array, requires_grad=requires_grad)


def zeros_like(x, dtype=None, requires_grad=False):
    return zeros(x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def ones_like(x, dtype=None, requires_grad=False):
    return ones(x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def full_like(x, fill_value, dtype=None, requires_grad=False):
    return full(x.shape, fill_value, dtype=dtype or x.dtype, requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    """Values in [start, end) by `step`; int64 when all of them are integers, else float32."""
    if end is None:
        start, end = 0, start
    integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    array = np.arange(start, end, step, dtype=as_dtype(dtype) or (np.int64 if integral else np.float32))
    return Tensor(array, requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None):
    return Tensor(np.linspace(start, end, steps, dtype=as_dtype(dtype) or np.float32), requires_grad=requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    return Tensor(np.eye(n, m, dtype=as_dtype(dtype) or np.float32), requires_grad=requires_grad)


def rand(*size, generator=None, dtype=None, requires_grad=False, device=None):
    """Uniform samples in [0, 1) from the default (or the given) generator."""
    array = get_generator(generator).random(_size(size), dtype=np.float64).astype(as_dtype(dtype) or np.float32)
    return Tensor(array, requires_grad=requires_grad)


def randn(*size, generator=None, dtype=None, requires_grad=False, device=None):
    """Standard normal samples from the default (or the given) generator."""
    array = get_generator(generator).standard_normal(_size(size)).astype(as_dtype(dtype) or np.float32)
    return Tensor(array, requires_grad=requires_grad)


def randint(low, high=None, size=(), generator=None, dtype=None, device=None):
    """Integers in [low, high) (int64)."""
    if high is None:
        low, high = 0, low
    array = get_generator(generator).integers(low, high, size=_size((size,)), dtype=np.int64)
    return Tensor(array.astype(as_dtype(dtype) or np.int64, copy=False))


def randperm(n, generator=None, dtype=None):
    return Tensor(get_generator(generator).permutation(n).astype(as_dtype(dtype) or np.int64))


def rand_like(x, generator=None, dtype=None):
    return rand(x.shape, generator=generator, dtype=dtype or x.dtype)


def randn_like(x, generator=None, dtype=None):
    return randn(x.shape, generator=generator, dtype=dtype or x.dtype)
