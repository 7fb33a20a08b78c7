"""Batched image operations behind the transforms, on (B, C, H, W) numpy arrays with per-sample parameters.

Image layouts accepted by the transforms (see `as_nchw`): Tensors are (C, H, W) or batches (..., C, H, W)
(as `ToTensor` makes them); PIL images (see `pil`); numpy arrays are images as datasets store them: grey (H, W),
a grey batch (B, H, W) (MNIST), one image (H, W, C) with C <= 4 (a PIL image as an array, CIFAR10; always
one image, as torchvision's ToTensor reads it) or a colour batch (B, H, W, C) with C = 1, 3 or 4. So a
3-d array is one image when its last dim is at most 4, else a grey batch (MNIST's batches go through the
transforms whole, so a (B, 28, 28) must not be mistaken for one image of 28 channels).
"""
import numpy as np

from ddp.core.tensor import Tensor

from . import pil


def is_channels_last(a):
    """Whether a numpy image (or batch) keeps its channels last: (H, W, C <= 4) or (B, H, W, C in 1, 3, 4)."""
    return (a.ndim == 3 and a.shape[-1] <= 4) or (a.ndim == 4 and a.shape[-1] in (1, 3, 4))


def as_nchw(x, op):
    """View `x` as a (B, C, H, W) array; returns it and `restore(out)` giving `out` back x's layout and type.

    `out` may have another channel count (Grayscale): a Tensor keeps its leading dims, a numpy image
    comes back channels last when it has more than one channel, and a PIL image comes back in its mode
    (see `pil.from_array`).
    """
    if pil.is_pil_image(x):
        a4, restore = as_nchw(pil.to_array(x), op)
        return a4, lambda out: pil.from_array(restore(out), x)
    is_tensor = isinstance(x, Tensor)
    a = x.numpy() if is_tensor else np.asarray(x)
    if (a.ndim < 3) if is_tensor else (a.ndim not in (2, 3) and not is_channels_last(a)):
        kind = "Tensor (..., C, H, W)" if is_tensor else "array (H, W), (H, W, C), (B, H, W) or (B, H, W, C)"
        raise ValueError(f"{op}: expected an image {kind}, got shape {a.shape}")
    if is_tensor:  # any leading dims, as torchvision's (..., C, H, W), flattened into one batch dim
        lead = a.shape[:-3]
        return a.reshape((-1,) + a.shape[-3:]), lambda out: Tensor(out.reshape(lead + out.shape[1:]))
    if is_channels_last(a):
        single = a.ndim == 3
        a4 = (a[None] if single else a).transpose(0, 3, 1, 2)

        def restore(out):
            out = np.ascontiguousarray(out.transpose(0, 2, 3, 1))
            return out[0] if single else out
        return a4, restore
    lead = a.shape[:-2]
    a4 = a.reshape((-1, 1) + a.shape[-2:])

    def restore(out):
        if out.shape[1] == 1:
            return out.reshape(lead + out.shape[-2:])
        return np.ascontiguousarray(out.transpose(0, 2, 3, 1)).reshape(lead + out.shape[-2:] + out.shape[1:2])
    return a4, restore


def pad(x, padding, fill=0, mode="constant"):
    """Pad the last two dims by `(left, top, right, bottom)`; `mode` is numpy's (constant/edge/reflect/symmetric)."""
    left, top, right, bottom = padding
    widths = ((0, 0), (0, 0), (top, bottom), (left, right))
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=fill)
    return np.pad(x, widths, mode=mode)


def crop(x, top, left, height, width):
    """Crop each sample b of `x` (B, C, H, W) to rows top[b]:top[b]+height, cols left[b]:left[b]+width."""
    b = np.arange(x.shape[0])[:, None, None, None]
    c = np.arange(x.shape[1])[None, :, None, None]
    rows = (np.asarray(top)[:, None] + np.arange(height))[:, None, :, None]
    cols = (np.asarray(left)[:, None] + np.arange(width))[:, None, None, :]
    return x[b, c, rows, cols]


