"""LRScheduler, the base of the learning-rate schedulers, and the checks their arguments share."""
import warnings

from .checks import check_int
from .optimizer import Optimizer


class LRScheduler:
    """Base class: remembers each group's initial lr and moves the lrs on by one epoch per `step()`.

    Constructing a scheduler takes its first step (epoch 0), which sets the epoch-0 lrs. Subclasses
    compute the next lrs from the current ones in `get_lr()` (the recursive form PyTorch uses, so that
    schedulers can be chained) and, where there is one, from `_get_closed_form_lr()` for `step(epoch)`.

    Args:
        optimizer (Optimizer): the optimizer whose groups' "lr" this scheduler sets.
        last_epoch (int): the last epoch done, to resume a schedule (default -1: start afresh). Resuming
            needs "initial_lr" in every group, as loading the optimizer's state dict gives.

    Raises:
        TypeError: `optimizer` is not an Optimizer, or last_epoch is not an int.
        KeyError: resuming (last_epoch >= 0) but a group has no "initial_lr".
    """

    _is_initial = False

    def __init__(self, optimizer, last_epoch=-1):
        check_optimizer(optimizer)
        check_int(type(self).__name__, last_epoch=last_epoch)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(
                    f"param 'initial_lr' is not specified in param_groups[{i}] when resuming a scheduler with "
                    f"last_epoch={last_epoch}; load the optimizer's state dict first"
                )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        """The lrs for epoch `last_epoch`, computed from the groups' current lrs."""
        raise NotImplementedError

    def get_last_lr(self):
        """The lrs set by the last `step()`, one per parameter group."""
        return self._last_lr

    def step(self, epoch=None):
        """Advance to the next epoch (or to `epoch`, using the closed form) and set the groups' lrs."""
        if self._step_count == 1 and not self._is_initial and not self.optimizer.__dict__.get("_opt_called"):
            warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and "
                          "later, you should call them in the opposite order: `optimizer.step()` before "
                          "`lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first "
                          "value of the learning rate schedule.", UserWarning, stacklevel=2)
        self._step_count += 1
        self._get_lr_called_within_step = True  # PyTorch's flag (a scheduler's state dict carries it)
        try:
            self._update_lr(epoch)
        finally:
            self._get_lr_called_within_step = False

    def _update_lr(self, epoch=None):
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            values = self._get_closed_form_lr() if hasattr(self, "_get_closed_form_lr") else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        """Every attribute except the optimizer."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore the attributes saved by `state_dict()`."""
        self.__dict__.update(state_dict)

    def __repr__(self):
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={self.get_last_lr()})"


def check_optimizer(optimizer):
    """Raise PyTorch's TypeError ("list is not an Optimizer") for anything but an Optimizer."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def per_group(op, name, optimizer, value):
    """`value` once per parameter group: a list or tuple must have one entry per group."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. {name} has "
                             f"{len(value)} values, param_groups has {n}.")
        return list(value)
    return [value] * n


def check_lambdas(op, optimizer, lr_lambda):
    """One callable per parameter group, from one callable or a list of them."""
    check_optimizer(optimizer)
    n = len(optimizer.param_groups)
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != n:
            raise ValueError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)}")
        fns = list(lr_lambda)
    else:
        fns = [lr_lambda] * n
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"{op}: lr_lambda should be a function, but got {type(fn).__name__}")
    return fns
