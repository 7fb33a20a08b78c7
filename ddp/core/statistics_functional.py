"""Statistics of samples (`ddp.cov`, `ddp.corrcoef`, `ddp.mode`), with the histograms of histogram_functional
and the numerical integrals and derivatives of calculus_functional re-exported here.

cov and corrcoef are composed of means, a matrix product and divisions, so their gradients (in the input
and in `aweights`) come from those ops; mode finds its indices in numpy and gathers the values, so the
values are differentiable (the gradient goes to the chosen element).
"""
import warnings

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .calculus_functional import cumulative_trapezoid, gradient, trapezoid, trapz
from .dtypes import get_default_dtype
from .elementwise_functional import clamp, div, mul, sqrt, sub
from .histogram_functional import histogram, histogramdd
from .linalg_functional import matmul
from .numpy_aliases import dim_alias, keepdim_alias
from .reduce_functional import sum as _sum
from .return_types import named
from .shape_functional import clone, gather, index, reshape, squeeze, transpose
from .tensor import Tensor

__all__ = ["cov", "corrcoef", "mode", "histogram", "histogramdd", "trapezoid", "trapz", "cumulative_trapezoid",
           "gradient"]

ModeResult = named("mode", ["values", "indices"])


# ------------------------------------------------------------------------------------- cov, corrcoef
def _observations(input, op):
    """input as a 2-D floating tensor of variables (rows) by observations (columns)."""
    x = _tensor(input)
    if x.ndim > 2:
        raise RuntimeError(f"{op}(): expected a tensor of at most 2 dims (variables by observations), got shape "
                           f"{tuple(x.shape)}")
    if x.dtype == np.bool_:
        raise RuntimeError(f"{op}(): bool tensors are not supported, got a bool input")
    if x.dtype.kind != "f":
        x = x.to(get_default_dtype())
    return reshape(x, (1, -1)) if x.ndim < 2 else x


def _weights(w, name, n_obs, kinds, expected):
    """A 1-D tensor of one non-negative weight per observation."""
    if not isinstance(w, Tensor):
        raise TypeError(f"cov(): {name} must be a Tensor, got {type(w).__name__}")
    if w.ndim > 1:
        raise RuntimeError(f"cov(): {name} must have at most 1 dim, got shape {tuple(w.shape)}")
    if w.numel() != n_obs:
        raise RuntimeError(f"cov(): {name} needs one weight per observation ({n_obs}), got {w.numel()}")
    if w.dtype.kind not in kinds:
        raise RuntimeError(f"cov(): {name} must have {expected} dtype, got {w.dtype}")
    if (w._data < 0).any():
        raise RuntimeError(f"cov(): {name} must not be negative")
    return reshape(w, (n_obs,))