def affine_matrix(angle, translate, scale, shear, center):
    """Per-sample (B, 2, 3) matrices mapping output pixel (x, y) to the input pixel it samples.

    torchvision's affine: the forward map is p_out = center + translate + scale * R(angle) @ SHy @ SHx @
    (p_in - center), with x to the right, y down, angles in degrees, a positive angle turning the image
    clockwise as displayed (`rotate` turns counter-clockwise: it passes -angle), SHx = [[1, -tan(shear_x)],
    [0, 1]] and SHy = [[1, 0], [-tan(shear_y), 1]].

    Args:
        angle, scale: (B,) arrays. translate, shear: (B, 2) arrays. center: (x, y).
    """
    a, (sx, sy) = np.radians(angle), np.radians(np.asarray(shear, np.float64).T)
    cos, sin = np.cos(a), np.sin(a)
    rot = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    tx, ty = np.tan(sx), np.tan(sy)
    shear_m = np.stack([np.stack([np.ones_like(tx), -tx], -1), np.stack([-ty, 1 + tx * ty], -1)], -2)
    inv = np.linalg.inv(np.asarray(scale)[:, None, None] * rot @ shear_m)
    c = np.asarray(center, np.float64)
    offset = c[:, None] - inv @ (c + np.asarray(translate, np.float64))[..., None]
    return np.concatenate([inv, offset], -1)


def _gather(flat, H, W, ix, iy, fill):
    """flat (B, C, H*W) sampled at integer pixels (B, N); out-of-image pixels read `fill`."""
    inside = (ix >= 0) & (ix < W) & (iy >= 0) & (iy < H)
    index = np.where(inside, iy * W + ix, 0)[:, None, :]
    out = np.take_along_axis(flat, np.broadcast_to(index, flat.shape[:2] + index.shape[2:]), axis=2)
    return np.where(inside[:, None, :], out, np.asarray(fill).astype(flat.dtype))


def warp(x, matrix, interpolation="nearest", fill=0, size=None):
    """Resample `x` (B, C, H, W): output pixel p of sample b reads input pixel matrix[b] @ (p, 1).

    `size` (h, w) is the output's, by default the input's. `interpolation` is "nearest" (ties to even) or
    "bilinear"; pixels outside the input read `fill`. Integer images are rounded back to their dtype after
    bilinear blending.
    """
    h, w = x.shape[2:] if size is None else size
    src_x, src_y = warp_coords(matrix, (h, w))
    return sample(x, src_x, src_y, interpolation, fill).reshape(x.shape[:2] + (h, w))


def warp_coords(matrix, size):
    """The input pixel coordinates (src_x, src_y), each (B, h * w), that `matrix` (B, 2, 3) maps the output
    pixels of `size` (h, w) to, in float32."""
    h, w = size
    ys, xs = np.mgrid[0:h, 0:w].reshape(2, 1, h * w).astype(np.float32)
    m = np.asarray(matrix, np.float32)[..., None]
    return m[:, 0, 0] * xs + m[:, 0, 1] * ys + m[:, 0, 2], m[:, 1, 0] * xs + m[:, 1, 1] * ys + m[:, 1, 2]


