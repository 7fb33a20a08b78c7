"""ddp.optim.swa_utils (torch.optim.swa_utils): weight averaging for Stochastic Weight Averaging (SWA) and
exponential moving averages (EMA): `AveragedModel`, the averaging functions, `SWALR` and `update_bn`.

A typical SWA run trains as usual, then from some epoch on calls `swa_model.update_parameters(model)` and
`swa_scheduler.step()` once per epoch, and ends with `update_bn(loader, swa_model)`, because averaged
weights need BatchNorm statistics of their own.
"""
import copy
import itertools
import math

import numpy as np

from ..autograd import no_grad
from ..dtypes import get_default_dtype
from ..nn.module import Module
from ..nn.normalization import _BatchNorm
from ..tensor import Tensor
from .optimizer import lerp_
from .scheduler_base import LRScheduler, check_optimizer, per_group

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay):
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def _is_float(t):
    return t.dtype.kind in "fc"


def _lerp_all(averaged, current, weight):
    """averaged[i] += weight * (current[i] - averaged[i]) in place, in PyTorch's two-sided lerp form."""
    for a, c in zip(averaged, current, strict=True):
        data = a.numpy()
        lerp_(data, c.numpy().astype(data.dtype, copy=False), weight, tmp=np.empty_like(data))
        a._bump_version()


def get_ema_multi_avg_fn(decay=0.999):
    """The in-place EMA over lists of tensors, for `AveragedModel(multi_avg_fn=...)`.

    W_ema = decay * W_ema + (1 - decay) * W_model (a lerp with weight 1 - decay); integer tensors
    (use_buffers=True counters) get the same formula in the default float dtype, truncated back.

    Raises:
        ValueError: decay outside [0, 1].

    Example:
        >>> ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list, current_param_list, _):
        if _is_float(ema_param_list[0]):
            _lerp_all(ema_param_list, current_param_list, 1 - decay)
            return
        dtype = np.dtype(get_default_dtype())
        for a, c in zip(ema_param_list, current_param_list, strict=True):
            value = a.numpy().astype(dtype) * dtype.type(decay) + c.numpy().astype(dtype) * dtype.type(1 - decay)
            np.copyto(a.numpy(), value, casting="unsafe")  # toward zero, as PyTorch's copy_
            a._bump_version()

    return ema_update


def get_swa_multi_avg_fn():
    """The in-place running mean over lists of tensors: W_swa += (W_model - W_swa) / (n_averaged + 1).

    With a Tensor count the weight 1 / (n + 1) is computed in the default float dtype, as PyTorch does.

    Raises:
        RuntimeError: for integer tensors, which PyTorch's running mean cannot update in place either
            (average them with `avg_fn=get_swa_avg_fn()` or keep use_buffers=False).
    """

    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        if not _is_float(averaged_param_list[0]):
            raise RuntimeError(
                f"get_swa_multi_avg_fn: cannot average integer tensors ({averaged_param_list[0].dtype}) in place, "
                "as PyTorch cannot either; use avg_fn=get_swa_avg_fn() or use_buffers=False"
            )
        if isinstance(num_averaged, Tensor):
            dtype = np.dtype(get_default_dtype())
            weight = float(dtype.type(1) / dtype.type(num_averaged.item() + 1))
        else:
            weight = 1 / (num_averaged + 1)
        _lerp_all(averaged_param_list, current_param_list, weight)

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """The EMA of one tensor, for `AveragedModel(avg_fn=...)`: returns decay * W_ema + (1 - decay) * W_model.

    Raises:
        ValueError: decay outside [0, 1].
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """The running mean of one tensor: returns W_swa + (W_model - W_swa) / (num_averaged + 1)."""

    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of `model` whose parameters (and, with use_buffers, buffers) are averaged over updates.

    `update_parameters(model)` copies model's values on the first call (n_averaged == 0) and averages them
    in afterwards: an equal-weight running mean (SWA) by default, or `avg_fn(averaged, current, n_averaged)`
    (returning the new value) or `multi_avg_fn(averaged_list, current_list, n_averaged)` (updating in
    place, called once per dtype). Without use_buffers the buffers are copied from model each update.
    The state dict holds "n_averaged" and the copy's entries under "module.".

    Args:
        model (Module): the model to average; it is deep-copied.
        device: where to keep the copy (ddp has the CPU only).
        avg_fn, multi_avg_fn: the averaging function (at most one of them); see get_*_avg_fn.
        use_buffers (bool): average the buffers too, instead of copying them.

    Raises:
        AssertionError: both avg_fn and multi_avg_fn are given (as PyTorch).

    Example:
        >>> swa_model = AveragedModel(model)
        >>> ema_model = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999), use_buffers=True)
        >>> swa_model.update_parameters(model)   # once per epoch, after the optimizer steps
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", Tensor(np.zeros((), dtype=np.int64)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    @no_grad()
    def update_parameters(self, model):
        """Average `model`'s current parameters (and buffers, with use_buffers) into this copy."""
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.parameters(), model.parameters()
        pairs = [(a.detach(), b.detach()) for a, b in zip(mine, theirs)]  # as PyTorch: unequal lengths truncate
        n = self.n_averaged
        if n.item() == 0:
            for a, b in pairs:
                a.copy_(b)
        elif self.avg_fn is not None:
            for a, b in pairs:
                a.copy_(self.avg_fn(a, b, n))
        elif self.multi_avg_fn is not None:
            for a_list, b_list in _by_dtype(pairs):
                self.multi_avg_fn(a_list, b_list, n)
        else:  # PyTorch's CPU path: the single-tensor running mean
            swa = get_swa_avg_fn()
            for a, b in pairs:
                a.copy_(swa(a, b, n))
        if not self.use_buffers:  # keep the buffers in step with the source model
            for a, b in zip(self.module.buffers(), model.buffers(), strict=True):
                a.detach().copy_(b.detach())
        n.add_(1)


