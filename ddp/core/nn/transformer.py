"""The Transformer of "Attention Is All You Need" as torch.nn has it: encoder and decoder layers (post- or
pre-norm), their stacks, and `Transformer`, with PyTorch's arguments, submodule names and mask conventions,
so that state dicts map one-to-one. Attention is `MultiheadAttention` (one GEMM for q, k, v in self-attention).
"""
import copy

import numpy as np

from ..dtypes import as_dtype, get_default_dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
           "TransformerDecoderLayer"]


def _activation(activation, op):
    """'relu' / 'gelu' as the functional form, or a callable (a function or a module) as it is."""
    if isinstance(activation, str):
        forms = {"relu": F.relu, "gelu": F.gelu}
        if activation not in forms:
            raise RuntimeError(f"{op}: activation should be relu/gelu, not {activation}")
        return forms[activation]
    if not callable(activation):
        raise TypeError(f"{op}: activation must be 'relu', 'gelu' or a callable, got {type(activation).__name__}")
    return activation


def _check_layer_args(op, d_model, nhead, dropout):
    for name, value in (("d_model", d_model), ("nhead", nhead)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{op}: {name} must be a positive integer, got {value!r}")
    if not 0 <= dropout <= 1:
        raise ValueError(f"{op}: dropout must be in [0, 1], got {dropout}")


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward network, each in a residual branch with LayerNorm:

    post-norm (default): x = norm1(x + SA(x)); x = norm2(x + FF(x));
    norm_first=True:     x = x + SA(norm1(x)); x = x + FF(norm2(x)),
    with FF(x) = linear2(dropout(activation(linear1(x)))) and dropout on each branch's output.

    Args:
        d_model, nhead: features and attention heads; dim_feedforward: width of FF's hidden layer.
        dropout: probability of every dropout (training only).
        activation: 'relu', 'gelu' or a callable (e.g. nn.GELU(), F.silu).
        layer_norm_eps, batch_first, norm_first, bias: as in PyTorch (bias=False drops every bias).
    Inputs: src (S, N, E), (N, S, E) with batch_first, or unbatched (S, E); src_mask (S, S) or
        (N * nhead, S, S) and src_key_padding_mask (N, S), bool (True = may not attend) or float (added);
        is_causal: a hint that src_mask is the causal mask.

    Example:
        >>> layer = TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, batch_first=True)
        >>> layer(ddp.randn(2, 5, 16)).shape
        ddp.Size([2, 5, 16])
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        _check_layer_args("TransformerEncoderLayer", d_model, nhead, dropout)
        dtype = as_dtype(dtype) or get_default_dtype()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        self.activation = _activation(activation, "TransformerEncoderLayer")
        self.batch_first = batch_first

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    """Self-attention, attention over the encoder's output (memory), then a feed-forward network, each in a
    residual branch with LayerNorm (norm1, norm2, norm3; before the branch when norm_first=True).

    Args: as `TransformerEncoderLayer`.
    Inputs: tgt (T, N, E) (or batch first, or unbatched), memory (S, N, E); tgt_mask (T, T) and memory_mask
        (T, S), or per head; tgt_key_padding_mask (N, T) and memory_key_padding_mask (N, S); tgt_is_causal and
        memory_is_causal: hints that the masks are causal.

    Example:
        >>> layer = TransformerDecoderLayer(d_model=16, nhead=4, dim_feedforward=32)
        >>> layer(ddp.randn(6, 2, 16), ddp.randn(5, 2, 16)).shape
        ddp.Size([6, 2, 16])
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        _check_layer_args("TransformerDecoderLayer", d_model, nhead, dropout)
        dtype = as_dtype(dtype) or get_default_dtype()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            dtype=dtype)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                 batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1, self.dropout2, self.dropout3 = Dropout(dropout), Dropout(dropout), Dropout(dropout)
        self.activation = _activation(activation, "TransformerDecoderLayer")
        self.batch_first = batch_first

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._ff_block(x))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                need_weights=False, is_causal=is_causal)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _clones(layer, n, op):
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"{op}: num_layers must be a non-negative integer, got {n!r}")
    return ModuleList([copy.deepcopy(layer) for _ in range(n)])


def _is_causal(mask, is_causal, size):
    """PyTorch's rule: an explicit hint wins; with none, a mask equal to the causal mask counts as causal."""
    if is_causal is not None or mask is None:
        return bool(is_causal)
    if tuple(mask.shape) != (size, size):
        return False
    causal = np.triu(np.ones((size, size), dtype=bool), 1)
    data = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if data.dtype == np.bool_:
        return bool(np.array_equal(data, causal))
    return bool(np.array_equal(np.isneginf(data), causal) and not np.any(data[~causal]))


