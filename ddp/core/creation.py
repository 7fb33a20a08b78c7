"""Tensor factories with PyTorch's signatures and default dtypes: the default float dtype (float32 unless
`set_default_dtype` says otherwise) for floating data, int64 for integers. There is no `out=`: assign the result.

Every factory takes PyTorch's `device=` (the CPU only: "cpu", "cpu:0", `ddp.device("cpu")`; anything else
raises), `layout=` and `pin_memory=` (accepted: ddp has one layout and no pinned memory). Sizes come as
varargs or one sequence (`zeros(2, 3)`, `zeros((2, 3))`, `zeros(size=(2, 3))`). This module defines PyTorch's
`range`, so Python's is not available in it. The factories that share or lay out memory (asarray, frombuffer,
empty_strided, empty_permuted) are in creation_memory.py.
"""
import math
import warnings

import numpy as np

from . import random_draws as draws
from .device import check_device
from .dtypes import as_dtype, get_default_dtype
from .fused_math import fma32, fma64
from .random import generator_of
from .sizes import ragged_error, size_arg
from .tensor import Tensor


def _default_complex():
    return np.dtype(np.complex128) if get_default_dtype() == np.float64 else np.dtype(np.complex64)


def _leaf_dtypes(data):
    """PyTorch's dtype of each kind of leaf in nested lists `data`: the default dtype for Python floats, the
    default complex dtype for Python complex numbers, and their own for numpy scalars and arrays (ints aside)."""
    kinds, stack = set(), [data]
    arrays = []
    while stack:
        seq = stack.pop()
        here = set(map(type, seq))
        kinds |= here
        if list in here or tuple in here or np.ndarray in here:
            for v in seq:
                if type(v) is list or type(v) is tuple:
                    stack.append(v)
                elif type(v) is np.ndarray:
                    arrays.append(v.dtype)
    found = {np.dtype(k) for k in kinds if issubclass(k, (np.floating, np.complexfloating))}
    found.update(d for d in arrays if d.kind in "fc")
    found.update([get_default_dtype()] if float in kinds else [])
    found.update([_default_complex()] if complex in kinds else [])
    return found


def _default_dtype(array, source):
    """torch.tensor's dtype for `source` that numpy made into `array`: Python floats give the default dtype,
    Python complex numbers the default complex one and Python ints int64, numpy data keeps its dtype, and a
    list mixing them promotes over its leaves as PyTorch does (a float leaf wins over any integer:
    [np.float16(1), 2] is float16, [np.float64(1), 2.0] float64, [np.int32(1)] int32)."""
    if isinstance(source, (np.ndarray, np.generic)):
        return array.dtype
    if isinstance(source, (list, tuple)) and array.dtype.kind in "fc" and array.dtype.itemsize > 4:
        leaves = _leaf_dtypes(source)  # float64 / complex128: numpy's, or promoted from Python's
        return np.result_type(*leaves) if leaves else get_default_dtype()  # [] and [[]] are float, as in PyTorch
    if array.dtype == np.float64:
        return get_default_dtype()
    if array.dtype == np.complex128:
        return _default_complex()
    if array.dtype.kind in "iu" and not isinstance(source, (list, tuple)):
        return np.int64  # a Python int; a list keeps numpy's promotion of its integer leaves, as PyTorch's
    return array.dtype


