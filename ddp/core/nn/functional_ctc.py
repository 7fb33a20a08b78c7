"""`ctc_loss`, the functional form of the connectionist temporal classification loss (re-exported by
ddp.nn.functional): argument checks and the reduction; the forward-backward recursions are ops/ctc.py."""
import numpy as np

from .. import functional as CF
from ..functional import _tensor
from ..ops.ctc import CTCLoss
from ..tensor import Tensor

__all__ = ["ctc_loss"]


def _integers(op, name, value):
    """An int64 array of lengths or labels from a Tensor, an array, a sequence or an int."""
    a = value._data if isinstance(value, Tensor) else np.asarray(value)
    if a.dtype.kind == "f" and name == "targets" and np.all(a == np.round(a)):
        a = a.astype(np.int64)  # PyTorch takes whole-valued float targets too
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: {name} must be integral, got dtype {a.dtype}")
    return a.astype(np.int64, copy=False)


def _padded_targets(op, targets, target_lengths, blank):
    """Targets (N, S) padded, or (sum of lengths,) concatenated, as (N, max length) with each row's tail
    set to the blank."""
    n, longest = len(target_lengths), int(target_lengths.max(initial=0))
    if targets.ndim == 2:
        if targets.shape[0] != n or targets.shape[1] < longest:
            raise RuntimeError(f"{op}: padded targets of shape {targets.shape} do not fit target_lengths "
                               f"{target_lengths.tolist()} (expected ({n}, at least {longest}))")
        rows = targets[:, :longest]
    else:
        if targets.ndim != 1 or targets.size < target_lengths.sum():
            raise RuntimeError(f"{op}: concatenated targets of shape {targets.shape} are shorter than the sum of "
                               f"target_lengths, {int(target_lengths.sum())}")
        offsets = np.cumsum(target_lengths) - target_lengths
        rows = targets[np.minimum(offsets[:, None] + np.arange(longest), max(targets.size - 1, 0))] \
            if targets.size else np.zeros((n, longest), np.int64)
    return np.where(np.arange(longest) < target_lengths[:, None], rows, blank)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """The CTC loss: -log of the probability of each target sequence, summed over all its alignments to the
    input frames (repeats merged, blanks dropped), as torch.nn.functional.ctc_loss.

    Args:
        log_probs: (T, N, C) log-probabilities over C classes (blank included) per frame, e.g. from
            log_softmax; or unbatched (T, C).
        targets: (N, S) class indices padded to S >= max target length, or all targets concatenated
            (sum of target_lengths,); unbatched: (S,). The blank must not be a target.
        input_lengths, target_lengths: (N,) lengths (Tensors, sequences or, unbatched, ints).
        blank: the blank class. reduction: 'none' (per sample), 'sum', or 'mean': each loss divided by its
            target length (at least 1), then averaged over the batch.
        zero_infinity: give the losses of impossible targets (and their gradients) as 0 instead of inf.
    Returns:
        the reduced loss, or the (N,) losses for reduction='none'.
    Raises:
        RuntimeError for lengths or targets that do not fit log_probs, or a blank outside [0, C);
        ValueError for an unknown reduction.

    Example:
        >>> lp = ddp.randn(50, 4, 20).log_softmax(2)
        >>> loss = ctc_loss(lp, ddp.randint(1, 20, (4, 10)), (50,) * 4, (10, 8, 9, 10))
    """
    op = "ctc_loss"
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    lp = _tensor(log_probs)
    if lp.ndim not in (2, 3) or lp.shape[0] == 0:
        raise RuntimeError(f"{op}: expected log_probs of shape (T, N, C) or (T, C) with T > 0, got {tuple(lp.shape)}")
    if lp.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected floating point log_probs, got {lp.dtype}")
    single = lp.ndim == 2
    lp = CF.unsqueeze(lp, 1) if single else lp
    steps, n, classes = lp.shape
    t = _integers(op, "targets", targets)
    t = t[None] if single and t.ndim == 1 else t
    lengths = _integers(op, "input_lengths", input_lengths).reshape(-1)
    label_lengths = _integers(op, "target_lengths", target_lengths).reshape(-1)
    for name, a in (("input_lengths", lengths), ("target_lengths", label_lengths)):
        if a.shape != (n,):
            raise RuntimeError(f"{op}: {name} must have one entry per sample ({n}), got {a.size}")
        if a.size and a.min() < 0:
            raise RuntimeError(f"{op}: {name} must not be negative, got {a.tolist()}")
    if lengths.size and lengths.max() > steps:
        raise RuntimeError(f"{op}: input_lengths must be at most the {steps} frames of log_probs, got "
                           f"{lengths.tolist()}")
    if not 0 <= blank < classes:
        raise RuntimeError(f"{op}: blank must be a class in [0, {classes}), got {blank}")
    padded = _padded_targets(op, t, label_lengths, blank)
    if padded.size and (padded.min() < 0 or padded.max() >= classes):
        raise RuntimeError(f"{op}: targets must be classes in [0, {classes}), got values in "
                           f"[{padded.min()}, {padded.max()}]")
    nll = CTCLoss.apply(lp, targets=padded, input_lengths=lengths, target_lengths=label_lengths, blank=int(blank),
                        zero_infinity=bool(zero_infinity))
    if reduction == "none":
        return CF.squeeze(nll, 0) if single else nll
    if reduction == "sum":
        return nll.sum()
    return (nll / Tensor(np.maximum(label_lengths, 1).astype(nll.dtype))).mean()
