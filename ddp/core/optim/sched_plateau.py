"""ReduceLROnPlateau: cut the lr when a metric has stopped improving."""
import math

from .checks import check_int, check_real
from .scheduler_base import LRScheduler, check_optimizer, per_group


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lrs by `factor` once the metric passed to `step(metric)` has not improved for more
    than `patience` epochs; then wait `cooldown` epochs before counting again.

    A value improves on the best by more than `threshold`: relatively (best * (1 -+ threshold), "rel") or
    absolutely (best -+ threshold, "abs"), downwards for mode "min", upwards for "max". An lr never goes
    below its `min_lr`, and changes smaller than `eps` are skipped.

    Args:
        optimizer (Optimizer): the optimizer whose lrs this cuts.
        mode (str): "min" (default) or "max". factor (float): the cut, < 1 (default 0.1).
        patience (int): epochs without improvement to tolerate (default 10).
        threshold (float): the least improvement that counts (default 1e-4). threshold_mode: "rel" or "abs".
        cooldown (int): epochs to wait after a cut (default 0).
        min_lr (float or list): the lowest lr, per group if a list (default 0). eps (float): default 1e-8.

    Raises:
        ValueError: factor >= 1 or negative, an unknown mode or threshold_mode, a negative patience or
            cooldown, or a min_lr list whose length is not the number of groups.

    Example:
        >>> sched = ReduceLROnPlateau(opt, mode="min", patience=3)
        >>> for epoch in range(epochs): train(); sched.step(validate())
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0, eps=1e-8):
        check_real("ReduceLROnPlateau", factor=factor)
        if factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0, but got {factor}")
        if factor < 0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in [0, 1), but got {factor}")
        check_optimizer(optimizer)
        check_int("ReduceLROnPlateau", minimum=0, patience=patience, cooldown=cooldown)
        check_real("ReduceLROnPlateau", threshold=threshold, eps=eps)
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = per_group("ReduceLROnPlateau", "min_lr", optimizer, min_lr)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics, epoch=None):
        """Count the epoch as good or bad by `metrics` (a number or one-element Tensor); cut if due."""
        current = float(metrics)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self):
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(self.optimizer.param_groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), usually due to a new "
                    "param group being added to the optimizer. Please modify the `min_lrs` field to match the "
                    "length of the `optimizer` param groups."
                )
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for group, low in zip(self.optimizer.param_groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, low)
            if old - new > self.eps:
                group["lr"] = new

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode, threshold, threshold_mode):
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown! Expected 'min' or 'max'")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown! Expected 'rel' or 'abs'")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)
