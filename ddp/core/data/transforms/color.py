"""`ColorJitter` (brightness, contrast, saturation, hue): random per-sample changes, vectorised over a batch.

Each factor f blends the image with a reference as torchvision's tensor ops do: f * image + (1 - f) * ref,
clipped to the value range ([0, 1] for floats, [0, 255] for uint8, truncated back to uint8). The references
are black (brightness), the mean grey level (contrast) and the grey image (saturation). Hue turns the colour
wheel: each pixel's hue (in HSV) moves by the sample's factor in [-0.5, 0.5] of a turn.
"""
import numbers

import numpy as np

from ddp.core.random import get_generator
from ddp.core.tensor import Tensor

from . import ops, pil


def _range(value, name):
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"ColorJitter: {name} must be non-negative when a single number, got {value}")
        return (max(0.0, 1.0 - value), 1.0 + value) if value else None
    lo, hi = value
    if not 0 <= lo <= hi:
        raise ValueError(f"ColorJitter: {name} range must be 0 <= min <= max, got {value!r}")
    return (float(lo), float(hi)) if (lo, hi) != (1, 1) else None


def _grey(a):
    """ITU-R 601 luma of (B, C, H, W) RGB, kept in a's dtype (truncated for integers, as torchvision's)."""
    if a.shape[1] == 1:
        return a
    work = a if a.dtype.kind == "f" else a.astype(np.float32)
    r, g, b = work[:, 0:1], work[:, 1:2], work[:, 2:3]
    return (0.2989 * r + 0.587 * g + 0.114 * b).astype(a.dtype)


def _shift_hue(a, factor):
    """Each sample of (B, 3, H, W) RGB with its hue moved by factor[b] turns (HSV round trip); uint8 is
    scaled to [0, 1] and truncated back, as torchvision's."""
    integer = a.dtype == np.uint8
    rgb = a.astype(np.float32) / 255 if integer else a.astype(np.float32)
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    value, low = rgb.max(axis=1), rgb.min(axis=1)
    spread = value - low
    grey = spread == 0
    saturation = spread / np.where(grey, 1, value)
    scale = np.where(grey, 1, spread)
    rc, gc, bc = (value - r) / scale, (value - g) / scale, (value - b) / scale
    hue = np.where(value == r, bc - gc, np.where(value == g, 2 + rc - bc, 4 + gc - rc))
    hue = np.where(grey, 0, hue)
    hue = (hue / 6 + 1 + np.asarray(factor, np.float32)[:, None, None]) % 1
    sector = np.floor(hue * 6)
    frac, i = hue * 6 - sector, sector.astype(np.int64) % 6
    p = np.clip(value * (1 - saturation), 0, 1)
    q = np.clip(value * (1 - saturation * frac), 0, 1)
    t = np.clip(value * (1 - saturation * (1 - frac)), 0, 1)
    pick = lambda *choices: np.choose(i, choices)  # noqa: E731  (one of the six sectors' formulas per pixel)
    out = np.stack([pick(value, q, p, p, t, value), pick(t, value, value, q, p, p), pick(p, p, t, value, value, q)], 1)
    return (out * 255).astype(np.uint8) if integer else out.astype(a.dtype)


def _blend(a, ref, factor):
    bound = 255 if a.dtype == np.uint8 else 1
    f = factor.astype(np.float32)[:, None, None, None]
    out = f * a.astype(np.float32) + (1 - f) * np.asarray(ref, np.float32)
    return np.clip(out, 0, bound).astype(a.dtype)


def adjust(a, name, factor):
    """`a` (B, C, H, W) with its "brightness", "contrast", "saturation" or "hue" changed by each sample's
    factor (B,); a grey image keeps its saturation and hue."""
    if name == "brightness":
        return _blend(a, 0, factor)
    if name == "contrast":
        return _blend(a, _grey(a).astype(np.float32).mean(axis=(1, 2, 3), keepdims=True), factor)
    if name == "hue":
        return _shift_hue(a, factor) if a.shape[1] == 3 else a
    return _blend(a, _grey(a), factor) if a.shape[1] > 1 else a


class ColorJitter:
    """Randomly change brightness, contrast and saturation, in a random order per call.

    Args:
        brightness, contrast, saturation: b for a factor drawn in [max(0, 1 - b), 1 + b], or (min, max).
        hue: h for a hue shift drawn in [-h, h] (0 <= h <= 0.5), or (min, max) within [-0.5, 0.5].
        generator: numpy Generator for the order and the per-sample factors.
    A PIL image (mode L, LA, RGB or RGBA) goes through the same arithmetic on its pixels.

    Raises:
        ValueError: for negative or inverted ranges, or a hue range outside [-0.5, 0.5].
        TypeError: for a PIL image of another mode (P, I, F, ...).

    Example:
        >>> ColorJitter(brightness=0.2, contrast=0.2)(images)
    """

    batched = True

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0, generator=None):
        hue = (-float(hue), float(hue)) if isinstance(hue, numbers.Number) else tuple(map(float, hue))
        if not -0.5 <= hue[0] <= hue[1] <= 0.5:
            raise ValueError(f"ColorJitter: hue must be h in [0, 0.5] or (min, max) within [-0.5, 0.5], got {hue!r}")
        self.ranges = {"brightness": _range(brightness, "brightness"), "contrast": _range(contrast, "contrast"),
                       "saturation": _range(saturation, "saturation"), "hue": hue if hue != (0, 0) else None}
        # torchvision's attributes: each (min, max) range, or None when that change is off
        self.brightness, self.contrast, self.saturation, self.hue = self.ranges.values()
        self.generator = generator

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        """torchvision's one draw from the global generator: (order, b, c, s, h), `order` a permutation Tensor of
        the four changes (0 brightness .. 3 hue) and each factor uniform in its (min, max) range, None for None."""
        gen = get_generator()
        order = Tensor(gen.permutation(4).astype(np.int64))
        ranges = (brightness, contrast, saturation, hue)
        return (order, *(None if r is None else float(gen.uniform(r[0], r[1])) for r in ranges))

    def __call__(self, x):
        pil.check_mode(x, "ColorJitter")
        a, restore = ops.as_nchw(x, "ColorJitter")
        gen = get_generator(self.generator)
        names = list(self.ranges)
        for i in gen.permutation(len(names)):
            bounds = self.ranges[names[i]]
            if bounds is None:
                continue
            a = adjust(a, names[i], gen.uniform(*bounds, size=len(a)))
        return restore(a)

    def __repr__(self):
        return "ColorJitter(" + ", ".join(f"{k}={v}" for k, v in self.ranges.items()) + ")"
