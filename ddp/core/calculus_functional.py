"""Numerical integrals and derivatives of sampled functions (`ddp.trapezoid`, `ddp.cumulative_trapezoid`,
`ddp.gradient`): slices, differences and weighted sums of the samples, so each is differentiable (in the
samples and in the sample points) through the ops it is made of."""
import numbers

import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .dtypes import get_default_dtype
from .elementwise_functional import add, div, mul, sub
from .index_functional import narrow
from .numpy_aliases import dim_alias
from .reduce_functional import sum as _sum
from .scan_functional import cumsum, diff
from .shape_functional import cat, reshape
from .tensor import Tensor

__all__ = ["trapezoid", "trapz", "cumulative_trapezoid", "gradient"]


# --------------------------------------------------------------------------------------- integrals
def _samples(y, op):
    """y as a floating tensor of at least 1 dim (integers in the default float dtype)."""
    y = _tensor(y)
    if y.dtype == np.bool_:
        raise RuntimeError(f"{op}: bool samples are not supported")
    if y.ndim == 0:
        raise IndexError(f"{op}: the samples must have at least 1 dim, got a 0-d tensor")
    return y if y.dtype.kind == "f" else y.to(get_default_dtype())


def _constant_step(x, dx, op):
    """The step between samples when no sample points are given (dx, 1 by default)."""
    if x is not None and dx is not None:
        raise TypeError(f"{op}: give the sample points x or the step dx, not both")
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(f"{op}: x must be a Tensor of sample points, got {type(x).__name__}; pass a step as dx=")
    if isinstance(dx, Tensor):
        dx = dx.item()
    if dx is None:
        return 1
    if isinstance(dx, bool) or not isinstance(dx, numbers.Real):
        raise RuntimeError(f"{op}: dx must be a real number, got {dx!r}")
    return dx


def _point_steps(x, y, d, op):
    """x[i + 1] - x[i] along dim d of the sample points x, shaped to broadcast against y's pairs: a 1-D x
    lies along d, an x of fewer dims than y gets leading 1s."""
    if x.dtype == np.bool_:
        raise RuntimeError(f"{op}: bool sample points are not supported")
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{op}: needs one x per sample: {y.shape[d]} samples along dim {d}, but x has "
                               f"{x.shape[0]}")
        x = reshape(x, tuple(x.shape[0] if i == d else 1 for i in range(y.ndim)))
    elif x.ndim < y.ndim:
        x = reshape(x, (1,) * (y.ndim - x.ndim) + tuple(x.shape))
    return diff(x, dim=d)


def _pair_sums(y, d):
    """y[i] + y[i + 1] along dim d."""
    n = y.shape[d]
    return add(narrow(y, d, 1, n - 1), narrow(y, d, 0, n - 1))


def _trapezoids(y, x, dx, dim, op):
    """The area of each trapezoid between neighbouring samples along dim d, and d."""
    step = _constant_step(x, dx, op)
    y = _samples(y, op)
    d = _dim(dim, y.ndim, op)
    if y.shape[d] == 0:
        return None, y, d
    if x is None:
        return mul(_pair_sums(y, d), step / 2), y, d
    steps, pairs = _point_steps(x, y, d, op), _pair_sums(y, d)
    try:
        np.broadcast_shapes(steps.shape, pairs.shape)
    except ValueError:
        raise RuntimeError(f"{op}: the steps of x {tuple(steps.shape)} (x of shape {tuple(x.shape)}) do not "
                           f"broadcast against the {tuple(pairs.shape)} pairs of samples of y {tuple(y.shape)} "
                           f"along dim {d}") from None
    return div(mul(steps, pairs), 2), y, d


