"""Reductions (sum, mean, max, min, amax, var, vector norms) and the softmax family, along `dim` (None: all)."""
import math

import numpy as np

from ..autograd import Function, Tensor
from .elementwise import Abs, Pow, Where, select
from .shape import Expand, Reshape, Unindex, _along


def _keep(g, shape, dim, keepdim):
    """Reshape the gradient of a reduced output so that it broadcasts against the input."""
    if dim is None:
        return g.reshape((1,) * len(shape))
    if keepdim:
        return g
    return np.expand_dims(g, dim)


def spread(g, shape, dim, keepdim):
    """The recorded form of `_keep` + broadcast: Tensor g of a reduction, as a view of the input's shape."""
    dims = range(len(shape)) if dim is None else dim if isinstance(dim, tuple) else (dim,)
    dims = {d % len(shape) for d in dims} if shape else set()
    kept = tuple(1 if i in dims else n for i, n in enumerate(shape))
    return Expand.apply(Reshape.apply(g, shape=kept), shape=tuple(shape))


def _count(shape, dim):
    if dim is None:
        return int(np.prod(shape, dtype=np.int64))
    dims = dim if isinstance(dim, tuple) else (dim,)
    return int(np.prod([shape[d] for d in dims], dtype=np.int64))


class Sum(Function):
    """sum(x, dim); d/dx = 1, broadcast back over the reduced axes. Small unsigned integers sum to int64, as
    PyTorch's do (numpy would give uint64); bools and the signed integers already do."""

    @staticmethod
    def node_name(ctx):  # PyTorch numbers its overloads: sum() is SumBackward0, sum(dim) SumBackward1
        return "SumBackward0" if ctx.dim is None else "SumBackward1"

    complex_grad = True  # linear: the gradient passes as it is

    @staticmethod
    def forward(ctx, x, *, dim=None, keepdim=False):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        small_unsigned = x.dtype.kind == "u" and x.dtype.itemsize < 8
        return x.sum(axis=dim, keepdims=keepdim, dtype=np.int64 if small_unsigned else None)

    @staticmethod
    def backward(ctx, g):
        return np.broadcast_to(_keep(g, ctx.shape, ctx.dim, ctx.keepdim), ctx.shape)

    @staticmethod
    def differentiable_backward(ctx, g):
        return spread(g, ctx.shape, ctx.dim, ctx.keepdim)



class Mean(Function):
    """mean(x, dim); d/dx = 1/n, broadcast back over the reduced axes."""

    @staticmethod
    def node_name(ctx):
        return "MeanBackward0" if ctx.dim is None else "MeanBackward1"

    complex_grad = True  # linear

    @staticmethod
    def forward(ctx, x, *, dim=None, keepdim=False):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        if x.size == 0:  # a mean of nothing is nan, as in PyTorch, without numpy's 'Mean of empty slice' warning
            with np.errstate(invalid="ignore"):
                return x.sum(axis=dim, keepdims=keepdim) / x.dtype.type(_count(x.shape, dim))
        return x.mean(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        scale = g.dtype.type(1.0 / max(_count(ctx.shape, ctx.dim), 1))
        return np.broadcast_to(_keep(g, ctx.shape, ctx.dim, ctx.keepdim) * scale, ctx.shape)

    @staticmethod
    def differentiable_backward(ctx, g):
        return spread(g, ctx.shape, ctx.dim, ctx.keepdim) * (1.0 / max(_count(ctx.shape, ctx.dim), 1))



class Extreme(Function):
    """max or min over `dim`. With a dim the gradient goes to the chosen index (as PyTorch); over all
    elements it is split evenly between ties."""

    @staticmethod
    def node_name(ctx):  # max() is MaxBackward1, max(dim) MaxBackward0
        return ("Max" if ctx.largest else "Min") + ("Backward1" if ctx.dim is None else "Backward0")

    @staticmethod
    def forward(ctx, x, *, dim=None, keepdim=False, largest=True):
        ctx.shape, ctx.dim, ctx.keepdim, ctx.largest = x.shape, dim, keepdim, largest
        if dim is None:
            out = x.max() if largest else x.min()
            ctx.save_for_backward(x, out)
            return out
        index = np.expand_dims((np.argmax if largest else np.argmin)(x, axis=dim), dim)
        ctx.index = index
        out = np.take_along_axis(x, index, axis=dim)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, g):
        if ctx.dim is None:
            x, out = ctx.saved_tensors
            ties = x == out
            return ties * (g / ties.sum()).astype(g.dtype)
        gx = np.zeros(ctx.shape, dtype=g.dtype)
        np.put_along_axis(gx, ctx.index, _keep(g, ctx.shape, ctx.dim, ctx.keepdim), axis=ctx.dim)
        return gx

    @staticmethod
    def differentiable_backward(ctx, g):
        if ctx.dim is None:
            x, out = ctx.saved_tensors
            ties = x == out
            return spread(g, ctx.shape, None, False) * (ties / ties.sum()).astype(g._data.dtype)
        kept = Reshape.apply(g, shape=ctx.index.shape)
        return Unindex.apply(kept, shape=ctx.shape, index=_along(ctx.index, ctx.dim % len(ctx.shape)))


