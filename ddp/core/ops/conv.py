"""2-D convolution as im2col + one matrix product per group, with a col2im backward; its transpose the
other way round.

Columns are laid out channel-major, (C*KH*KW, N*OH*OW), so that the forward product and both gradient
products are single large GEMMs over the whole batch. Arguments arrive normalised by the public wrapper
(ddp.core.nn.functional_conv): stride, dilation as pairs; padding as (top, bottom, left, right).
The helpers pad_into, tap_slices, im2col and col2im take any number of spatial dims (padding as (before,
after) per dim, flattened); conv_nd.py (3-D convolution) and pool.py share them.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd import Function


def out_size(size, k, stride, pad_total, dilation):
    """Output length of a sliding window of `k` taps over `size` (+ padding), floor rounding."""
    return (size + pad_total - dilation * (k - 1) - 1) // stride + 1


def pad_into(x, padding, value=0.0, extra=None):
    """x (N, C, *spatial) inside a fresh buffer filled with `value`. `padding` holds (before, after) per
    spatial dim, flattened ((top, bottom, left, right) in 2-D); `extra` widens each dim's far end."""
    spatial = x.shape[2:]
    extra = extra if extra is not None else (0,) * len(spatial)
    if not any(padding) and not any(extra):
        return x
    before, after = padding[0::2], padding[1::2]
    shape = tuple(s + b + a + e for s, b, a, e in zip(spatial, before, after, extra))
    xp = np.full(x.shape[:2] + shape, value, dtype=x.dtype)
    xp[(slice(None), slice(None)) + tuple(slice(b, b + s) for b, s in zip(before, spatial))] = x
    return xp


def tap_slices(offsets, out_shape, stride, dilation):
    """The per-dim slices of a padded input that kernel tap `offsets` reads for every output position."""
    return tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                 for i, o, s, d in zip(offsets, out_shape, stride, dilation))


def window_slices(i, j, out_hw, stride, dilation):
    """The (rows, cols) slices of a padded input that kernel tap (i, j) reads for every output position."""
    return tap_slices((i, j), out_hw, stride, dilation)


def im2col(xp, kernel, out_hw, stride, dilation):
    """Columns (C, *kernel, N, *out) of a padded (N, C, *spatial) input: one contiguous copy of its sliding
    windows (any number of spatial dims; (C, KH, KW, N, OH, OW) in 2-D)."""
    d = len(kernel)
    span = tuple(dl * (k - 1) + 1 for k, dl in zip(kernel, dilation))
    windows = sliding_window_view(xp, span, axis=tuple(range(2, 2 + d)))
    starts = tuple(slice(None, s * (o - 1) + 1, s) for s, o in zip(stride, out_hw))  # one window per output
    windows = windows[(slice(None), slice(None)) + starts + tuple(slice(None, None, dl) for dl in dilation)]
    n, c = xp.shape[:2]
    cols = np.empty((c,) + tuple(kernel) + (n,) + tuple(out_hw), dtype=xp.dtype)
    np.copyto(cols, windows.transpose((1,) + tuple(range(2 + d, 2 + 2 * d)) + (0,) + tuple(range(2, 2 + d))))
    return cols


def col2im(cols, gxp, out_hw, stride, dilation):
    """Add columns (C, *kernel, N, *out) into a padded (C, N, *spatial) gradient: one add per kernel tap."""
    d = len(out_hw)
    for offsets in np.ndindex(*cols.shape[1:1 + d]):
        window = tap_slices(offsets, out_hw, stride, dilation)
        gxp[(slice(None), slice(None)) + window] += cols[(slice(None),) + offsets]


def col2im_wide(cols, flat, wp, dilation):
    """col2im for stride 1 from "wide" columns (C, KH, KW, N, OH*Wp) whose columns OW..Wp-1 are zero, into
    a flat padded gradient (C, N, Hp*Wp + dw*(KW-1)).

    With rows as long as the padded input's, tap (i, j) is one flat shift by i*dh*Wp + j*dw, so each add
    runs over long contiguous rows (the zero columns land harmlessly on the next row's start).
    """
    length = cols.shape[-1]
    for i in range(cols.shape[1]):
        for j in range(cols.shape[2]):
            start = i * dilation[0] * wp + j * dilation[1]
            flat[:, :, start:start + length] += cols[:, i, j]


#: Bytes of columns to fold back at a time: small enough to stay in cache between the product and the adds.
BLOCK_BYTES = 2 << 20