def trapezoid(y, x=None, *, dx=None, dim=-1, axis=None):
    """The trapezoidal rule: the integral of the samples y along `dim`, sum of (x[i+1] - x[i]) (y[i] + y[i+1]) / 2.

    Args:
        y: the samples, at least 1-D (integers in the default float dtype).
        x: a Tensor of sample points: 1-D along `dim`, or broadcasting against y (its differences are taken
            along `dim`). dx: the constant step instead (default 1).
        dim: the dim to integrate along.
    Returns:
        y's shape without `dim` (zeros where `dim` has no samples). Differentiable in y and x.
    Raises:
        TypeError: x and dx both given, or x not a Tensor. RuntimeError: bool inputs, a complex dx, a 1-D x
        of another length, shapes that do not broadcast. IndexError: a 0-d y or `dim` out of range.

    Example:
        >>> ddp.trapezoid(ddp.tensor([1.0, 3.0, 2.0]), dx=0.5)
        tensor(2.2500)
    """
    dim = dim if axis is None else dim_alias("trapezoid", dim, axis, -1)
    areas, y, d = _trapezoids(y, x, dx, dim, "trapezoid")
    if areas is None:
        return Tensor(np.zeros(y.shape[:d] + y.shape[d + 1:], dtype=y.dtype))
    return _sum(areas, d)


trapz = trapezoid


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1, axis=None):
    """The running trapezoidal integral along `dim`: entry i is trapezoid over the samples 0..i+1, so `dim`
    is one shorter than in y. Arguments, differentiability and errors as `trapezoid`.

    Example:
        >>> ddp.cumulative_trapezoid(ddp.tensor([1.0, 3.0, 2.0]))
        tensor([2.0000, 4.5000])
    """
    dim = dim if axis is None else dim_alias("cumulative_trapezoid", dim, axis, -1)
    areas, y, d = _trapezoids(y, x, dx, dim, "cumulative_trapezoid")
    if areas is None:
        return Tensor(np.zeros(y.shape, dtype=y.dtype))
    return cumsum(areas, d)


# -------------------------------------------------------------------------------------- derivatives
def _weighted(terms):
    """The sum of coefficient * values over (coefficient, values) pairs, skipping the coefficient 0."""
    out = None
    for c, v in terms:
        if isinstance(c, Tensor) or c != 0:
            term = mul(v, c if isinstance(c, Tensor) else float(c))
            out = term if out is None else add(out, term)
    return out


def _parabola_slope(f0, f1, f2, h1, h2, at):
    """The slope, at point `at` (0, 1 or 2), of the parabola through three samples with steps h1, h2."""
    if not isinstance(h1, Tensor):  # numbers in numpy's float64, so that a zero step gives inf / nan
        h1, h2 = np.float64(h1), np.float64(h2)
    h12 = h1 + h2
    if at == 0:
        coefficients = (-(2 * h1 + h2) / (h1 * h12), h12 / (h1 * h2), -h1 / (h2 * h12))
    elif at == 1:
        coefficients = (-h2 / (h1 * h12), (h2 - h1) / (h1 * h2), h1 / (h2 * h12))
    else:
        coefficients = (h2 / (h1 * h12), -h12 / (h1 * h2), (h1 + 2 * h2) / (h2 * h12))
    return _weighted(zip(coefficients, (f0, f1, f2)))


def _derivative(f, d, spacing, edge_order):
    """The derivative of f along dim d: central differences inside, one-sided ones of `edge_order` at the
    ends; `spacing` is a number (uniform steps) or a 1-D tensor of coordinates."""
    n = f.shape[d]
    steps = None
    if isinstance(spacing, Tensor):
        steps = diff(reshape(spacing, tuple(n if i == d else 1 for i in range(f.ndim))), dim=d)

    def part(start, length=1):
        return narrow(f, d, start, length)

    def step(start, length=1):
        return spacing if steps is None else narrow(steps, d, start, length)

    inside = _parabola_slope(part(0, n - 2), part(1, n - 2), part(2, n - 2), step(0, n - 2), step(1, n - 2), 1)
    if edge_order == 1:
        first = div(sub(part(1), part(0)), step(0))
        last = div(sub(part(n - 1), part(n - 2)), step(n - 2))
    else:
        first = _parabola_slope(part(0), part(1), part(2), step(0), step(1), 0)
        last = _parabola_slope(part(n - 3), part(n - 2), part(n - 1), step(n - 3), step(n - 2), 2)
    return cat([first, inside, last], d)