def _centered(x, dim, correction, keepdim):
    """(x - mean, variance): accumulated in float64 for float16/32 inputs and rounded once, as PyTorch's CPU
    kernels do (numpy's float32 var, then a float32 sqrt, is off by an ulp about a third of the time)."""
    wide = x.astype(np.float64) if x.dtype.kind == "f" and x.dtype.itemsize < 8 else x
    n = _count(x.shape, dim)
    with np.errstate(divide="ignore", invalid="ignore"):  # no degrees of freedom or no elements: inf / nan
        centered = wide - wide.sum(axis=dim, keepdims=True) / n
        var = (centered * centered).sum(axis=dim, keepdims=keepdim) / max(n - correction, 0)
    return centered.astype(x.dtype, copy=False), var


class Var(Function):
    """Variance over `dim` with `correction` (1: unbiased); d/dx = 2 (x - mean) / (n - correction)."""

    @staticmethod
    def forward(ctx, x, *, dim=None, correction=1, keepdim=False):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        centered, var = _centered(x, dim, correction, keepdim)
        ctx.save_for_backward(centered)
        ctx.denominator = max(_count(x.shape, dim) - correction, 0)
        return var.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (centered,) = ctx.saved_tensors
        scale = centered.dtype.type(2.0 / ctx.denominator) if ctx.denominator else np.nan
        return _keep(g, ctx.shape, ctx.dim, ctx.keepdim) * centered * scale

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        centered = x - Mean.apply(x, dim=ctx.dim, keepdim=True)
        scale = 2.0 / ctx.denominator if ctx.denominator else math.nan
        return spread(g, ctx.shape, ctx.dim, ctx.keepdim) * centered * scale


class Std(Function):
    """Standard deviation over `dim` with `correction`, the square root taken before rounding to x's dtype;
    d/dx = (x - mean) / ((n - correction) std)."""

    @staticmethod
    def forward(ctx, x, *, dim=None, correction=1, keepdim=False):
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        centered, var = _centered(x, dim, correction, keepdim)
        out = np.sqrt(var).astype(x.dtype, copy=False)
        ctx.save_for_backward(centered, out)
        ctx.denominator, ctx.correction = max(_count(x.shape, dim) - correction, 0), correction
        return out

    @staticmethod
    def backward(ctx, g):
        centered, out = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):  # a zero std: nan, as PyTorch's
            scale = _keep(g / (out * out.dtype.type(ctx.denominator)), ctx.shape, ctx.dim, ctx.keepdim)
        return scale * centered

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        centered = x - Mean.apply(x, dim=ctx.dim, keepdim=True)
        out = Std.apply(x, dim=ctx.dim, correction=ctx.correction, keepdim=ctx.keepdim)
        return spread(g / (out * float(ctx.denominator)), ctx.shape, ctx.dim, ctx.keepdim) * centered


