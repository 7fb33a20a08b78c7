"""Loss ops fused where the numerics demand it: cross entropy (log-softmax + NLL in one Function),
NLL, binary cross entropy on logits, smooth L1 / Huber (a kink at |d| = beta) and KL divergence (0 log 0).

Class dims follow PyTorch: input (N, C) or (N, C, d1, ...), class indices (N,) or (N, d1, ...). Inside the
ops the class dim is moved last and the rest flattened into rows.
"""
import numpy as np

from ..autograd import Function, Tensor
from .elementwise import Exp, Log, Sigmoid, Where, select
from .reduce import LogSoftmax, Softmax, Sum
from .shape import Permute, Reshape, Unindex


def _rows(x):
    """(N, C, d1, ...) -> (N * d1 * ..., C) with classes last."""
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _unrows(g, shape):
    """Inverse of `_rows`: (M, C) back to (N, C, d1, ...)."""
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return np.moveaxis(g.reshape(moved), -1, 1)


def _log_softmax(z):
    # the ufuncs' reduce, not the array methods: those add a Python layer, which is most of the time at
    # the usual (batch, 10) size
    shifted = z - np.maximum.reduce(z, axis=1, keepdims=True)
    shifted -= np.log(np.add.reduce(np.exp(shifted), axis=1, keepdims=True))
    return shifted


def _reduce(per_row, denominator, reduction, target_shape):
    if reduction == "none":
        return per_row.reshape(target_shape)
    total = np.add.reduce(per_row, axis=None)
    if reduction == "sum":
        return total
    if denominator == 0:
        return np.array(np.nan, dtype=total.dtype)  # 0/0 when every target is ignored, as PyTorch
    return total / denominator


def _rows_t(x):
    """`_rows` as recorded ops, for a Tensor."""
    if x.ndim == 2:
        return x
    moved = Permute.apply(x, dims=(0,) + tuple(range(2, x.ndim)) + (1,))
    return Reshape.apply(moved, shape=(-1, x.shape[1]))


def _unrows_t(g, shape):
    """`_unrows` as recorded ops, for a Tensor."""
    if len(shape) == 2:
        return g
    moved = Reshape.apply(g, shape=(shape[0],) + tuple(shape[2:]) + (shape[1],))
    return Permute.apply(moved, dims=(0, len(shape) - 1) + tuple(range(1, len(shape) - 1)))


def _scales_t(g, reduction, denominator, n):
    """`_scales` for a Tensor g, as a column (n, 1) or a (1, 1) that broadcasts as one."""
    if reduction == "none":
        return Reshape.apply(g, shape=(n, 1))
    g = Reshape.apply(g, shape=(1, 1))
    if reduction == "mean":
        return g * (1.0 / float(denominator) if denominator != 0 else float("nan"))
    return g


def _const(a, like):
    """Array `a` as a constant in the dtype of the array `like`."""
    return np.asarray(a, dtype=like.dtype)


def _scales(g, reduction, denominator, n):
    """Per-row factor of the upstream gradient: g itself ('none'), g ('sum'), g / denominator ('mean')."""
    if reduction == "none":
        return g.reshape(n)
    if reduction == "mean":
        if denominator == 0:
            return np.full(n, np.nan, dtype=g.dtype)  # 0/0 (every target ignored), as PyTorch
        g = g / denominator
    return np.full(n, g, dtype=g.dtype)


