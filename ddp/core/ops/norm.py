"""Normalisation ops, each one fused Function: batch norm (with in-place running statistics), layer norm and
group norm. Their differentiable backwards recompute xhat and 1/sigma from x with recorded ops."""
import math

import numpy as np

from ..autograd import Function, Tensor
from .elementwise import Sqrt
from .reduce import Mean, Sum
from .shape import Reshape


def _standardize(x, dims, eps):
    """(xhat, 1 / sqrt(var + eps)) of Tensor x over `dims` (biased variance), as recorded ops."""
    centered = x - Mean.apply(x, dim=dims, keepdim=True)
    invstd = 1 / Sqrt.apply(Mean.apply(centered * centered, dim=dims, keepdim=True) + eps)
    return centered * invstd, invstd


def _normalized_grad(gh, xhat, invstd, dims):
    """(gh - mean(gh) - xhat mean(gh xhat)) / sigma over `dims`: the input gradient of a normalisation."""
    mean_g = Mean.apply(gh, dim=dims, keepdim=True)
    return invstd * (gh - mean_g - xhat * Mean.apply(gh * xhat, dim=dims, keepdim=True))


def _affine(x, weight, bias, shape):
    """x * weight + bias with weight and bias (or None) reshaped to broadcast as `shape`; never x itself, which
    backward keeps (an output changed in place must not change what backward reads)."""
    out = x * weight.reshape(shape) if weight is not None else x
    if bias is not None:
        return out + bias.reshape(shape)
    return out.copy() if out is x else out


