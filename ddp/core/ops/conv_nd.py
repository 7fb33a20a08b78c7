"""Convolution over any number of spatial dims (3-D convolutions use it): im2col + one matrix product per
group, and its transpose, with the N-d im2col / col2im of ops/conv.py.

The 2-D ops in conv.py add speed-ups of their own (stride-1 "wide" col2im, blocked input gradients, filling
DDP's gradient buffers); these keep the plain form. Columns are channel-major, (C * prod(kernel),
N * prod(out)); padding arrives as (before, after) per spatial dim, flattened.
"""
import math

import numpy as np

from ..autograd import Function
from .conv import col2im, im2col, out_size, pad_into


def _channels_first(a):
    """(N, C, *s) -> (C, N, *s), contiguous."""
    return np.ascontiguousarray(np.swapaxes(a, 0, 1))


def columns(xp, kernel, out_shape, stride, dilation, groups):
    """im2col of a padded input as (groups, C/groups * prod(kernel), N * prod(out))."""
    n, c = xp.shape[:2]
    cols = im2col(xp, kernel, out_shape, stride, dilation)
    return cols.reshape(groups, c // groups * math.prod(kernel), n * math.prod(out_shape))


def weight_grad_nd(cols, g, w_shape, groups):
    """d conv / d w: g @ cols^T per group, from the columns of the padded input."""
    oc = w_shape[0]
    g2 = _channels_first(g).reshape(groups, oc // groups, cols.shape[2])
    return np.matmul(g2, cols.transpose(0, 2, 1)).reshape(w_shape)


def conv_forward_nd(cols, w, b, n, out_shape, groups):
    """W @ cols per group, plus b, as (N, OC, *out_shape)."""
    oc = w.shape[0]
    out = np.matmul(w.reshape(groups, oc // groups, -1), cols).reshape(oc, cols.shape[2])
    if b is not None:
        out += b[:, None]
    return _channels_first(out.reshape((oc, n) + tuple(out_shape)))


def input_grad(w, g, x_shape, out_shape, stride, dilation, padding, groups):
    """d conv / d x: col2im(W^T @ g) into the padded input, unpadded; also the transposed conv's forward."""
    n, c = x_shape[:2]
    oc, kernel = w.shape[0], w.shape[2:]
    wt = w.reshape(groups, oc // groups, -1).transpose(0, 2, 1)
    g2 = _channels_first(g).reshape(groups, oc // groups, n * math.prod(out_shape))
    cols = np.matmul(wt, g2).reshape((c,) + tuple(kernel) + (n,) + tuple(out_shape))
    before, after = padding[0::2], padding[1::2]
    padded = tuple(s + b + a for s, b, a in zip(x_shape[2:], before, after))
    gxp = np.zeros((c, n) + padded, dtype=g.dtype)
    col2im(cols, gxp, out_shape, stride, dilation)
    inside = tuple(slice(b, b + s) for b, s in zip(before, x_shape[2:]))
    return _channels_first(gxp[(slice(None), slice(None)) + inside])


class ConvNd(Function):
    """Cross-correlation of x (N, C, *spatial) with w (OC, C/groups, *kernel), plus b (OC,).

    Forward: out = W (G, OC/G, C/G*K) @ cols (G, C/G*K, N*O). Backward: gw = g @ cols^T, gx = col2im(W^T @ g),
    gb = g summed over all but the channels.
    """

    node_name = "ConvolutionBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1, 1), padding=(0,) * 6, dilation=(1, 1, 1), groups=1):
        n, kernel = x.shape[0], w.shape[2:]
        before, after = padding[0::2], padding[1::2]
        out_shape = tuple(out_size(size, k, s, p0 + p1, d)
                          for size, k, s, p0, p1, d in zip(x.shape[2:], kernel, stride, before, after, dilation))
        cols = columns(pad_into(x, padding), kernel, out_shape, stride, dilation, groups)
        needs = ctx.needs_input_grad
        # x itself (no copy) only for a recorded backward's weight gradient, which starts from x, not cols
        ctx.save_for_backward(cols if needs[1] else None, w if needs[0] else None, x if needs[1] else None)
        ctx.geometry = (x.shape, w.shape, out_shape, stride, dilation, padding, groups)
        return conv_forward_nd(cols, w, b, n, out_shape, groups)

    @staticmethod
    def backward(ctx, g):
        cols, w, _ = ctx.saved_tensors
        x_shape, w_shape, out_shape, stride, dilation, padding, groups = ctx.geometry
        needs = ctx.needs_input_grad
        gx = gw = gb = None
        if needs[1]:
            gw = weight_grad_nd(cols, g, w_shape, groups)
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=(0,) + tuple(range(2, g.ndim)))
        if needs[0]:
            gx = input_grad(w, g, x_shape, out_shape, stride, dilation, padding, groups)
        return gx, gw, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        from .conv_recorded import recorded_conv_backward  # conv_recorded builds on this module
        _, w, x = ctx.saved_tensors
        x_shape, w_shape, _, stride, dilation, padding, groups = ctx.geometry
        settings = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        return recorded_conv_backward(ctx, g, x, w, x_shape, w_shape, settings)


class ConvTransposeNd(Function):
    """The transpose of ConvNd: x (N, C, *spatial), w (C, OC/groups, *kernel), plus b (OC,).

    Forward is ConvNd's input gradient with x as the output gradient, into an (N, OC, *out_shape) output
    whose size comes from the wrapper. Backward runs ConvNd's forward on g: gx = W @ im2col(g),
    gw = x @ im2col(g)^T, gb = g summed.
    """

    node_name = "ConvolutionBackward0"  # PyTorch's name for the node

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1, 1), padding=(0,) * 6, dilation=(1, 1, 1), groups=1,
                out_shape=(1, 1, 1)):
        n, oc = x.shape[0], w.shape[1] * groups
        out = input_grad(w, x, (n, oc) + tuple(out_shape), x.shape[2:], stride, dilation, padding, groups)
        if b is not None:
            out += b.reshape((1, -1) + (1,) * len(out_shape))
        needs = ctx.needs_input_grad
        ctx.save_for_backward(x if needs[1] else None, w if needs[0] else None)
        ctx.geometry = (x.shape, w.shape, stride, dilation, padding, groups)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        x_shape, w_shape, stride, dilation, padding, groups = ctx.geometry
        needs = ctx.needs_input_grad
        n = x_shape[0]
        gx = gw = gb = None
        if needs[0] or needs[1]:
            cols = columns(pad_into(g, padding), w_shape[2:], x_shape[2:], stride, dilation, groups)
        if needs[0]:
            gx = conv_forward_nd(cols, w, None, n, x_shape[2:], groups)
        if needs[1]:
            gw = weight_grad_nd(cols, x, w_shape, groups)
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=(0,) + tuple(range(2, g.ndim)))
        return gx, gw, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        from .conv_recorded import recorded_transpose_backward  # conv_recorded builds on this module
        x, w = ctx.saved_tensors
        _, w_shape, stride, dilation, padding, groups = ctx.geometry
        settings = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        return recorded_transpose_backward(ctx, g, x, w, w_shape, settings)