def _made(array, requires_grad, device, op):
    check_device(device, op)
    return Tensor(array, requires_grad=requires_grad)


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (numbers, nested lists, numpy arrays or Tensors).

    Raises:
        ValueError / TypeError: ragged nested lists (as PyTorch: the message names the dim and the lengths).
        TypeError: strings; RuntimeError: data with no numeric dtype (None, dicts).
    """
    if isinstance(data, Tensor):
        data = data._data
    if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        data = [d._data if isinstance(d, Tensor) else d for d in data]
    try:
        array = np.array(data)
    except ValueError:  # numpy's "inhomogeneous shape": say where, as PyTorch does
        ragged_error(data, "tensor")
        raise
    if array.dtype.kind in "US":
        raise TypeError(f"tensor(): invalid data type 'str' (got {data!r}); expected numbers or nested lists of them")
    if array.dtype == object:
        ragged_error(data, "tensor")  # numpy may make an object array of ragged data instead of raising
        raise RuntimeError(f"tensor(): could not infer a numeric dtype from data of type {type(data).__name__}")
    dtype = as_dtype(dtype) or _default_dtype(array, data)
    return _made(array.astype(dtype, copy=False), requires_grad, device, "tensor")


def as_tensor(data, dtype=None, device=None):
    """`data` as a Tensor, sharing memory when it already is an array of the right dtype."""
    check_device(device, "as_tensor")
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


def _size(size, op="factory"):
    """A shape from varargs `(2, 3)`, one sequence `((2, 3),)`, or an int: ints >= 0 (ddp.core.sizes)."""
    return size_arg(size, op)


def _shape(args, size, op):
    if size is not None:
        if args:
            raise TypeError(f"{op}() got the size both by position {args!r} and as size={size!r}")
        args = (size,)
    return _size(args, op)


def _filled(fill, op, args, size, dtype, requires_grad, device):
    shape = _shape(args, size, op)
    return _made(fill(shape, dtype=as_dtype(dtype) or get_default_dtype()), requires_grad, device, op)


def zeros(*args, size=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(np.zeros, "zeros", args, size, dtype, requires_grad, device)


def ones(*args, size=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _filled(np.ones, "ones", args, size, dtype, requires_grad, device)


def empty(*args, size=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    return _filled(np.empty, "empty", args, size, dtype, requires_grad, device)


def full(size, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """`size` filled with `fill_value`: the default float dtype for a float (its complex form for a complex),
    int64 for an int, bool for a bool."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if not isinstance(fill_value, (int, float, complex, np.number, np.bool_)):
        raise TypeError(f"full(): fill_value must be a number, not {type(fill_value).__name__} ({fill_value!r})")
    default = get_default_dtype() if isinstance(fill_value, float) else None
    if isinstance(fill_value, complex):
        default = get_default_dtype().to_complex()
    elif isinstance(fill_value, bool):
        default = np.bool_
    elif isinstance(fill_value, int):
        default = np.int64
    array = np.full(_size((size,), "full"), fill_value, dtype=as_dtype(dtype) or default)
    return _made(array, requires_grad, device, "full")


def _like(fn, x, dtype, requires_grad, device, **kwargs):
    check_device(device, fn.__name__ + "_like")
    return fn(x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad, **kwargs)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):  # noqa: A002
    return _like(zeros, input, dtype, requires_grad, device)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):  # noqa: A002
    return _like(ones, input, dtype, requires_grad, device)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):  # noqa: A002
    return _like(empty, input, dtype, requires_grad, device)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,  # noqa: A002
              memory_format=None):
    check_device(device, "full_like")
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def _check_range(start, end, step, op="arange"):
    """PyTorch's RuntimeErrors for a range arange cannot walk (numpy divides by zero or returns nothing)."""
    if not all(np.isfinite(v) for v in (start, end)):
        raise RuntimeError(f"{op}(): unsupported range: {start} -> {end} (both bounds must be finite)")
    if step == 0:
        raise RuntimeError(f"{op}(): step must be nonzero, got start={start}, end={end}, step={step}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError(f"{op}(): upper bound and lower bound inconsistent with step sign, got "
                           f"start={start}, end={end}, step={step}")


def _steps(steps, op):
    """The `steps` of linspace/logspace: an int >= 0."""
    if isinstance(steps, Tensor):
        steps = steps.item()
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"{op}(): steps must be an int, got {type(steps).__name__} ({steps!r})")
    if steps < 0:
        raise RuntimeError(f"{op}(): number of steps must be non-negative, got {steps}")
    return int(steps)


