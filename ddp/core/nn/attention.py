"""`MultiheadAttention`, with PyTorch's arguments, parameter names, initialisation and mask conventions."""
import numpy as np

from .. import functional as CF
from ..dtypes import as_dtype, get_default_dtype
from ..tensor import Tensor
from . import init
from .functional_attention import additive_mask
from .functional_mha import multi_head_attention_forward
from .linear import NonDynamicallyQuantizableLinear
from .module import Module, Parameter
from .sdpa_backends import SDPBackend, sdpa_kernel  # noqa: F401  (torch.nn.attention's names: this path)


class MultiheadAttention(Module):
    """Attention over `num_heads` subspaces: concat_h(softmax(q_h k_h^T / sqrt(d) + mask) v_h) W_out^T + b_out,
    with q, k, v the input projections of query, key and value.

    Args:
        embed_dim: features of the query and of the output; split evenly among the heads.
        num_heads: number of heads (must divide embed_dim).
        dropout: dropout probability on the attention weights (training only).
        bias: whether the input and output projections have biases.
        batch_first: inputs and output are (N, L, E) instead of (L, N, E).
        kdim, vdim: features of key and value (embed_dim by default); when either differs, the projections
            are q_proj_weight, k_proj_weight, v_proj_weight instead of one packed in_proj_weight.
        add_bias_kv: learn bias_k and bias_v (1, 1, E) ~ xavier_normal_, appended to the projected keys and
            values as one more position every query may attend to.
        add_zero_attn: append a zero key and value as well (after bias_k / bias_v).
    Parameters: in_proj_weight (3E, E) ~ xavier_uniform_ (or q/k/v_proj_weight), in_proj_bias (3E,) = 0,
        out_proj.weight (E, E) as Linear's, out_proj.bias = 0.

    Example:
        >>> mha = MultiheadAttention(16, 4, batch_first=True)
        >>> x = ddp.randn(2, 5, 16)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (ddp.Size([2, 5, 16]), ddp.Size([2, 5, 5]))
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim={embed_dim} "
                             f"and num_heads={num_heads}")
        if not 0 <= dropout <= 1:
            raise ValueError(f"MultiheadAttention: dropout must be in [0, 1], got {dropout}")
        dtype = as_dtype(dtype) or get_default_dtype()
        self.embed_dim, self.num_heads, self.dropout, self.batch_first = embed_dim, num_heads, float(dropout), batch_first
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self.head_dim = embed_dim // num_heads
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype=dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(np.empty((embed_dim, embed_dim), dtype=dtype))
            self.k_proj_weight = Parameter(np.empty((embed_dim, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(np.empty((embed_dim, self.vdim), dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty((3 * embed_dim,), dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, embed_dim), dtype=dtype))
            self.bias_v = Parameter(np.empty((1, 1, embed_dim), dtype=dtype))
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self.add_zero_attn = add_zero_attn
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        self._reset_parameters()

    def _reset_parameters(self):
        """xavier_uniform_ on the input projections, zero biases (out_proj.weight keeps Linear's init)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    # ------------------------------------------------------------------------------------ forward
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """Attend from query to key/value.

        Args:
            query: (L, N, E), (N, L, E) with batch_first, or unbatched (L, E).
            key, value: (S, N, kdim) and (S, N, vdim) likewise.
            key_padding_mask: (N, S) or unbatched (S,); bool (True = ignore that key) or float (added).
            need_weights: also return the attention weights.
            attn_mask: (L, S) or (N * num_heads, L, S); bool (True = may not attend) or float (added).
            average_attn_weights: average the returned weights over the heads.
            is_causal: a hint that attn_mask is the causal mask (attn_mask is still required and used).
        Returns:
            (attn_output like query, weights (N, L, S) or (N, num_heads, L, S), or None).
        """
        batched = self._check_inputs(query, key, value)
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: Need attn_mask if specifying the is_causal hint. You may use "
                               "the Transformer module method `generate_square_subsequent_mask` to create this mask.")
        self._check_masks(key_padding_mask, attn_mask, query, key, batched)
        if batched and self.batch_first:  # the functional form is sequence-first; self-attention stays one tensor
            query, key, value = (CF.transpose(t, 0, 1) for t in (query, key, value)) if not (
                query is key and key is value) else (CF.transpose(query, 0, 1),) * 3
        separate = not self._qkv_same_embed_dim
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias, self.bias_k,
            self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        return (CF.transpose(out, 0, 1) if batched and self.batch_first else out), weights

    # ------------------------------------------------------------------------------------- checks
    def _check_inputs(self, query, key, value):
        name = "MultiheadAttention"
        for label, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor):
                raise TypeError(f"{name}: {label} must be a Tensor, got {type(t).__name__}")
        if query.ndim not in (2, 3):
            raise ValueError(f"{name}: query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.ndim}-D query tensor")
        if key.ndim != query.ndim or value.ndim != query.ndim:
            kind = "batched (3-D)" if query.ndim == 3 else "unbatched (2-D)"
            raise ValueError(f"{name}: For {kind} `query`, expected `key` and `value` to be {query.ndim}-D but "
                             f"found {key.ndim}-D and {value.ndim}-D tensors respectively")
        if query.shape[-1] != self.embed_dim:
            raise ValueError(f"{name}: was expecting embedding dimension of {self.embed_dim}, but got "
                             f"{query.shape[-1]} (query of shape {tuple(query.shape)})")
        if key.shape[-1] != self.kdim or value.shape[-1] != self.vdim:
            raise ValueError(f"{name}: expected key and value with {self.kdim} and {self.vdim} features, got "
                             f"shapes {tuple(key.shape)} and {tuple(value.shape)}")
        if key.shape[:-1] != value.shape[:-1]:
            raise ValueError(f"{name}: key's sequence and batch dims {tuple(key.shape[:-1])} do not match value's "
                             f"{tuple(value.shape[:-1])}")
        batch = 0 if self.batch_first else 1
        if query.ndim == 3 and query.shape[batch] != key.shape[batch]:
            raise ValueError(f"{name}: query and key have different batch sizes: shapes {tuple(query.shape)} "
                             f"and {tuple(key.shape)}")
        return query.ndim == 3

    def _check_masks(self, key_padding_mask, attn_mask, query, key, batched):
        """The masks' shapes and dtypes, checked with this module's messages before the functional form runs."""
        name = "MultiheadAttention"
        seq, batch = (1, 0) if batched and self.batch_first else (0, 1)
        length, src = query.shape[seq], key.shape[seq]
        n = query.shape[batch] if batched else 1
        if attn_mask is not None:
            heads = (n * self.num_heads if batched else self.num_heads, length, src)
            if tuple(attn_mask.shape) not in ((length, src), heads):
                raise RuntimeError(f"{name}: The shape of the {attn_mask.ndim}D attn_mask is {tuple(attn_mask.shape)}, "
                                   f"but should be {(length, src)} or {heads}.")
            additive_mask(attn_mask, query.dtype, name, "attn_mask", True)  # its dtype, with our message
        if key_padding_mask is not None:
            expected = (n, src) if batched else (src,)
            if tuple(key_padding_mask.shape) != expected:
                raise RuntimeError(f"{name}: expecting key_padding_mask shape of {expected}, but got "
                                   f"{tuple(key_padding_mask.shape)}")
            additive_mask(key_padding_mask, query.dtype, name, "key_padding_mask", True)
