"""grid_sample as one Function: sample (N, C, H, W) images at the (x, y) points of a grid (N, Ho, Wo, 2) in
[-1, 1], by bilinear interpolation, the nearest pixel, or bicubic convolution (Keys' kernel with a = -0.75,
over the 4 x 4 neighbours), with the gradient for both the images and the grid.

A grid point becomes a pixel coordinate by `_source`: scaled to the image (align_corners: -1 and 1 are the
centres of the corner pixels, else their outer edges), then folded back ("reflection") or clamped
("border") into the image, or left as it is ("zeros": samples outside read 0). `_source` also returns
d(pixel coordinate)/d(grid coordinate), which the grid's gradient needs. The four neighbours of each point
are gathered with one fancy index per corner, and backward scatters into the image with np.add.at.
Bicubic, as PyTorch's, pads each of the 16 taps on its own (`_tap`), not the sampling point.
For create_graph=True the forward is recomputed in Tensor ops (`_recorded`) and differentiated.
"""
import numpy as np

from ..autograd import Function, Tensor
from ..autograd_graph import backward_by_recompute
from .shape import Index, Permute


def _reflect(x, lo, hi):
    """x folded into [lo, hi] by mirror reflections, and dx'/dx (+1 or -1)."""
    span = hi - lo
    if span <= 0:
        return np.zeros_like(x), np.zeros_like(x)
    d = np.abs(x - lo)
    flips = np.floor(d / span)
    r = d - flips * span
    odd = flips % 2 == 1
    out = np.where(odd, span - r, r) + lo
    sign = np.where(x < lo, -1.0, 1.0) * np.where(odd, -1.0, 1.0)
    return out, sign.astype(x.dtype)


def _source(g, size, padding, align_corners):
    """(pixel coordinates, their derivative) of grid coordinates `g` along an image side of `size`."""
    if align_corners:
        scale = (size - 1) / 2
        x = (g + 1) * g.dtype.type(scale)
    else:
        scale = size / 2
        x = ((g + 1) * g.dtype.type(size) - 1) / 2
    slope = np.full(g.shape, scale, dtype=g.dtype)
    if padding == "reflection":
        x, sign = _reflect(x, 0.0, size - 1.0) if align_corners else _reflect(x, -0.5, size - 0.5)
        slope *= sign
    if padding in ("border", "reflection"):
        inside = (x > 0) & (x < size - 1)
        x = np.clip(x, 0, size - 1)
        slope *= inside
    return x, slope


_A = -0.75  # the bicubic kernel's a, as PyTorch's (and OpenCV's)


def _cubic_weights(t):
    """The four bicubic weights of the taps at offsets -1, 0, 1, 2 from floor(x), t = x - floor(x), and their
    derivatives in t: Keys' kernel, (a+2)|s|^3 - (a+3)|s|^2 + 1 for |s| <= 1, a|s|^3 - 5a|s|^2 + 8a|s| - 4a
    for 1 < |s| < 2."""
    near = lambda s: ((_A + 2) * s - (_A + 3)) * s * s + 1  # noqa: E731
    far = lambda s: ((_A * s - 5 * _A) * s + 8 * _A) * s - 4 * _A  # noqa: E731
    d_near = lambda s: (3 * (_A + 2) * s - 2 * (_A + 3)) * s  # noqa: E731
    d_far = lambda s: (3 * _A * s - 10 * _A) * s + 8 * _A  # noqa: E731
    weights = [far(t + 1), near(t), near(1 - t), far(2 - t)]
    slopes = [d_far(t + 1), d_near(t), -d_near(1 - t), -d_far(2 - t)]
    return weights, slopes


def _tap(i, size, padding, align_corners):
    """An integer tap coordinate padded as PyTorch pads each bicubic tap: clamped ("border"), mirrored then
    clamped ("reflection"), or kept ("zeros", where outside taps read 0); and whether it lies inside."""
    x = i.astype(np.float64)
    if padding == "reflection":
        x = _reflect(x, 0.0, size - 1.0)[0] if align_corners else _reflect(x, -0.5, size - 0.5)[0]
    if padding in ("border", "reflection"):
        x = np.clip(x, 0, size - 1)
    x = np.rint(x).astype(np.int64)
    return np.clip(x, 0, size - 1), (x >= 0) & (x < size)


def _bicubic_taps(x, y, h, w, padding, align_corners):
    """For each of the 16 taps: (column, row, inside, weight, d weight/dx, d weight/dy), weights (..., 1)."""
    x0, y0 = np.floor(x), np.floor(y)
    (wx, dwx), (wy, dwy) = _cubic_weights(x - x0), _cubic_weights(y - y0)
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    taps = []
    for j in range(4):
        iy, in_y = _tap(y0 - 1 + j, h, padding, align_corners)
        for i in range(4):
            ix, in_x = _tap(x0 - 1 + i, w, padding, align_corners)
            taps.append((ix, iy, in_x & in_y, (wx[i] * wy[j])[..., None], (dwx[i] * wy[j])[..., None],
                         (wx[i] * dwy[j])[..., None]))
    return taps


def _bicubic_points(grid, h, w, align_corners):
    """Pixel coordinates of the grid for bicubic (unpadded: the taps are padded) and their slopes."""
    x, dx = _source(grid[..., 0], w, "zeros", align_corners)
    y, dy = _source(grid[..., 1], h, "zeros", align_corners)
    return x, y, dx, dy


def _corners(ix, iy, h, w, padding):
    """Integer corner coordinates clamped into the image, and whether each was inside (zeros padding)."""
    valid = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
    return np.clip(ix, 0, w - 1), np.clip(iy, 0, h - 1), valid


class GridSample(Function):
    """out[n, c, i, j] = image[n, c] sampled at grid[n, i, j] = (x, y); see the module docstring."""

    @staticmethod
    def forward(ctx, image, grid, mode="bilinear", padding="zeros", align_corners=False):
        n, _, h, w = image.shape
        if mode == "bicubic":
            x, y, dx, dy = _bicubic_points(grid, h, w, align_corners)
        else:
            x, dx = _source(grid[..., 0], w, padding, align_corners)
            y, dy = _source(grid[..., 1], h, padding, align_corners)
        batch = np.arange(n).reshape(n, 1, 1)
        ctx.save_for_backward(image, grid)
        ctx.args = (mode, padding, align_corners)
        ctx.cache = (x, y, dx, dy, batch)
        if mode == "bicubic":
            out = np.zeros(grid.shape[:3] + (image.shape[1],), dtype=image.dtype)
            for ix, iy, inside, weight, _, _ in _bicubic_taps(x, y, h, w, padding, align_corners):
                out += image[batch, :, iy, ix] * (weight * inside[..., None]).astype(image.dtype)
            return np.ascontiguousarray(np.moveaxis(out, -1, 1))
        if mode == "nearest":
            ix, iy, valid = _corners(np.rint(x).astype(np.int64), np.rint(y).astype(np.int64), h, w, padding)
            out = image[batch, :, iy, ix] * valid[..., None]  # (N, Ho, Wo, C)
            return np.ascontiguousarray(np.moveaxis(out, -1, 1))
        x0, y0 = np.floor(x), np.floor(y)
        fx, fy = (x - x0)[..., None], (y - y0)[..., None]
        x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
        out = np.zeros(grid.shape[:3] + (image.shape[1],), dtype=image.dtype)
        for cx, cy, wx, wy in ((x0, y0, 1 - fx, 1 - fy), (x0 + 1, y0, fx, 1 - fy),
                               (x0, y0 + 1, 1 - fx, fy), (x0 + 1, y0 + 1, fx, fy)):
            ix, iy, valid = _corners(cx, cy, h, w, padding)
            out += image[batch, :, iy, ix] * (wx * wy * valid[..., None])
        return np.ascontiguousarray(np.moveaxis(out, -1, 1))

    @staticmethod
    def backward(ctx, g):
        image, grid = ctx.saved_tensors
        mode, padding, _ = ctx.args
        x, y, dx, dy, batch = ctx.cache
        n, c, h, w = image.shape
        gl = np.moveaxis(g, 1, -1)  # (N, Ho, Wo, C)
        g_image = np.zeros_like(image) if ctx.needs_input_grad[0] else None
        g_grid = np.zeros_like(grid) if ctx.needs_input_grad[1] else None
        if g_image is not None:
            scatter = np.moveaxis(g_image, 1, -1)  # (N, H, W, C) view: add.at writes through it
        if mode == "nearest":
            if g_image is not None:
                ix, iy, valid = _corners(np.rint(x).astype(np.int64), np.rint(y).astype(np.int64), h, w, padding)
                np.add.at(scatter, (np.broadcast_to(batch, ix.shape), iy, ix), gl * valid[..., None])
            return g_image, g_grid  # the nearest pixel does not move with the grid: zero gradient
        gx = np.zeros(x.shape + (c,), dtype=image.dtype)
        gy = np.zeros_like(gx)
        if mode == "bicubic":
            for ix, iy, inside, weight, dwx, dwy in _bicubic_taps(x, y, h, w, padding, ctx.args[2]):
                v = inside[..., None]
                if g_image is not None:
                    np.add.at(scatter, (np.broadcast_to(batch, ix.shape), iy, ix), gl * (weight * v))
                if g_grid is not None:
                    value = image[batch, :, iy, ix] * v
                    gx += value * dwx
                    gy += value * dwy
            if g_grid is not None:
                g_grid[..., 0] = (gx * gl).sum(-1) * dx
                g_grid[..., 1] = (gy * gl).sum(-1) * dy
            return g_image, g_grid
        x0, y0 = np.floor(x), np.floor(y)
        fx, fy = (x - x0)[..., None], (y - y0)[..., None]
        x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
        # per corner: its weight, and the weight's derivatives along x and y
        for cx, cy, wx, wy, dwx, dwy in ((x0, y0, 1 - fx, 1 - fy, -1, -1), (x0 + 1, y0, fx, 1 - fy, 1, -1),
                                         (x0, y0 + 1, 1 - fx, fy, -1, 1), (x0 + 1, y0 + 1, fx, fy, 1, 1)):
            ix, iy, valid = _corners(cx, cy, h, w, padding)
            v = valid[..., None]
            if g_image is not None:
                np.add.at(scatter, (np.broadcast_to(batch, ix.shape), iy, ix), gl * (wx * wy * v))
            if g_grid is not None:
                value = image[batch, :, iy, ix] * v
                gx += value * (dwx * wy)
                gy += value * (wx * dwy)
        if g_grid is not None:
            g_grid[..., 0] = (gx * gl).sum(-1) * dx
            g_grid[..., 1] = (gy * gl).sum(-1) * dy
        return g_image, g_grid

    @staticmethod
    def differentiable_backward(ctx, g):
        image, grid = ctx.saved_tensors
        inputs = [ctx.operand(0, image), ctx.operand(1, grid)]
        return backward_by_recompute(ctx, g, lambda im, gr: _recorded(ctx, im, gr), inputs)