def _count(n, op, name):
    """An int argument >= 0 such as eye's n and m or randperm's n."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"{op}(): {name} must be greater or equal to 0, got {n}")
    return int(n)


def arange(start, end=None, step=1, *, dtype=None, layout=None, device=None, requires_grad=False):
    """Values in [start, end) by `step`; int64 when all of them are integers, else the default float dtype.
    Floating values are start + i * step computed in double and rounded once, as PyTorch's (numpy's float32
    arange accumulates in float32: arange(-8., 8., 0.1)[80] would be -7.6e-06, not 4.4e-16)."""
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    _check_range(start, end, step)
    integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    out_dtype = np.dtype(as_dtype(dtype) or (np.int64 if integral else get_default_dtype()))
    if out_dtype.kind in "fc":
        count = max(math.ceil((end - start) / step), 0)
        array = (start + np.arange(count, dtype=np.float64) * step).astype(out_dtype, copy=False)
    else:
        array = np.arange(start, end, step, dtype=out_dtype)
    return _made(array, requires_grad, device, "arange")


def range(start, end, step=1, *, dtype=None, layout=None, device=None, requires_grad=False):  # noqa: A001
    """Deprecated (as in PyTorch, which warns): values from start to end *inclusive* by `step`, in the default
    float dtype unless `dtype` says otherwise, even for int bounds. Use `arange`, which excludes end."""
    warnings.warn("ddp.range is deprecated, as torch.range is: its end is inclusive, unlike Python's range; use "
                  "ddp.arange(start, end + step, step) instead", UserWarning, stacklevel=2)
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    _check_range(start, end, step, "range")
    count = int(np.floor((end - start) / step)) + 1
    array = (start + np.arange(count, dtype=np.float64) * step).astype(as_dtype(dtype) or get_default_dtype())
    return _made(array, requires_grad, device, "range")


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    """A 0-d tensor holding the number `s`, in the default float dtype unless `dtype` is given (ints too)."""
    if isinstance(s, Tensor):
        s = s.item()
    if not isinstance(s, (int, float, np.integer, np.floating, np.bool_)):
        raise TypeError(f"scalar_tensor(): argument 's' must be a real number, not {type(s).__name__} ({s!r})")
    return _made(np.array(s, dtype=as_dtype(dtype) or get_default_dtype()), requires_grad, device, "scalar_tensor")


def linspace(start, end, steps, *, dtype=None, layout=None, device=None, requires_grad=False):
    """`steps` points from start to end. In float32 and float64 as PyTorch's kernel, to the bit: the first
    half counted up from start, the second down from end, each point one fused multiply-add with the step."""
    explicit = as_dtype(dtype)
    steps, dtype = _steps(steps, "linspace"), np.dtype(explicit or get_default_dtype())
    if explicit is None and any(isinstance(v, complex) for v in (start, end)):
        dtype = np.result_type(dtype, np.complex64)  # complex ends give the default complex dtype
    if dtype not in (np.float32, np.float64) or steps < 2:
        return _made(np.linspace(start, end, steps, dtype=dtype), requires_grad, device, "linspace")
    return _made(linspace_points(start, end, steps, dtype), requires_grad, device, "linspace")


def linspace_points(start, end, steps, dtype=np.float32):
    """PyTorch's float linspace as a numpy array of `dtype` (float32 or float64), steps >= 2."""
    start, end = dtype.type(start), dtype.type(end)
    step = (end - start) / dtype.type(steps - 1)
    fma = fma32 if dtype == np.float32 else fma64
    i = np.arange(steps)
    up, down = fma(step, i.astype(dtype), start), fma(-step, (steps - 1 - i).astype(dtype), end)
    return np.where(i < steps // 2, up, down).astype(dtype, copy=False)


def logspace(start, end, steps, base=10.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    array = np.logspace(start, end, _steps(steps, "logspace"), base=base, dtype=as_dtype(dtype) or get_default_dtype())
    return _made(array, requires_grad, device, "logspace")


def eye(n, m=None, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    n, m = _count(n, "eye", "n"), None if m is None else _count(m, "eye", "m")
    return _made(np.eye(n, m, dtype=as_dtype(dtype) or get_default_dtype()), requires_grad, device, "eye")


def rand(*args, size=None, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform samples in [0, 1) from the default (or the given) generator."""
    shape = _shape(args, size, "rand")
    array = draws.uniform(generator_of(generator), shape, as_dtype(dtype) or get_default_dtype())
    return _made(array, requires_grad, device, "rand")


def randn(*args, size=None, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal samples from the default (or the given) generator, in a floating (or complex) dtype."""
    shape = _shape(args, size, "randn")
    out_dtype = np.dtype(as_dtype(dtype) or get_default_dtype())
    if out_dtype.kind not in "fc":
        raise NotImplementedError(f"randn: normal samples need a floating dtype, got {out_dtype} (as PyTorch's "
                                  "\"normal_kernel_cpu\" not implemented for it)")
    if out_dtype.kind == "c":  # real and imaginary parts, each of variance 1/2, as PyTorch
        pairs = draws.normal(generator_of(generator), (*shape, 2), out_dtype.type(0).real.dtype, 0.0, 0.5**0.5)
        array = (pairs[..., 0] + 1j * pairs[..., 1]).astype(out_dtype)
    else:
        array = draws.normal(generator_of(generator), shape, out_dtype)
    return _made(array, requires_grad, device, "randn")


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False):
    """Integers in [low, high) (int64): `randint(high, size)` or `randint(low, high, size)`, as PyTorch.

    Raises:
        TypeError: no size was given.
    """
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing its size: call randint(high, size) or randint(low, high, size)")
    array = draws.integers(generator_of(generator), _size((size,), "randint"), low, high)
    return _made(array.astype(as_dtype(dtype) or np.int64, copy=False), requires_grad, device, "randint")


def randperm(n, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    array = draws.permutation(generator_of(generator), _count(n, "randperm", "n")).astype(as_dtype(dtype) or np.int64)
    return _made(array, requires_grad, device, "randperm")


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,  # noqa: A002
              memory_format=None):
    return _like(rand, input, dtype, requires_grad, device, generator=generator)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,  # noqa: A002
               memory_format=None):
    return _like(randn, input, dtype, requires_grad, device, generator=generator)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,  # noqa: A002
                 requires_grad=False, memory_format=None):
    """Integers in [low, high) of `input`'s shape and dtype: `randint_like(x, high)` or `(x, low, high)`."""
    if high is None:
        low, high = 0, low
    check_device(device, "randint_like")
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype,
                   requires_grad=requires_grad)