class TransformerEncoder(Module):
    """A stack of `num_layers` copies of `encoder_layer` (layers.0, layers.1, ...), then `norm` if given.

    `enable_nested_tensor` and `mask_check` are accepted for PyTorch compatibility (ddp pads, never nests).

    Example:
        >>> layer = TransformerEncoderLayer(16, 4, dim_feedforward=32)
        >>> TransformerEncoder(layer, num_layers=2)(ddp.randn(5, 2, 16)).shape
        ddp.Size([5, 2, 16])
    """

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        if not isinstance(encoder_layer, Module):
            raise TypeError(f"TransformerEncoder: encoder_layer must be a Module, got {type(encoder_layer).__name__}")
        self.layers = _clones(encoder_layer, num_layers, "TransformerEncoder")
        self.num_layers, self.norm = num_layers, norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        seq_dim = 1 if getattr(self.layers[0], "batch_first", False) and src.ndim == 3 else 0
        causal = _is_causal(mask, is_causal, src.shape[seq_dim])
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=causal)
        return self.norm(x) if self.norm is not None else x


class TransformerDecoder(Module):
    """A stack of `num_layers` copies of `decoder_layer`, then `norm` if given.

    Example:
        >>> layer = TransformerDecoderLayer(16, 4, dim_feedforward=32)
        >>> TransformerDecoder(layer, num_layers=2)(ddp.randn(6, 2, 16), ddp.randn(5, 2, 16)).shape
        ddp.Size([6, 2, 16])
    """

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        if not isinstance(decoder_layer, Module):
            raise TypeError(f"TransformerDecoder: decoder_layer must be a Module, got {type(decoder_layer).__name__}")
        self.layers = _clones(decoder_layer, num_layers, "TransformerDecoder")
        self.num_layers, self.norm = num_layers, norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        seq_dim = 1 if getattr(self.layers[0], "batch_first", False) and tgt.ndim == 3 else 0
        causal = _is_causal(tgt_mask, tgt_is_causal, tgt.shape[seq_dim])
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                      tgt_is_causal=causal, memory_is_causal=memory_is_causal)
        return self.norm(x) if self.norm is not None else x


class Transformer(Module):
    """Encoder (num_encoder_layers layers + LayerNorm) and decoder (num_decoder_layers + LayerNorm).

    Every parameter of more than one dim is re-initialised with xavier_uniform_, as PyTorch does.
    forward(src, tgt, ...) returns the decoder's output, shaped like tgt.

    Example:
        >>> model = Transformer(d_model=16, nhead=4, num_encoder_layers=1, num_decoder_layers=1,
        ...                     dim_feedforward=32)
        >>> tgt_mask = Transformer.generate_square_subsequent_mask(6)
        >>> model(ddp.randn(5, 2, 16), ddp.randn(6, 2, 16), tgt_mask=tgt_mask).shape
        ddp.Size([6, 2, 16])
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation="relu", custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        dtype = as_dtype(dtype) or get_default_dtype()
        kwargs = dict(dim_feedforward=dim_feedforward, dropout=dropout, activation=activation,
                      layer_norm_eps=layer_norm_eps, batch_first=batch_first, norm_first=norm_first, bias=bias,
                      dtype=dtype)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, **kwargs)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, **kwargs)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        self._reset_parameters()

    def _reset_parameters(self):
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        batch = 0 if self.batch_first else 1
        if src.ndim != tgt.ndim:
            raise RuntimeError(f"Transformer: src and tgt must both be batched (3-D) or unbatched (2-D), got shapes "
                               f"{tuple(src.shape)} and {tuple(tgt.shape)}")
        if src.ndim == 3 and src.shape[batch] != tgt.shape[batch]:
            raise RuntimeError(f"Transformer: the batch number of src and tgt must be equal, got shapes "
                               f"{tuple(src.shape)} and {tuple(tgt.shape)}")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(f"Transformer: the feature number of src and tgt must be equal to d_model "
                               f"({self.d_model}), got shapes {tuple(src.shape)} and {tuple(tgt.shape)}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """A float (sz, sz) mask: -inf above the diagonal (position i may not attend to j > i), 0 elsewhere."""
        dtype = as_dtype(dtype) or get_default_dtype()
        return Tensor(np.triu(np.full((sz, sz), -np.inf, dtype=dtype), 1))
