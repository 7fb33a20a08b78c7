"""`ddp.amp` (torch.amp): `autocast` and `GradScaler`, accepted so that mixed-precision scripts run.

ddp computes in the dtypes it is given (float32 by default) and runs on the CPU, where PyTorch disables
CUDA's scaler too: `autocast` changes nothing, and `GradScaler` passes losses, gradients and steps through
unscaled, so the numbers are those of the same script without mixed precision.
"""
import functools
import warnings


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


class GradScaler:
    """Loss scaling for float16 training, a pass-through in ddp: there are no float16 gradients to protect.

    `scale(loss)` returns `loss`, `unscale_` does nothing, `step(optimizer)` calls `optimizer.step()`,
    `update` does nothing; `get_scale()` is 1.0, as PyTorch's disabled scaler. Asking for an enabled scaler
    warns once that it is disabled (as PyTorch does on a machine without CUDA).
    """

    def __init__(self, device="cuda", init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        if enabled:
            warnings.warn("GradScaler is enabled, but ddp runs on the CPU without loss scaling. Disabling.",
                          stacklevel=2)
        self._enabled = False

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer):
        pass

    def step(self, optimizer, *args, **kwargs):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        pass

    def get_scale(self):
        return 1.0

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        return {}

    def load_state_dict(self, state_dict):
        pass
