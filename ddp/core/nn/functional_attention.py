"""Scaled dot-product attention: one fused Function (ops/attention.py) when only the output is needed, and
a composed form (matmul, add, softmax: autograd does the backward) when the weights are returned too.
Re-exported by `ddp.nn.functional`; `MultiheadAttention` uses the same core."""
import math

import numpy as np

from .. import functional as CF
from ..ops.attention import ScaledDotProductAttention, causal_mask
from .. import random_draws as draws
from ..random import generator_of
from ..tensor import Tensor

__all__ = ["scaled_dot_product_attention"]


def additive_mask(mask, dtype, op, name, true_means_blocked):
    """A Tensor to add to attention scores: a float mask as it is; a bool mask as 0 / -inf.

    `true_means_blocked` is False for scaled_dot_product_attention (True = may attend, PyTorch's convention)
    and True for MultiheadAttention's masks (True = may not attend).
    """
    if mask is None:
        return None
    mask = mask if isinstance(mask, Tensor) else Tensor(np.asarray(mask))
    if mask.dtype == np.bool_:
        blocked = mask._data if true_means_blocked else ~mask._data
        return Tensor(np.where(blocked, -np.inf, 0).astype(dtype))
    if mask.dtype.kind != "f":
        raise TypeError(f"{op}: only bool and floating types of {name} are supported, got {mask.dtype}")
    return mask if mask.dtype == dtype else mask.to(dtype)


def attention(q, k, v, mask=None, dropout_p=0.0, scale=None):
    """softmax(q k^T * scale + mask) v over the last two dims; returns (output, attention weights)."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = CF.matmul(q * scale, CF.transpose(k, -2, -1))
    if mask is not None:
        scores = scores + mask
    weights = CF.softmax(scores, -1)
    if dropout_p > 0:
        from .functional import dropout

        weights = dropout(weights, dropout_p, training=True)
    return CF.matmul(weights, v), weights


def fused_attention(q, k, v, mask=None, dropout_p=0.0, scale=None, is_causal=False):
    """softmax(q k^T * scale + mask) v as one Function (the weights are not kept); mask additive or None."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    if is_causal:
        mask = causal_mask(q.shape[-2], k.shape[-2], q.dtype)
    keep = None
    if dropout_p > 0:
        shape = np.broadcast_shapes(q.shape[:-2], k.shape[:-2]) + (q.shape[-2], k.shape[-2])
        keep = draws.dropout_mask(generator_of(), shape, dropout_p, q.dtype)
    return ScaledDotProductAttention.apply(q, k, v, mask, scale=scale, keep=keep)


def _shared_heads(query, key, value):
    """key and value with each of their heads repeated for the query heads that share it (enable_gqa)."""
    op = "scaled_dot_product_attention"
    if min(t.ndim for t in (query, key, value)) < 3:
        raise RuntimeError(f"{op}: enable_gqa needs query, key and value with a heads dim (-3), got shapes "
                           f"{tuple(query.shape)}, {tuple(key.shape)} and {tuple(value.shape)}")
    heads, kv_heads = query.shape[-3], key.shape[-3]
    if value.shape[-3] != kv_heads or heads % kv_heads:
        raise RuntimeError(f"{op}: Number of heads in key and value must divide the number of heads in query, "
                           f"got {heads} query heads, {kv_heads} key heads and {value.shape[-3]} value heads")
    groups = heads // kv_heads
    if groups == 1:
        return key, value
    return CF.repeat_interleave(key, groups, dim=-3), CF.repeat_interleave(value, groups, dim=-3)


def _check(query, key, value, attn_mask, dropout_p, is_causal):
    op = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor) or t.ndim < 2:
            shape = tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__
            raise ValueError(f"{op}: {name} must be a Tensor of at least 2 dims (..., length, features), got {shape}")
    if not query.dtype == key.dtype == value.dtype:
        raise TypeError(f"{op}: Expected query, key, and value to have the same dtype, but got query.dtype: "
                        f"{query.dtype}, key.dtype: {key.dtype} and value.dtype: {value.dtype} instead.")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"{op}: query and key must have the same number of features, got shapes "
                           f"{tuple(query.shape)} and {tuple(key.shape)}")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"{op}: key and value must have the same length, got shapes "
                           f"{tuple(key.shape)} and {tuple(value.shape)}")
    if not 0 <= dropout_p <= 1:
        raise RuntimeError(f"{op}: dropout_p must be in [0, 1], got {dropout_p}")
    if attn_mask is not None:
        scores = np.broadcast_shapes(query.shape[:-2], key.shape[:-2]) + (query.shape[-2], key.shape[-2])
        try:
            np.broadcast_shapes(tuple(attn_mask.shape), scores)
        except ValueError:
            raise RuntimeError(f"{op}: attn_mask of shape {tuple(attn_mask.shape)} cannot be broadcast to the "
                               f"attention scores of shape {scores}") from None


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(query key^T * scale + mask) value, with PyTorch's argument conventions.

    Args:
        query: (..., L, E); key: (..., S, E); value: (..., S, Ev); leading dims broadcast.
        attn_mask: broadcastable to (..., L, S); bool (True = may attend) or float (added to the scores).
        dropout_p: dropout probability on the attention weights (always applied: pass 0.0 in evaluation).
        is_causal: position i attends only to positions j <= i (with an attn_mask too: both apply, as
            PyTorch's CPU kernel combines them).
        scale: factor of the scores; 1/sqrt(E) by default.
        enable_gqa: grouped-query attention: key and value have fewer heads (dim -3) than query, each
            shared by query_heads // kv_heads consecutive query heads.
    Returns:
        (..., L, Ev).
    Raises:
        ValueError, TypeError or RuntimeError naming the mismatched shapes, dtypes or arguments.

    Example:
        >>> q = k = v = ddp.randn(2, 4, 5, 8)
        >>> scaled_dot_product_attention(q, k, v, is_causal=True).shape
        ddp.Size([2, 4, 5, 8])
    """
    if enable_gqa:
        key, value = _shared_heads(query, key, value)
    _check(query, key, value, attn_mask, dropout_p, is_causal)
    mask = additive_mask(attn_mask, query.dtype, "scaled_dot_product_attention", "attn_mask", False)
    if is_causal and mask is not None:  # the causal mask folded into the given one
        mask, is_causal = mask + Tensor(causal_mask(query.shape[-2], key.shape[-2], mask.dtype)), False
    return fused_attention(query, key, value, mask, dropout_p, scale, is_causal)