def _by_dtype(pairs):
    """The (averaged, current) pairs as one pair of lists per dtype of the averaged tensors, in first-seen order."""
    groups = {}
    for a, b in pairs:
        lists = groups.setdefault(a.dtype, ([], []))
        lists[0].append(a)
        lists[1].append(b)
    return list(groups.values())


@no_grad()
def update_bn(loader, model, device=None):
    """Recompute the running statistics of every BatchNorm layer of `model` with one pass over `loader`.

    The statistics are reset and accumulated as a cumulative average (momentum None), in training mode;
    afterwards each layer's momentum and the model's train/eval mode are restored. A batch that is a list
    or tuple passes its first element to the model. Nothing runs if the model has no BatchNorm layer.

    Example:
        >>> update_bn(train_loader, swa_model)
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        if device is not None:
            batch = batch.to(device)
        model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to its `swa_lr` over `anneal_epochs` epochs, then hold it there.

    With t = min(1, epoch / anneal_epochs) and alpha = t (linear) or (1 - cos(pi t)) / 2 (cos), the lr is
    swa_lr * alpha + lr_start * (1 - alpha), computed from the current lr as PyTorch does (so it can take
    over from another scheduler). anneal_epochs=0 switches to swa_lr at once.

    Args:
        optimizer (Optimizer): the optimizer whose lrs are annealed.
        swa_lr (float or list): the target lr of all groups, or one per group (stored as group["swa_lr"]).
        anneal_epochs (int): epochs of annealing (default 10).
        anneal_strategy (str): "cos" (default) or "linear".
        last_epoch (int): the last epoch done (default -1).

    Raises:
        ValueError: swa_lr's length differs from the groups', an unknown strategy, or a negative or
            non-int anneal_epochs.

    Example:
        >>> swa_scheduler = SWALR(opt, swa_lr=0.05, anneal_epochs=5, anneal_strategy="linear")
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        check_optimizer(optimizer)
        for lr, group in zip(per_group("SWALR", "swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        """The lr annealing started from, given the current lr after a fraction alpha of the way."""
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def get_lr(self):
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        alpha = self.anneal_func(max(0, min(1, step / span)))
        groups = self.optimizer.param_groups
        starts = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha) for group in groups]
        return [group["swa_lr"] * alpha + lr * (1 - alpha) for group, lr in zip(groups, starts)]

    def state_dict(self):
        """Every attribute except the optimizer and the annealing function (restored from the strategy)."""
        return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