class LogSumExp(Function):
    """log(sum(exp(x), dim)), shifted by the max for stability; d/dx = softmax(x)."""

    node_name = "LogsumexpBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, *, dim, keepdim=False):
        m = np.max(x, axis=dim, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):  # a slice of all -inf sums to 0: log gives -inf, as in PyTorch
            out = m + np.log(np.exp(x - m).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(x, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        g = g if ctx.keepdim else np.expand_dims(g, ctx.dim)
        return g * np.exp(x - out)

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        return spread(g, x.shape, ctx.dim, ctx.keepdim) * Softmax.apply(x, dim=ctx.dim)



class Softmax(Function):
    """exp(x) / sum(exp(x), dim); d/dx = s (g - sum(g s, dim))."""

    @staticmethod
    def forward(ctx, x, *, dim):
        with np.errstate(invalid="ignore"):  # a slice of all -inf (fully masked) gives nan, silently as PyTorch's
            e = np.exp(x - x.max(axis=dim, keepdims=True))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return out * (g - (g * out).sum(axis=ctx.dim, keepdims=True))

    @staticmethod
    def differentiable_backward(ctx, g):
        out = Softmax.apply(ctx.parents[0], dim=ctx.dim)
        return out * (g - Sum.apply(g * out, dim=ctx.dim, keepdim=True))



class LogSoftmax(Function):
    """x - logsumexp(x, dim); d/dx = g - softmax(x) sum(g, dim)."""

    @staticmethod
    def forward(ctx, x, *, dim):
        with np.errstate(invalid="ignore"):  # a slice of all -inf gives nan, silently as PyTorch's
            shifted = x - x.max(axis=dim, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - np.exp(out) * g.sum(axis=ctx.dim, keepdims=True)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g - Softmax.apply(ctx.parents[0], dim=ctx.dim) * Sum.apply(g, dim=ctx.dim, keepdim=True)



class AmaxAmin(Function):
    """amax or amin over `dim` (an int, a tuple or None); the gradient is split evenly between ties (as
    PyTorch's amax)."""

    @staticmethod
    def node_name(ctx):
        return "AmaxBackward0" if ctx.largest else "AminBackward0"

    @staticmethod
    def forward(ctx, x, *, dim=None, keepdim=False, largest=True):
        out = (np.max if largest else np.min)(x, axis=dim, keepdims=True)
        ctx.save_for_backward(x, out)
        ctx.shape, ctx.dim, ctx.keepdim, ctx.largest = x.shape, dim, keepdim, largest
        return out if keepdim else _squeeze(out, dim)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        ties = x == out
        share = ties / ties.sum(axis=ctx.dim, keepdims=True)
        return share.astype(g.dtype) * _keep(g, ctx.shape, ctx.dim, ctx.keepdim)

    @staticmethod
    def differentiable_backward(ctx, g):
        x, out = ctx.saved_tensors
        ties = x == out
        share = (ties / ties.sum(axis=ctx.dim, keepdims=True)).astype(g._data.dtype)
        return spread(g, ctx.shape, ctx.dim, ctx.keepdim) * share


def _squeeze(out, dim):
    return out.reshape(()) if dim is None else out.squeeze(dim)


class VectorNorm(Function):
    """(sum |x|^p)^(1/p) over `dim`, with p = inf (max |x|), -inf (min |x|) and 0 (count of nonzeros).
    d/dx = sign(x) |x|^(p-1) / norm^(p-1); at p = 2 that is x / norm, taken as 0 where the norm is 0
    (PyTorch's subgradient); at p = +-inf the gradient goes to the extreme |x|, split between ties."""

    node_name = "LinalgVectorNormBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, *, ord=2.0, dim=None, keepdim=False):
        a = np.abs(x)
        if ord == math.inf or ord == -math.inf:
            out = (np.max if ord > 0 else np.min)(a, axis=dim, keepdims=True)
        elif ord == 0:
            out = (a != 0).sum(axis=dim, keepdims=True).astype(x.dtype)
        elif ord == 1:
            out = a.sum(axis=dim, keepdims=True)
        elif ord == 2:
            out = np.sqrt(np.square(a).sum(axis=dim, keepdims=True))
        else:
            out = np.power(np.power(a, ord).sum(axis=dim, keepdims=True), 1.0 / ord)
        ctx.save_for_backward(x, out)
        ctx.ord, ctx.shape, ctx.dim, ctx.keepdim = ord, x.shape, dim, keepdim
        return out if keepdim else _squeeze(out, dim)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        p, g = ctx.ord, _keep(g, ctx.shape, ctx.dim, ctx.keepdim)
        if p == 0:
            return np.zeros(ctx.shape, dtype=g.dtype)
        if p == 1:
            return g * np.sign(x)
        if p == math.inf or p == -math.inf:
            ties = np.abs(x) == out
            return g * np.sign(x) * (ties / ties.sum(axis=ctx.dim, keepdims=True)).astype(g.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                scale = np.where(out == 0, 0, g / out)
                return scale * x
            scale = np.where(out == 0, 0, g / np.power(out, p - 1))
            return scale * np.sign(x) * np.power(np.abs(x), p - 1)

    @staticmethod
    def differentiable_backward(ctx, g):
        x_saved, out_saved = ctx.saved_tensors
        p, g = ctx.ord, spread(g, ctx.shape, ctx.dim, ctx.keepdim)
        dtype = g._data.dtype
        if p == 0:
            return select(np.zeros(ctx.shape, dtype=bool), g)
        if p == 1:
            return g * np.sign(x_saved).astype(dtype)
        if p == math.inf or p == -math.inf:
            ties = np.abs(x_saved) == out_saved
            return g * (np.sign(x_saved) * ties / ties.sum(axis=ctx.dim, keepdims=True)).astype(dtype)
        x, nonzero = ctx.parents[0], out_saved != 0
        # the norm is recomputed with a 1 where it is 0, so that the unused branch has a finite gradient
        out = Where.apply(nonzero, VectorNorm.apply(x, ord=p, dim=ctx.dim, keepdim=True), np.ones((), dtype))
        if p == 2:
            return select(np.broadcast_to(nonzero, ctx.shape), g / out) * x
        a = Abs.apply(Where.apply(x_saved != 0, x, np.ones((), dtype)))
        scale = select(np.broadcast_to(nonzero, ctx.shape), g / Pow.apply(out, p - 1))
        return select(x_saved != 0, scale * np.sign(x_saved).astype(dtype) * Pow.apply(a, p - 1))


class NanMean(Function):
    """The mean of the non-NaN elements over `dim` (NaN where there are none); d/dx = 1/count where x is
    not NaN, 0 where it is."""

    @staticmethod
    def forward(ctx, x, *, dim=None, keepdim=False):
        nan = np.isnan(x)
        count = (~nan).sum(axis=dim, keepdims=True).astype(x.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):  # an all-NaN slice: 0 / 0 is NaN, as in PyTorch
            out = np.where(nan, 0, x).sum(axis=dim, keepdims=True) / count
        if ctx.needs_input_grad[0]:
            ctx.nan, ctx.count = nan, count
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        return out if keepdim else _squeeze(out, dim)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(invalid="ignore", divide="ignore"):
            share = _keep(g, ctx.shape, ctx.dim, ctx.keepdim) / ctx.count
        return np.where(ctx.nan, np.zeros((), dtype=g.dtype), share)

    @staticmethod
    def differentiable_backward(ctx, g):
        with np.errstate(invalid="ignore", divide="ignore"):
            share = spread(g, ctx.shape, ctx.dim, ctx.keepdim) * (1 / ctx.count)
        return select(~ctx.nan, share)
