"""ddp.nn.functional (`F`): the functional forms of the layers in ddp.nn, with checked arguments.

Losses live in functional_loss.py, convolution in functional_conv.py, pooling in functional_pool.py and
attention in functional_attention.py; all are re-exported here.
`inplace=True` is accepted for PyTorch compatibility and computes out of place.
"""
import numpy as np

from .. import functional as CF
from ..autograd import name_node
from ..functional import flatten, linear, sigmoid, tanh  # noqa: F401
from ..ops import activation as act
from ..ops import embedding as emb
from ..ops import norm
from ..random import generator_of
from ..tensor import Tensor
from .functional_activation import *  # noqa: F401,F403
from .functional_activation_extra import *  # noqa: F401,F403  (rrelu, gumbel_softmax, relu_, ...)
from .functional_attention import *  # noqa: F401,F403
from .functional_conv import *  # noqa: F401,F403
from .functional_conv3d import *  # noqa: F401,F403  (conv3d, conv_transpose3d)
from .functional_ctc import *  # noqa: F401,F403  (ctc_loss)
from .functional_dropout import *  # noqa: F401,F403
from .functional_embedding_bag import *  # noqa: F401,F403
from .functional_embedding_bag import renorm_rows_
from .functional_distance import *  # noqa: F401,F403
from .functional_fold import *  # noqa: F401,F403  (unfold, fold)
from .functional_grid import *  # noqa: F401,F403  (affine_grid, grid_sample)
from .functional_loss import *  # noqa: F401,F403
from .functional_loss_margin import *  # noqa: F401,F403  (the multi-class margin losses)
from .functional_linear import *  # noqa: F401,F403  (bilinear)
from .functional_loss_regression import *  # noqa: F401,F403
from .functional_mha import *  # noqa: F401,F403  (multi_head_attention_forward)
from .functional_mha import _canonical_mask  # noqa: F401  (PyTorch's private helper custom attention layers call)
from .functional_native import *  # noqa: F401,F403  (native_channel_shuffle)
from .functional_norm import *  # noqa: F401,F403
from .functional_padding import *  # noqa: F401,F403  (pad with every mode)
from .functional_pool import *  # noqa: F401,F403
from .functional_pool1d import *  # noqa: F401,F403
from .functional_pool3d import *  # noqa: F401,F403
from .functional_pool_fractional import *  # noqa: F401,F403  (fractional_max_pool2d/3d)
from .functional_pool_more import *  # noqa: F401,F403  (*_with_indices, max_unpool, lp_pool)
from .functional_resample import *  # noqa: F401,F403
from .functional_upsample import *  # noqa: F401,F403  (upsample_nearest, upsample_bilinear)


def _array(t, dtype=None):
    """The numpy array of a Tensor (or None), cast to `dtype` when given."""
    if t is None:
        return None
    a = t._data if isinstance(t, Tensor) else np.asarray(t)
    return a if dtype is None else a.astype(dtype, copy=False)


# ------------------------------------------------------------------------------------ activations
def relu(input, inplace=False):  # noqa: A002 - PyTorch's name (input=)
    """max(x, 0)."""
    x = input
    return CF.relu(x)


def leaky_relu(input, negative_slope=0.01, inplace=False):  # noqa: A002 - PyTorch's name (input=)
    """x where x > 0, else negative_slope * x."""
    x = input
    return act.LeakyRelu.apply(x, negative_slope=negative_slope)


