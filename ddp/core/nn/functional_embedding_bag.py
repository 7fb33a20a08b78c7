"""embedding_bag, the functional form of nn.EmbeddingBag (re-exported by ddp.nn.functional): sums, means or
maxima of bags of embedding rows, without materialising the (bags, bag size, dim) lookup of `embedding`
followed by a reduction.

It is composed of two ops: the Embedding lookup of every bagged index (ops/embedding.py, whose backward
scatters into the weight) and BagReduce (ops/embedding_bag.py), which reduces consecutive rows by bag.
Validation lives here and follows torch.nn.functional.embedding_bag's checks and exception types.
"""
import numpy as np

from ..functional import _tensor
from ..ops import embedding as emb
from ..ops.embedding_bag import BagReduce
from ..shape_functional import reshape
from ..tensor import Tensor

__all__ = ["embedding_bag"]

MODES = ("sum", "mean", "max")


def _indices(t, name):
    """The integer numpy array of a Tensor or array-like; RuntimeError for another dtype (as PyTorch)."""
    a = t._data if isinstance(t, Tensor) else np.asarray(t)
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"embedding_bag: expected {name} to be an integer (int32 or int64) tensor, got {a.dtype}")
    return a


def _bag_sizes(idx, offsets, include_last_offset):
    """(the flat indices that fall into bags, the size of each bag) from 2-D input or 1-D input + offsets."""
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: a 2-D input is a batch of equal bags, so offsets must be None; got "
                             f"offsets of type {type(offsets).__name__}")
        return idx.reshape(-1), np.full(idx.shape[0], idx.shape[1], dtype=np.int64)
    if idx.ndim != 1:
        raise ValueError(f"embedding_bag: the input must be a 1-D or 2-D tensor of indices, got {idx.ndim} dims")
    if offsets is None:
        raise ValueError("embedding_bag: a 1-D input needs offsets (a 1-D tensor of where each bag starts), got None")
    off = _indices(offsets, "offsets").astype(np.int64)
    if off.ndim != 1:
        raise ValueError(f"embedding_bag: offsets must be a 1-D tensor, got shape {off.shape}")
    if include_last_offset and off.size < 1:
        raise RuntimeError("embedding_bag: include_last_offset needs at least 1 offset (the end of the last bag)")
    if off.size and off[0] != 0:
        raise RuntimeError(f"embedding_bag: the first bag must start at index 0 (offsets[0] == 0), got {off[0]}")
    if off.size and off[-1] > idx.size:
        raise RuntimeError(f"embedding_bag: offsets[-1] ({off[-1]}) is past the end of the input (length "
                           f"{idx.size})")
    if np.any(np.diff(off) < 0):
        raise RuntimeError(f"embedding_bag: offsets must be non-decreasing, got {off.tolist()}")
    ends = off[1:] if include_last_offset else np.append(off[1:], idx.size)
    starts = off[:-1] if include_last_offset else off
    return idx[:ends[-1] if ends.size else 0], ends - starts


