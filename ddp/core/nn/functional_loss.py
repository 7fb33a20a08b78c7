"""The functional forms of the classification losses and MSE / L1 (re-exported by ddp.nn.functional), with
checked arguments. Signatures follow PyTorch's, the deprecated `size_average` / `reduce` pair included, so
that positional calls mean the same; regression and distance losses live in functional_loss_regression.py
and functional_distance.py."""
import warnings

import numpy as np

from ..autograd import name_node
from ..ops import loss as L
from ..tensor import Tensor

__all__ = [
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "binary_cross_entropy_with_logits", "binary_cross_entropy",
    "soft_margin_loss", "multilabel_soft_margin_loss",
]

_REDUCTIONS = ("mean", "sum", "none")


def _shape(t):
    """The plain shape tuple of a Tensor or array (a Tensor's `.shape` builds a Size on every read)."""
    return t._data.shape if isinstance(t, Tensor) else np.shape(t)


def _legacy_reduction(size_average, reduce, reduction):
    """PyTorch's deprecated size_average / reduce pair as a reduction; both None keeps `reduction`."""
    if size_average is None and reduce is None:
        return reduction
    if isinstance(size_average, str) or isinstance(reduce, str):
        raise TypeError(f"size_average and reduce are deprecated bools, got {size_average!r} and {reduce!r}; "
                        "pass the reduction by keyword: reduction='mean', 'sum' or 'none'")
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "none" if not reduce else ("mean" if size_average else "sum")
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.")
    return reduction


def _check_broadcast(op, *tensors):
    """RuntimeError naming the op and the shapes when the inputs do not broadcast (PyTorch's type)."""
    shapes = [tuple(t.shape) if isinstance(t, Tensor) else np.shape(t) for t in tensors]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(f"{op}: shapes {', '.join(map(str, shapes))} cannot be broadcast together") from None


def _check_reduction(op, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _weight_array(op, weight, n_classes, dtype):
    if weight is None:
        return None
    w = weight._data if isinstance(weight, Tensor) else np.asarray(weight)
    if w.shape != (n_classes,):
        raise RuntimeError(f"{op}: weight has shape {w.shape}, expected ({n_classes},) (one per class)")
    return w.astype(dtype, copy=False)


_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}  # the same bits seen as unsigned


def _class_targets(op, shape, target, ignore_index):
    """Check class-index targets against an input of `shape` (N, C, d1, ...) and return the index array,
    and whether every target is a class in [0, C)."""
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    expected = (shape[0],) + shape[2:]
    if t.dtype.kind not in "iu":
        raise RuntimeError(
            f"{op}: target must hold class indices (int64) of shape {expected} or class probabilities of the "
            f"input's shape {shape}; got dtype {t.dtype} and shape {t.shape}"
        )
    if t.ndim and t.shape[0] != expected[0]:
        raise ValueError(f"{op}: Expected input batch_size ({expected[0]}) to match target batch_size ({t.shape[0]}): "
                         f"expected target of shape {expected} for input of shape {shape}, got {t.shape}")
    if t.shape != expected:
        raise RuntimeError(f"{op}: expected target of shape {expected} for input of shape {shape}, got {t.shape}")
    n_classes = shape[1]
    # one reduction settles the usual case: seen as unsigned, a negative index is larger than any class
    if t.size == 0 or np.maximum.reduce(t.view(_UNSIGNED[t.itemsize]), axis=None) < n_classes:
        return t, True
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(
            f"{op}: target {int(t[bad].flat[0])} is out of bounds for {n_classes} classes "
            f"(input {shape}, target {t.shape}, ignore_index={ignore_index})"
        )
    return t, False


