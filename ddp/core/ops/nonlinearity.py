"""Elementwise activations of torch.nn beyond ReLU, sigmoid, tanh, leaky ReLU and GELU: the exponential
family (ELU, CELU, SELU), the smooth ones (Softplus, Mish, LogSigmoid, Softsign, Tanhshrink), the piecewise
linear ones (Hardtanh, Hardsigmoid, Hardswish, Threshold, Hardshrink, Softshrink) and PReLU.

Every op computes in its input's dtype; settings arrive as keywords, checked by the public wrappers.
"""
import numpy as np

from ..autograd import Function
from .elementwise import Where, select

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# numpy's expm1, log1p and logaddexp, and masked selection (np.where), run several times slower than exp,
# log and tanh on float32; the helpers below keep their accuracy with the fast ones, and the ops multiply by
# masks where no infinity can meet a zero.
def _expm1_nonpositive(x):
    """exp(x) - 1 for x <= 0 without cancellation near 0: 2 t / (1 - t) with t = tanh(x / 2)."""
    t = np.tanh(x * 0.5)
    return 2 * t / (1 - t)


def _log1p_unit(u):
    """log(1 + u) for u in [0, 1], accurate for tiny u: log(w) u / (w - 1) with w = 1 + u (exact when w == 1)."""
    w = 1 + u
    d = w - 1
    exact = d == 0
    return np.log(w) * u / (d + exact) + u * exact


def _softplus_parts(z):
    """softplus(z) = log(1 + exp(z)) and the pieces its derivative needs: e = exp(-|z|), and z >= 0."""
    e = np.exp(-np.abs(z))
    positive = z >= 0
    return _log1p_unit(e) + np.maximum(z, 0), e, positive


def _sigmoid_from(e, positive):
    """sigmoid(z) from e = exp(-|z|) and z >= 0: 1 / (1 + e) or e / (1 + e)."""
    return (positive + ~positive * e) / (1 + e)


class Elu(Function):
    """scale * (x if x > 0 else alpha (exp(x / beta) - 1)): ELU (beta 1), CELU (beta alpha), SELU's scale.

    d/dx = scale where x > 0, else scale * alpha / beta * exp(x / beta).
    """

    @staticmethod
    def forward(ctx, x, alpha=1.0, beta=1.0, scale=1.0):
        positive = x > 0
        neg = _expm1_nonpositive(np.minimum(x, 0) / beta if beta != 1.0 else np.minimum(x, 0))
        if alpha != 1.0:
            neg *= alpha
        ctx.save_for_backward(positive, neg)
        ctx.settings = (alpha, beta, scale)
        out = np.maximum(x, 0) + neg  # neg is 0 where x > 0; no x * mask, which would turn -inf into nan
        return out * scale if scale != 1.0 else out

    @staticmethod
    def backward(ctx, g):
        positive, neg = ctx.saved_tensors
        alpha, beta, scale = ctx.settings
        slope = neg + alpha  # alpha exp(x / beta) where x <= 0
        if beta != 1.0:
            slope /= beta
        slope = positive + ~positive * slope
        return g * (slope * scale if scale != 1.0 else slope)

    @staticmethod
    def differentiable_backward(ctx, g):
        positive, _ = ctx.saved_tensors
        alpha, beta, scale = ctx.settings
        x = ctx.parents[0]
        slope = Where.apply(positive, np.ones((), dtype=g._data.dtype), (x.clamp(max=0) / beta).exp() * (alpha / beta))
        return g * (slope * scale if scale != 1.0 else slope)


class Softplus(Function):
    """log(1 + exp(beta x)) / beta, and x where beta x > threshold; d/dx = sigmoid(beta x) (1 above it)."""

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        bx = x * beta
        linear = bx > threshold
        sp, e, positive = _softplus_parts(bx)
        ctx.save_for_backward(e, positive, linear)
        ctx.beta = beta
        return np.where(linear, x, sp / beta)

    @staticmethod
    def backward(ctx, g):
        e, positive, linear = ctx.saved_tensors
        return g * (_sigmoid_from(e, positive) * ~linear + linear)

    @staticmethod
    def differentiable_backward(ctx, g):
        _, _, linear = ctx.saved_tensors
        return Where.apply(linear, g, g * (ctx.parents[0] * ctx.beta).sigmoid())


class Mish(Function):
    """x tanh(softplus(x)); d/dx = tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2).

    With e = exp(x), tanh(log(1 + e)) = n / (n + 2) for n = e (e + 2): one exp (x is capped at 20, where
    the tanh is 1 in float64 too).
    """

    @staticmethod
    def forward(ctx, x):
        e = np.exp(np.minimum(x, 20))
        n = e * (e + 2)
        t = n / (n + 2)
        ctx.save_for_backward(x, t, e)
        return x * t

    @staticmethod
    def backward(ctx, g):
        x, t, e = ctx.saved_tensors
        return g * (t + x * (e / (1 + e)) * (1 - t * t))

    @staticmethod
    def differentiable_backward(ctx, g):
        x = ctx.parents[0]
        t = Softplus.apply(x).tanh()
        return g * (t + x * x.sigmoid() * (1 - t * t))


class LogSigmoid(Function):
    """log(sigmoid(x)) = -softplus(-x); d/dx = sigmoid(-x)."""

    @staticmethod
    def forward(ctx, x):
        sp, e, positive = _softplus_parts(-x)
        ctx.save_for_backward(e, positive)
        return -sp

    @staticmethod
    def backward(ctx, g):
        e, positive = ctx.saved_tensors
        return g * _sigmoid_from(e, positive)

    @staticmethod
    def differentiable_backward(ctx, g):
        return g * (-ctx.parents[0]).sigmoid()


