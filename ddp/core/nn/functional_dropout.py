"""Dropout variants, functional forms (re-exported by ddp.nn.functional): channel dropout (dropout1d/2d/3d)
and alpha dropout (alpha_dropout, feature_alpha_dropout), with torch.nn.functional's arguments.

Masks are PyTorch's bernoulli draws from the default generator (`ddp.manual_seed`), so runs repeat; `inplace=True` is accepted and
computes out of place.
"""
import warnings

import numpy as np

from ..functional import _tensor
from ..ops import dropout as drop_ops
from .. import random_draws as draws
from ..random import generator_of

__all__ = ["dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

_ALPHA = 1.7580993408473766  # -SELU's negative saturation value, scale * alpha


def _check_p(p):
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep(shape, p, dtype):
    """A float mask of `shape`: 1 with probability 1 - p, else 0 (PyTorch's bernoulli draws)."""
    if p >= 1:
        return np.zeros(shape, dtype=dtype)
    return draws.bernoulli(generator_of(), shape, 1 - p).astype(dtype)


def _feature_shape(x, unbatched):
    """The mask shape that drops whole channels: (N, C, 1, ...), or (C, 1, ...) for an unbatched input."""
    lead = 1 if unbatched else 2
    return tuple(x.shape[:lead]) + (1,) * (x.ndim - lead)


def _channel_dropout(x, p, training, unbatched):
    _check_p(p)
    if not training or p == 0:
        return x
    mask = draws.dropout_mask(generator_of(), _feature_shape(x, unbatched), p, x.dtype)
    return drop_ops.MaskAffine.apply(x, scale=mask)


def dropout1d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zero whole channels of (N, C, L) or (C, L) with probability p, scaling the rest by 1/(1-p)."""
    x = _tensor(input)
    if x.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input (shape "
                           f"{tuple(x.shape)})")
    return _channel_dropout(x, p, training, unbatched=x.ndim == 2)


def dropout2d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zero whole channels of (N, C, H, W) or (C, H, W) with probability p, scaling the rest by 1/(1-p).

    As PyTorch (with its warning), a 3-D input is taken as (N, C, L); other ranks drop per (N, C) entry.
    """
    x = _tensor(input)
    if x.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L). Use dropout1d instead.",
                      stacklevel=2)
    elif x.ndim != 4:
        warnings.warn(f"dropout2d: Received a {x.ndim}-D input to dropout2d, which is deprecated; use dropout "
                      "instead.", stacklevel=2)
    return _channel_dropout(x, p, training, unbatched=False)


def dropout3d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p, scaling the rest by 1/(1-p)."""
    x = _tensor(input)
    if x.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {x.ndim}-D input to dropout3d, which is deprecated; use dropout "
                      "instead.", stacklevel=2)
    return _channel_dropout(x, p, training, unbatched=x.ndim == 4)


def _alpha_dropout(x, p, training, shape):
    """Set dropped entries to SELU's saturation value and rescale so that mean 0 / variance 1 inputs keep
    them: out = a (x keep - alpha (1 - keep)) + a alpha p, a = ((1 - p)(1 + p alpha^2))^(-1/2)."""
    _check_p(p)
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    keep = _keep(shape, p, x.dtype)
    a = 1 / np.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    shift = (keep - 1) * x.dtype.type(_ALPHA * a) + x.dtype.type(_ALPHA * a * p)
    return drop_ops.MaskAffine.apply(x, scale=keep * x.dtype.type(a), shift=shift)


def alpha_dropout(input, p=0.5, training=False, inplace=False):  # noqa: A002
    """Dropout for SELU networks: keeps the mean and variance of its input (each element independently)."""
    x = _tensor(input)
    return _alpha_dropout(x, p, training, tuple(x.shape))


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):  # noqa: A002
    """Alpha dropout of whole channels of (N, C, ...)."""
    x = _tensor(input)
    return _alpha_dropout(x, p, training, _feature_shape(x, unbatched=False))