def gelu(x, approximate="none"):
    """x * Phi(x) with Phi the standard normal CDF; approximate='tanh' uses the tanh formula.

    float64 evaluates erf by a Chebyshev interpolant (absolute error below 1e-13); float32 stays in float32
    (a fitted erfc polynomial times exp(-x^2 / 2), relative error ~1e-6 in both tails), so it is fast and
    matches PyTorch to float32 rounding.
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return act.Gelu.apply(x, approximate=approximate)


def silu(input, inplace=False):  # noqa: A002 - PyTorch's name (input=)
    """x * sigmoid(x)."""
    x = input
    return name_node(x * CF.sigmoid(x), "SiluBackward0")


def _softmax_dim(x, dim):
    # PyTorch's legacy choice when dim is not given
    return dim if dim is not None else (0 if x.ndim in (0, 1, 3) else 1)


def softmax(input, dim=None, dtype=None):  # noqa: A002 - PyTorch's name (input=)
    """exp(x) / sum(exp(x)) along `dim`."""
    x = input
    x = x.to(dtype) if dtype is not None else x
    return CF.softmax(x, _softmax_dim(x, dim))


def log_softmax(input, dim=None, dtype=None):  # noqa: A002 - PyTorch's name (input=)
    """log(softmax(x, dim)), computed stably."""
    x = input
    x = x.to(dtype) if dtype is not None else x
    return CF.log_softmax(x, _softmax_dim(x, dim))


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding with a new last dim of size num_classes (max + 1 when -1)."""
    idx = _array(tensor)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected an integer tensor, got {idx.dtype}")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got [{idx.min()}, {idx.max()}]")
    return Tensor((idx[..., None] == np.arange(num_classes)).astype(np.int64))


# ----------------------------------------------------------------------------------------- dropout
def dropout(input, p=0.5, training=True, inplace=False):  # noqa: A002 - PyTorch's name (input=)
    """Zero each element with probability p (from the default generator) and scale the rest by 1/(1-p);
    the identity when not training."""
    x = input
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return x
    return act.Dropout.apply(x, p=p, generator=generator_of())


# ----------------------------------------------------------------------------------- normalisation
def batch_norm(input, running_mean, running_var, weight=None, bias=None,  # noqa: A002 - PyTorch's name (input=)
               training=False, momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) of x, by batch statistics when training (then also updating the
    running statistics in place, with the unbiased variance) and by the running statistics otherwise.

    Raises:
        ValueError for an input of fewer than 2 dims or a training batch with a single value per channel;
        RuntimeError for parameters or statistics that do not have C elements (PyTorch's types).
    """
    x = input
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of at least 2 dims (N, C, ...), got shape {tuple(x.shape)}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(f"batch_norm: {name} has shape {tuple(t.shape)}, expected ({c},) for input {tuple(x.shape)}")
    if training and x.shape[0] * int(np.prod(x.shape[2:])) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {tuple(x.shape)}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("batch_norm: running_mean and running_var are required when training=False")
    if x.numel() == 0:  # an empty batch: the affine map of nothing, the running statistics left alone (as torch)
        shape = (1, c) + (1,) * (x.ndim - 2)
        out = x if weight is None else CF.mul(x, CF.reshape(weight, shape))
        return out if bias is None else CF.add(out, CF.reshape(bias, shape))
    out = norm.BatchNorm.apply(
        x, weight, bias, _array(running_mean), _array(running_var), training, momentum, eps,
    )
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._bump_version()
    return out


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):  # noqa: A002 - PyTorch's name (input=)
    """Normalise x over its last len(normalized_shape) dims, which must equal normalized_shape."""
    x = input
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(x.shape[x.ndim - len(shape):]) != shape or len(shape) > x.ndim:
        raise RuntimeError(f"layer_norm: input of shape {tuple(x.shape)} does not end with normalized_shape {shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"layer_norm: {name} has shape {tuple(t.shape)}, expected {shape}")
    return norm.LayerNorm.apply(x, weight, bias, len(shape), eps)


# --------------------------------------------------------------------------------------- embedding
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """Rows of `weight` picked by the integer tensor `input`; the result has shape input.shape + (dim,).

    max_norm renormalises, in place and as PyTorch does, each picked row whose norm_type-norm exceeds it;
    scale_grad_by_freq divides each row's gradient by how often the batch picks it. sparse=True gives the
    ordinary dense gradient (ddp has no sparse tensors): zero in the rows not picked, so SGD, Adagrad and
    SparseAdam update as PyTorch's do from the sparse one.
    """
    idx = _array(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: indices must be an integer tensor, got {idx.dtype}")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError(f"embedding: index out of range: indices in [{idx.min()}, {idx.max()}] for {n} embeddings")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    if max_norm is not None:
        renorm_rows_(weight, idx, max_norm, norm_type)
    return emb.Embedding.apply(weight, idx, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)
