"""`multi_head_attention_forward`: torch.nn.functional's multi-head attention with all its arguments,
composed of ddp's linear, attention (functional_attention.py) and shape ops. Re-exported by
`ddp.nn.functional`. Shape errors are AssertionError and mask-shape errors RuntimeError, as PyTorch's."""
import math
import warnings

import numpy as np

from .. import functional as CF
from ..tensor import Tensor
from .functional_attention import additive_mask, attention, fused_attention

__all__ = ["multi_head_attention_forward"]

_OP = "multi_head_attention_forward"


def _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the inputs are batched ((L, N, E)) or not ((L, E)); AssertionError for inconsistent ranks."""
    if query.ndim not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D "
                             f"query tensor")
    batched = query.ndim == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {query.ndim}-D but found "
                             f"{key.ndim}-D and {value.ndim}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
                             f"{query.ndim - 1}-D but found {key_padding_mask.ndim}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.ndim}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}")
    return batched


def _float_mask(mask, name, dtype):
    """A bool mask as 0 / -inf (True = may not attend), a float one as it is; AssertionError otherwise."""
    if mask is None:
        return None
    mask = mask if isinstance(mask, Tensor) else Tensor(np.asarray(mask))
    if mask.dtype != np.bool_ and mask.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return additive_mask(mask, dtype, _OP, name, True)


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """PyTorch's private helper that custom attention layers call: `mask` as an additive float mask of
    `target_type` (a bool mask's True as -inf), None as None; warns when `other_type` (another mask's dtype)
    differs from a bool mask's, as PyTorch does."""
    if mask is not None and check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      f"instead.")
    return _float_mask(mask, mask_name, target_type)


