"""Schedulers that scale the lr by a factor per epoch: by a function of the epoch, at steps or milestones,
for a warm-up, exponentially or polynomially."""
import types
from bisect import bisect_right
from collections import Counter

from .checks import check_int, check_real
from .scheduler_base import LRScheduler, check_lambdas, check_optimizer


class _LambdaScheduler(LRScheduler):
    """Holds one lr_lambda per group; saves the attributes of callable objects, not plain functions."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        self.lr_lambdas = check_lambdas(type(self).__name__, optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) or not hasattr(fn, "__dict__")
                               else dict(vars(fn)) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        self.__dict__.update(state)
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                fn.__dict__.update(attrs)


class LambdaLR(_LambdaScheduler):
    """lr = initial_lr * lr_lambda(epoch), with one function, or one per group.

    Raises:
        TypeError: lr_lambda is not callable.
        ValueError: a list of lr_lambdas whose length is not the number of groups.

    Example:
        >>> sched = LambdaLR(opt, lambda epoch: 0.95 ** epoch)
    """

    def get_lr(self):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaScheduler):
    """lr = lr * lr_lambda(epoch) at every epoch after the first (one function, or one per group).

    Raises:
        TypeError: lr_lambda is not callable.
        ValueError: a list of lr_lambdas whose length is not the number of groups.

    Example:
        >>> sched = MultiplicativeLR(opt, lambda epoch: 0.95)
    """

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * fn(self.last_epoch) for fn, lr in zip(self.lr_lambdas, self._current_lrs())]


class StepLR(LRScheduler):
    """Multiply the lr by `gamma` every `step_size` epochs.

    Raises:
        TypeError: step_size or gamma is not a number (a float step_size works as in PyTorch: the lr drops at
        the epochs that are multiples of it).
        ValueError: step_size or gamma <= 0.

    Example:
        >>> sched = StepLR(opt, step_size=30, gamma=0.1)  # lr 0.05 for epochs 0-29, 0.005 for 30-59, ...
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        check_optimizer(optimizer)
        check_real("StepLR", positive=True, step_size=step_size, gamma=gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the lr by `gamma` at each epoch in `milestones` (twice for a milestone given twice).

    Raises:
        TypeError: a milestone is not an int, gamma not a number.
        ValueError: a negative milestone or gamma <= 0.

    Example:
        >>> sched = MultiStepLR(opt, milestones=[30, 80], gamma=0.1)
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        check_optimizer(optimizer)
        milestones = list(milestones)
        check_int("MultiStepLR", minimum=0, **{f"milestones[{i}]": m for i, m in enumerate(milestones)})
        check_real("MultiStepLR", positive=True, gamma=gamma)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [base * self.gamma ** bisect_right(milestones, self.last_epoch) for base in self.base_lrs]

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        self.milestones = Counter({int(k): v for k, v in dict(self.milestones).items()})


class ConstantLR(LRScheduler):
    """Multiply the lr by `factor` for the first `total_iters` epochs, then restore it.

    Raises:
        ValueError: factor not in (0, 1] (0 could not be undone), or total_iters < 0.

    Example:
        >>> sched = ConstantLR(opt, factor=0.5, total_iters=4)  # half the lr for epochs 0-3
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        check_optimizer(optimizer)
        check_real("ConstantLR", factor=factor)
        if not 0 < factor <= 1:
            raise ValueError(f"Constant multiplicative factor expected to be in (0, 1], but got {factor}")
        check_int("ConstantLR", minimum=0, total_iters=total_iters)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the lr linearly from `start_factor` to `end_factor` over `total_iters` epochs: a warm-up.

    Raises:
        ValueError: start_factor not in (0, 1], end_factor not in [0, 1], or total_iters < 1.

    Example:
        >>> sched = LinearLR(opt, start_factor=0.1, total_iters=5)  # 10% of the lr rising to 100% at epoch 5
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        check_optimizer(optimizer)
        check_real("LinearLR", start_factor=start_factor, end_factor=end_factor)
        if not 0 < start_factor <= 1:
            raise ValueError(f"Starting multiplicative factor expected to be in (0, 1], got {start_factor}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"Ending multiplicative factor expected to be in [0, 1], got {end_factor}")
        check_int("LinearLR", minimum=1, total_iters=total_iters)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        span = self.end_factor - self.start_factor
        factor = 1.0 + span / (self.total_iters * self.start_factor + (self.last_epoch - 1) * span)
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (self.start_factor + (self.end_factor - self.start_factor) * progress)
                for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the lr by `gamma` every epoch.

    Raises:
        ValueError: gamma <= 0.

    Example:
        >>> sched = ExponentialLR(opt, gamma=0.95)
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        check_optimizer(optimizer)
        check_real("ExponentialLR", positive=True, gamma=gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the lr to 0 over `total_iters` epochs: lr = initial_lr * (1 - epoch / total_iters) ** power.

    Raises:
        ValueError: total_iters < 1.

    Example:
        >>> sched = PolynomialLR(opt, total_iters=100, power=2.0)
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        check_optimizer(optimizer)
        check_int("PolynomialLR", minimum=1, total_iters=total_iters)
        check_real("PolynomialLR", power=power)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        t, total = self.last_epoch, self.total_iters
        factor = ((1.0 - t / total) / (1.0 - (t - 1) / total)) ** self.power
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
                for base in self.base_lrs]
