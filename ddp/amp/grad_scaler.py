"""`ddp.amp.grad_scaler` (torch.amp.grad_scaler): `GradScaler`, loss scaling for mixed-precision training."""
import warnings
from collections.abc import Iterable

import numpy as np

from ddp.core.tensor import Tensor


class GradScaler:
    """Loss scaling, as PyTorch's: multiply the loss by a scale, divide the gradients by it before the step,
    skip steps whose gradients overflowed and shrink the scale then, grow it after `growth_interval` good steps.

    `GradScaler("cpu")` (and `ddp.cpu.amp.GradScaler()`) is a working scaler, as PyTorch's is on the CPU.
    Scaling by a power of two and back is exact in float32, so a scaled run computes the numbers of an
    unscaled one, except that a step whose gradients hold an inf or nan is skipped. For any other device
    (the default "cuda" too) ddp warns that it disables the scaler, as PyTorch does without CUDA: then
    `scale(loss)` is `loss`, `step(optimizer)` is `optimizer.step()` and `get_scale()` is 1.0.

    Example:
        >>> scaler = ddp.amp.GradScaler("cpu")
        >>> scaler.scale(loss).backward()
        >>> scaler.unscale_(optimizer)  # only to clip the true gradients first
        >>> scaler.step(optimizer)
        >>> scaler.update()
    """

    def __init__(self, device="cuda", init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device, self._enabled = device, bool(enabled)
        if self._enabled and device != "cpu":
            warnings.warn("GradScaler is enabled, but ddp runs on the CPU without loss scaling. Disabling.",
                          stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale, self._scale = init_scale, None  # the scale is set on the first scale()
            self._growth_factor, self._backoff_factor = growth_factor, backoff_factor
            self._growth_interval, self._init_growth_tracker, self._growth_tracker = growth_interval, 0, None
            self._per_optimizer_states = {}  # id(optimizer) -> {"stage": ..., "found_inf": bool}

    def _state(self, optimizer):
        return self._per_optimizer_states.setdefault(id(optimizer), {"stage": _READY, "found_inf": None})

    def _check_scale(self, funcname):
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  This may indicate your script did "
                                 "not use scaler.scale(loss or outputs) earlier in the iteration.")

    def scale(self, outputs):
        """`outputs` (a tensor, or nested lists and tuples of them) times the scale; unchanged when disabled."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._scale = float(np.float32(self._init_scale))
            self._growth_tracker = int(self._init_growth_tracker)

        def apply(value):
            if isinstance(value, Tensor):
                return value * self._scale
            if isinstance(value, (list, tuple)):
                return type(value)(apply(v) for v in value)
            if isinstance(value, Iterable):
                return map(apply, value)
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply(outputs)

    def unscale_(self, optimizer):
        """Divide the gradients of `optimizer`'s parameters by the scale, in place, and note any inf or nan.

        Raises:
            RuntimeError: called twice for one optimizer in one iteration, or after step().
            ValueError: a float16 gradient (as PyTorch, which unscales only float32 and wider ones).
        """
        if not self._enabled:
            return
        self._check_scale("unscale_")
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = np.float32(1.0 / self._scale)  # the reciprocal in float64, then float32, as PyTorch
        found_inf = False
        for group in optimizer.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad._data
                if grad.dtype == np.float16:
                    raise ValueError("Attempting to unscale FP16 gradients.")
                found_inf = found_inf or not bool(np.isfinite(grad).all())
                np.multiply(grad, inv_scale, out=grad, casting="unsafe")
                param.grad._bump_version()
        state["found_inf"], state["stage"] = found_inf, _UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Unscale (unless `unscale_` did), then `optimizer.step(*args, **kwargs)` unless a gradient overflowed.

        Returns what optimizer.step returned, or None for a skipped step.

        Raises:
            RuntimeError: a `closure` keyword (as PyTorch), or a second step() before update().
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale("step")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale=None):
        """End the iteration: back off the scale if any optimizer saw an overflow, grow it after
        `growth_interval` clean iterations in a row; or set it to `new_scale` (a float or 1-element tensor)."""
        if not self._enabled:
            return
        self._check_scale("update")
        if new_scale is not None:
            if not isinstance(new_scale, float):
                if new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError("new_scale should be a float or a 1-element torch.FloatTensor with "
                                         "requires_grad=False.")
                new_scale = new_scale.item()
            self._scale = float(np.float32(new_scale))
        else:
            found = [s["found_inf"] for s in self._per_optimizer_states.values() if s["found_inf"] is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(found):
                self._scale, self._growth_tracker = float(np.float32(self._scale * self._backoff_factor)), 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    self._scale, self._growth_tracker = float(np.float32(self._scale * self._growth_factor)), 0
        self._per_optimizer_states = {}

    def get_scale(self):
        """The current scale (the initial one before the first scale()); 1.0 when disabled."""
        if not self._enabled:
            return 1.0
        return float(self._init_scale) if self._scale is None else self._scale

    def _get_growth_tracker(self):
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        """PyTorch's keys (scale, growth_factor, backoff_factor, growth_interval, _growth_tracker); {} if disabled."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict):
        """Restore what state_dict() returned (a disabled scaler ignores it).

        Raises:
            RuntimeError: an empty state dict, as a disabled scaler saves.
        """
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            self._scale = float(np.float32(state_dict["scale"]))
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._init_growth_tracker = int(state_dict["_growth_tracker"])
        if self._growth_tracker is not None:
            self._growth_tracker = self._init_growth_tracker


_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"  # where an optimizer is in an iteration