def _project(query, key, value, e, in_proj_weight, in_proj_bias, separate, q_proj_weight, k_proj_weight,
             v_proj_weight):
    """The input projections q (L, N, E), k (S, N, E), v (S, N, E)."""
    if not separate:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        if query is key and key is value:  # self-attention: one product
            return CF.split(CF.linear(query, in_proj_weight, in_proj_bias), e, dim=-1)
        weights = CF.split(in_proj_weight, e)
        biases = CF.split(in_proj_bias, e) if in_proj_bias is not None else (None,) * 3
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
        n = in_proj_bias.shape[0] if in_proj_bias is not None else 0
        biases = CF.split(in_proj_bias, -(-n // 3)) if in_proj_bias is not None else (None,) * 3  # chunk(3)
        for label, x, w, b in zip(("query", "key", "value"), (query, key, value), weights, biases):
            if tuple(w.shape) != (e, x.shape[-1]):
                raise AssertionError(f"expecting {label} weights shape of {(e, x.shape[-1])}, but got "
                                     f"{tuple(w.shape)}")
            if b is not None and tuple(b.shape) != (e,):
                raise AssertionError(f"expecting {label} bias shape of {(e,)}, but got {tuple(b.shape)}")
    return tuple(CF.linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))


def _heads(x, length, rows, head_dim):
    """(length, N, E) -> (N * num_heads, length, head_dim), rows = N * num_heads."""
    return CF.transpose(CF.reshape(x, (length, rows, head_dim)), 0, 1)


def _static(t, name, rows, head_dim):
    if t.shape[0] != rows:
        raise AssertionError(f"expecting {name}.size(0) of {rows}, but got {t.shape[0]}")
    if t.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {t.shape[2]}")
    return t


def _pad_key(mask):
    """A mask with one more (visible) key position at the end."""
    return None if mask is None else CF.pad(mask, (0, 1))


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Multi-head attention with explicit weights, as torch.nn.functional.multi_head_attention_forward
    (what nn.MultiheadAttention computes): concat_h(softmax(q_h k_h^T / sqrt(d) + mask) v_h) W_out^T + b_out.

    Args:
        query: (L, N, E) or unbatched (L, E); key: (S, N, Ek); value: (S, N, Ev) (sequence first).
        embed_dim_to_check: E, checked against query. num_heads: must divide E.
        in_proj_weight (3E, E), in_proj_bias (3E,): the packed q, k, v projections; or, with
            use_separate_proj_weight, q_proj_weight (E, E), k_proj_weight (E, Ek), v_proj_weight (E, Ev).
        bias_k, bias_v: (1, 1, E) appended to the projected keys and values (one more key), or None.
        add_zero_attn: append a zero key and value (after bias_k / bias_v).
        dropout_p: dropout on the attention weights, applied only when `training`.
        out_proj_weight (E, E), out_proj_bias (E,): the output projection.
        key_padding_mask: (N, S) or (S,); bool (True = ignore that key) or float (added to the scores).
        need_weights: also return the attention weights (else one fused op, and None).
        attn_mask: (L, S) or (N * num_heads, L, S); bool (True = may not attend) or float (added).
        static_k, static_v: (N * num_heads, S', E / num_heads) used instead of the projected keys / values.
        average_attn_weights: average the returned weights over the heads.
        is_causal: a hint that attn_mask is the causal mask (attn_mask is still required).
    Returns:
        (attn_output (L, N, E) or (L, E), weights (N, L, S), (N, num_heads, L, S) or None).
    Raises:
        AssertionError for inconsistent shapes or missing weights (as PyTorch), RuntimeError for an
        attn_mask of the wrong shape or is_causal without attn_mask.

    Example:
        >>> mha = ddp.nn.MultiheadAttention(8, 2)
        >>> x = ddp.randn(5, 3, 8)
        >>> out, w = multi_head_attention_forward(x, x, x, 8, 2, mha.in_proj_weight, mha.in_proj_bias, None,
        ...     None, False, 0.0, mha.out_proj.weight, mha.out_proj.bias)
        >>> out.shape, w.shape
        (ddp.Size([5, 3, 8]), ddp.Size([3, 5, 5]))
    """
    batched = _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = (CF.unsqueeze(t, 1) for t in (query, key, value))
        key_padding_mask = CF.unsqueeze(key_padding_mask, 0) if key_padding_mask is not None else None
    length, n, e = query.shape
    src = key.shape[0]
    if key_padding_mask is not None and attn_mask is not None and key_padding_mask.dtype != attn_mask.dtype:
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type for "
                      "both instead.", stacklevel=2)
    key_padding_mask = _float_mask(key_padding_mask, "key_padding_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the fused op builds the causal mask itself
    else:
        attn_mask = _float_mask(attn_mask, "attn_mask", query.dtype)
        is_causal = False  # the mask holds the causality (merged with the padding mask, it no longer is one)
    if e != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {e}")
    head_dim = e // num_heads
    if head_dim * num_heads != e:
        raise AssertionError(f"embed_dim {e} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                                 f"{tuple(value.shape[:2])}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")
    q, k, v = _project(query, key, value, e, in_proj_weight, in_proj_bias, use_separate_proj_weight,
                       q_proj_weight, k_proj_weight, v_proj_weight)

    if attn_mask is not None:  # as (1 or N * num_heads, L, S)
        expected = (length, src) if attn_mask.ndim == 2 else (n * num_heads, length, src)
        if attn_mask.ndim not in (2, 3):
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")
        if tuple(attn_mask.shape) != expected:
            raise RuntimeError(f"The shape of the {attn_mask.ndim}D attn_mask is {tuple(attn_mask.shape)}, but "
                               f"should be {expected}.")
        if attn_mask.ndim == 2:
            attn_mask = CF.unsqueeze(attn_mask, 0)
    if (bias_k is None) != (bias_v is None):
        set_, unset = ("bias_k", "bias_v") if bias_v is None else ("bias_v", "bias_k")
        raise AssertionError(f"{set_} is set but {unset} is None")
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError(f"bias cannot be added to static {'key' if static_k is not None else 'value'}.")
        k = CF.cat([k, CF.expand(bias_k, 1, n, e)])
        v = CF.cat([v, CF.expand(bias_v, 1, n, e)])
        attn_mask, key_padding_mask = _pad_key(attn_mask), _pad_key(key_padding_mask)

    rows = n * num_heads
    q = _heads(q, length, rows, head_dim)
    k = _heads(k, k.shape[0], rows, head_dim) if static_k is None else _static(static_k, "static_k", rows, head_dim)
    v = _heads(v, v.shape[0], rows, head_dim) if static_v is None else _static(static_v, "static_v", rows, head_dim)
    if add_zero_attn:
        zeros = Tensor(np.zeros((rows, 1, head_dim), dtype=k.dtype))
        k, v = CF.cat([k, zeros], dim=1), CF.cat([v, zeros], dim=1)
        attn_mask, key_padding_mask = _pad_key(attn_mask), _pad_key(key_padding_mask)
    src = k.shape[1]

    if key_padding_mask is not None:  # merged into attn_mask, one row per (sample, head)
        if tuple(key_padding_mask.shape) != (n, src):
            raise AssertionError(f"expecting key_padding_mask shape of {(n, src)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        padding = CF.reshape(CF.expand(CF.reshape(key_padding_mask, (n, 1, 1, src)), n, num_heads, 1, src),
                             (rows, 1, src))
        attn_mask = padding if attn_mask is None else attn_mask + padding
    p = dropout_p if training else 0.0

    if need_weights:
        out, weights = attention(q, k, v, attn_mask, p, scale=math.sqrt(1.0 / head_dim))
    else:  # one fused op over (N, num_heads, ., .), no weights kept
        if attn_mask is not None:
            attn_mask = (CF.unsqueeze(attn_mask, 0) if attn_mask.shape[0] == 1
                         else CF.reshape(attn_mask, (n, num_heads, attn_mask.shape[1], src)))
        split = [CF.reshape(t, (n, num_heads, t.shape[1], head_dim)) for t in (q, k, v)]
        out = fused_attention(*split, attn_mask, p, is_causal=is_causal)
        out, weights = CF.reshape(out, (rows, length, head_dim)), None
    out = CF.reshape(CF.transpose(out, 0, 1), (length * n, e))
    out = CF.reshape(CF.linear(out, out_proj_weight, out_proj_bias), (length, n, out_proj_weight.shape[0]))
    if weights is not None:
        weights = CF.reshape(weights, (n, num_heads, length, src))
        if average_attn_weights:
            weights = CF.mean(weights, 1)
        weights = weights if batched else CF.squeeze(weights, 0)
    return (out if batched else CF.squeeze(out, 1)), weights