def sample(x, src_x, src_y, interpolation="nearest", fill=0):
    """`x` (B, C, H, W) read at the pixel coordinates (src_x, src_y), each (B, N): (B, C, N), by "nearest" or
    "bilinear" as `warp` reads them."""
    B, C, H, W = x.shape
    flat = x.reshape(B, C, H * W)
    if interpolation == "nearest":
        return _gather(flat, H, W, np.rint(src_x).astype(np.intp), np.rint(src_y).astype(np.intp), fill)
    if interpolation != "bilinear":
        raise ValueError(f"warp: interpolation must be 'nearest' or 'bilinear', got {interpolation!r}")
    x0, y0 = np.floor(src_x), np.floor(src_y)
    wx, wy = (src_x - x0)[:, None], (src_y - y0)[:, None]
    x0, y0 = x0.astype(np.intp), y0.astype(np.intp)
    integer = x.dtype.kind in "iu"
    work = flat.astype(np.float32) if integer else flat
    corner = lambda dx, dy: _gather(work, H, W, x0 + dx, y0 + dy, fill)  # noqa: E731
    top = corner(0, 0) * (1 - wx) + corner(1, 0) * wx
    bottom = corner(0, 1) * (1 - wx) + corner(1, 1) * wx
    out = top * (1 - wy) + bottom * wy
    if integer:
        out = np.clip(np.rint(out), np.iinfo(x.dtype).min, np.iinfo(x.dtype).max)
    return out.astype(x.dtype, copy=False)


def _cubic(t, a):
    """Keys' cubic convolution kernel with parameter `a` at distances `t` (zero from 2 on)."""
    t = np.abs(t)
    near = ((a + 2) * t - (a + 3)) * t * t + 1
    far = ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return np.where(t < 1, near, np.where(t < 2, far, 0))


def _resize_weights(n_out, n_in, interpolation, antialias):
    """(n_out, n_in) weights mapping an axis of n_in pixels to n_out, with half-pixel centers, as PyTorch's
    interpolate(align_corners=False). Bilinear: a triangle between neighbours (edges clamp), widened by the
    shrink factor and normalised when shrinking with antialias (PIL's filter; both agree when enlarging).
    Bicubic: Keys' kernel, a = -0.75 on four taps with clamped indices; with antialias PIL's a = -0.5 kernel,
    widened when shrinking and normalised over the taps inside the image, enlarging too (so that tensors and
    PIL images agree, as torchvision intends)."""
    scale = n_in / n_out
    centers = (np.arange(n_out) + 0.5) * scale
    if interpolation == "bicubic" and antialias:
        stretch = max(scale, 1.0)
        w = _cubic((np.arange(n_in) + 0.5 - centers[:, None]) / stretch, -0.5)
        return w / w.sum(axis=1, keepdims=True)
    if interpolation == "bicubic":
        src = centers - 0.5
        first = np.minimum(np.floor(src), n_in - 1)
        t = np.clip(src - first, 0, 1)
        w = np.zeros((n_out, n_in))
        for tap in range(-1, 3):  # four taps; a tap clamped onto an edge pixel adds to its weight
            index = np.clip(first + tap, 0, n_in - 1).astype(np.intp)
            np.add.at(w, (np.arange(n_out), index), _cubic(t - tap, -0.75))
        return w
    if antialias and scale > 1:
        w = np.maximum(1 - np.abs((np.arange(n_in) + 0.5 - centers[:, None]) / scale), 0)
        return w / w.sum(axis=1, keepdims=True)
    src = np.clip(centers - 0.5, 0, n_in - 1)
    return np.maximum(1 - np.abs(np.arange(n_in) - src[:, None]), 0)


def resize(x, size, interpolation="bilinear", antialias=True):
    """Resample `x` (B, C, H, W) to `size` (h, w). "bilinear" and "bicubic" are separable: a matrix product
    along each axis (antialiased if `antialias`, as PyTorch's interpolate(antialias=True)); "nearest" reads
    pixel floor(i * in / out), "nearest-exact" pixel floor((i + 0.5) * in / out). Integer images are rounded
    back to their dtype (bicubic clipped to its range first, as torchvision); float bicubic may overshoot."""
    B, C, H, W = x.shape
    h, w = size
    if interpolation in ("nearest", "nearest-exact"):
        shift = 0.5 if interpolation == "nearest-exact" else 0.0
        rows = np.minimum(((np.arange(h) + shift) * (H / h)).astype(np.intp), H - 1)
        cols = np.minimum(((np.arange(w) + shift) * (W / w)).astype(np.intp), W - 1)
        return x[:, :, rows[:, None], cols[None, :]]
    if interpolation not in ("bilinear", "bicubic"):
        raise ValueError(f"resize: interpolation must be 'nearest', 'nearest-exact', 'bilinear' or 'bicubic', "
                         f"got {interpolation!r}")
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    rows = _resize_weights(h, H, interpolation, antialias).astype(dtype)
    cols = _resize_weights(w, W, interpolation, antialias).astype(dtype)
    out = rows @ x.astype(dtype, copy=False) @ cols.T
    if x.dtype.kind in "iu":
        out = np.clip(np.rint(out), np.iinfo(x.dtype).min, np.iinfo(x.dtype).max)
    return out.astype(x.dtype, copy=False)


