"""y += alpha * x in one pass, through the axpy of the BLAS that numpy already loaded.

An optimizer's last move is p -= lr * d. numpy spells it as two passes and a temporary as large as the
parameter (lr * d, then p minus it); BLAS's axpy reads d and p once and writes p once. In the MLP step at
batch 64 the update then takes 8% of ddp's step, where numpy's takes 13% of the hand-written numpy step.
The library is the one threadpoolctl (a dependency) reports, and its axpy is looked up under the names
numpy's builds give it. Arrays that are small (the foreign call costs ~6 us), not contiguous, not
float32/float64, or a BLAS without axpy take numpy's two passes instead: `axpy` says which ran, so callers
only supply the fallback's scratch.

axpy fuses the multiply and the add (one rounding where numpy rounds twice), so its result can differ from
numpy's in the last bit; every rank runs the same call on the same sizes, so replicas stay bitwise equal.
"""
import ctypes
import threading

import numpy as np

MIN_SIZE = 1 << 15  # elements; below this numpy's two passes cost less than the foreign call
# cblas names: the reference/MKL/OpenBLAS spelling, then scipy-openblas's (numpy's wheels) and ILP64 builds'
_NAMES = ("cblas_{}axpy", "scipy_cblas_{}axpy64_", "cblas_{}axpy64_", "cblas_{}axpy_64")
_SCALARS = {np.dtype(np.float32): ("s", ctypes.c_float), np.dtype(np.float64): ("d", ctypes.c_double)}
_kernels = None
_lock = threading.Lock()


def axpy(alpha, x, y):
    """y += alpha * x in place through BLAS when it applies; returns False (y untouched) when it does not.

    x and y must have one shape and must not overlap.
    """
    if y.size < MIN_SIZE or x.dtype != y.dtype or not (x.flags.c_contiguous and y.flags.c_contiguous):
        return False
    kernel = _load().get(y.dtype)
    if kernel is None or not y.flags.writeable:
        return False
    kernel(y.size, alpha, x.ctypes.data, 1, y.ctypes.data, 1)
    return True


def available():
    """The dtypes (names) that have a BLAS axpy here."""
    return sorted(d.name for d in _load())


def _load():
    """{dtype: axpy} from the first BLAS library that has them, found once; checked on a small input before
    use."""
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
            for name in _NAMES:
                fn = getattr(lib, name.format(letter), None)
                if fn is None:
                    continue
                # sizes as 64-bit: right for ILP64 builds, and an LP64 build reads the low half of the
                # register or stack slot, which holds the same value on the 64-bit little-endian ABIs
                fn.restype = None
                fn.argtypes = (ctypes.c_int64, scalar, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64)
                if _works(fn, dtype):
                    found[dtype] = fn
                break
        if found:
            return found
    return {}


def _works(fn, dtype):
    x = np.arange(1, 40, dtype=dtype)
    y = np.full(39, 2, dtype=dtype)
    fn(x.size, -0.5, x.ctypes.data, 1, y.ctypes.data, 1)
    return bool(np.array_equal(y, 2 - 0.5 * x))
