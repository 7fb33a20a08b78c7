"""Random augmentations (`RandomCrop`, `RandomAffine`, `RandomRotation`), vectorised over a batch.

Each sample of a batch gets its own random parameters, drawn in one call from the numpy Generator
`generator` (default: `ddp.core.random.get_generator()`, looked up at each call).
"""
import numbers

import numpy as np

from ddp.core.random import get_generator

from . import ops


def _pair(value, name, sym=False):
    """A number n -> (n, n) (or (-n, n) if `sym`); a pair stays a pair."""
    if isinstance(value, numbers.Number):
        if sym and value < 0:
            raise ValueError(f"{name} must be non-negative when a single number, got {value}")
        return (-float(value), float(value)) if sym else (value, value)
    if len(value) != 2:
        raise ValueError(f"{name} must be a number or a pair, got {value!r}")
    return tuple(value)


def _interpolation(mode):
    mode = str(getattr(mode, "value", mode)).lower()
    if mode not in ("nearest", "bilinear"):
        raise ValueError(f"interpolation must be 'nearest' or 'bilinear', got {mode!r}")
    return mode


def affine(a, angle, translate, scale, shear, interpolation="nearest", fill=0, center=None):
    """`a` (B, C, H, W) warped by each sample's parameters (as `ops.affine_matrix` takes them) about
    `center` (x, y), by default the image center. `fill` is a number or one per channel; None reads 0.

    A bilinear fill (not None) is blended as torchvision's tensors do: sampled with 0 outside, then
    out = img * mask + (1 - mask) * fill with `mask` the sampled coverage (so border pixels are weighted by their
    coverage twice; fill 0 darkens them, fill None does not)."""
    H, W = a.shape[2:]
    center = center if center is not None else ((W - 1) / 2, (H - 1) / 2)
    matrix = ops.affine_matrix(angle, translate, scale, shear, center)
    per_channel = np.ndim(fill) > 0
    if fill is None or interpolation != "bilinear":
        fill = 0 if fill is None else (np.reshape(fill, (-1, 1)) if per_channel else fill)
        return ops.warp(a, matrix, interpolation, fill)
    integer = a.dtype.kind in "iu"
    work = a.astype(np.float32) if integer else a
    img = ops.warp(work, matrix, "bilinear", 0)
    mask = ops.warp(np.ones((len(a), 1, H, W), work.dtype), matrix, "bilinear", 0)
    fill = np.reshape(fill, (-1, 1, 1)).astype(work.dtype) if per_channel else work.dtype.type(fill)
    out = img * mask + (1 - mask) * fill
    if integer:
        out = np.clip(np.rint(out), np.iinfo(a.dtype).min, np.iinfo(a.dtype).max)
    return out.astype(a.dtype, copy=False)


