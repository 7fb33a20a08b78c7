"""Elementwise activations of torch.nn beyond ReLU, sigmoid, tanh, leaky ReLU and GELU: the exponential
family (ELU, CELU, SELU), the smooth ones (Softplus, Mish, LogSigmoid, Softsign, Tanhshrink), the piecewise
linear ones (Hardtanh, Hardsigmoid, Hardswish, Threshold, Hardshrink, Softshrink) and PReLU.

Every op computes in its input's dtype; settings arrive as keywords, checked by the public wrappers.
"""
import numpy as np

from ..autograd import Function

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(x):
    """1 / (1 + exp(-x)) without overflow, in x's dtype."""
    return 0.5 * (1 + np.tanh(0.5 * x))


def _softplus(x):
    """log(1 + exp(x)) without overflow."""
    return np.logaddexp(0, x)


class Elu(Function):
    """scale * (x if x > 0 else alpha (exp(x / beta) - 1)): ELU (beta 1), CELU (beta alpha), SELU's scale.

    d/dx = scale where x > 0, else scale * alpha / beta * exp(x / beta).
    """

    @staticmethod
    def forward(ctx, x, alpha=1.0, beta=1.0, scale=1.0):
        positive = x > 0
        neg = np.expm1(np.minimum(x, 0) / beta) * alpha
        ctx.save_for_backward(positive, neg)
        ctx.settings = (alpha, beta, scale)
        return np.where(positive, x, neg) * scale if scale != 1.0 else np.where(positive, x, neg)

    @staticmethod
    def backward(ctx, g):
        positive, neg = ctx.saved_tensors
        alpha, beta, scale = ctx.settings
        slope = np.where(positive, 1, (neg + alpha) / beta)  # alpha exp(x / beta) = neg + alpha
        return g * (slope * scale if scale != 1.0 else slope)


class Softplus(Function):
    """log(1 + exp(beta x)) / beta, and x where beta x > threshold; d/dx = sigmoid(beta x) (1 above it)."""

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        bx = x * beta
        linear = bx > threshold
        ctx.save_for_backward(bx, linear)
        return np.where(linear, x, _softplus(bx) / beta)

    @staticmethod
    def backward(ctx, g):
        bx, linear = ctx.saved_tensors
        return g * np.where(linear, 1, _sigmoid(bx))


class Mish(Function):
    """x tanh(softplus(x)); d/dx = tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2)."""

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(_softplus(x))
        ctx.save_for_backward(x, t)
        return x * t

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        return g * (t + x * _sigmoid(x) * (1 - t * t))


class LogSigmoid(Function):
    """log(sigmoid(x)) = -softplus(-x); d/dx = sigmoid(-x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return -_softplus(-x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _sigmoid(-x)


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


class Hardswish(Function):
    """x relu6(x + 3) / 6; d/dx = 0 for x < -3, x / 3 + 1/2 for -3 <= x <= 3, 1 above."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.where(x < -3, 0, np.where(x <= 3, x / 3 + 0.5, 1)).astype(g.dtype, copy=False)


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


class Shrink(Function):
    """Hardshrink (x where |x| > lambd, else 0) or softshrink (x - sign(x) lambd there, else 0);
    d/dx = 1 where |x| > lambd, else 0."""

    @staticmethod
    def forward(ctx, x, lambd=0.5, soft=False):
        outside = np.abs(x) > lambd
        ctx.save_for_backward(outside)
        shifted = x - np.sign(x) * np.asarray(lambd, dtype=x.dtype) if soft else x
        return np.where(outside, shifted, np.zeros((), dtype=x.dtype))

    @staticmethod
    def backward(ctx, g):
        (outside,) = ctx.saved_tensors
        return g * outside


class Prelu(Function):
    """x where x > 0, else w x, with w of C elements along the channel dim 1 (or of one element, shared).

    d/dx = 1 or w; d/dw = sum of g x where x <= 0, over every dim but the channel one (over all with one w).
    """

    @staticmethod
    def forward(ctx, x, w):
        wb = w.reshape((1, -1) + (1,) * (x.ndim - 2)) if w.size > 1 else w.reshape(())
        positive = x > 0
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, positive, wb)
        return np.where(positive, x, x * wb)

    @staticmethod
    def backward(ctx, g):
        x, positive, wb = ctx.saved_tensors
        needs = ctx.needs_input_grad
        gx = g * np.where(positive, 1, wb) if needs[0] else None
        gw = None
        if needs[1]:
            contrib = np.where(positive, 0, g * x)
            if wb.ndim == 0:
                gw = contrib.sum().reshape(1)
            else:
                gw = contrib.sum(axis=tuple(i for i in range(g.ndim) if i != 1))
        return gx, gw