class BatchNorm(Function):
    """Normalise each channel (dim 1) of x over the batch and spatial dims, then scale and shift.

    Training: batch statistics (biased variance) normalise x, and running_mean / running_var (arrays or
    None) move towards the batch mean and the unbiased batch variance by `momentum`, in place.
    Evaluation: the running statistics normalise x. With xhat = (x - mean) / sqrt(var + eps):
    d/dweight = sum(g xhat), d/dbias = sum(g), and d/dx = w / sigma (g - mean(g) - xhat mean(g xhat)) when the
    statistics come from the batch (w / sigma g otherwise).
    """

    node_name = "NativeBatchNormBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        if training:
            mean = x.mean(axis=axes, keepdims=True)
            centered = x - mean
            var = np.square(centered).mean(axis=axes, keepdims=True)
            n = x.size // x.shape[1]
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean.reshape(-1)
            if running_var is not None:
                running_var *= 1 - momentum
                running_var += (momentum * n / max(n - 1, 1)) * var.reshape(-1)
        else:
            mean, var = running_mean.reshape(shape), running_var.reshape(shape)
            centered = x - mean
        invstd = (1 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat = centered * invstd
        ctx.save_for_backward(xhat, invstd, weight)
        ctx.axes, ctx.shape, ctx.batch_stats, ctx.eps = axes, shape, training, eps
        return _affine(xhat, weight, bias, shape)

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, weight = ctx.saved_tensors
        axes, shape = ctx.axes, ctx.shape
        needs = ctx.needs_input_grad
        gx = gw = gb = None
        if needs[0]:
            scale = invstd * weight.reshape(shape) if weight is not None else invstd
            if ctx.batch_stats:
                gx = scale * (g - g.mean(axis=axes, keepdims=True) - xhat * (g * xhat).mean(axis=axes, keepdims=True))
            else:
                gx = g * scale
        if needs[1]:
            gw = (g * xhat).sum(axis=axes)
        if needs[2]:
            gb = g.sum(axis=axes)
        return gx, gw, gb, None, None, None, None, None

    @staticmethod
    def differentiable_backward(ctx, g):
        xhat_saved, invstd_saved, weight_saved = ctx.saved_tensors
        axes, shape, needs = ctx.axes, ctx.shape, ctx.needs_input_grad
        x = ctx.parents[0]
        if x is None:
            xhat, invstd = Tensor(xhat_saved), Tensor(invstd_saved)
        elif ctx.batch_stats:
            xhat, invstd = _standardize(x, axes, ctx.eps)
        else:  # the running statistics are constants: xhat is x's affine map, exactly the saved value
            xhat, invstd = Tensor(xhat_saved) + (x - x._data) * invstd_saved, Tensor(invstd_saved)
        gx = gw = gb = None
        if needs[0]:
            weight = ctx.operand(1, weight_saved)
            scaled = g * Reshape.apply(weight, shape=shape) if weight is not None else g
            gx = _normalized_grad(scaled, xhat, invstd, axes) if ctx.batch_stats else scaled * invstd
        if needs[1]:
            gw = Sum.apply(g * xhat, dim=axes)
        if needs[2]:
            gb = Sum.apply(g, dim=axes)
        return gx, gw, gb, None, None, None, None, None


class LayerNorm(Function):
    """Normalise x over its last `ndim` dims (biased variance), then scale and shift elementwise.

    With xhat = (x - mean) / sqrt(var + eps) over those dims: d/dweight = sum over the leading dims of g xhat,
    d/dbias = sum of g, d/dx = (gh - mean(gh) - xhat mean(gh xhat)) / sigma with gh = g * weight.
    Computed on x as (rows, features), every row mean and column sum a matrix-vector product (BLAS).
    """

    node_name = "NativeLayerNormBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, weight, bias, ndim, eps):
        features = x.shape[x.ndim - ndim:]
        x2 = x.reshape(-1, int(np.prod(features)))
        avg = np.full(x2.shape[1], 1 / max(x2.shape[1], 1), dtype=x.dtype)
        xhat = x2 - (x2 @ avg)[:, None]
        var = np.square(xhat) @ avg
        var += x.dtype.type(eps)
        invstd = np.sqrt(var)
        np.reciprocal(invstd, out=invstd)
        xhat *= invstd[:, None]
        out = xhat * weight.reshape(-1) if weight is not None else xhat.copy()
        if bias is not None:
            out += bias.reshape(-1)
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(xhat, invstd, weight)
            ctx.features, ctx.eps = features, eps
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        g2 = g.reshape(xhat.shape)
        gx = gw = gb = None
        if needs[0]:
            avg = np.full(xhat.shape[1], 1 / max(xhat.shape[1], 1), dtype=g.dtype)
            gh = g2 * weight.reshape(-1) if weight is not None else g2.copy()
            mean_gh_xhat = (gh * xhat) @ avg
            gh -= (gh @ avg)[:, None]
            gh -= xhat * mean_gh_xhat[:, None]
            gh *= invstd[:, None]
            gx = gh.reshape(g.shape)
        if needs[1] or needs[2]:
            ones = np.ones(g2.shape[0], dtype=g.dtype)
            if needs[1]:
                gw = (ones @ (g2 * xhat)).reshape(ctx.features)
            if needs[2]:
                gb = (ones @ g2).reshape(ctx.features)
        return gx, gw, gb, None, None

    @staticmethod
    def differentiable_backward(ctx, g):
        xhat_saved, invstd_saved, weight_saved = ctx.saved_tensors
        needs, x = ctx.needs_input_grad, ctx.parents[0]
        lead = g.ndim - len(ctx.features)
        dims, lead_dims = tuple(range(lead, g.ndim)), tuple(range(lead))
        if x is not None:
            xhat, invstd = _standardize(x, dims, ctx.eps)
        else:
            xhat = Tensor(xhat_saved.reshape(g.shape))
            invstd = Tensor(invstd_saved.reshape(g.shape[:lead] + (1,) * len(dims)))
        gx = gw = gb = None
        if needs[0]:
            weight = ctx.operand(1, weight_saved)
            gx = _normalized_grad(g * weight if weight is not None else g, xhat, invstd, dims)
        if needs[1]:
            gw = Sum.apply(g * xhat, dim=lead_dims) if lead_dims else g * xhat
        if needs[2]:
            gb = Sum.apply(g, dim=lead_dims) if lead_dims else g
        return gx, gw, gb, None, None


class GroupNorm(Function):
    """Split the C channels of x (N, C, ...) into `groups` groups, normalise each (sample, group) over its
    channels and spatial positions (biased variance), then scale and shift per channel. Instance norm is
    groups = C.

    With xhat = (x - mean) / sqrt(var + eps) per group and gh = g * weight: d/dweight = sum over N and the
    spatial dims of g xhat, d/dbias = sum of g, d/dx = (gh - mean(gh) - xhat mean(gh xhat)) / sigma, the
    means taken over each group. Products that are summed at once go through einsum (no temporaries).
    """

    node_name = "NativeGroupNormBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, groups=1, eps=1e-5):
        n, c = x.shape[:2]
        size = c // groups * math.prod(x.shape[2:])  # spelled out: -1 cannot be inferred when n is 0
        xg = x.reshape(n, groups, size)
        xhat = xg - xg.mean(axis=2, keepdims=True)
        var = np.einsum("ngk,ngk->ng", xhat, xhat)[:, :, None] / size
        invstd = (1 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat *= invstd
        xhat = xhat.reshape(x.shape)
        ctx.save_for_backward(xhat, invstd, weight)
        ctx.groups, ctx.eps = groups, eps
        return _affine(xhat, weight, bias, (1, -1) + (1,) * (x.ndim - 2))

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        n, c = g.shape[:2]
        gx = gw = gb = None
        if needs[0]:
            gh = g * weight.reshape((1, -1) + (1,) * (g.ndim - 2)) if weight is not None else g
            size = c // ctx.groups * math.prod(g.shape[2:])
            gh, xg = gh.reshape(n, ctx.groups, size), xhat.reshape(n, ctx.groups, size)
            mean_g = gh.mean(axis=2, keepdims=True)
            mean_gx = np.einsum("ngk,ngk->ng", gh, xg)[:, :, None] / size
            gx = gh - mean_g
            gx -= xg * mean_gx
            gx *= invstd
            gx = gx.reshape(g.shape)
        spatial = math.prod(g.shape[2:])
        g3 = g.reshape(n, c, spatial)
        if len(needs) > 1 and needs[1]:
            gw = np.einsum("ncs,ncs->c", g3, xhat.reshape(n, c, spatial))
        if len(needs) > 2 and needs[2]:
            gb = g3.sum(axis=(0, 2))
        return gx, gw, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        xhat_saved, invstd_saved, weight_saved = ctx.saved_tensors
        needs, x = ctx.needs_input_grad, ctx.parents[0]
        n, c = g.shape[:2]
        grouped = (n, ctx.groups, c // ctx.groups * math.prod(g.shape[2:]))
        channel = (1, -1) + (1,) * (g.ndim - 2)
        if x is not None:
            xg, invstd = _standardize(Reshape.apply(x, shape=grouped), 2, ctx.eps)
        else:
            xg, invstd = Tensor(xhat_saved.reshape(grouped)), Tensor(invstd_saved)
        gx = gw = gb = None
        if needs[0]:
            weight = ctx.operand(1, weight_saved)
            gh = g * Reshape.apply(weight, shape=channel) if weight is not None else g
            gx = Reshape.apply(_normalized_grad(Reshape.apply(gh, shape=grouped), xg, invstd, 2), shape=g.shape)
        others = (0,) + tuple(range(2, g.ndim))
        if len(needs) > 1 and needs[1]:
            gw = Sum.apply(g * Reshape.apply(xg, shape=g.shape), dim=others)
        if len(needs) > 2 and needs[2]:
            gb = Sum.apply(g, dim=others)
        return (gx, gw, gb)[:len(needs)]
