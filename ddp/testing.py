"""ddp.testing (torch.testing): `assert_close` for tensors, numbers and nested containers of them, and
`make_tensor`, a random tensor for tests.

Default tolerances follow PyTorch's table per dtype, so a test written against torch keeps its meaning:
float16 rtol 1e-3 / atol 1e-5, float32 1.3e-6 / 1e-5, float64 1e-7 / 1e-7, integers and bool exact.
"""
import math
import numbers
import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from .core import random_draws as draws
from .core.dtypes import as_dtype
from .core.random import generator_of
from .core.tensor import Tensor

__all__ = ["assert_allclose", "assert_close", "make_tensor"]

_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
               np.dtype(np.float64): (1e-7, 1e-7)}


def _default_tolerances(*dtypes):
    """(rtol, atol): the loosest of the defaults of `dtypes` (exact for integers and bool)."""
    pairs = [_TOLERANCES.get(np.dtype(d), (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _check_pair(rtol, atol):
    if (rtol is None) != (atol is None):
        given = "rtol" if rtol is not None else "atol"
        raise ValueError(f"assert_close: give both rtol and atol or neither, got only {given}")


def _tolerances(rtol, atol, *dtypes):
    return _default_tolerances(*dtypes) if rtol is None else (rtol, atol)


def _where(path):
    return f"\n\nThe mismatch is at item {path}." if path else ""


def _fail(kind, text, path, msg):
    """Raise `kind` with our report, or with `msg` (a string, or a callable that rewrites our report)."""
    report = text + _where(path)
    if callable(msg):
        report = msg(report)
    elif msg is not None:
        report = msg
    raise kind(report)


def _mismatches(actual, expected, rtol, atol, equal_nan):
    """Boolean array: where `actual` is not within atol + rtol * |expected| of `expected`."""
    exact = rtol == 0 and atol == 0
    if actual.dtype.kind in "biu" and expected.dtype.kind in "biu" and exact:
        return actual != expected  # integers compared as integers: float64 would round large ones
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        finite = np.isfinite(a) & np.isfinite(e)  # infinities must match exactly
        close = (a == e) | (finite & (np.abs(a - e) <= atol + rtol * np.abs(e)))
    if equal_nan:
        close |= np.isnan(a) & np.isnan(e)
    return ~close


def _report(actual, expected, bad, rtol, atol, kind_name):
    """Our words for a value mismatch: how many elements differ, and the greatest differences and where."""
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        absolute = np.where(bad, np.abs(a - e), 0.0)
        relative = np.where(bad, np.abs(a - e) / np.abs(e), 0.0)
    verb = "equal" if rtol == 0 and atol == 0 else "close"
    lines = [f"{kind_name} are not {verb} (assert_close, rtol={rtol}, atol={atol})."]
    if a.ndim == 0:
        lines.append(f"Expected {expected.item()!r}, got {actual.item()!r}: absolute difference "
                     f"{float(absolute):.8g}, relative difference {float(relative):.8g}.")
        return "\n".join(lines)
    n_bad, n = int(bad.sum()), bad.size
    lines.append(f"{n_bad} of {n} elements differ ({100.0 * n_bad / n:.1f}%).")
    for label, diff, allowed in (("absolute", absolute, atol), ("relative", relative, rtol)):
        flat = np.nan_to_num(diff, nan=np.inf).argmax()
        index = tuple(int(i) for i in np.unravel_index(flat, diff.shape))
        lines.append(f"Greatest {label} difference: {diff[index]:.8g} at index {index} (allowed {allowed:g}).")
    return "\n".join(lines)


def _compare_arrays(actual, expected, options, path, kind_name="Tensors"):
    rtol, atol, equal_nan, check_dtype, msg = options
    if actual.shape != expected.shape:
        _fail(AssertionError, f"assert_close: shapes differ: actual {tuple(actual.shape)}, expected "
                              f"{tuple(expected.shape)}.", path, msg)
    if check_dtype and actual.dtype != expected.dtype:
        _fail(AssertionError, f"assert_close: dtypes differ: actual {actual.dtype}, expected {expected.dtype} "
                              "(pass check_dtype=False to compare the values only).", path, msg)
    rtol, atol = _tolerances(rtol, atol, actual.dtype, expected.dtype)
    bad = _mismatches(actual, expected, rtol, atol, equal_nan)
    if bad.any():
        _fail(AssertionError, _report(actual, expected, bad, rtol, atol, kind_name), path, msg)


def _is_number(x):
    return isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, np.ndarray)


def _compare(actual, expected, options, allow_subclasses, path):
    msg = options[-1]
    if actual is None and expected is None:
        return
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        if not allow_subclasses and type(actual) is not type(expected):
            _fail(TypeError, f"assert_close: types differ: {type(actual).__name__} and {type(expected).__name__} "
                             "(allow_subclasses=False).", path, msg)
        return _compare_arrays(actual._data, expected._data, options, path)
    if isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray):
        return _compare_arrays(actual, expected, options, path, "Arrays")
    if _is_number(actual) and _is_number(expected):
        if type(actual) is not type(expected) and options[3]:
            _fail(AssertionError, f"assert_close: number types differ: actual {type(actual).__name__}, expected "
                                  f"{type(expected).__name__}.", path, msg)
        return _compare_arrays(np.asarray(actual), np.asarray(expected), options, path, "Numbers")
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            missing, extra = sorted(set(expected) - set(actual), key=str), sorted(set(actual) - set(expected), key=str)
            _fail(AssertionError, f"assert_close: mapping keys differ: actual lacks {missing}, and has "
                                  f"{extra} that expected lacks.", path, msg)
        for key in expected:
            _compare(actual[key], expected[key], options, allow_subclasses, f"{path}[{key!r}]")
        return
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            _fail(AssertionError, f"assert_close: sequence lengths differ: actual {len(actual)}, expected "
                                  f"{len(expected)}.", path, msg)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, options, allow_subclasses, f"{path}[{i}]")
        return
    _fail(TypeError, f"assert_close: cannot compare a {type(actual).__name__} with a {type(expected).__name__} "
                     "(both must be Tensors, numpy arrays, numbers, or sequences or mappings of them).", path, msg)