def input_grad(w, g, x_shape, padded_hw, out_hw, stride, dilation, padding, groups):
    """gx = col2im(W^T @ g), computed over blocks of samples so that each block's columns stay in cache."""
    n, c, h, wd = x_shape
    oc, _, kh, kw = w.shape
    hp, wp = padded_hw
    wt = w.reshape(groups, oc // groups, -1).transpose(0, 2, 1)
    wide = stride == (1, 1)
    if wide:  # g with zero-widened rows (OC, N, OH, Wp): tap offsets become flat shifts
        src = np.zeros((oc, n, out_hw[0], wp), dtype=g.dtype)
        src[..., :out_hw[1]] = g.transpose(1, 0, 2, 3)
        gxp = np.zeros((c, n, hp * wp + dilation[1] * (kw - 1)), dtype=g.dtype)
    else:
        src = np.ascontiguousarray(g.transpose(1, 0, 2, 3))
        gxp = np.zeros((c, n, hp, wp), dtype=g.dtype)
    per_sample = wt.shape[1] * groups * src.shape[2] * src.shape[3] * g.itemsize
    step = max(1, BLOCK_BYTES // max(per_sample, 1))
    for b0 in range(0, n, step):
        block = src[:, b0:b0 + step]
        cols = np.matmul(wt, block.reshape(groups, oc // groups, -1)).reshape((c, kh, kw) + block.shape[1:])
        if wide:
            col2im_wide(cols.reshape(c, kh, kw, block.shape[1], -1), gxp[:, b0:b0 + step], wp, dilation)
        else:
            col2im(cols, gxp[:, b0:b0 + step], out_hw, stride, dilation)
    gxp = gxp[:, :, :hp * wp].reshape(c, n, hp, wp)
    top, _, left, _ = padding
    return np.ascontiguousarray(gxp[:, :, top:top + h, left:left + wd].transpose(1, 0, 2, 3))


class Conv2d(Function):
    """Cross-correlation of x (N, C, H, W) with w (OC, C/groups, KH, KW), plus b (OC,).

    Forward: out = W (G, OC/G, C/G*KH*KW) @ cols (G, C/G*KH*KW, N*OH*OW). Backward: gw = g @ cols^T,
    gx = col2im(W^T @ g) over blocks of samples (skipped when x needs no gradient), gb = g summed.
    """

    fills_grad_buffers = True

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), groups=1):
        n, c, h, wd = x.shape
        oc, _, kh, kw = w.shape
        top, bottom, left, right = padding
        out_hw = (out_size(h, kh, stride[0], top + bottom, dilation[0]),
                  out_size(wd, kw, stride[1], left + right, dilation[1]))
        xp = pad_into(x, padding)
        positions = n * out_hw[0] * out_hw[1]  # sizes spelled out: -1 cannot be inferred on an empty batch
        cols = im2col(xp, (kh, kw), out_hw, stride, dilation).reshape(groups, c // groups * kh * kw, positions)
        wg = w.reshape(groups, oc // groups, -1)
        out = np.matmul(wg, cols).reshape(oc, positions)
        if b is not None:
            out += b[:, None]
        needs = ctx.needs_input_grad
        ctx.save_for_backward(cols if needs[1] else None, w if needs[0] else None)
        ctx.geometry = (x.shape, w.shape, xp.shape[2:], out_hw, stride, dilation, padding, groups)
        return np.ascontiguousarray(out.reshape((oc, n) + out_hw).transpose(1, 0, 2, 3))

    @staticmethod
    def backward(ctx, g):
        cols, w = ctx.saved_tensors
        x_shape, w_shape, padded_hw, out_hw, stride, dilation, padding, groups = ctx.geometry
        needs = ctx.needs_input_grad
        oc = g.shape[1]
        gx = gw = gb = None
        if needs[1] or (len(needs) > 2 and needs[2]):  # g as (G, OC/G, N*OH*OW), matching the columns
            g2 = np.ascontiguousarray(g.transpose(1, 0, 2, 3)).reshape(groups, oc // groups, g[:, 0].size)
        if needs[1]:
            if cols.shape[1] >= g2.shape[1]:  # BLAS runs faster with the longer side as the output's rows
                gw = np.matmul(cols, g2.transpose(0, 2, 1)).transpose(0, 2, 1).reshape(w_shape)
            else:
                gw = ctx.grad_buffer(1)  # filled in place when offered, else a fresh array
                if gw is None:
                    gw = np.matmul(g2, cols.transpose(0, 2, 1)).reshape(w_shape)
                else:
                    np.matmul(g2, cols.transpose(0, 2, 1), out=gw.reshape(g2.shape[:2] + cols.shape[1:2]))
        if len(needs) > 2 and needs[2]:
            gb = g2.reshape(oc, g2.shape[2]).sum(axis=1, out=ctx.grad_buffer(2))
        if needs[0]:
            gx = input_grad(w, g, x_shape, padded_hw, out_hw, stride, dilation, padding, groups)
        return gx, gw, gb


class ConvTranspose2d(Function):
    """The transpose of Conv2d: x (N, C, H, W), w (C, OC/groups, KH, KW), plus b (OC,).

    Its forward is Conv2d's input gradient with x in the place of the output gradient: out = col2im(W^T @ x)
    into an (N, OC, OH, OW) output whose size comes from the wrapper. Backward runs Conv2d's forward on g:
    gx = W @ im2col(g), gw = x @ im2col(g)^T, gb = g summed.
    """

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), groups=1, out_hw=(1, 1)):
        n = x.shape[0]
        oc = w.shape[1] * groups
        top, bottom, left, right = padding
        padded_hw = (out_hw[0] + top + bottom, out_hw[1] + left + right)
        out = input_grad(w, x, (n, oc) + tuple(out_hw), padded_hw, x.shape[2:], stride, dilation, padding, groups)
        if b is not None:
            out += b.reshape(1, -1, 1, 1)
        needs = ctx.needs_input_grad
        ctx.save_for_backward(x if needs[1] else None, w if needs[0] else None)
        ctx.geometry = (x.shape, w.shape, stride, dilation, padding, groups)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        x_shape, w_shape, stride, dilation, padding, groups = ctx.geometry
        needs = ctx.needs_input_grad
        n, c = x_shape[:2]
        gx = gw = gb = None
        if needs[0] or needs[1]:
            cols = im2col(pad_into(g, padding), w_shape[2:], x_shape[2:], stride, dilation)
            rows = cols.shape[0] // groups * w_shape[2] * w_shape[3]  # spelled out for an empty batch
            cols = cols.reshape(groups, rows, n * x_shape[2] * x_shape[3])
        if needs[0]:
            out = np.matmul(w.reshape(groups, c // groups, -1), cols).reshape((c, n) + tuple(x_shape[2:]))
            gx = np.ascontiguousarray(out.transpose(1, 0, 2, 3))
        if needs[1]:
            x2 = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).reshape(groups, c // groups, x[:, 0].size)
            gw = np.matmul(x2, cols.transpose(0, 2, 1)).reshape(w_shape)
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb
