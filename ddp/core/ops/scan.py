"""Products and running reductions along a dim: prod, cumsum, cumprod, logcumsumexp. The running ones
accumulate float16/32 in float64 and round each output once, as PyTorch's CPU scans do (a float32 running
sum drifts from theirs within a few dozen steps)."""
import numpy as np

from ..autograd import Function
from .elementwise import Exp, Where
from .linalg import MatMul
from .reduce import Sum, spread
from .shape import Cat, Index, Permute, Reshape, Stack


def _wide(x):
    return x.dtype.kind == "f" and x.dtype.itemsize < 8


def _cumsum(x, axis):
    return np.cumsum(x, axis=axis, dtype=np.float64).astype(x.dtype) if _wide(x) else np.cumsum(x, axis=axis)


def _cumprod(x, axis):
    return np.cumprod(x, axis=axis, dtype=np.float64).astype(x.dtype) if _wide(x) else np.cumprod(x, axis=axis)


def _logcumsumexp(x, axis):
    if _wide(x):
        return np.logaddexp.accumulate(x.astype(np.float64), axis=axis).astype(x.dtype)
    return np.logaddexp.accumulate(x, axis=axis)


def _exclusive_cumprod(x, axis, reverse=False):
    """prod of the elements before each one along `axis` (after it, with reverse): 1 at the first."""
    if reverse:
        return np.flip(_exclusive_cumprod(np.flip(x, axis), axis), axis)
    if x.shape[axis] == 0:
        return x.copy()
    before = np.take(np.cumprod(x, axis=axis), np.arange(x.shape[axis] - 1), axis=axis)
    return np.concatenate([np.ones_like(np.take(x, [0], axis=axis)), before], axis=axis)


def _flip(x, dim):
    """Tensor x reversed along `dim`, as a recorded (view) Index."""
    return Index.apply(x, index=(slice(None),) * (dim % x.ndim) + (slice(None, None, -1),))


def _take(x, dim, start, stop):
    return Index.apply(x, index=(slice(None),) * (dim % x.ndim) + (slice(start, stop),))


def _exclusive_cumprod_t(x, dim):
    """`_exclusive_cumprod` of Tensor x (at least one element along `dim`) as recorded ops."""
    n = x.shape[dim]
    ones = np.ones(tuple(1 if i == dim % x.ndim else s for i, s in enumerate(x.shape)), dtype=x._data.dtype)
    return Cat.apply(ones, _take(CumProd.apply(x, dim=dim), dim, 0, n - 1), dim=dim)