def crop_resize(x, top, left, height, width, size, interpolation="bilinear"):
    """Crop each sample b of `x` (B, C, H, W) to its own window (top[b], left[b], height[b], width[b]) and
    resample it to `size` (h, w): bilinear with half-pixel centers (edges clamp), or nearest (floor)."""
    B, C, H, W = x.shape
    (oh, ow), b = size, np.arange(B)[:, None, None]
    top, left, height, width = (np.asarray(v) for v in (top, left, height, width))
    if interpolation == "nearest":
        rows = np.minimum(top[:, None] + (np.arange(oh) * (height[:, None] / oh)).astype(np.intp), H - 1)
        cols = np.minimum(left[:, None] + (np.arange(ow) * (width[:, None] / ow)).astype(np.intp), W - 1)
        return np.ascontiguousarray(np.moveaxis(x[b, :, rows[:, :, None], cols[:, None, :]], -1, 1))
    if interpolation != "bilinear":
        raise ValueError(f"crop_resize: interpolation must be 'nearest' or 'bilinear', got {interpolation!r}")

    def source(start, length, n_out, n_in):
        return np.clip(start[:, None] + (np.arange(n_out) + 0.5) * (length[:, None] / n_out) - 0.5, 0, n_in - 1)

    ys, xs = source(top, height, oh, H), source(left, width, ow, W)
    y0, x0 = np.floor(ys).astype(np.intp), np.floor(xs).astype(np.intp)
    y1, x1 = np.minimum(y0 + 1, H - 1), np.minimum(x0 + 1, W - 1)
    wy, wx = (ys - y0)[:, :, None, None], (xs - x0)[:, None, :, None]
    work = x.astype(np.float32) if x.dtype.kind in "iu" else x
    at = lambda r, c: work[b, :, r[:, :, None], c[:, None, :]]  # noqa: E731  (B, oh, ow, C)
    out = (at(y0, x0) * (1 - wx) + at(y0, x1) * wx) * (1 - wy) + (at(y1, x0) * (1 - wx) + at(y1, x1) * wx) * wy
    out = np.moveaxis(out, -1, 1)
    if x.dtype.kind in "iu":
        out = np.clip(np.rint(out), np.iinfo(x.dtype).min, np.iinfo(x.dtype).max)
    return np.ascontiguousarray(out.astype(x.dtype, copy=False))


def blur_axis(x, sigma, size, axis):
    """Convolve `x` (B, C, H, W) along `axis` (2 or 3) with a normalised Gaussian of `size` taps and each
    sample's own sigma (B,), reflecting at the borders."""
    taps = np.arange(size) - size // 2
    kernel = np.exp(-0.5 * (taps[None, :] / np.asarray(sigma, np.float64)[:, None]) ** 2)
    kernel = (kernel / kernel.sum(axis=1, keepdims=True)).astype(x.dtype)
    widths = [(0, 0)] * 4
    widths[axis] = (size // 2, size // 2)
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(x, widths, mode="reflect"), size, axis=axis)
    return np.einsum("bchwk,bk->bchw", windows, kernel)
