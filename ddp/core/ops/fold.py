"""Unfold (im2col) and Fold (col2im) of (N, C, H, W) images, each the other's adjoint, so each one's backward
is the other's forward. Both reuse the convolution's helpers in ops/conv.py (padding, output sizes, and
col2im for fold).

Columns are (N, C*KH*KW, L), the rows ordered channel, kernel row, kernel column, and L = OH*OW sliding
blocks in row-major order (torch.nn.functional.unfold's layout). Arguments arrive normalised by the public
wrappers (ddp.core.nn.functional_fold): kernel, dilation, padding and stride as pairs.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd import Function
from .conv import col2im, out_size, pad_into


def blocks(image_hw, kernel, dilation, padding, stride):
    """(OH, OW): how many sliding blocks fit along each side of the (padded) image."""
    return tuple(out_size(s, k, st, 2 * p, d) for s, k, d, p, st in zip(image_hw, kernel, dilation, padding, stride))


def unfold(x, kernel, dilation, padding, stride):
    """x (N, C, H, W) -> columns (N, C*KH*KW, OH*OW): every sliding block, padded with zeros.

    conv's im2col writes the (C, KH, KW, N, OH, OW) layout its GEMMs want; copying its result to this
    batch-major layout made unfold ~8x slower than one copy of the same sliding-window view straight into it.
    """
    (n, c), (kh, kw), (dh, dw), (sh, sw) = x.shape[:2], kernel, dilation, stride
    out_hw = blocks(x.shape[2:], kernel, dilation, padding, stride)
    xp = pad_into(x, (padding[0], padding[0], padding[1], padding[1]))
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = sliding_window_view(xp, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]  # (N, C, OH', OW', KH, KW)
    cols = np.empty((n, c, kh, kw) + out_hw, dtype=x.dtype)
    np.copyto(cols, windows[:, :, :out_hw[0], :out_hw[1]].transpose(0, 1, 4, 5, 2, 3))
    return cols.reshape(n, c * kh * kw, out_hw[0] * out_hw[1])


def fold(cols, image_hw, kernel, dilation, padding, stride):
    """columns (N, C*KH*KW, OH*OW) -> (N, C, H, W): each block added back where it came from (overlaps sum)."""
    n = cols.shape[0]
    c = cols.shape[1] // (kernel[0] * kernel[1])
    out_hw = blocks(image_hw, kernel, dilation, padding, stride)
    (ph, pw), (h, w) = padding, image_hw
    # col2im indexes taps on axes 1, 2 and adds cols[:, i, j] into gxp[:, :, rows, columns]: a view of the
    # columns as (N, KH, KW, C, OH, OW) adds straight into an (N, C, Hp, Wp) image
    taps = cols.reshape((n, c) + tuple(kernel) + out_hw).transpose(0, 2, 3, 1, 4, 5)
    image = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    col2im(taps, image, out_hw, stride, dilation)
    return np.ascontiguousarray(image[:, :, ph:ph + h, pw:pw + w])


class Unfold(Function):
    """x (N, C, H, W) -> its sliding blocks (N, C*KH*KW, L); gx = fold(g)."""

    @staticmethod
    def forward(ctx, x, kernel=(1, 1), dilation=(1, 1), padding=(0, 0), stride=(1, 1)):
        ctx.geometry = (x.shape[2:], kernel, dilation, padding, stride)
        return unfold(x, kernel, dilation, padding, stride)

    @staticmethod
    def backward(ctx, g):
        return fold(g, *ctx.geometry)

    @staticmethod
    def differentiable_backward(ctx, g):
        image_hw, kernel, dilation, padding, stride = ctx.geometry
        return Fold.apply(g, image_hw=image_hw, kernel=kernel, dilation=dilation, padding=padding, stride=stride)


class Fold(Function):
    """columns (N, C*KH*KW, L) -> (N, C, H, W), overlapping blocks summed; gx = unfold(g)."""

    @staticmethod
    def forward(ctx, x, image_hw=(1, 1), kernel=(1, 1), dilation=(1, 1), padding=(0, 0), stride=(1, 1)):
        ctx.geometry = (kernel, dilation, padding, stride)
        return fold(x, image_hw, kernel, dilation, padding, stride)

    @staticmethod
    def backward(ctx, g):
        return unfold(g, *ctx.geometry)

    @staticmethod
    def differentiable_backward(ctx, g):
        kernel, dilation, padding, stride = ctx.geometry
        return Unfold.apply(g, kernel=kernel, dilation=dilation, padding=padding, stride=stride)