class CrossEntropy(Function):
    """Cross entropy of logits x against class indices, with optional class weights, ignore_index and
    label smoothing eps: loss_i = (1 - eps) w[t_i] (-logp[i, t_i]) + eps/C sum_c w[c] (-logp[i, c]).

    'mean' divides both terms by the summed weights w[t_i] of the non-ignored targets. d/dz_i = a_i (p_i - onehot(t_i)) + b_i (p_i sum(w) - w),
    a_i and b_i being the two terms' factors. Without weights or smoothing (the usual call) a_i is 1 for
    every kept target and b_i is 0, and the op skips the arrays that would hold them.
    """

    node_name = "NllLossBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
        """ignore_index None: the caller knows that no target is ignored (cross_entropy checked them)."""
        n_classes = x.shape[1]
        logp = _log_softmax(x if x.ndim == 2 else _rows(x))
        t = target.reshape(-1)
        if ignore_index is None:
            every = True
        else:
            valid = t != ignore_index
            every = bool(valid.all())
            if not every:
                t = np.where(valid, t, 0)
        rows = np.arange(t.size)
        eps = label_smoothing
        if weight is None and eps == 0:
            a = None if every else valid.astype(x.dtype)  # None: every row's factor is 1
            b = None
            denominator = x.dtype.type(t.size) if every else a.sum()
            per_row = -logp[rows, t]
            if a is not None:
                per_row *= a
        else:
            w = weight if weight is not None else np.ones(n_classes, dtype=x.dtype)
            wt = w[t] if every else w[t] * valid
            denominator = wt.sum()
            a = ((1 - eps) * wt).astype(x.dtype)
            b = np.full(t.size, eps / n_classes, x.dtype) if every else valid * x.dtype.type(eps / n_classes)
            per_row = a * -logp[rows, t]
            if eps > 0:
                per_row += b * -(logp @ w)
        ctx.save_for_backward(logp, a, b, t, weight)
        ctx.shape, ctx.reduction, ctx.denominator = x.shape, reduction, denominator
        return _reduce(per_row, denominator, reduction, target.shape)

    @staticmethod
    def backward(ctx, g):
        logp, a, b, t, w = ctx.saved_tensors
        rows = np.arange(t.size)
        gz = np.exp(logp)
        if b is None:  # no weights, no smoothing: p - onehot, scaled, on the kept rows
            gz[rows, t] -= 1
            if a is None and ctx.reduction == "mean":  # the usual call: one factor for every row
                gz *= g / ctx.denominator
            else:
                scale = _scales(g, ctx.reduction, ctx.denominator, t.size)
                gz *= (scale if a is None else scale * a)[:, None]
        else:
            w = w if w is not None else np.ones(logp.shape[1], dtype=logp.dtype)
            s = _scales(g, ctx.reduction, ctx.denominator, t.size)
            a, b = a * s, b * s
            gz *= (a + b * w.sum())[:, None]
            if b.any():
                gz -= b[:, None] * w[None, :]
            gz[rows, t] -= a
        return _unrows(gz, ctx.shape) if len(ctx.shape) != 2 else gz, None, None

    @staticmethod
    def differentiable_backward(ctx, g):
        logp, a, b, t, w = ctx.saved_tensors
        n, c = logp.shape
        p = Softmax.apply(_rows_t(ctx.parents[0]), dim=1)
        onehot = np.zeros((n, c), dtype=logp.dtype)
        onehot[np.arange(n), t] = 1
        s = _scales_t(g, ctx.reduction, ctx.denominator, n)
        sa = s if a is None else s * _const(a[:, None], logp)
        if b is None:
            gz = (p - onehot) * sa
        else:
            w = w if w is not None else np.ones(c, dtype=logp.dtype)
            sb = s * _const(b[:, None], logp)
            gz = p * (sa + sb * float(w.sum())) - sb * _const(w[None, :], logp) - sa * onehot
        return _unrows_t(gz, ctx.shape), None, None


