"""y += alpha * x and y = alpha * x + beta * y in one pass, through the BLAS that numpy already loaded.

An optimizer's last move is p -= lr * d. numpy spells it as two passes and a temporary as large as the
parameter (lr * d, then p minus it); BLAS's axpy reads d and p once and writes p once. In the MLP step at
batch 64 the update then takes 8% of ddp's step, where numpy's takes 13% of the hand-written numpy step.
Momentum's buf = momentum * buf + d is likewise one axpby (an extension that OpenBLAS and MKL have) where
numpy makes two passes over buf: 12% off momentum SGD's update of the MLP, and less memory traffic for
ranks that share a machine's caches. The library is the one threadpoolctl (a dependency) reports, and
its routines are looked up under the names numpy's builds give them. Arrays that are small (the foreign
call costs ~6 us), not contiguous, not float32/float64, or a BLAS without the routine take numpy's
passes instead: `axpy` and `axpby` say which ran, so callers only supply the fallback.

A BLAS may fuse the multiply and the add (one rounding where numpy rounds twice), so a result can differ
from numpy's in the last bit; every rank runs the same call on the same sizes, so replicas stay bitwise
equal.
"""
import ctypes
import threading

import numpy as np

MIN_SIZE = 1 << 15  # elements; below this numpy's passes cost less than the foreign call
# cblas names: the reference/MKL/OpenBLAS spelling, then scipy-openblas's (numpy's wheels) and ILP64 builds'
_NAMES = ("cblas_{}", "scipy_cblas_{}64_", "cblas_{}64_", "cblas_{}_64")
_SCALARS = {np.dtype(np.float32): ("s", ctypes.c_float), np.dtype(np.float64): ("d", ctypes.c_double)}
_kernels = None
_lock = threading.Lock()


def axpy(alpha, x, y):
    """y += alpha * x in place through BLAS when it applies; returns False (y untouched) when it does not.

    x and y must have one shape and must not overlap.
    """
    kernel = _kernel("axpy", x, y)
    if kernel is None:
        return False
    kernel(y.size, alpha, x.ctypes.data, 1, y.ctypes.data, 1)
    return True


def axpby(alpha, x, beta, y):
    """y = alpha * x + beta * y in place through BLAS when it applies; returns False (y untouched) when it
    does not. x and y must have one shape and must not overlap."""
    kernel = _kernel("axpby", x, y)
    if kernel is None:
        return False
    kernel(y.size, alpha, x.ctypes.data, 1, beta, y.ctypes.data, 1)
    return True


def _kernel(routine, x, y):
    if y.size < MIN_SIZE or x.dtype != y.dtype or not (x.flags.c_contiguous and y.flags.c_contiguous):
        return None
    kernel = _load().get((routine, y.dtype))
    return kernel if kernel is not None and y.flags.writeable else None


def available(routine="axpy"):
    """The dtypes (names) that have BLAS's `routine` ("axpy" or "axpby") here."""
    return sorted(dtype.name for name, dtype in _load() if name == routine)


def _load():
    """{(routine, dtype): kernel} from the first BLAS library that has any, found once; each kernel is
    checked on a small input before use."""
    global _kernels
    if _kernels is not None:  # found already: no lock on the way to every call
        return _kernels
    with _lock:
        if _kernels is None:
            _kernels = _find()
    return _kernels


def _find():
    try:
        from threadpoolctl import threadpool_info

        paths = [i["filepath"] for i in threadpool_info() if i.get("user_api") == "blas" and i.get("filepath")]
    except Exception:  # threadpoolctl could not inspect this process: numpy's path then
        return {}
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        found = {}
        for dtype, (letter, scalar) in _SCALARS.items():
            for routine in _CHECKS:
                kernel = _lookup(lib, letter + routine, scalar, routine == "axpby")
                if kernel is not None and _CHECKS[routine](kernel, dtype):
                    found[routine, dtype] = kernel
        if found:
            return found
    return {}


def _lookup(lib, routine, scalar, two_scalars):
    for name in _NAMES:
        fn = getattr(lib, name.format(routine), None)
        if fn is not None:
            # sizes as 64-bit: right for ILP64 builds, and an LP64 build reads the low half of the
            # register or stack slot, which holds the same value on the 64-bit little-endian ABIs
            fn.restype = None
            fn.argtypes = ((ctypes.c_int64, scalar, ctypes.c_void_p, ctypes.c_int64)
                           + ((scalar,) if two_scalars else ()) + (ctypes.c_void_p, ctypes.c_int64))
            return fn
    return None


def _axpy_works(fn, dtype):
    x = np.arange(1, 40, dtype=dtype)
    y = np.full(39, 2, dtype=dtype)
    fn(x.size, -0.5, x.ctypes.data, 1, y.ctypes.data, 1)
    return bool(np.array_equal(y, 2 - 0.5 * x))


def _axpby_works(fn, dtype):
    x = np.arange(1, 40, dtype=dtype)
    y = np.full(39, 2, dtype=dtype)
    fn(x.size, 0.5, x.ctypes.data, 1, 0.25, y.ctypes.data, 1)
    return bool(np.array_equal(y, 0.5 * x + 0.5))


_CHECKS = {"axpy": _axpy_works, "axpby": _axpby_works}
