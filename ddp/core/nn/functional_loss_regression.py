"""The functional forms of the regression and distribution losses (re-exported by ddp.nn.functional):
smooth L1, Huber, KL divergence, Poisson and Gaussian negative log likelihood. Signatures follow PyTorch's."""
import math
import warnings

from .. import functional as CF
from ..autograd import name_node, no_grad
from ..creation import full_like
from ..ops import loss as L
from ..tensor import Tensor
from .functional_loss import _check_broadcast, _check_reduction, _legacy_reduction, _reduce, _warn_broadcast

__all__ = ["smooth_l1_loss", "huber_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss"]


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta, for d = input - target (L1 when beta = 0).

    Raises:
        RuntimeError for a negative beta or shapes that do not broadcast (different shapes warn, as PyTorch).
    """
    op = "smooth_l1_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta, got beta={beta}")
    _warn_broadcast(input, target)
    _check_broadcast(op, input, target)
    return name_node(_reduce(L.SmoothL1.apply(input, target, beta=float(beta)), reduction), "SmoothL1LossBackward0")


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), for d = input - target; `weight` (input's
    shape) rescales each element. Equals delta * smooth_l1_loss(beta=delta).

    Raises:
        RuntimeError for delta <= 0 or shapes that do not broadcast; ValueError for a weight not of input's shape.
    """
    op = "huber_loss"
    _check_reduction(op, reduction)
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta, got delta={delta}")
    _warn_broadcast(input, target)
    _check_broadcast(op, input, target)
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError(f"{op}: weights and input must have the same size, got weight {tuple(weight.shape)} and "
                         f"input {tuple(input.shape)}")
    loss = L.SmoothL1.apply(input, target, beta=float(delta), huber=True)
    return name_node(_reduce(loss * weight if weight is not None else loss, reduction), "HuberLossBackward0")


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence sum target (log target - input), `input` holding log-probabilities
    (and `target` too when log_target=True).

    reduction='batchmean' divides the sum by the batch size (input.shape[0]): the KL divergence per sample.
    'mean' divides by the number of elements, and warns as PyTorch does.

    Example:
        >>> loss = kl_div(F.log_softmax(logits, dim=1), probs, reduction="batchmean")
    """
    op = "kl_div"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("mean", "sum", "none", "batchmean"):
        raise ValueError(f"{op}: reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}")
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size. 'batchmean' "
            "divides only by the batch size, and aligns with the KL div math definition.", stacklevel=2,
        )
    _check_broadcast(op, input, target)
    loss = L.KLDiv.apply(input, target.to(input.dtype), log_target=bool(log_target))
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Negative log likelihood of `target` under Poisson(rate): exp(input) - target input when log_input
    (input is the log rate), else input - target log(input + eps). full=True adds Stirling's approximation
    of log(target!) where target > 1."""
    op = "poisson_nll_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    _check_broadcast(op, input, target)
    if log_input:
        loss = CF.exp(input) - target * input
    else:
        loss = input - target * CF.log(input + eps)
    if full:
        t = target.to(input.dtype)
        safe = CF.where(t > 1, t, 1.0)  # the term is 0 where target <= 1; keep its log finite there
        stirling = safe * CF.log(safe) - safe + 0.5 * CF.log(2 * math.pi * safe)
        loss = loss + CF.where(t > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log likelihood of `target` under N(input, var): 0.5 (log var + (input - target)^2 / var),
    plus 0.5 log(2 pi) when full. `var` has input's shape, or lacks (or has size 1 in) its last dim for one
    variance per sample, or is a float. Variances are clamped at eps for the value only, so the gradient
    still reaches var unchanged (as PyTorch's in-place clamp under no_grad).

    Raises:
        ValueError for a var of the wrong shape, a negative var or a bad reduction.
    """
    op = "gaussian_nll_loss"
    _check_reduction(op, reduction)
    if not isinstance(var, Tensor):
        var = full_like(input, var)
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1):
            raise ValueError(
                f"{op}: var is of incorrect size: got {tuple(var.shape)} for input {tuple(input.shape)} "
                "(expected the input's shape, or it without its last dim, or with a last dim of 1)"
            )
    if (var._data < 0).any():
        raise ValueError(f"{op}: var has negative entry/entries")
    with no_grad():
        lift = CF.clamp(var, min=eps) - var
    var = var + lift
    diff = input - target
    loss = 0.5 * (CF.log(var) + diff * diff / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