def _batched(op, input, target):
    """Unbatched (C,) input with a scalar target becomes a batch of one."""
    if input.ndim == 0:
        raise RuntimeError(f"{op}: input must have a class dim, got a 0-d tensor")
    if input.ndim == 1:
        input = input.reshape(1, -1)
        target = target.reshape(1, *target.shape) if isinstance(target, Tensor) else np.asarray(target)[None]
        return input, target, True
    return input, target, False


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """Cross entropy of logits `input` (N, C) or (N, C, d1, ...) against `target`, fused with the log-softmax.

    Args:
        target: class indices (int64, shape (N,) or (N, d1, ...)) or class probabilities (input's shape).
        weight: a (C,) rescaling of each class. ignore_index: a target value that contributes nothing.
        reduction: 'mean' (weighted mean over non-ignored targets), 'sum' or 'none'.
        label_smoothing: eps in [0, 1]; the target becomes (1 - eps) onehot + eps / C.
    Raises:
        RuntimeError for a target of the wrong dtype or shape, a bad weight or label_smoothing (as PyTorch);
        ValueError for a bad reduction; IndexError for a class index outside [0, C).

    Example:
        >>> loss = cross_entropy(ddp.randn(4, 10, requires_grad=True), ddp.tensor([1, 0, 9, 3]))
    """
    op = "cross_entropy"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"{op}: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    input, target, unbatched = _batched(op, input, target)
    shape = _shape(input)
    w = _weight_array(op, weight, shape[1], input.dtype)
    if isinstance(target, Tensor) and target.dtype.kind == "f" and _shape(target) == shape:
        out = L.SoftCrossEntropy.apply(input, target.to(input.dtype), w, label_smoothing=label_smoothing,
                                       reduction=reduction)
    else:
        t, in_range = _class_targets(op, shape, target, ignore_index)
        # None tells the op that no target can be ignore_index, so it skips looking for them
        ignored = None if in_range and not 0 <= ignore_index < shape[1] else ignore_index
        out = L.CrossEntropy.apply(input, t, w, ignore_index=ignored, label_smoothing=label_smoothing,
                                   reduction=reduction)
    return out.reshape(()) if unbatched and reduction == "none" else out


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log likelihood of log-probabilities `input` (N, C, ...) at class indices `target`; `weight`
    and `ignore_index` as in `cross_entropy`."""
    op = "nll_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    input, target, unbatched = _batched(op, input, target)
    shape = _shape(input)
    w = _weight_array(op, weight, shape[1], input.dtype)
    t, _ = _class_targets(op, shape, target, ignore_index)
    out = L.NLLLoss.apply(input, t, w, ignore_index=ignore_index, reduction=reduction)
    return out.reshape(()) if unbatched and reduction == "none" else out


def _same_shape(op, input, target, error=RuntimeError):
    """PyTorch's types: a RuntimeError (a failed broadcast) for the regression losses, ValueError for BCE's."""
    if tuple(input.shape) != tuple(target.shape):
        raise error(
            f"{op}: target size {tuple(target.shape)} must be the same as input size {tuple(input.shape)}"
        )


def _warn_broadcast(input, target):
    """PyTorch's UserWarning where a regression loss broadcasts a target of another shape (a (N, 1) output
    against an (N,) target gives N x N differences: usually a bug, but a legal one)."""
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(
            f"Using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", stacklevel=3,
        )


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """(input - target)^2, reduced; a target of another shape broadcasts, with PyTorch's warning."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("mse_loss", reduction)
    _warn_broadcast(input, target)
    _check_broadcast("mse_loss", input, target)
    diff = input - target
    return name_node(_reduce(diff * diff, reduction), "MseLossBackward0")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """|input - target|, reduced; a target of another shape broadcasts, with PyTorch's warning."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("l1_loss", reduction)
    _warn_broadcast(input, target)
    _check_broadcast("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross entropy of logits (sigmoid fused in, stable for large |input|).

    `weight` rescales each element (broadcast); `pos_weight` (broadcast over the last dim) weighs the positive
    term, to trade recall against precision.
    """
    op = "binary_cross_entropy_with_logits"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    _same_shape(op, input, target, ValueError)
    pw = None
    if pos_weight is not None:
        pw = (pos_weight._data if isinstance(pos_weight, Tensor) else np.asarray(pos_weight)).astype(input.dtype)
        try:
            np.broadcast_shapes(pw.shape, tuple(input.shape))
        except ValueError:
            raise RuntimeError(f"{op}: pos_weight of shape {pw.shape} does not broadcast to input {tuple(input.shape)}") from None
    loss = L.BCEWithLogits.apply(input, target.to(input.dtype), pw)
    if weight is not None:
        loss = loss * weight
    return name_node(_reduce(loss, reduction), "BinaryCrossEntropyWithLogitsBackward0")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(target log(input) + (1 - target) log(1 - input)) for probabilities `input`; logs are clamped at
    -100 as in PyTorch, so that a probability of 0 or 1 gives a finite loss."""
    op = "binary_cross_entropy"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    _same_shape(op, input, target, ValueError)
    p = input._data
    if p.size and (p.min() < 0 or p.max() > 1):
        raise RuntimeError(f"{op}: all elements of input should be between 0 and 1")
    loss = L.BCE.apply(input, target.to(input.dtype))
    if weight is not None:
        loss = loss * weight
    return name_node(_reduce(loss, reduction), "BinaryCrossEntropyBackward0")


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)) for targets in {1, -1}: the logistic loss, stable for large |input|."""
    op = "soft_margin_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    _check_broadcast(op, input, target)
    margin = input * target
    loss = L.BCEWithLogits.apply(margin, np.ones((), dtype=margin.dtype), None)  # softplus(-margin)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """One-vs-all logistic loss of logits (N, C) against 0/1 targets: the per-class binary cross entropy,
    times `weight` (C,) when given, averaged over the classes (the last dim), then reduced over the batch."""
    op = "multilabel_soft_margin_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    _check_broadcast(op, input, target)
    loss = L.BCEWithLogits.apply(input, target.to(input.dtype), None)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.mean(dim=-1), reduction)