class Prod(Function):
    """prod(x, dim) (dim None: all elements); d/dx_i = the product of the other elements, computed from
    products before and after i, so that zeros in x are exact."""

    @staticmethod
    def forward(ctx, x, *, dim=None, keepdim=False):
        ctx.save_for_backward(x)
        ctx.dim, ctx.keepdim = dim, keepdim
        return np.prod(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.dim is None:
            flat = x.reshape(-1)
            others = _exclusive_cumprod(flat, 0) * _exclusive_cumprod(flat, 0, reverse=True)
            return g * others.reshape(x.shape)
        others = _exclusive_cumprod(x, ctx.dim) * _exclusive_cumprod(x, ctx.dim, reverse=True)
        return (g if ctx.keepdim else np.expand_dims(g, ctx.dim)) * others

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        shape, dim = x.shape, ctx.dim
        if x._data.size == 0:
            return spread(g, shape, dim, ctx.keepdim) * np.zeros(shape, dtype=x._data.dtype)
        line = Reshape.apply(x, shape=(-1,)) if dim is None else x
        d = 0 if dim is None else dim
        others = _exclusive_cumprod_t(line, d) * _flip(_exclusive_cumprod_t(_flip(line, d), d), d)
        return spread(g, shape, dim, ctx.keepdim) * Reshape.apply(others, shape=tuple(shape))


class CumSum(Function):
    """Running sum along `dim`; d/dx = the reversed running sum of g."""

    node_name = "CumsumBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, *, dim):
        ctx.dim = dim
        return _cumsum(x, dim)

    @staticmethod
    def backward(ctx, g):
        return np.flip(_cumsum(np.flip(g, ctx.dim), ctx.dim), ctx.dim)

    @staticmethod
    def differentiable_backward(ctx, g):
        return _flip(CumSum.apply(_flip(g, ctx.dim), dim=ctx.dim), ctx.dim)


class CumProd(Function):
    """Running product along `dim`; d/dx_i = sum over j >= i of g_j out_j / x_i, which is evaluated as such
    when x has no zeros; otherwise each x_i is set to 1 in turn (exact, n running products)."""

    node_name = "CumprodBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, *, dim):
        out = _cumprod(x, dim)
        ctx.save_for_backward(x, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        d = ctx.dim

        def reversed_cumsum(a):
            return np.flip(_cumsum(np.flip(a, d), d), d)

        if np.all(x != 0):
            return reversed_cumsum(g * out) / x
        gx = np.empty(np.broadcast_shapes(x.shape, g.shape), dtype=g.dtype)
        for i in range(x.shape[d]):  # along one dim only, vectorised over the others
            ones = x.copy()
            np.moveaxis(ones, d, 0)[i] = 1
            partial = _cumprod(ones, d) * g
            np.moveaxis(gx, d, 0)[i] = np.moveaxis(partial, d, 0)[i:].sum(axis=0)
        return gx

    @staticmethod
    def differentiable_backward(ctx, g):
        x_saved, _ = ctx.saved_tensors
        x, d = ctx.parents[0], ctx.dim
        if np.all(x_saved != 0):
            return _flip(CumSum.apply(_flip(g * CumProd.apply(x, dim=d), d), dim=d), d) / x
        n = x_saved.shape[d]
        parts = []
        for i in range(n):  # x_i set to 1 in turn, as backward does, with recorded ops
            hole = np.zeros(n, dtype=bool)
            hole[i] = True
            hole = hole.reshape((n,) + (1,) * (x.ndim - 1 - d % x.ndim))
            partial = CumProd.apply(Where.apply(hole, np.ones((), x_saved.dtype), x), dim=d) * g
            parts.append(Sum.apply(_take(partial, d, i, n), dim=d))
        return Stack.apply(*parts, dim=d)


class LogCumSumExp(Function):
    """log of the running sum of exp(x) along `dim`, accumulated with logaddexp (no overflow);
    d/dx_j = sum over i >= j of g_i exp(x_j - out_i), summed in log space separately for the positive and
    negative g so that it does not overflow either."""

    @staticmethod
    def forward(ctx, x, *, dim):
        out = _logcumsumexp(x, dim)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        d = ctx.dim

        def reversed_logcumsumexp(w):
            return np.flip(_logcumsumexp(np.flip(w, d), d), d)

        with np.errstate(divide="ignore", invalid="ignore"):
            log_g = np.log(np.abs(g)) - out
            none = np.array(-np.inf, dtype=log_g.dtype)
            up = reversed_logcumsumexp(np.where(g > 0, log_g, none))
            down = reversed_logcumsumexp(np.where(g < 0, log_g, none))
            return np.exp(x + up) - np.exp(x + down)

    @staticmethod
    def differentiable_backward(ctx, g):
        # gx_j = sum_i g_i w_ij, w_ij = exp(x_j - out_i) for j <= i (at most 1: no overflow), else 0, as one
        # (n, n) matrix per line along dim; the exponent is -inf off the triangle, so that exp has no
        # gradient there
        x, out_saved = ctx.parents[0], ctx.saved_tensors[1]
        d, nd = ctx.dim % x.ndim, x.ndim
        to_last = tuple(i for i in range(nd) if i != d) + (d,)
        back = tuple(np.argsort(to_last))
        xl = Permute.apply(x, dims=to_last)
        outl = Permute.apply(LogCumSumExp.apply(x, dim=d), dims=to_last)
        lines, n = tuple(xl.shape[:-1]), x.shape[d]
        rows = Reshape.apply(outl, shape=lines + (n, 1))
        cols = Reshape.apply(xl, shape=lines + (1, n))
        below = np.tril(np.ones((n, n), dtype=bool))
        w = Exp.apply(Where.apply(below, cols - rows, np.array(-np.inf, dtype=out_saved.dtype)))
        gl = Reshape.apply(Permute.apply(g, dims=to_last), shape=lines + (1, n))
        gx = Reshape.apply(MatMul.apply(gl, w), shape=lines + (n,))
        return Permute.apply(gx, dims=back)