class RandomCrop:
    """Crop a random `size` window, after optional padding, independently for each sample.

    Args:
        size: int or (height, width).
        padding: int (all sides), (left/right, top/bottom) or (left, top, right, bottom), applied first.
        pad_if_needed: pad an image smaller than `size` up to it.
        fill: value for constant padding. padding_mode: "constant", "edge", "reflect" or "symmetric".
        generator: numpy Generator for the offsets.
    Raises:
        ValueError: if the (padded) image is smaller than `size`.

    Example:
        >>> RandomCrop(28, padding=2)(batch)   # (B, 28, 28) uint8 -> (B, 28, 28), shifted up to 2 pixels
    """

    batched = True

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant", generator=None):
        self.size = tuple(int(s) for s in _pair(size, "RandomCrop size"))
        if padding is not None:
            padding = (padding,) * 4 if isinstance(padding, numbers.Number) else tuple(padding)
            if len(padding) == 2:
                padding = padding * 2
            if len(padding) != 4:
                raise ValueError(f"RandomCrop: padding must be an int or 2 or 4 ints, got {padding!r}")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"RandomCrop: unknown padding_mode {padding_mode!r}")
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode, self.generator = fill, padding_mode, generator

    def __call__(self, x):
        a, restore = ops.as_nchw(x, "RandomCrop")
        if self.padding is not None:
            a = ops.pad(a, self.padding, self.fill, self.padding_mode)
        th, tw = self.size
        if self.pad_if_needed and (a.shape[2] < th or a.shape[3] < tw):
            dw, dh = max(tw - a.shape[3], 0), max(th - a.shape[2], 0)
            a = ops.pad(a, (dw, dh, dw, dh), self.fill, self.padding_mode)
        H, W = a.shape[2:]
        if H < th or W < tw:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the (padded) image size {(H, W)}")
        gen = get_generator(self.generator)
        top = gen.integers(0, H - th + 1, size=len(a))
        left = gen.integers(0, W - tw + 1, size=len(a))
        return restore(ops.crop(a, top, left, th, tw))

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomAffine:
    """Random rotation, translation, scale and shear about the image center, per sample.

    Args:
        degrees: angle range (min, max), or d for (-d, d); counter-clockwise positive.
        translate: (a, b): horizontal shift drawn in [-a*W, a*W], vertical in [-b*H, b*H], rounded to pixels.
        scale: (min, max) scale factor range.
        shear: s for an x-shear in (-s, s) degrees, (min, max) for x, or (xmin, xmax, ymin, ymax).
        interpolation: "nearest" (default, as torchvision) or "bilinear".
        fill: value of pixels that come from outside the image.
        center: (x, y) pixel to turn about; default the image center.
        generator: numpy Generator for the parameters.
    Raises:
        ValueError: for malformed ranges.

    Example:
        >>> RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1))(batch)
    """

    batched = True
    turn = 1.0  # a drawn angle turns clockwise, as torchvision's RandomAffine (RandomRotation: -1)

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation="nearest", fill=0,
                 center=None, generator=None):
        self.degrees = _pair(degrees, "RandomAffine degrees", sym=True)
        if translate is not None and (len(translate) != 2 or not all(0 <= t <= 1 for t in translate)):
            raise ValueError(f"RandomAffine: translate must be two fractions in [0, 1], got {translate!r}")
        if scale is not None and (len(scale) != 2 or not 0 < scale[0] <= scale[1]):
            raise ValueError(f"RandomAffine: scale must be (min, max) with 0 < min <= max, got {scale!r}")
        if shear is not None:
            shear = _pair(shear, "RandomAffine shear", sym=True) if isinstance(shear, numbers.Number) else tuple(shear)
            if len(shear) not in (2, 4):
                raise ValueError(f"RandomAffine: shear must be a number, 2 or 4 numbers, got {shear!r}")
        self.translate, self.scale, self.shear = translate, scale, shear
        self.interpolation, self.fill = _interpolation(interpolation), fill
        self.center, self.generator = center, generator

    def get_params(self, n, height, width):
        """Draw (angle, translate, scale, shear) for `n` samples: arrays (n,), (n, 2), (n,), (n, 2)."""
        gen = get_generator(self.generator)
        angle = gen.uniform(*self.degrees, size=n)
        translate = np.zeros((n, 2))
        if self.translate is not None:
            limit = np.array([self.translate[0] * width, self.translate[1] * height])
            translate = np.round(gen.uniform(-limit, limit, size=(n, 2)))
        scale = gen.uniform(*self.scale, size=n) if self.scale is not None else np.ones(n)
        shear = np.zeros((n, 2))
        if self.shear is not None:
            shear[:, 0] = gen.uniform(*self.shear[:2], size=n)
            if len(self.shear) == 4:
                shear[:, 1] = gen.uniform(*self.shear[2:], size=n)
        return angle, translate, scale, shear

    def __call__(self, x):
        a, restore = ops.as_nchw(x, type(self).__name__)
        angle, *rest = self.get_params(len(a), *a.shape[2:])
        return restore(affine(a, self.turn * angle, *rest, self.interpolation, self.fill, self.center))

    def __repr__(self):
        return (f"{type(self).__name__}(degrees={self.degrees}, translate={self.translate}, scale={self.scale}, "
                f"shear={self.shear}, interpolation={self.interpolation!r})")


class RandomRotation(RandomAffine):
    """Rotate each sample by a random angle in `degrees` ((min, max), or d for (-d, d)) about `center`.

    Example:
        >>> RandomRotation(15)(batch)
    """

    turn = -1.0  # counter-clockwise, as torchvision's RandomRotation

    def __init__(self, degrees, interpolation="nearest", center=None, fill=0, generator=None):
        super().__init__(degrees, interpolation=interpolation, fill=fill, center=center, generator=generator)