def _recorded(ctx, image, grid):
    """GridSample's forward in Tensor ops, from the pixel coordinates of the first pass: each is linear in its
    grid coordinate with the slope `_source` found (reflections and clamps are piecewise linear), and the
    corners are the constants they were."""
    mode, padding, _ = ctx.args
    x, y, dx, dy, batch = ctx.cache
    n, _, h, w = image.shape
    if mode == "nearest":
        ix, iy, valid = _corners(np.rint(x).astype(np.int64), np.rint(y).astype(np.int64), h, w, padding)
        out = Index.apply(image, index=(batch, slice(None), iy, ix)) * valid[..., None]
        return Permute.apply(out, dims=(0, 3, 1, 2))
    grid_values = grid._data
    xt = (grid[..., 0] - Tensor(grid_values[..., 0])) * dx + Tensor(x)
    yt = (grid[..., 1] - Tensor(grid_values[..., 1])) * dy + Tensor(y)
    if mode == "bicubic":  # the weights as polynomials of the recorded fractions; the taps are constants
        (wx, _), (wy, _) = _cubic_weights(xt - Tensor(np.floor(x))), _cubic_weights(yt - Tensor(np.floor(y)))
        taps = _bicubic_taps(x, y, h, w, padding, ctx.args[2])
        out = 0
        for k, (ix, iy, inside, _, _, _) in enumerate(taps):
            weight = (wx[k % 4] * wy[k // 4]).unsqueeze(-1) * inside[..., None]
            out = out + Index.apply(image, index=(batch, slice(None), iy, ix)) * weight
        return Permute.apply(out, dims=(0, 3, 1, 2))
    x0, y0 = np.floor(x), np.floor(y)
    fx, fy = (xt - Tensor(x0)).unsqueeze(-1), (yt - Tensor(y0)).unsqueeze(-1)
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    out = 0
    for cx, cy, wx, wy in ((x0, y0, 1 - fx, 1 - fy), (x0 + 1, y0, fx, 1 - fy),
                           (x0, y0 + 1, 1 - fx, fy), (x0 + 1, y0 + 1, fx, fy)):
        ix, iy, valid = _corners(cx, cy, h, w, padding)
        out = out + Index.apply(image, index=(batch, slice(None), iy, ix)) * (wx * wy * valid[..., None])
    return Permute.apply(out, dims=(0, 3, 1, 2))


def _corners_nd(index, sizes):
    """Integer corner coordinates (x, y, z order) clamped into the volume, and whether all were inside."""
    valid = np.ones(index[0].shape, dtype=bool)
    for i, size in zip(index, sizes):
        valid &= (i >= 0) & (i < size)
    return [np.clip(i, 0, size - 1) for i, size in zip(index, sizes)], valid


class GridSample3d(Function):
    """5-D grid_sample: (N, C, D, H, W) volumes sampled at the (x, y, z) points of a grid (N, Do, Ho, Wo, 3),
    trilinearly ('bilinear', PyTorch's name for it) over the 8 neighbours, or at the nearest voxel. Points
    become voxel coordinates by the same `_source` as in 2-D; backward scatters into the volume with
    np.add.at and, for the grid, sums each corner's value times its weight's derivative along each axis."""

    @staticmethod
    def forward(ctx, volume, grid, mode="bilinear", padding="zeros", align_corners=False):
        n, _, d, h, w = volume.shape
        sizes = (w, h, d)
        points = [_source(grid[..., k], size, padding, align_corners) for k, size in enumerate(sizes)]
        batch = np.arange(n).reshape(n, 1, 1, 1)
        ctx.save_for_backward(volume, grid)
        ctx.args, ctx.cache = (mode, padding), (points, batch)
        out = np.zeros(grid.shape[:4] + (volume.shape[1],), dtype=volume.dtype)
        for (ix, iy, iz), weight, _ in _terms(points, sizes, mode):
            out += volume[batch, :, iz, iy, ix] * weight
        return np.ascontiguousarray(np.moveaxis(out, -1, 1))

    @staticmethod
    def backward(ctx, g):
        volume, grid = ctx.saved_tensors
        mode, _ = ctx.args
        points, batch = ctx.cache
        n, c, d, h, w = volume.shape
        gl = np.moveaxis(g, 1, -1)  # (N, Do, Ho, Wo, C)
        g_volume = np.zeros_like(volume) if ctx.needs_input_grad[0] else None
        g_grid = np.zeros_like(grid) if ctx.needs_input_grad[1] and mode != "nearest" else None
        scatter = None if g_volume is None else np.moveaxis(g_volume, 1, -1)  # a view add.at writes through
        along = [np.zeros(gl.shape, dtype=volume.dtype) for _ in range(3)]
        for (ix, iy, iz), weight, slopes in _terms(points, (w, h, d), mode):
            if scatter is not None:
                np.add.at(scatter, (np.broadcast_to(batch, ix.shape), iz, iy, ix), gl * weight)
            if g_grid is not None:
                value = volume[batch, :, iz, iy, ix]
                for k in range(3):
                    along[k] += value * slopes[k]
        if g_grid is not None:
            for k in range(3):
                g_grid[..., k] = (along[k] * gl).sum(-1) * points[k][1]
        if ctx.needs_input_grad[1] and g_grid is None:
            g_grid = np.zeros_like(grid)  # the nearest voxel does not move with the grid
        return g_volume, g_grid

    @staticmethod
    def differentiable_backward(ctx, g):
        raise NotImplementedError("grid_sample of 5-D volumes: create_graph=True is not supported")


def _terms(points, sizes, mode):
    """Per neighbour: its (x, y, z) voxel indices, its weight (..., 1) (zero outside with zeros padding), and
    the weight's derivatives along x, y and z (..., 1)."""
    if mode == "nearest":
        index, valid = _corners_nd([np.rint(x).astype(np.int64) for x, _ in points], sizes)
        zero = np.zeros(valid.shape + (1,), dtype=points[0][0].dtype)
        return [(index, valid[..., None].astype(zero.dtype), (zero, zero, zero))]
    lows = [np.floor(x) for x, _ in points]
    fracs = [(x - lo)[..., None] for (x, _), lo in zip(points, lows)]
    lows = [lo.astype(np.int64) for lo in lows]
    terms = []
    for bits in np.ndindex(2, 2, 2):
        index, valid = _corners_nd([lo + b for lo, b in zip(lows, bits)], sizes)
        factors = [f if b else 1 - f for f, b in zip(fracs, bits)]
        v = valid[..., None]
        weight = factors[0] * factors[1] * factors[2] * v
        slopes = tuple((1 if bits[k] else -1) * factors[(k + 1) % 3] * factors[(k + 2) % 3] * v for k in range(3))
        terms.append((index, weight, slopes))
    return terms
