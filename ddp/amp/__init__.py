"""`ddp.amp` (torch.amp): `autocast` and `GradScaler`, so that mixed-precision scripts run.

ddp computes in the dtypes it is given (float32 by default): `autocast` changes nothing, so the numbers are
those of the same script without mixed precision. `GradScaler("cpu")` scales losses and unscales gradients
as PyTorch's CPU scaler does (and skips steps that overflowed); a scaler for CUDA (the default device) is
disabled with a warning, as PyTorch disables it on a machine without CUDA, and passes everything through.
"""
import functools

from .grad_scaler import GradScaler

__all__ = ["autocast", "GradScaler", "is_autocast_enabled", "is_autocast_available", "get_autocast_dtype",
           "get_autocast_cpu_dtype", "is_autocast_cpu_enabled", "custom_fwd", "custom_bwd"]


class autocast:
    """A context manager and decorator that changes nothing (ddp has no reduced-precision kernels).

    Args mirror PyTorch's: `autocast(device_type, dtype=None, enabled=True, cache_enabled=None)`.
    """

    def __init__(self, device_type="cpu", dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"autocast: expected device_type of type str, got {type(device_type).__name__}")
        self.device, self.fast_dtype, self._enabled = device_type, dtype, bool(enabled)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapper


def is_autocast_enabled(device_type=None):
    """False: nothing is ever autocast."""
    return False


def is_autocast_available(device_type):
    """True for "cpu", where `autocast` may be entered (it changes nothing); False for other device types."""
    return device_type == "cpu"


def get_autocast_dtype(device_type):
    """The dtype autocast would pick on `device_type` (PyTorch's defaults: bfloat16 on the CPU, float16 else)."""
    from ddp.core.dtypes import bfloat16, float16

    return bfloat16 if device_type == "cpu" else float16


def get_autocast_cpu_dtype():
    return get_autocast_dtype("cpu")


def is_autocast_cpu_enabled():
    return False


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorate an autograd Function's forward for autocast regions: it runs unchanged (nothing is autocast,
    so there is nothing to cast back). `@custom_fwd(device_type="cuda", cast_inputs=torch.float32)`."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorate an autograd Function's backward to match `custom_fwd`: it runs unchanged."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
