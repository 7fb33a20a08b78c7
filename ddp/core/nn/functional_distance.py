"""Distances, similarities and the embedding losses built on them (re-exported by ddp.nn.functional):
cosine_similarity, pairwise_distance, pdist, normalize, and the cosine-embedding, margin-ranking,
hinge-embedding and triplet-margin losses. All but pdist (ops/pdist.py) are composed of checked tensor ops."""
import math

from .. import functional as CF
from ..arguments import normalize_dim
from ..functional import _tensor
from ..ops.pdist import Pdist
from ..reduce_functional import vector_norm
from .functional_loss import _check_broadcast, _check_reduction, _legacy_reduction, _reduce

__all__ = [
    "cosine_similarity", "pairwise_distance", "pdist", "normalize", "cosine_embedding_loss",
    "margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss",
]


def _p_norm(v, p, dim, keepdim=False):
    """The p-norm of v along `dim` (p = 0: the count of non-zeros, no gradient); `vector_norm`'s, whose
    gradient at a zero vector is 0 (not sqrt's nan), so that normalize and cosine_similarity of a zero row
    have PyTorch's finite gradients."""
    if p == 0:
        return CF.sum((v != 0).to(v.dtype), dim=dim, keepdim=keepdim)
    return vector_norm(v, p, dim, keepdim)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """x1 . x2 / (max(||x1||, eps) max(||x2||, eps)) along `dim` of the broadcast shape, which is removed.

    Raises:
        RuntimeError when x1 and x2 do not broadcast; IndexError for a dim out of range.
    """
    shape = _check_broadcast("cosine_similarity", x1, x2)
    d = normalize_dim(dim, len(shape), "cosine_similarity")
    x1, x2 = x1.expand(*shape), x2.expand(*shape)
    n1 = CF.clamp(_p_norm(x1, 2, d), min=eps)
    n2 = CF.clamp(_p_norm(x2, 2, d), min=eps)
    return CF.sum(x1 * x2, dim=d) / (n1 * n2)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps along the last dim (eps keeps the norm's gradient finite at x1 = x2).

    Raises:
        RuntimeError when x1 and x2 do not broadcast.
    """
    shape = _check_broadcast("pairwise_distance", x1, x2)
    return _p_norm(x1 - x2 + eps, p, dim=max(len(shape) - 1, 0), keepdim=keepdim)


def pdist(input, p=2.0):  # noqa: A002
    """The p-norm distance between every pair of rows of an (N, M) input: N (N - 1) / 2 values, pair (i, j)
    with i < j in row-major order (the upper triangle of cdist(x, x)). The gradient at a zero distance is 0.

    Raises:
        RuntimeError for an input that is not a 2-D float tensor, or a negative p.

    Example:
        >>> pdist(ddp.randn(5, 3)).shape
        ddp.Size([10])
    """
    x = _tensor(input)
    if x.ndim != 2:
        raise RuntimeError(f"pdist: expected a 2-D input (N, M), got shape {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise RuntimeError(f"pdist: expected a floating point input, got {x.dtype}")
    if p < 0:
        raise RuntimeError(f"pdist: p must be non-negative, got {p}")
    return Pdist.apply(x, p=float(p))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along `dim`: unit vectors, and zero vectors left at zero."""
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported; use the returned tensor")
    d = normalize_dim(dim, input.ndim, "normalize")
    return input / CF.clamp(_p_norm(input, p, d, keepdim=True), min=eps)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) where target = 1 and max(0, cos(x1, x2) - margin) where target = -1, the cosine
    along the last dim of (N, D) inputs with (N,) targets (or (D,) inputs with a 0-d target).

    Raises:
        RuntimeError for a target of more than 1 dim, inputs whose dims do not fit it, or unequal input shapes.
    """
    op = "cosine_embedding_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    if target.ndim > 1:
        raise RuntimeError(f"{op}: 0D or 1D target tensor expected, multi-target not supported; got target "
                           f"of shape {tuple(target.shape)}")
    if input1.ndim != target.ndim + 1 or input2.ndim != target.ndim + 1:
        raise RuntimeError(f"{op}: {target.ndim}D target tensor expects {target.ndim + 1}D input tensors, but "
                           f"found inputs with sizes {tuple(input1.shape)} and {tuple(input2.shape)}")
    if tuple(input1.shape) != tuple(input2.shape):
        raise RuntimeError(f"{op}: input1 of shape {tuple(input1.shape)} and input2 of shape "
                           f"{tuple(input2.shape)} must have the same shape")
    tiny = 1e-12  # keeps the cosine finite for a zero vector
    dot = CF.sum(input1 * input2, dim=-1)
    cos = dot / CF.sqrt((CF.sum(input1 * input1, dim=-1) + tiny) * (CF.sum(input2 * input2, dim=-1) + tiny))
    loss = CF.where(target == 1, 1 - cos, 0.0) + CF.where(target == -1, CF.clamp(cos - margin, min=0), 0.0)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target (input1 - input2) + margin): input1 should rank above input2 where target = 1.

    Raises:
        RuntimeError when the three tensors differ in dims or do not broadcast.
    """
    op = "margin_ranking_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"{op}: all input tensors should have the same dimension but got sizes: input1: "
                           f"{tuple(input1.shape)}, input2: {tuple(input2.shape)}, target: {tuple(target.shape)}")
    _check_broadcast(op, input1, input2, target)
    return _reduce(CF.clamp(-target * (input1 - input2) + margin, min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """input where target = 1, max(0, margin - input) where target = -1 (input is usually a distance)."""
    op = "hinge_embedding_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    _check_broadcast(op, input, target)
    loss = CF.where(target != 1, CF.clamp(margin - input, min=0), 0.0) + CF.where(target != -1, input, 0.0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, d(a, p) - d(a, n) + margin) with d the `pairwise_distance`; swap=True uses min(d(a, n), d(p, n))
    as the negative distance (the distance swap of Balntas et al.).

    Raises:
        RuntimeError when the three tensors differ in dims or do not broadcast.
    """
    op = "triplet_margin_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(op, reduction)
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"{op}: the anchor, positive, and negative tensors are expected to have the same "
                           f"number of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, "
                           f"and negative {negative.ndim}D inputs")
    _check_broadcast(op, anchor, positive, negative)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = CF.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(CF.clamp(margin + d_pos - d_neg, min=0), reduction)