def _is_sequence(x):
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Check that `actual` and `expected` are close: |actual - expected| <= atol + rtol * |expected|.

    Both may be Tensors, numpy arrays, numbers, or sequences and mappings nesting them (compared item by
    item, with matching lengths and keys). Shapes must match, and dtypes too unless check_dtype=False.

    Args:
        rtol, atol: give both or neither; by default PyTorch's per-dtype values (the looser of the two
            dtypes), and exact comparison for integers and bool.
        equal_nan: count NaN == NaN as close.
        check_device, check_layout, check_stride: accepted and ignored (ddp has one device and layout).
        msg: a string that replaces the report, or a callable that takes the report and returns a message.
    Raises:
        AssertionError: values, shapes, dtypes, lengths or keys differ; the report says how many elements
            differ, and the greatest absolute and relative differences with their indices.
        TypeError: the inputs are of kinds that cannot be compared (a Tensor with a list, say).
        ValueError: only one of rtol and atol was given.

    Example:
        >>> assert_close(ddp.tensor([1.0, 2.0]), ddp.tensor([1.0, 2.0 + 1e-7]))
    """
    _check_pair(rtol, atol)
    _compare(actual, expected, (rtol, atol, equal_nan, check_dtype, msg), allow_subclasses, "")


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated form of `assert_close` (as in PyTorch): `expected` may be any array-like, it is compared
    in `actual`'s dtype, and NaNs compare equal by default."""
    warnings.warn("ddp.testing.assert_allclose is deprecated: use ddp.testing.assert_close", FutureWarning,
                  stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = Tensor(np.asarray(actual))
    if not isinstance(expected, Tensor):
        expected = Tensor(np.asarray(expected, dtype=actual.dtype))
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False, msg=msg or None)


def _shape_of(shape):
    if len(shape) == 1 and isinstance(shape[0], Sequence):
        return tuple(int(s) for s in shape[0])
    return tuple(int(s) for s in shape)


def _range(dtype, low, high):
    """[low, high) for make_tensor: PyTorch's defaults (-9, 9) for floats, (-9, 10) for integers (0 for
    unsigned), clamped to what the dtype holds."""
    for name, value in (("low", low), ("high", high)):
        if value is not None and isinstance(value, float) and math.isnan(value):
            raise ValueError(f"make_tensor: {name} must not be NaN")
    integral = dtype.kind in "iu"
    info = np.iinfo(dtype) if integral else np.finfo(dtype)
    low = (0 if dtype.kind == "u" else -9) if low is None else low
    high = (10 if integral else 9) if high is None else high
    low, high = max(low, info.min), min(high, info.max)
    if low == high and not integral:
        warnings.warn("make_tensor: low == high gives a constant tensor (deprecated in PyTorch: use ddp.full)",
                      FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"make_tensor: low must be less than high, got low={low} and high={high}")
    return low, high


def _uniform(gen, shape, dtype, low, high):
    """uniform_(low, high), halving a range wider than the dtype's largest number and doubling after, as PyTorch."""
    if high - low >= np.finfo(dtype).max:
        return draws.uniform(gen, shape, dtype, low / 2, high / 2) * dtype.type(2)
    return draws.uniform(gen, shape, dtype, low, high)


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of `shape` with random values in [low, high): uniform for floats, integers drawn evenly,
    True/False with even odds for bool. Draws use ddp's generator (`ddp.manual_seed` repeats them).

    Args:
        shape: sizes as separate ints or one sequence.
        dtype: required, as in PyTorch.
        low, high: the range; PyTorch's defaults when None.
        requires_grad: only for floating dtypes.
        exclude_zero: replace zeros by 1 (integers) or the dtype's smallest normal number (floats).
        device, noncontiguous, memory_format: accepted and ignored (the result is a contiguous CPU tensor).
    Raises:
        ValueError: low >= high, a NaN bound, or requires_grad for a non-floating dtype.

    Example:
        >>> make_tensor(2, 3, dtype=ddp.float32, low=0, high=1).shape
        ddp.Size([2, 3])
    """
    dtype = as_dtype(dtype)
    shape = _shape_of(shape)
    if requires_grad and dtype.kind != "f":
        raise ValueError(f"make_tensor: requires_grad=True needs a floating dtype, got {dtype}")
    gen = generator_of(None)  # PyTorch's draws: randint for bools and integers, uniform_ for the rest
    if dtype.kind == "b":
        values = draws.integers(gen, shape, 0, 2).astype(bool)
    else:
        low, high = _range(dtype, low, high)
        if dtype.kind in "iu":
            values = draws.integers(gen, shape, math.ceil(low), math.ceil(high))
        elif dtype.kind == "c":  # the real view: real and imaginary parts interleaved
            real = np.dtype(np.float32 if dtype == np.complex64 else np.float64)
            pairs = _uniform(gen, (*shape, 2), real, low, high)
            values = pairs[..., 0] + 1j * pairs[..., 1]
        else:
            values = _uniform(gen, shape, dtype, low, high)
        values = np.asarray(values).astype(dtype)
        if exclude_zero:
            values[values == 0] = 1 if dtype.kind in "iu" else np.finfo(dtype).tiny
    out = Tensor(np.asarray(values, dtype=dtype))
    if requires_grad:
        out.requires_grad_(True)
    return out