def _cov(input, correction, fweights, aweights, op):
    rows = _observations(input, op)
    if isinstance(correction, bool) or not isinstance(correction, (int, np.integer)):
        raise TypeError(f"cov(): correction must be an int, got {type(correction).__name__}")
    n_obs = rows.shape[1]
    w = None if fweights is None else _weights(fweights, "fweights", n_obs, "iu", "an integer")
    a = None if aweights is None else _weights(aweights, "aweights", n_obs, "f", "a floating point")
    if a is not None:
        w = a if w is None else mul(w, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        if w is None:
            avg = div(_sum(rows, 1, keepdim=True), n_obs)
            dof = n_obs - correction
        else:
            total = _sum(w)
            if total.item() == 0:
                raise RuntimeError("cov(): the weights sum to zero, so they cannot be normalised")
            avg = div(_sum(mul(rows, w), 1, keepdim=True), total)
            if correction == 0:
                dof = total
            elif a is None:
                dof = sub(total, correction)
            else:  # the effective number of observations of reliability weights
                dof = sub(total, div(mul(_sum(mul(w, a)), correction), total))
        if (dof.item() if isinstance(dof, Tensor) else dof) <= 0:
            warnings.warn(f"{op}(): the degrees of freedom (observations, weighted, minus correction) are <= 0; "
                          "the result is inf or nan", UserWarning, stacklevel=3)
            dof = mul(dof, 0) if isinstance(dof, Tensor) else 0
        centred = sub(rows, avg)
        products = matmul(centred, transpose(centred if w is None else mul(centred, w), 0, 1))
        return squeeze(div(products, dof))


def cov(input, *, correction=1, fweights=None, aweights=None):  # noqa: A002 - PyTorch's name
    """The covariance matrix of the variables in the rows of `input` (observations in the columns).

    Args:
        input: a 1-D (one variable) or 2-D tensor; integers are read in the default float dtype.
        correction: subtracted from the number of observations (1, Bessel's, by default; 0 for the biased
            estimate). With weights the count is their sum (fweights only) or the effective count
            sum(w) - correction * sum(w * aweights) / sum(w) (w = fweights * aweights).
        fweights: integer frequency weights, one per observation. aweights: floating reliability weights.
    Returns:
        a (variables, variables) tensor, 0-d for one variable. Differentiable in input and aweights.
    Raises:
        RuntimeError: more than 2 dims, a bool input, weights of the wrong dtype, size or sign, or summing to
        zero. TypeError: a correction that is not an int. Warns where the degrees of freedom are <= 0.

    Example:
        >>> ddp.cov(ddp.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    return _cov(input, correction, fweights, aweights, "cov")


def corrcoef(input):  # noqa: A002 - PyTorch's name
    """Pearson's correlation coefficients of the variables in the rows of `input`: cov(input) divided by the
    outer product of the standard deviations, clipped to [-1, 1]. A constant variable gives nan.
    Differentiable.

    Raises:
        RuntimeError: more than 2 dims or a bool input.

    Example:
        >>> ddp.corrcoef(ddp.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    c = _cov(input, 1, None, None, "corrcoef")
    with np.errstate(divide="ignore", invalid="ignore"):
        if c.ndim == 0:
            return div(c, c)
        n = c.shape[0]
        diagonal = np.arange(n)
        std = sqrt(index(c, (diagonal, diagonal)))
        c = div(div(c, reshape(std, (n, 1))), reshape(std, (1, n)))
    return clamp(c, -1, 1)


# ----------------------------------------------------------------------------------------------- mode
def _mode_positions(a):
    """For each row of `a` (along its last axis): the index of the last occurrence of its most frequent
    value, the smallest such value on ties. One stable sort: runs of equal values, and the running length of
    each run, whose first maximum ends the wanted run."""
    n = a.shape[-1]
    order = np.argsort(a, axis=-1, kind="stable")
    ordered = np.take_along_axis(a, order, axis=-1)
    starts = np.ones(a.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]  # NaN != NaN: each NaN is a run of its own
    steps = np.arange(n)
    run_start = np.maximum.accumulate(np.where(starts, steps, 0), axis=-1)
    best = np.argmax(steps - run_start, axis=-1)
    return np.take_along_axis(order, best[..., None], axis=-1)


def mode(input, dim=-1, keepdim=False, *, axis=None, keepdims=None):  # noqa: A002 - PyTorch's name
    """The most frequent value along `dim` (the smallest one on ties) and the index of its last occurrence.

    Args:
        input: a tensor of any dtype. dim: the dim to search. keepdim: keep `dim` with size 1.
    Returns:
        the named tuple (values, indices), indices int64; values are differentiable (the gradient reaches the
        element at the index).
    Raises:
        IndexError: `dim` out of range, or of size 0.

    Example:
        >>> ddp.mode(ddp.tensor([3.0, 1.0, 3.0, 1.0, 2.0])).indices
        tensor(3)
    """
    dim = dim if axis is None else dim_alias("mode", dim, axis, -1)
    keepdim = keepdim if keepdims is None else keepdim_alias("mode", keepdim, keepdims)
    x = _tensor(input)
    d = _dim(dim, x.ndim, "mode")
    if x.ndim == 0:
        return ModeResult(clone(x), Tensor(np.array(0, dtype=np.int64)))
    if x.shape[d] == 0:
        raise IndexError(f"mode(): dim {d} of the input {tuple(x.shape)} has size 0, so it has no mode")
    positions = np.moveaxis(_mode_positions(np.moveaxis(x._data, d, -1)), -1, d).astype(np.int64)
    values = gather(x, d, Tensor(positions))
    indices = Tensor(positions)
    if not keepdim:
        values, indices = squeeze(values, d), Tensor(np.squeeze(positions, d))
    return ModeResult(values, indices)