def renorm_rows_(weight, picked, max_norm, norm_type):
    """Scale, in place, each picked row of `weight` whose norm_type-norm exceeds max_norm down to max_norm
    (embedding's and embedding_bag's `max_norm`)."""
    rows = np.unique(picked)
    w = weight._data
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        w[rows[big]] *= (max_norm / (norms[big] + 1e-7)).astype(w.dtype)[:, None]
        weight._bump_version()


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,  # noqa: A002
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of rows of `weight`, as torch.nn.functional.embedding_bag.

    Args:
        input: integer indices, (B, n) for B bags of n each, or 1-D with `offsets`.
        weight: (num_embeddings, dim), floating point.
        offsets: 1-D, for a 1-D input only: bag b starts at offsets[b] (offsets[0] must be 0) and ends where
            the next starts, the last at the end of input; with include_last_offset=True the last offset is
            that end instead (B = len(offsets) - 1).
        max_norm, norm_type: renormalise, in place, each picked row whose norm exceeds max_norm (as embedding).
        scale_grad_by_freq: divide each row's gradient by how often input picks it (not with mode='max').
        mode: 'sum', 'mean' or 'max' (per column).
        per_sample_weights: the shape of input, weight's dtype, mode='sum' only: each row is scaled by its weight.
        padding_idx: entries equal to it are left out of their bag (and of a mean's count).
    Returns:
        (B, dim) in weight's dtype; an empty bag (or one of padding only) gives zeros. Differentiable with
        respect to weight and per_sample_weights.
    Raises:
        ValueError for a bad input/offsets/weight rank, mode, or per_sample_weights shape; RuntimeError for
        bad offsets, indices out of range, a bad padding_idx or dtype; NotImplementedError for per_sample_weights
        with mode 'mean'/'max'. sparse=True gives the ordinary dense gradient (ddp has no sparse tensors).

    Example:
        >>> w = ddp.arange(8.).reshape(4, 2)
        >>> embedding_bag(ddp.tensor([0, 1, 3]), w, ddp.tensor([0, 2]), mode="sum").tolist()
        [[2.0, 4.0], [6.0, 7.0]]
    """
    weight = _tensor(weight)
    if weight.ndim != 2:
        raise ValueError(f"embedding_bag: weight must be a 2-D tensor (num_embeddings, dim), got {weight.ndim} dims")
    if weight.dtype.kind != "f":
        raise RuntimeError(f"embedding_bag: expected weight to be a floating point tensor, got {weight.dtype}")
    if mode not in MODES:
        raise ValueError(f"embedding_bag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
    if scale_grad_by_freq and mode == "max":
        raise ValueError("embedding_bag: max mode does not support scaling the gradient by the frequency")
    idx = _indices(input, "indices")
    flat, counts = _bag_sizes(idx, offsets, include_last_offset)
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(f"embedding_bag: per_sample_weights is only supported for mode='sum' (got "
                                      f"mode={mode!r})")
        per_sample_weights = _tensor(per_sample_weights)
        if tuple(per_sample_weights.shape) != idx.shape:
            raise ValueError(f"embedding_bag: per_sample_weights (shape {tuple(per_sample_weights.shape)}) must "
                             f"have the same shape as the input ({idx.shape})")
        if per_sample_weights.dtype != weight.dtype:
            raise RuntimeError(f"embedding_bag: per_sample_weights ({per_sample_weights.dtype}) must have the "
                               f"weight's dtype ({weight.dtype})")
    n = weight.shape[0]
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise RuntimeError(f"embedding_bag: padding_idx must be within the number of embeddings, -{n} "
                               f"through {n - 1}, but got {padding_idx}")
        padding_idx %= n
    if flat.size and (flat.min() < 0 or flat.max() >= n):
        bad = int(np.flatnonzero((flat < 0) | (flat >= n))[0])
        raise RuntimeError(f"embedding_bag: index {bad} of input takes value {flat[bad]} which is not in the "
                           f"valid range [0, {n})")
    if max_norm is not None and flat.size:
        renorm_rows_(weight, flat, max_norm, norm_type)
    kept = slice(None) if padding_idx is None else np.flatnonzero(flat != padding_idx)
    if padding_idx is not None:  # padding entries leave their bags: recount
        bag = np.repeat(np.arange(counts.size), counts)
        counts = np.bincount(bag[kept], minlength=counts.size)
    rows = emb.Embedding.apply(weight, flat[kept], scale_grad_by_freq=scale_grad_by_freq)
    if per_sample_weights is not None:
        scale = reshape(per_sample_weights, -1)
        if padding_idx is not None or flat.size != idx.size:  # some entries are in no bag
            scale = scale[np.arange(flat.size)[kept]]
        rows = rows * reshape(scale, -1, 1)
    return BagReduce.apply(rows, counts=counts, mode=mode)