class Softsign(Function):
    """x / (1 + |x|); d/dx = 1 / (1 + |x|)^2."""

    @staticmethod
    def forward(ctx, x):
        denom = 1 + np.abs(x)
        ctx.save_for_backward(denom)
        return x / denom

    @staticmethod
    def backward(ctx, g):
        (denom,) = ctx.saved_tensors
        return g / (denom * denom)

    @staticmethod
    def differentiable_backward(ctx, g):
        denom = 1 + ctx.parents[0].abs()
        return g / (denom * denom)


class Tanhshrink(Function):
    """x - tanh(x); d/dx = tanh(x)^2."""

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(x)
        ctx.save_for_backward(t)
        return x - t

    @staticmethod
    def backward(ctx, g):
        (t,) = ctx.saved_tensors
        return g * (t * t)

    @staticmethod
    def differentiable_backward(ctx, g):
        t = ctx.parents[0].tanh()
        return g * (t * t)


class Hardtanh(Function):
    """x clipped to [min_val, max_val] (ReLU6 is [0, 6]); d/dx = 1 strictly inside, 0 elsewhere."""

    @staticmethod
    def forward(ctx, x, min_val=-1.0, max_val=1.0):
        ctx.save_for_backward((x > min_val) & (x < max_val))
        return np.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return g * inside

    @staticmethod
    def differentiable_backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return select(inside, g)


class Hardsigmoid(Function):
    """relu6(x + 3) / 6; d/dx = 1/6 for -3 < x < 3, else 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward((x > -3) & (x < 3))
        return np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return g * inside / 6

    @staticmethod
    def differentiable_backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return select(inside, g) / 6


class Hardswish(Function):
    """x relu6(x + 3) / 6; d/dx = 0 for x <= -3, x / 3 + 1/2 for -3 < x < 3, 1 from 3 on (PyTorch's sides at
    the kinks)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        above = x >= 3
        return g * ((np.clip(x, -3, 3) * (1 / 3) + 0.5) * ((x > -3) & ~above) + above)

    @staticmethod
    def differentiable_backward(ctx, g):
        (x_saved,) = ctx.saved_tensors
        x = ctx.parents[0]
        above = x_saved >= 3
        middle = (x_saved > -3) & ~above
        return Where.apply(above, g, select(middle, g * (x * (1 / 3) + 0.5)))


class Threshold(Function):
    """x where x > threshold, else value; d/dx = 1 where x > threshold."""

    @staticmethod
    def forward(ctx, x, threshold=0.0, value=0.0):
        keep = x > threshold
        ctx.save_for_backward(keep)
        return np.where(keep, x, np.asarray(value, dtype=x.dtype))

    @staticmethod
    def backward(ctx, g):
        (keep,) = ctx.saved_tensors
        return g * keep

    @staticmethod
    def differentiable_backward(ctx, g):
        (keep,) = ctx.saved_tensors
        return select(keep, g)


class Shrink(Function):
    """Hardshrink (x where |x| > lambd, else 0) or softshrink (x - sign(x) lambd there, else 0);
    d/dx = 1 where |x| > lambd, else 0."""

    @staticmethod
    def forward(ctx, x, lambd=0.5, soft=False):
        outside = np.abs(x) > lambd
        ctx.save_for_backward(outside)
        shifted = x - np.sign(x) * np.asarray(lambd, dtype=x.dtype) if soft else x
        return shifted * outside

    @staticmethod
    def backward(ctx, g):
        (outside,) = ctx.saved_tensors
        return g * outside

    @staticmethod
    def differentiable_backward(ctx, g):
        (outside,) = ctx.saved_tensors
        return select(outside, g)


class Prelu(Function):
    """x where x > 0, else w x, with w of C elements along the channel dim 1 (or of one element, shared).

    d/dx = 1 or w; d/dw = sum of g x where x <= 0, over every dim but the channel one (over all with one w).
    """

    @staticmethod
    def forward(ctx, x, w):
        wb = w.reshape((1, -1) + (1,) * (x.ndim - 2)) if w.size > 1 else w.reshape(())
        positive = x > 0
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, positive, wb)
        return x * (positive + ~positive * wb)

    @staticmethod
    def backward(ctx, g):
        x, positive, wb = ctx.saved_tensors
        needs = ctx.needs_input_grad
        gx = g * (positive + ~positive * wb) if needs[0] else None
        gw = None
        if needs[1]:
            contrib = g * x * ~positive
            if wb.ndim == 0:
                gw = contrib.sum().reshape(1)
            else:
                gw = contrib.sum(axis=tuple(i for i in range(g.ndim) if i != 1))
        return gx, gw

    @staticmethod
    def differentiable_backward(ctx, g):
        x_saved, positive, wb_saved = ctx.saved_tensors
        needs = ctx.needs_input_grad
        wb = ctx.operand(1, wb_saved).reshape(wb_saved.shape)
        gx = Where.apply(positive, g, g * wb) if needs[0] else None
        gw = None
        if needs[1]:
            contrib = select(~positive, g * ctx.operand(0, x_saved))
            others = tuple(i for i in range(g.ndim) if i != 1)
            gw = contrib.sum().reshape(1) if wb_saved.ndim == 0 else contrib.sum(dim=others)
        return gx, gw