class SoftCrossEntropy(Function):
    """Cross entropy of logits x against class probabilities y (same shape as x):
    loss_i = -sum_c w_c y_ic logp_ic, y smoothed to (1 - eps) y + eps / C; 'mean' divides by the number of
    rows. d/dz_i = p_i sum_c(w_c y_ic) - w y_i; d/dy = -(1 - eps) w logp."""

    @staticmethod
    def forward(ctx, x, y, weight=None, label_smoothing=0.0, reduction="mean"):
        n_classes = x.shape[1]
        logp = _log_softmax(_rows(x))
        y = _rows(y)
        y = y * x.dtype.type(1 - label_smoothing) + x.dtype.type(label_smoothing / n_classes)
        wy = y * weight if weight is not None else y
        ctx.save_for_backward(logp, wy, weight)
        ctx.shape, ctx.reduction, ctx.eps = x.shape, reduction, label_smoothing
        target_shape = (x.shape[0],) + tuple(x.shape[2:])
        return _reduce(-(wy * logp).sum(axis=1), logp.shape[0], reduction, target_shape)

    @staticmethod
    def backward(ctx, g):
        logp, wy, weight = ctx.saved_tensors
        s = _scales(g, ctx.reduction, logp.shape[0], logp.shape[0])[:, None]
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = _unrows((np.exp(logp) * wy.sum(axis=1, keepdims=True) - wy) * s, ctx.shape)
        if ctx.needs_input_grad[1]:
            w = weight if weight is not None else 1
            gy = _unrows(-logp * w * s * g.dtype.type(1 - ctx.eps), ctx.shape)
        return gx, gy, None

    @staticmethod
    def differentiable_backward(ctx, g):
        logp_saved, wy_saved, weight = ctx.saved_tensors
        n, c = logp_saved.shape
        x, y = ctx.parents[0], ctx.parents[1] if len(ctx.parents) > 1 else None
        logp = LogSoftmax.apply(_rows_t(x), dim=1) if x is not None else Tensor(logp_saved)
        wy = Tensor(wy_saved)
        if y is not None:  # the smoothed, weighted target, recomputed from y
            wy = _rows_t(y) * (1.0 - ctx.eps) + ctx.eps / c
            wy = wy * _const(weight, logp_saved) if weight is not None else wy
        s = _scales_t(g, ctx.reduction, n, n)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            p = Softmax.apply(_rows_t(x), dim=1)
            gx = _unrows_t((p * Sum.apply(wy, dim=1, keepdim=True) - wy) * s, ctx.shape)
        if y is not None:
            w = _const(weight, logp_saved) if weight is not None else 1.0
            gy = _unrows_t(-logp * w * s * (1.0 - ctx.eps), ctx.shape)
        return gx, gy, None


class NLLLoss(Function):
    """Negative log likelihood of log-probabilities x at class indices t: loss_i = -w[t_i] x[i, t_i];
    'mean' divides by the summed weights of the non-ignored targets. d/dx[i, t_i] = -w[t_i]."""

    node_name = "NllLossBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, target, weight=None, ignore_index=-100, reduction="mean"):
        z = _rows(x)
        t = target.reshape(-1)
        valid = t != ignore_index
        t = np.where(valid, t, 0)
        wt = (weight[t] if weight is not None else np.ones(t.size, dtype=x.dtype)) * valid
        wt = wt.astype(x.dtype, copy=False)
        denominator = wt.sum()
        ctx.save_for_backward(wt, t)
        ctx.shape, ctx.reduction, ctx.denominator = x.shape, reduction, denominator
        return _reduce(-wt * z[np.arange(t.size), t], denominator, reduction, target.shape)

    @staticmethod
    def backward(ctx, g):
        wt, t = ctx.saved_tensors
        gz = np.zeros((t.size, ctx.shape[1]), dtype=g.dtype)
        gz[np.arange(t.size), t] = -wt * _scales(g, ctx.reduction, ctx.denominator, t.size)
        return _unrows(gz, ctx.shape), None, None

    @staticmethod
    def differentiable_backward(ctx, g):
        wt, t = ctx.saved_tensors
        picked = Reshape.apply(_scales_t(g, ctx.reduction, ctx.denominator, t.size) * -wt[:, None], shape=(t.size,))
        gz = Unindex.apply(picked, shape=(t.size, ctx.shape[1]), index=(np.arange(t.size), t))
        return _unrows_t(gz, ctx.shape), None, None


