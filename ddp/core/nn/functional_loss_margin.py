"""The multi-class margin losses and the triplet loss with any distance, functional forms (re-exported by
ddp.nn.functional): multi_margin_loss, multilabel_margin_loss, triplet_margin_with_distance_loss. All are
composed of tensor ops (gather, relu, masks fixed by the targets), so autograd needs no new Function."""
import numpy as np

from .. import functional as CF
from ..functional import _tensor
from ..tensor import Tensor
from .functional_distance import pairwise_distance
from .functional_loss import _check_reduction, _legacy_reduction, _reduce

__all__ = ["multi_margin_loss", "multilabel_margin_loss", "triplet_margin_with_distance_loss"]


def _as_matrix(op, input, target, target_dims):  # noqa: A002
    """input as (N, C), target as an int64 array of N (target_dims 1) or (N, C) (target_dims 2), and whether
    the input was a single (C,) sample."""
    x = _tensor(input)
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if x.ndim not in (1, 2) or x.shape[-1] == 0:
        raise RuntimeError(f"{op}: expected a non-empty (C,) or (N, C) input, got shape {tuple(x.shape)}")
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: target must hold class indices (int64), got dtype {t.dtype}")
    single = x.ndim == 1
    x = CF.unsqueeze(x, 0) if single else x
    expected = (x.shape[0],) if target_dims == 1 else tuple(x.shape)
    wanted = expected[1:] if single else expected
    fits = t.shape == wanted or (single and t.size == int(np.prod(expected)) and t.ndim <= target_dims)
    if not fits:
        raise RuntimeError(f"{op}: expected a target of shape {wanted} for the input of shape "
                           f"{tuple(input.shape)}, got {t.shape}")
    return x, t.reshape(expected).astype(np.int64, copy=False), single


def _finish(loss, reduction, single):
    if single and reduction == "none":
        return CF.squeeze(loss, 0)
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,  # noqa: A002
                      reduction="mean"):
    """The multi-class hinge loss: per sample, sum over classes i != y of w[y] max(0, margin - x[y] + x[i])^p,
    divided by the number of classes C.

    Args:
        input: (N, C) scores or a single (C,) sample. target: (N,) class indices (or a 0-d index).
        p: 1 or 2. weight: (C,) per-class weights, indexed by the target class.
    Raises:
        ValueError for p not 1 or 2; RuntimeError for shapes that do not fit, targets out of [0, C) or a
        weight not of C elements.

    Example:
        >>> loss = multi_margin_loss(ddp.randn(8, 5), ddp.randint(0, 5, (8,)), margin=0.5)
    """
    op = "multi_margin_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    if p not in (1, 2):
        raise ValueError(f"{op}: p must be 1 or 2, got {p}")
    x, t, single = _as_matrix(op, input, target, 1)
    n, c = x.shape
    if t.size and (t.min() < 0 or t.max() >= c):
        raise RuntimeError(f"{op}: targets must be classes in [0, {c}), got values in [{t.min()}, {t.max()}]")
    if weight is not None and tuple(weight.shape) != (c,):
        raise RuntimeError(f"{op}: weight must have one entry per class, ({c},), got shape {tuple(weight.shape)}")
    index = Tensor(t[:, None])
    hinge = CF.relu(margin - CF.gather(x, 1, index) + x)
    if p == 2:
        hinge = hinge * hinge
    others = np.ones((n, c), dtype=x.dtype)
    others[np.arange(n), t] = 0  # the target class itself is left out of the sum
    hinge = hinge * Tensor(others)
    if weight is not None:
        hinge = hinge * CF.unsqueeze(CF.index_select(_tensor(weight), 0, Tensor(t)), 1)
    return _finish(CF.sum(hinge, dim=1) / c, reduction, single)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):  # noqa: A002
    """The multi-label hinge loss: per sample, sum over target classes j and non-target classes i of
    max(0, 1 - (x[j] - x[i])), divided by the number of classes C.

    Args:
        input: (N, C) scores or a single (C,) sample.
        target: int64 of the input's shape: each row lists its target classes, ended by the first -1 (the
            rest of the row is ignored); a class listed twice counts twice, as in PyTorch.
    Raises:
        RuntimeError for a target of another shape or dtype, or values outside [-1, C).

    Example:
        >>> loss = multilabel_margin_loss(ddp.randn(1, 4), ddp.tensor([[3, 0, -1, 1]]))
    """
    op = "multilabel_margin_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    x, t, single = _as_matrix(op, input, target, 2)
    n, c = x.shape
    if t.size and (t.min() < -1 or t.max() >= c):
        raise RuntimeError(f"{op}: targets must be classes in [0, {c}) or -1, got values in [{t.min()}, {t.max()}]")
    listed = np.cumprod(t >= 0, axis=1).astype(bool)  # the entries before each row's first -1
    is_target = np.zeros((n, c), dtype=bool)
    rows = np.broadcast_to(np.arange(n)[:, None], (n, c))
    is_target[rows[listed], t[listed]] = True
    pairs = (listed[:, :, None] & ~is_target[:, None, :]).astype(x.dtype)  # (listed target j, other class i)
    scores = CF.gather(x, 1, Tensor(np.where(listed, t, 0)))
    hinge = CF.relu(1 - CF.unsqueeze(scores, 2) + CF.unsqueeze(x, 1)) * Tensor(pairs)
    return _finish(CF.sum(hinge, dim=(1, 2)) / c, reduction, single)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """max(0, d(anchor, positive) - d(anchor, negative) + margin) for any distance d (a callable of two
    tensors returning the distances; default `pairwise_distance`). swap=True uses min(d(a, n), d(p, n)).

    Raises:
        ValueError for margin <= 0 or an unknown reduction; RuntimeError when the three inputs differ in dims.

    Example:
        >>> cos = lambda a, b: 1 - ddp.nn.functional.cosine_similarity(a, b)
        >>> loss = triplet_margin_with_distance_loss(a, p, n, distance_function=cos)
    """
    op = "triplet_margin_with_distance_loss"
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if margin <= 0:
        raise ValueError(f"{op}: margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"{op}: anchor, positive and negative must have the same number of dims, got anchor "
                           f"{anchor.ndim}D, positive {positive.ndim}D and negative {negative.ndim}D")
    distance = distance_function if distance_function is not None else pairwise_distance
    d_pos, d_neg = distance(anchor, positive), distance(anchor, negative)
    if swap:
        d_neg = CF.minimum(d_neg, distance(positive, negative))
    return _reduce(CF.clamp(margin + d_pos - d_neg, min=0), reduction)
