"""2-D convolution as im2col + one matrix product per group, with a col2im backward; its transpose the
other way round.

Columns are laid out channel-major, (C*KH*KW, N*OH*OW), so that the forward product and both gradient
products are single large GEMMs over the whole batch. Arguments arrive normalised by the public wrapper
(ddp.core.nn.functional_conv): stride, dilation as pairs; padding as (top, bottom, left, right).
The helpers pad_into, tap_slices, im2col and col2im take any number of spatial dims (padding as (before,
after) per dim, flattened); conv_nd.py (3-D convolution) and pool.py share them.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

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


def im2col(xp, kernel, out_hw, stride, dilation, batch_major=False):
    """Columns of a padded (N, C, *spatial) input: one contiguous copy of its sliding windows, any number of
    spatial dims. Channel-major (C, *kernel, N, *out) by default: one GEMM's operand for the whole batch;
    batch-major (N, C, *kernel, *out): one (C*K, prod(out)) matrix per sample."""
    n, c = xp.shape[:2]
    steps = xp.strides[2:]
    taps = tuple(kernel), tuple(st * dl for st, dl in zip(steps, dilation))
    positions = tuple(out_hw), tuple(st * s for st, s in zip(steps, stride))
    sample, channel = ((n,), (xp.strides[0],)), ((c,), (xp.strides[1],))
    parts = (sample, channel, taps, positions) if batch_major else (channel, taps, sample, positions)
    # the windows as one strided view; as_strided costs a tenth of sliding_window_view
    windows = as_strided(xp, sum((p[0] for p in parts), ()), sum((p[1] for p in parts), ()), writeable=False)
    cols = np.empty(windows.shape, dtype=xp.dtype)
    np.copyto(cols, windows)
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


#: Bytes of columns per block of samples: small enough that a block's columns stay in cache between the copy
#: that makes them and the matrix product that reads them (a whole batch's columns at batch 256 are ~58 MB).
BLOCK_BYTES = 2 << 20


def sample_blocks(n, bytes_per_sample):
    """Slices of the batch, in order, each holding about BLOCK_BYTES of columns (at least one sample)."""
    step = max(1, BLOCK_BYTES // max(bytes_per_sample, 1))
    return [slice(b0, min(b0 + step, n)) for b0 in range(0, n, step)]


def _rows_first(g, groups):
    """g (S, OC, *out) as (G, OC/G, S*prod(out)), contiguous: the layout of the channel-major GEMMs."""
    s, oc = g.shape[:2]
    return np.ascontiguousarray(np.swapaxes(g, 0, 1)).reshape(groups, oc // groups, s * g[0, 0].size)


#: Below this many rows (C/groups * KH * KW) per group the weight gradient's GEMMs are bound by memory, not
#: arithmetic, and one product per sample (no transposed copy of g) beats one per block (measured: 3x faster
#: for a 1-channel 3x3 conv, 1.2x slower for 32 channels).
SMALL_ROWS = 64


def conv_forward(xp, w, b, out_hw, stride, dilation, groups):
    """out (N, OC, OH, OW) = W @ im2col(xp) + b, one block of samples at a time.

    The columns are batch-major, so a block's products (one (OC, C*K) @ (C*K, OH*OW) per sample and group)
    land straight in the output: no whole-batch columns, no transposed copy of the output.
    """
    n, c = xp.shape[:2]
    oc, _, kh, kw = w.shape
    positions = out_hw[0] * out_hw[1]
    wg = w.reshape(groups, oc // groups, -1)
    out = np.empty((n, oc) + tuple(out_hw), dtype=xp.dtype)
    for block in sample_blocks(n, c * kh * kw * positions * xp.itemsize):
        s = block.stop - block.start
        cols = im2col(xp[block], (kh, kw), out_hw, stride, dilation, batch_major=True)
        product = out[block].reshape(s, groups, oc // groups, positions)
        np.matmul(wg, cols.reshape(s, groups, c // groups * kh * kw, positions), out=product)
        if b is not None:
            product += b.reshape(groups, oc // groups, 1)  # while the block is in cache
    return out


def weight_grad(xp, g, w_shape, stride, dilation, groups, out=None):
    """gw = sum over blocks of g @ im2col(xp)^T, the columns made again block by block (cheaper than keeping
    the whole batch's from forward, and ~58 MB less memory at batch 256). Few rows: one product per sample,
    summed; else one channel-major product per block. Written into `out` when given (DDP's gradient buffer)."""
    n, c = xp.shape[:2]
    oc, _, kh, kw = w_shape
    out_hw = g.shape[2:]
    positions = out_hw[0] * out_hw[1]
    rows = c // groups * kh * kw
    gw = np.zeros((groups, oc // groups, rows), dtype=g.dtype) if out is None else out.reshape(groups, oc // groups, rows)
    if out is not None:
        gw.fill(0)
    per_sample = rows < SMALL_ROWS
    for block in sample_blocks(n, c * kh * kw * positions * xp.itemsize):
        s = block.stop - block.start
        cols = im2col(xp[block], (kh, kw), out_hw, stride, dilation, batch_major=per_sample)
        if per_sample:
            g3 = g[block].reshape(s, groups, oc // groups, positions)
            cols = cols.reshape(s, groups, rows, positions)
            gw += np.matmul(g3, np.swapaxes(cols, 2, 3)).sum(axis=0)
            continue
        cols = cols.reshape(groups, rows, s * positions)
        g2 = _rows_first(g[block], groups)
        if rows >= g2.shape[1]:  # BLAS runs faster with the longer side as the output's rows
            gw += np.swapaxes(np.matmul(cols, np.swapaxes(g2, 1, 2)), 1, 2)
        else:
            gw += np.matmul(g2, np.swapaxes(cols, 1, 2))
    return gw.reshape(w_shape) if out is None else out


def input_grad(w, g, x_shape, padded_hw, out_hw, stride, dilation, padding, groups):
    """gx = col2im(W^T @ g), one block of samples at a time, each block's columns folded back while in cache.

    For stride 1 the block's g is widened with zero columns to the padded input's row length (OC, S, OH, Wp),
    so that each kernel tap folds back as one flat shift (col2im_wide)."""
    n, c, h, wd = x_shape
    oc, _, kh, kw = w.shape
    hp, wp = padded_hw
    top, _, left, _ = padding
    wt = np.swapaxes(w.reshape(groups, oc // groups, -1), 1, 2)
    wide = tuple(stride) == (1, 1)
    row = wp if wide else out_hw[1]
    gx = np.empty(x_shape, dtype=g.dtype)
    for block in sample_blocks(n, c * kh * kw * out_hw[0] * row * g.itemsize):
        s = block.stop - block.start
        if wide:
            src = np.zeros((oc, s, out_hw[0], wp), dtype=g.dtype)
            src[..., :out_hw[1]] = np.swapaxes(g[block], 0, 1)
            gxp = np.zeros((c, s, hp * wp + dilation[1] * (kw - 1)), dtype=g.dtype)
        else:
            src = np.ascontiguousarray(np.swapaxes(g[block], 0, 1))
            gxp = np.zeros((c, s, hp, wp), dtype=g.dtype)
        cols = np.matmul(wt, src.reshape(groups, oc // groups, -1)).reshape((c, kh, kw) + src.shape[1:])
        if wide:
            col2im_wide(cols.reshape(c, kh, kw, s, -1), gxp, wp, dilation)
        else:
            col2im(cols, gxp, out_hw, stride, dilation)
        inside = gxp[:, :, :hp * wp].reshape(c, s, hp, wp)[:, :, top:top + h, left:left + wd]
        np.copyto(gx[block], np.swapaxes(inside, 0, 1))
    return gx


class Conv2d(Function):
    """Cross-correlation of x (N, C, H, W) with w (OC, C/groups, KH, KW), plus b (OC,).

    Forward: out = W (G, OC/G, C/G*KH*KW) @ cols (G, C/G*KH*KW, S*OH*OW) per block of S samples. Backward:
    gw = g @ cols^T (columns made again), gx = col2im(W^T @ g), both per block; gb = g summed. Forward keeps
    the padded input, not the columns.
    """

    node_name = "ConvolutionBackward0"  # PyTorch's name for the node

    fills_grad_buffers = True

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), groups=1):
        h, wd = x.shape[2:]
        kh, kw = w.shape[2:]
        top, bottom, left, right = padding
        out_hw = (out_size(h, kh, stride[0], top + bottom, dilation[0]),
                  out_size(wd, kw, stride[1], left + right, dilation[1]))
        xp = pad_into(x, padding)
        needs = ctx.needs_input_grad
        ctx.save_for_backward(xp if needs[1] else None, w if needs[0] else None)
        ctx.geometry = (x.shape, w.shape, xp.shape[2:], out_hw, stride, dilation, padding, groups)
        return conv_forward(xp, w, b, out_hw, stride, dilation, groups)

    @staticmethod
    def backward(ctx, g):
        xp, w = ctx.saved_tensors
        x_shape, w_shape, padded_hw, out_hw, stride, dilation, padding, groups = ctx.geometry
        needs = ctx.needs_input_grad
        gx = gw = gb = None
        if needs[1]:
            gw = weight_grad(xp, g, w_shape, stride, dilation, groups, out=ctx.grad_buffer(1))
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=(0, 2, 3), out=ctx.grad_buffer(2))
        if needs[0]:
            gx = input_grad(w, g, x_shape, padded_hw, out_hw, stride, dilation, padding, groups)
        return gx, gw, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        from .conv_recorded import recorded_conv_backward  # conv_recorded builds on this module
        xp, w = ctx.saved_tensors
        x_shape, w_shape, _, _, stride, dilation, padding, groups = ctx.geometry
        top, _, left, _ = padding
        x = None if xp is None else xp[:, :, top:top + x_shape[2], left:left + x_shape[3]]
        settings = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        return recorded_conv_backward(ctx, g, x, w, x_shape, w_shape, settings)


class ConvTranspose2d(Function):
    """The transpose of Conv2d: x (N, C, H, W), w (C, OC/groups, KH, KW), plus b (OC,).

    Its forward is Conv2d's input gradient with x in the place of the output gradient: out = col2im(W^T @ x)
    into an (N, OC, OH, OW) output whose size comes from the wrapper. Backward runs Conv2d's forward on g:
    gx = W @ im2col(g), gw = x @ im2col(g)^T, gb = g summed.
    """

    node_name = "ConvolutionBackward0"  # PyTorch's name for the node

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
        ctx.geometry = (x.shape[2:], w.shape, stride, dilation, padding, groups)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        x_hw, w_shape, stride, dilation, padding, groups = ctx.geometry
        needs = ctx.needs_input_grad
        gx = gw = gb = None
        if needs[0] or needs[1]:
            gp = pad_into(g, padding)
        if needs[0]:
            gx = conv_forward(gp, w, None, x_hw, stride, dilation, groups)
        if needs[1]:
            gw = weight_grad(gp, x, w_shape, stride, dilation, groups)
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb

    @staticmethod
    def differentiable_backward(ctx, g):
        from .conv_recorded import recorded_transpose_backward  # conv_recorded builds on this module
        x, w = ctx.saved_tensors
        _, w_shape, stride, dilation, padding, groups = ctx.geometry
        settings = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        return recorded_transpose_backward(ctx, g, x, w, w_shape, settings)