class BCEWithLogits(Function):
    """Elementwise binary cross entropy of logits x and targets y, without overflow:
    (1 - y) x + (1 + (pw - 1) y) (log1p(exp(-|x|)) + max(-x, 0)), pw the positive-class weight (or 1).
    d/dx = (1 - y) - (1 + (pw - 1) y) sigmoid(-x); d/dy = -x + (pw - 1) softplus(-x)."""

    @staticmethod
    def forward(ctx, x, y, pos_weight=None):
        softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)
        lw = 1 + (pos_weight - 1) * y if pos_weight is not None else 1
        ctx.save_for_backward(x, y, softplus_neg, pos_weight)
        return (1 - y) * x + lw * softplus_neg

    @staticmethod
    def backward(ctx, g):
        x, y, softplus_neg, pos_weight = ctx.saved_tensors
        gx = gy = None
        lw = 1 + (pos_weight - 1) * y if pos_weight is not None else 1
        if ctx.needs_input_grad[0]:
            sig = np.exp(-softplus_neg)  # sigmoid(x), without overflow
            gx = g * ((1 - y) - lw * (1 - sig))
        if ctx.needs_input_grad[1]:
            gy = g * (-x + (pos_weight - 1) * softplus_neg if pos_weight is not None else -x)
        return gx, gy, None

    @staticmethod
    def differentiable_backward(ctx, g):
        x_saved, y_saved, _, pos_weight = ctx.saved_tensors
        x, y = ctx.operand(0, x_saved), ctx.operand(1, y_saved)
        pw = _const(pos_weight, x_saved) if pos_weight is not None else None
        gx = gy = None
        if ctx.needs_input_grad[0]:
            lw = 1 + (pw - 1) * y if pw is not None else 1.0
            gx = g * ((1 - y) - lw * Sigmoid.apply(-x))
        if ctx.needs_input_grad[1]:
            gy = -x
            if pw is not None:  # softplus(-x) is this loss at target 1
                gy = gy + (pw - 1) * BCEWithLogits.apply(x, np.ones((), dtype=x_saved.dtype), None)
            gy = g * gy
        return gx, gy, None


class BCE(Function):
    """Elementwise binary cross entropy of probabilities x: -(y log x + (1 - y) log(1 - x)), logs clamped at
    -100 (as PyTorch) so that x = 0 or 1 stays finite. d/dx = (x - y) / max(x (1 - x), 1e-12);
    d/dy = log(1 - x) - log(x) (clamped)."""

    @staticmethod
    def forward(ctx, x, y):
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        ctx.save_for_backward(x, y, log_x, log_1mx)
        return -(y * log_x + (1 - y) * log_1mx)

    @staticmethod
    def backward(ctx, g):
        x, y, log_x, log_1mx = ctx.saved_tensors
        gx = g * (x - y) / np.maximum(x * (1 - x), x.dtype.type(1e-12)) if ctx.needs_input_grad[0] else None
        gy = g * (log_1mx - log_x) if ctx.needs_input_grad[1] else None
        return gx, gy

    @staticmethod
    def differentiable_backward(ctx, g):
        x_saved, y_saved, log_x_saved, log_1mx_saved = ctx.saved_tensors
        x, y = ctx.operand(0, x_saved), ctx.operand(1, y_saved)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            floor = np.array(1e-12, dtype=x_saved.dtype)
            gx = g * (x - y) / Where.apply(x_saved * (1 - x_saved) > floor, x * (1 - x), floor)
        if ctx.needs_input_grad[1]:
            gy = g * (_clamped_log(1 - x, log_1mx_saved) - _clamped_log(x, log_x_saved))
        return gx, gy


def _clamped_log(x, saved):
    """max(log x, -100) as recorded ops, `saved` its forward value: -100 where clamped, with no gradient
    (log is taken of 1 there, so that no inf times 0 turns into NaN)."""
    kept = saved > -100
    low = np.array(-100, dtype=saved.dtype)
    return Where.apply(kept, Log.apply(Where.apply(kept, x, np.ones((), dtype=saved.dtype))), low)


