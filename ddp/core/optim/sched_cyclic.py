"""Cyclical schedules: CyclicLR (triangular waves between two lrs) and OneCycleLR (one warm-up and anneal);
both can cycle the momentum (SGD's momentum or Adam's beta1) the opposite way."""
import math
import types
from functools import partial

from .checks import check_int, check_real
from .scheduler_base import LRScheduler, check_optimizer, per_group


def _start_momentum(op, optimizer, base_momentum, max_momentum, last_epoch):
    """Check that the optimizer has a momentum, set it to max_momentum on a fresh start; True for Adam's betas."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
    use_beta1 = "betas" in optimizer.defaults
    bases = per_group(op, "base_momentum", optimizer, base_momentum)
    tops = per_group(op, "max_momentum", optimizer, max_momentum)
    if last_epoch == -1:
        for top, base, group in zip(tops, bases, optimizer.param_groups):
            _set_momentum(group, top, use_beta1)
            group["max_momentum"] = top
            group["base_momentum"] = base
    return use_beta1, bases, tops


def _set_momentum(group, momentum, use_beta1):
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


class CyclicLR(LRScheduler):
    """Cycle the lr between `base_lr` and `max_lr` (and the momentum between max and base), stepped per batch.

    A cycle rises for `step_size_up` steps and falls for `step_size_down`; its height is scaled by 1
    ("triangular"), halved each cycle ("triangular2"), by gamma**step ("exp_range") or by `scale_fn`.

    Args:
        optimizer (Optimizer): the optimizer whose lrs (and momenta) this sets.
        base_lr, max_lr (float or list): the lower and upper lr, per group if lists.
        step_size_up (int): steps in the rising half (default 2000); step_size_down: the falling half
            (default: the same).
        mode (str): "triangular", "triangular2" or "exp_range"; gamma (float): exp_range's decay.
        scale_fn (callable): a custom scale of x, which is the cycle or the step as `scale_mode` says.
        cycle_momentum (bool): cycle the momentum, or beta1 for Adam-like optimizers (default True).
        base_momentum, max_momentum (float or list): its range (default 0.8, 0.9).
        last_epoch (int): the last step done, to resume.

    Raises:
        ValueError: an unknown mode without scale_fn, an unknown scale_mode, a step size < 1, lists whose
            length is not the number of groups, or cycle_momentum with an optimizer without momentum.

    Example:
        >>> sched = CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=200)  # opt.step(); sched.step()
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular",
                 gamma=1.0, scale_fn=None, scale_mode="cycle", cycle_momentum=True, base_momentum=0.8,
                 max_momentum=0.9, last_epoch=-1):
        check_optimizer(optimizer)
        check_real("CyclicLR", positive=True, step_size_up=step_size_up, gamma=gamma)
        if step_size_down is not None:
            check_real("CyclicLR", positive=True, step_size_down=step_size_down)
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"mode is invalid and scale_fn is None: mode must be 'triangular', 'triangular2' "
                             f"or 'exp_range', but got {mode!r}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"CyclicLR: scale_mode must be 'cycle' or 'iterations', but got {scale_mode!r}")
        check_int("CyclicLR", last_epoch=last_epoch)
        base_lrs = per_group("CyclicLR", "base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = per_group("CyclicLR", "max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1, self.base_momentums, self.max_momentums = _start_momentum(
                "CyclicLR", optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self):
        """The built-in scale for `mode` (and its scale_mode), unless a custom scale_fn was given."""
        if self._scale_fn_custom is not None:
            return
        if self.mode == "triangular":
            self._scale_fn_ref, self.scale_mode = _unit_scale, "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref, self.scale_mode = _halving_scale, "cycle"
        else:
            self._scale_fn_ref, self.scale_mode = partial(_exponential_scale, self.gamma), "iterations"

    def scale_fn(self, x):
        """The height of the wave at x (a cycle number or a step, as scale_mode says)."""
        fn = self._scale_fn_custom if self._scale_fn_custom is not None else self._scale_fn_ref
        return fn(x)

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle  # the position in the cycle, in [0, 1)
        rise = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base + (top - base) * rise * scale for base, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, base, top in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums):
                _set_momentum(group, top - (top - base) * rise * scale, self.use_beta1)
        return lrs

    def state_dict(self):
        """As the base, without the built-in scale function; a custom one keeps only an object's attributes."""
        state = super().state_dict()
        state.pop("_scale_fn_ref", None)
        fn = state.pop("_scale_fn_custom")
        plain = fn is None or isinstance(fn, types.FunctionType) or not hasattr(fn, "__dict__")
        state["_scale_fn_custom"] = None if plain else dict(vars(fn))
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        attrs = state.pop("_scale_fn_custom", None)
        super().load_state_dict(state)
        if attrs is not None:
            self._scale_fn_custom.__dict__.update(attrs)
        self._init_scale_fn()


def _unit_scale(x):
    return 1.0


def _halving_scale(x):
    return 1 / 2.0 ** (x - 1)


def _exponential_scale(gamma, x):
    return gamma**x


class OneCycleLR(LRScheduler):
    """The 1cycle policy, stepped per batch: the lr rises from max_lr / div_factor to max_lr over the first
    `pct_start` of `total_steps`, then anneals to initial_lr / final_div_factor (the momentum moves the other
    way). With `three_phase`, it falls back to the initial lr symmetrically before the final anneal.

    Args:
        optimizer (Optimizer): the optimizer whose lrs (and momenta) this sets.
        max_lr (float or list): the peak lr, per group if a list.
        total_steps (int): the number of steps; or give `epochs` and `steps_per_epoch`.
        pct_start (float): the fraction of steps spent rising (default 0.3).
        anneal_strategy (str): "cos" (default) or "linear".
        cycle_momentum (bool): cycle the momentum, or beta1 for Adam-like optimizers (default True).
        base_momentum, max_momentum (float or list): its range (default 0.85, 0.95).
        div_factor (float): initial_lr = max_lr / div_factor (default 25).
        final_div_factor (float): min_lr = initial_lr / final_div_factor (default 1e4).
        three_phase (bool): add the symmetric descent to initial_lr before the final anneal.
        last_epoch (int): the last step done, to resume.

    Raises:
        ValueError: no positive int total_steps (nor epochs and steps_per_epoch), pct_start not a float in
            [0, 1], an unknown anneal_strategy, stepping past total_steps, or cycle_momentum with an optimizer
            without momentum.

    Example:
        >>> sched = OneCycleLR(opt, max_lr=0.1, epochs=10, steps_per_epoch=len(loader))
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1):
        check_optimizer(optimizer)
        if total_steps is not None:
            if not isinstance(total_steps, int) or isinstance(total_steps, bool) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or isinstance(steps_per_epoch, bool) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        check_real("OneCycleLR", positive=True, div_factor=div_factor, final_div_factor=final_div_factor)
        check_int("OneCycleLR", last_epoch=last_epoch)
        self._anneal_func_type = anneal_strategy
        rise_end = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        if three_phase:
            self._schedule_phases = [
                _phase(rise_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr", "base_momentum",
                       "max_momentum"),
                _phase(last, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._schedule_phases = [
                _phase(rise_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(last, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        max_lrs = per_group("OneCycleLR", "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for top, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1, _, _ = _start_momentum("OneCycleLR", optimizer, base_momentum, max_momentum,
                                                   last_epoch)
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _anneal(start, end, pct, strategy):
        if strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if step <= end or i == len(self._schedule_phases) - 1:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct,
                                            self._anneal_func_type))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct,
                                                self._anneal_func_type)
                        _set_momentum(group, momentum, self.use_beta1)
                    break
                start = end
        return lrs


def _phase(end_step, start_lr, end_lr, start_momentum, end_momentum):
    """One phase of OneCycleLR: the step it ends at and the group keys of the values it moves between."""
    return dict(end_step=end_step, start_lr=start_lr, end_lr=end_lr, start_momentum=start_momentum,
                end_momentum=end_momentum)
