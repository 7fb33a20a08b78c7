"""Deterministic size changes (`Resize`, `CenterCrop`) and random flips, vectorised over a batch.

Layouts as in `ops`: numpy grey or colour images and batches, channels-first Tensors, or PIL images.
"""
import numbers

import numpy as np

from ddp.core.random import get_generator

from . import ops, pil


def _size(size, op):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    size = tuple(int(s) for s in size)
    if len(size) == 1:
        return size * 2
    if len(size) != 2:
        raise ValueError(f"{op}: size must be an int or (height, width), got {size!r}")
    return size


class Resize:
    """Resize to `size`: (h, w) exactly, or an int n for the shorter edge (the longer keeps the aspect
    ratio, capped at `max_size`), as torchvision's `Resize`.

    Args:
        interpolation: "bilinear" (default), "bicubic", "nearest" or "nearest-exact" (or an InterpolationMode
            with those values).
        antialias: smooth when shrinking with bilinear or bicubic (torchvision's default, True), as PIL does.
            A PIL image is resized by PIL itself (always antialiased), as torchvision does.
    Raises:
        ValueError: for a malformed size or interpolation, or max_size not above an int size.

    Example:
        >>> Resize(16)(images)   # (B, 28, 28) -> (B, 16, 16)
    """

    batched = True

    def __init__(self, size, interpolation="bilinear", max_size=None, antialias=True):
        if isinstance(size, numbers.Number) or len(size) == 1:
            self.size = int(size if isinstance(size, numbers.Number) else size[0])
        else:
            self.size = _size(size, "Resize")
        if max_size is not None and (not isinstance(self.size, int) or max_size <= self.size):
            raise ValueError(f"Resize: max_size ({max_size}) needs an int size smaller than it, got size={size!r}")
        mode = str(getattr(interpolation, "value", interpolation)).lower()
        if mode not in ("bilinear", "bicubic", "nearest", "nearest-exact"):
            raise ValueError(f"Resize: interpolation must be 'bilinear', 'bicubic', 'nearest' or 'nearest-exact', "
                             f"got {interpolation!r}")
        self.interpolation, self.max_size, self.antialias = mode, max_size, bool(antialias)

    def output_size(self, height, width):
        """The (h, w) an image of (height, width) is resized to."""
        if not isinstance(self.size, int):
            return self.size
        short, long = sorted((height, width))
        new_short, new_long = self.size, int(self.size * long / short)
        if self.max_size is not None and new_long > self.max_size:
            new_short, new_long = int(self.max_size * new_short / new_long), self.max_size
        return (new_short, new_long) if height <= width else (new_long, new_short)

    def __call__(self, x):
        if pil.is_pil_image(x):
            return pil.resize(x, self.output_size(x.height, x.width), self.interpolation)
        a, restore = ops.as_nchw(x, "Resize")
        return restore(ops.resize(a, self.output_size(*a.shape[2:]), self.interpolation, self.antialias))

    def __repr__(self):
        return f"Resize(size={self.size}, interpolation={self.interpolation!r}, antialias={self.antialias})"


class CenterCrop:
    """Crop the central `size` (int or (h, w)) window; an image smaller than it is zero-padded first.

    Example:
        >>> CenterCrop(24)(images)   # (B, 28, 28) -> (B, 24, 24)
    """

    batched = True

    def __init__(self, size):
        self.size = _size(size, "CenterCrop")

    def __call__(self, x):
        a, restore = ops.as_nchw(x, "CenterCrop")
        (th, tw), (H, W) = self.size, a.shape[2:]
        if th > H or tw > W:
            dh, dw = max(th - H, 0), max(tw - W, 0)
            a = ops.pad(a, (dw // 2, dh // 2, (dw + 1) // 2, (dh + 1) // 2))
            H, W = a.shape[2:]
        top, left = int(round((H - th) / 2.0)), int(round((W - tw) / 2.0))
        return restore(a[:, :, top:top + th, left:left + tw])

    def __repr__(self):
        return f"CenterCrop(size={self.size})"


class RandomHorizontalFlip:
    """Mirror each sample left-right with probability p (drawn per sample from `generator`, default
    `ddp.core.random.get_generator()`)."""

    batched = True
    axis = 3

    def __init__(self, p=0.5, generator=None):
        if not 0 <= p <= 1:
            raise ValueError(f"{type(self).__name__}: p must be a probability in [0, 1], got {p}")
        self.p, self.generator = p, generator

    def __call__(self, x):
        a, restore = ops.as_nchw(x, type(self).__name__)
        flip = get_generator(self.generator).random(len(a)) < self.p
        return restore(np.where(flip[:, None, None, None], np.flip(a, self.axis), a))

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror each sample top-bottom with probability p."""

    axis = 2
