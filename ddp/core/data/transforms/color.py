"""`ColorJitter` (brightness, contrast, saturation): random per-sample blends, vectorised over a batch.

Each factor f blends the image with a reference as torchvision's tensor ops do: f * image + (1 - f) * ref,
clipped to the value range ([0, 1] for floats, [0, 255] for uint8, truncated back to uint8). The references
are black (brightness), the mean grey level (contrast) and the grey image (saturation).
"""
import numbers

import numpy as np

from ddp.core.random import get_generator

from . import functional as F


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
    r, g, b = a[:, 0:1].astype(np.float32), a[:, 1:2].astype(np.float32), a[:, 2:3].astype(np.float32)
    return (0.2989 * r + 0.587 * g + 0.114 * b).astype(a.dtype)


def _blend(a, ref, factor):
    bound = 255 if a.dtype == np.uint8 else 1
    f = factor.astype(np.float32)[:, None, None, None]
    out = f * a.astype(np.float32) + (1 - f) * np.asarray(ref, np.float32)
    return np.clip(out, 0, bound).astype(a.dtype)


class ColorJitter:
    """Randomly change brightness, contrast and saturation, in a random order per call.

    Args:
        brightness, contrast, saturation: b for a factor drawn in [max(0, 1 - b), 1 + b], or (min, max).
        hue: must be 0 (hue shifts are not supported).
        generator: numpy Generator for the order and the per-sample factors.
    Raises:
        ValueError: for negative or inverted ranges. NotImplementedError: for a non-zero hue.

    Example:
        >>> ColorJitter(brightness=0.2, contrast=0.2)(images)
    """

    batched = True

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0, generator=None):
        if hue not in (0, (0, 0)):
            raise NotImplementedError("ColorJitter: hue jitter is not supported; pass hue=0")
        self.ranges = {"brightness": _range(brightness, "brightness"), "contrast": _range(contrast, "contrast"),
                       "saturation": _range(saturation, "saturation")}
        self.generator = generator

    def __call__(self, x):
        a, restore = F.as_nchw(x, "ColorJitter")
        gen = get_generator(self.generator)
        names = list(self.ranges)
        for i in gen.permutation(len(names)):
            bounds = self.ranges[names[i]]
            if bounds is None:
                continue
            factor = gen.uniform(*bounds, size=len(a))
            if names[i] == "brightness":
                a = _blend(a, 0, factor)
            elif names[i] == "contrast":
                a = _blend(a, _grey(a).astype(np.float32).mean(axis=(1, 2, 3), keepdims=True), factor)
            elif a.shape[1] > 1:  # saturation leaves a grey image as it is
                a = _blend(a, _grey(a), factor)
        return restore(a)

    def __repr__(self):
        return "ColorJitter(" + ", ".join(f"{k}={v}" for k, v in self.ranges.items()) + ")"
