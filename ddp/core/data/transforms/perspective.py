"""`RandomPerspective` and `perspective`: each image seen as if its four corners were moved, as torchvision's.

A perspective map sends output pixel (x, y) (corner coordinates: pixel i spans [i, i + 1)) to the input point
((c0 x + c1 y + c2) / d, (c3 x + c4 y + c5) / d), d = c6 x + c7 y + 1: PIL's eight coefficients, which
torchvision solves for so that the `endpoints` land where the `startpoints` were.
"""
import numpy as np

from ddp.core.random import get_generator

from . import ops
from .geometric import _interpolation, sample_fill


def perspective_coeffs(startpoints, endpoints):
    """The eight coefficients (n, 8) mapping each sample's four `endpoints` (n, 4, 2) onto its `startpoints`,
    solved in float64 and rounded to float32, as torchvision."""
    start, end = np.asarray(startpoints, np.float64), np.asarray(endpoints, np.float64)
    x, y, u, v = end[..., 0], end[..., 1], start[..., 0], start[..., 1]
    one, zero = np.ones_like(x), np.zeros_like(x)
    rows_u = np.stack([x, y, one, zero, zero, zero, -u * x, -u * y], -1)
    rows_v = np.stack([zero, zero, zero, x, y, one, -v * x, -v * y], -1)
    a = np.stack([rows_u, rows_v], -2).reshape(len(start), 8, 8)  # rows in torchvision's order: u0, v0, u1, ...
    b = start.reshape(len(start), 8, 1)
    return (np.linalg.pinv(a) @ b)[..., 0].astype(np.float32)


def warp_perspective(a, coeffs, interpolation="bilinear", fill=None):
    """`a` (B, C, H, W) resampled by each sample's coefficients (B, 8), with torchvision's fill (`sample_fill`)."""
    B, C, H, W = a.shape
    # torchvision's grid, in float32 and in its order (so that nearest ties round alike)
    ys, xs = np.mgrid[0:H, 0:W].reshape(2, 1, H * W).astype(np.float32) + np.float32(0.5)
    c = np.asarray(coeffs, np.float32)[:, :, None]
    d = c[:, 6] * xs + c[:, 7] * ys + 1
    src = []
    for first, n in ((0, np.float32(W)), (3, np.float32(H))):
        scaled = c[:, first:first + 3] / (np.float32(0.5) * n)
        u = (xs * scaled[:, 0] + ys * scaled[:, 1] + scaled[:, 2]) / d - 1
        src.append(((u + 1) * n - 1) / 2)
    return sample_fill(a, *src, interpolation, fill).reshape(a.shape)


def corner_points(gen, n, width, height, distortion_scale):
    """(startpoints, endpoints), each (n, 4, 2) ints: the image's corners (top-left, top-right, bottom-right,
    bottom-left) and each moved inwards by up to `distortion_scale` of half the image, as torchvision draws them."""
    dx, dy = int(distortion_scale * (width // 2)), int(distortion_scale * (height // 2))
    low_x, high_x = (0, dx + 1), (width - dx - 1, width)
    low_y, high_y = (0, dy + 1), (height - dy - 1, height)
    ranges = [low_x, low_y, high_x, low_y, high_x, high_y, low_x, high_y]  # torchvision's draw order
    end = np.stack([gen.integers(*r, size=n) for r in ranges], -1).reshape(n, 4, 2)
    start = np.broadcast_to(np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]), end.shape)
    return start, end


class RandomPerspective:
    """With probability p, move each sample's corners inwards by random amounts up to `distortion_scale` (0..1)
    of half the image, and resample it ("bilinear" or "nearest") as the perspective view this gives.

    Args:
        fill: value of pixels from outside the image (a number or one per channel); bilinear edges are blended
            with it as torchvision's tensors are (see `geometric.sample_fill`).
        generator: numpy Generator for the draws (default `ddp.core.random.get_generator()`).
    Raises:
        ValueError: for p or distortion_scale outside [0, 1], or another interpolation.

    Example:
        >>> RandomPerspective(distortion_scale=0.3, p=0.5)(batch)
    """

    batched = True

    def __init__(self, distortion_scale=0.5, p=0.5, interpolation="bilinear", fill=0, generator=None):
        if not (0 <= p <= 1 and 0 <= distortion_scale <= 1):
            raise ValueError(f"RandomPerspective: p and distortion_scale must be in [0, 1], got {p} and "
                             f"{distortion_scale}")
        self.distortion_scale, self.p = float(distortion_scale), p
        self.interpolation, self.fill, self.generator = _interpolation(interpolation), fill, generator

    @staticmethod
    def get_params(width, height, distortion_scale):
        """torchvision's one draw from the global generator: (startpoints, endpoints), four [x, y] lists each."""
        start, end = corner_points(get_generator(), 1, width, height, distortion_scale)
        return start[0].tolist(), end[0].tolist()

    def __call__(self, x):
        a, restore = ops.as_nchw(x, "RandomPerspective")
        gen, (B, C, H, W) = get_generator(self.generator), a.shape
        pick = gen.random(B) < self.p
        start, end = corner_points(gen, B, W, H, self.distortion_scale)
        out = a.copy()
        if pick.any():
            out[pick] = warp_perspective(a[pick], perspective_coeffs(start[pick], end[pick]), self.interpolation,
                                         self.fill)
        return restore(out)

    def __repr__(self):
        return f"RandomPerspective(distortion_scale={self.distortion_scale}, p={self.p})"