class SmoothL1(Function):
    """Elementwise smooth L1 of d = x - y: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta; with
    huber=True the Huber loss with delta = beta: 0.5 d^2, else beta (|d| - 0.5 beta).
    d/dx = clip(d / beta, -1, 1) (sign(d) when beta = 0), clip(d, -beta, beta) for Huber; d/dy = -d/dx."""

    @staticmethod
    def forward(ctx, x, y, beta=1.0, huber=False):
        d = x - y
        ad = np.abs(d)
        b, half = x.dtype.type(beta), x.dtype.type(0.5)
        if beta == 0:
            out = ad
        elif huber:
            out = np.where(ad < b, half * d * d, b * (ad - half * b))
        else:
            out = np.where(ad < b, half * d * d / b, ad - half * b)
        ctx.save_for_backward(d)
        ctx.beta, ctx.huber = beta, huber
        return out

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved_tensors
        beta = ctx.beta
        if beta == 0:
            slope = np.sign(d)
        elif ctx.huber:
            slope = np.clip(d, -beta, beta)
        else:
            slope = np.clip(d * d.dtype.type(1 / beta), -1, 1)
        gx = g * slope
        return gx, -gx if ctx.needs_input_grad[1] else None

    @staticmethod
    def differentiable_backward(ctx, g):
        (d_saved,) = ctx.saved_tensors
        beta = ctx.beta
        if beta == 0:
            slope = np.sign(d_saved)
        else:  # d / beta (d for Huber) inside the kink, +-1 (+-beta) outside
            d = _recorded(d_saved, ctx.parents)
            outer = np.sign(d_saved) * d_saved.dtype.type(beta if ctx.huber else 1)
            slope = Where.apply(np.abs(d_saved) < beta, d if ctx.huber else d * (1 / beta), outer)
        gx = g * slope
        return (gx if ctx.needs_input_grad[0] else None), (-gx if ctx.needs_input_grad[1] else None)


def _recorded(d, parents):
    """The saved d = x - y as a Tensor whose graph reaches x and y: d + (x - x) - (y - y), the same value
    exactly and the derivatives of x - y."""
    out = Tensor(d)
    for sign, t in zip((1, -1), parents):
        if t is not None:
            out = out + (t - t._data) if sign > 0 else out - (t - t._data)
    return out


class KLDiv(Function):
    """Elementwise Kullback-Leibler term of log-probabilities x against target t: t (log t - x), 0 where
    t = 0; with log_target=True, t is a log-probability and the term is exp(t) (t - x).
    d/dx = -t (-exp(t)); d/dt = log t + 1 - x (exp(t) (t - x + 1))."""

    @staticmethod
    def forward(ctx, x, t, log_target=False):
        if log_target:
            p = np.exp(t)
            out = p * (t - x)
        else:
            p = t
            with np.errstate(divide="ignore", invalid="ignore"):
                t_log_t = np.where(t == 0, 0, t * np.log(t))  # 0 log 0 = 0; t < 0 gives nan, as xlogy
            out = t_log_t - t * x
        ctx.save_for_backward(x, t, p)
        ctx.log_target = log_target
        return out

    @staticmethod
    def backward(ctx, g):
        x, t, p = ctx.saved_tensors
        gx = -g * p if ctx.needs_input_grad[0] else None
        gt = None
        if ctx.needs_input_grad[1]:
            if ctx.log_target:
                gt = g * p * (t - x + 1)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    gt = g * (np.log(t) + 1 - x)
        return gx, gt

    @staticmethod
    def differentiable_backward(ctx, g):
        x_saved, t_saved, _ = ctx.saved_tensors
        x, t = ctx.operand(0, x_saved), ctx.operand(1, t_saved)
        p = Exp.apply(t) if ctx.log_target else t
        gx = -g * p if ctx.needs_input_grad[0] else None
        gt = None
        if ctx.needs_input_grad[1]:
            gt = g * p * (t - x + 1) if ctx.log_target else g * (Log.apply(t) + 1 - x)
        return gx, gt