def _spacings(spacing, dims, x):
    """One spacing per differentiated dim: the same number for all, or one number or 1-D tensor each."""
    if isinstance(spacing, Tensor):
        raise TypeError("gradient: spacing must be a number or a list of numbers or of 1-D Tensors, got a Tensor")
    if isinstance(spacing, numbers.Number):
        return [spacing] * len(dims)
    if not isinstance(spacing, (list, tuple)):
        raise TypeError(f"gradient: spacing must be a number or a list, got {type(spacing).__name__}")
    if len(spacing) != len(dims):
        raise RuntimeError(f"gradient: spacing needs one entry per differentiated dim ({len(dims)}), got "
                           f"{len(spacing)}")
    tensors = [isinstance(s, Tensor) for s in spacing]
    if any(tensors) and not all(tensors):
        raise TypeError("gradient: spacing must be all numbers or all Tensors, got a mix")
    for s, d in zip(spacing, dims):
        if isinstance(s, Tensor) and s.ndim != 1:
            raise RuntimeError(f"gradient: each Tensor of coordinates must be 1-D, got shape {tuple(s.shape)}")
        if isinstance(s, Tensor) and s.shape[0] != x.shape[d]:
            raise RuntimeError(f"gradient: dim {d} has {x.shape[d]} samples, but its coordinates have "
                               f"{s.shape[0]}")
        if not isinstance(s, (Tensor, numbers.Number)):
            raise TypeError(f"gradient: spacing entries must be numbers or Tensors, got {type(s).__name__}")
    return list(spacing)


def gradient(input, *, spacing=1, dim=None, edge_order=1, axis=None):  # noqa: A002 - PyTorch's name
    """Estimate the derivative of sampled values along each dim: second-order central differences inside,
    first- or second-order one-sided differences at the ends (numpy.gradient's formulas).

    Args:
        input: the samples (integers in the default float dtype).
        spacing: a number (the step of every dim), or one number (a step) or 1-D Tensor (coordinates) per dim.
        dim: an int or a sequence of ints, the dims to differentiate (default all).
        edge_order: 1 or 2, the order of the one-sided differences at the ends.
    Returns:
        a tuple with one tensor of input's shape per dim. Differentiable in input and in the coordinates.
    Raises:
        RuntimeError: edge_order not 1 or 2, a dim with fewer than edge_order + 1 samples, a dim named twice,
        a spacing list of the wrong length, or coordinates of the wrong shape. TypeError: a malformed spacing
        or edge_order. IndexError: a dim out of range.

    Example:
        >>> ddp.gradient(ddp.tensor([1.0, 2.0, 4.0, 8.0]))
        (tensor([1.0000, 1.5000, 3.0000, 4.0000]),)
    """
    dim = dim if axis is None else dim_alias("gradient", dim, axis)
    x = _tensor(input)
    if isinstance(edge_order, bool) or not isinstance(edge_order, (int, np.integer)):
        raise TypeError(f"gradient: edge_order must be an int, got {type(edge_order).__name__}")
    if edge_order not in (1, 2):
        raise RuntimeError(f"gradient: edge_order must be 1 or 2, got {edge_order}")
    if isinstance(dim, bool):
        raise TypeError("gradient: dim must be an int or a sequence of ints, got a bool")
    dims = tuple(range(x.ndim)) if dim is None else _dim(tuple(dim) if isinstance(dim, (list, tuple)) else (dim,),
                                                         x.ndim, "gradient")
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"gradient: dim names a dim more than once: {dim}")
    spacings = _spacings(spacing, dims, x)
    for d in dims:
        if x.shape[d] < edge_order + 1:
            raise RuntimeError(f"gradient: dim {d} has {x.shape[d]} samples; edge_order={edge_order} needs at "
                               f"least {edge_order + 1}")
    if x.dtype.kind != "f":
        x = x.to(get_default_dtype())
    with np.errstate(divide="ignore", invalid="ignore"):
        return tuple(_derivative(x, d, s, edge_order) for d, s in zip(dims, spacings))
