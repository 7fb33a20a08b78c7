"""Pixel-value changes of torchvision's auto-augmentations: invert, posterize, solarize, sharpness, autocontrast
and equalize, as batched kernels on (B, C, H, W) arrays and as the `Random*` transforms that apply them to each
sample with probability p.

The kernels follow torchvision's tensor ops to the bit on uint8 (float32 arithmetic, truncation back to uint8);
float images take values in [0, 1]. Where torchvision's v1 ops refuse floats (posterize, equalize) its v2 ops'
rules are used. A PIL image goes to PIL's own `ImageOps` / `ImageEnhance`, as torchvision sends it.
"""
import numpy as np

from ddp.core.random import get_generator

from . import ops, pil


def bound(dtype):
    """The brightest value of an image dtype: 1.0 for floats, the integer maximum (255 for uint8) otherwise."""
    dtype = np.dtype(dtype)
    return 1.0 if dtype.kind == "f" else np.iinfo(dtype).max


def _per_sample(values, a):
    return np.asarray(values).reshape(-1, 1, 1, 1)


def invert(a):
    """bound - a: the negative image."""
    return (a.dtype.type(bound(a.dtype)) - a).astype(a.dtype)


def _uint8_or_float(a, op):
    if a.dtype != np.uint8 and a.dtype.kind != "f":
        raise TypeError(f"{op}: expected a uint8 or float image, got dtype {a.dtype}")


def posterize(a, bits):
    """Keep the top bits[b] bits of each uint8 sample; floats are floored to 2**bits levels (torchvision v2)."""
    _uint8_or_float(a, "posterize")
    bits = _per_sample(bits, a).astype(np.int64)
    if a.dtype.kind == "f":
        levels = (1 << bits).astype(a.dtype)
        return (np.clip(np.floor(a * levels), 0, levels - 1) / levels).astype(a.dtype)
    return a & ((255 << (8 - bits)) & 255).astype(a.dtype)


def solarize(a, threshold):
    """Invert the pixels at or above each sample's threshold (compared in float32, as torchvision)."""
    return np.where(a >= _per_sample(threshold, a).astype(np.float32), invert(a), a)


def blend(a, b, factor):
    """factor * a + (1 - factor) * b per sample, clipped and cast back to a's dtype (truncating integers),
    with torchvision's float32 arithmetic (1 - factor taken in double first)."""
    factor = np.asarray(factor, np.float64)
    dtype = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
    f, g = (_per_sample(v, a).astype(dtype) for v in (factor, 1.0 - factor))
    out = f * a.astype(dtype, copy=False) + g * b.astype(dtype, copy=False)
    return np.clip(out, 0, bound(a.dtype)).astype(a.dtype)


def smooth(a):
    """`a` with its inner pixels averaged over 3x3 (weights 1, centre 5, over 13) and its border kept: the
    'degenerate' image that sharpness moves away from (integer images rounded back)."""
    work = a.astype(np.float32) if a.dtype.kind != "f" else a
    H, W = a.shape[2:]
    one, five = work.dtype.type(1 / 13), work.dtype.type(5 / 13)
    inner = sum(work[:, :, i:H - 2 + i, j:W - 2 + j] * (five if (i, j) == (1, 1) else one)
                for i in range(3) for j in range(3))
    out = a.copy()
    out[:, :, 1:-1, 1:-1] = np.rint(inner) if a.dtype.kind != "f" else inner
    return out


def sharpness(a, factor):
    """Blend each sample with its smoothed image by factor[b] (0 smooth, 1 unchanged, 2 sharper); images of
    height or width 2 or less come back unchanged, as torchvision's."""
    if a.shape[2] <= 2 or a.shape[3] <= 2:
        return a
    return blend(a, smooth(a), factor)


def autocontrast(a):
    """Stretch each channel of each sample to span [0, bound]; a flat channel is kept."""
    work = a.astype(np.float32) if a.dtype.kind != "f" else a
    low, high = work.min(axis=(2, 3), keepdims=True), work.max(axis=(2, 3), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # bound / spread as torch takes it: reciprocal, then times
        scale = np.reciprocal(high - low) * work.dtype.type(bound(a.dtype))
    flat = ~np.isfinite(scale)
    low, scale = np.where(flat, 0, low).astype(work.dtype), np.where(flat, 1, scale).astype(work.dtype)
    return np.clip((work - low) * scale, 0, bound(a.dtype)).astype(a.dtype)


def equalize(a):
    """Equalize each channel's histogram (PIL's lookup table, as torchvision's): uint8, or floats in [0, 1]
    through uint8 as torchvision v2 does."""
    _uint8_or_float(a, "equalize")
    if a.dtype.kind == "f":
        u8 = np.clip(a * a.dtype.type(255 + 1 - 1e-3), 0, 255).astype(np.uint8)
        return (equalize(u8).astype(a.dtype) * a.dtype.type(1 / 255)).astype(a.dtype)
    n = a.shape[0] * a.shape[1]
    flat = a.reshape(n, -1).astype(np.intp)
    hist = np.bincount((flat + 256 * np.arange(n)[:, None]).ravel(), minlength=256 * n).reshape(n, 256)
    last = 255 - np.argmax(hist[:, ::-1] > 0, axis=1)  # the brightest level present
    step = (flat.shape[1] - hist[np.arange(n), last]) // 255
    lut = (np.cumsum(hist, axis=1) + step[:, None] // 2) // np.maximum(step, 1)[:, None]
    lut = np.clip(np.concatenate([np.zeros((n, 1), lut.dtype), lut[:, :-1]], axis=1), 0, 255)
    out = np.where(step[:, None] == 0, flat, np.take_along_axis(lut, flat, axis=1))
    return out.astype(a.dtype).reshape(a.shape)


def check_image(a, op, threshold=None):
    """torchvision's rules: 1 (grey) or 3 (RGB) channels, and a solarize threshold within the dtype's range."""
    if a.shape[1] not in (1, 3):
        raise TypeError(f"{op}: expected an image of 1 or 3 channels, got {a.shape[1]} (shape {a.shape})")
    if threshold is not None and threshold > bound(a.dtype):
        raise TypeError(f"{op}: threshold {threshold} is above the brightest {a.dtype} value {bound(a.dtype)}")


def check_bits(bits, op):
    if not isinstance(bits, (int, np.integer)) or not 0 <= bits <= 8:
        raise ValueError(f"{op}: bits must be an int in [0, 8], got {bits!r}")


def check_factor(factor, op):
    if factor < 0:
        raise ValueError(f"{op}: sharpness_factor must be non-negative, got {factor}")


def apply(img, op, kernel, pil_op, threshold=None):
    """kernel(a) on `img` viewed as (B, C, H, W) (checked), given back in img's layout; pil_op(img) for PIL."""
    if pil.is_pil_image(img):
        return pil_op(img)
    a, restore = ops.as_nchw(img, op)
    check_image(a, op, threshold)
    return restore(kernel(a))


class _RandomPixels:
    """Apply `_kernel` (on (n, C, H, W) arrays) to each sample with probability p, drawn per sample; a PIL image
    gets one draw and `_pil`."""

    batched = True
    threshold = None

    def __init__(self, p=0.5, generator=None):
        if not 0 <= p <= 1:
            raise ValueError(f"{type(self).__name__}: p must be a probability in [0, 1], got {p}")
        self.p, self.generator = p, generator

    def __call__(self, x):
        name = type(self).__name__
        if pil.is_pil_image(x):
            return self._pil(x) if get_generator(self.generator).random() < self.p else x
        a, restore = ops.as_nchw(x, name)
        check_image(a, name, self.threshold)
        pick = get_generator(self.generator).random(len(a)) < self.p
        out = a.copy()
        if pick.any():
            out[pick] = self._kernel(a[pick])
        return restore(out)

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomInvert(_RandomPixels):
    """Invert each sample's colours with probability p (see `functional.invert`)."""

    def _kernel(self, a):
        return invert(a)

    def _pil(self, img):
        return pil.image_op(img, "invert")


class RandomAutocontrast(_RandomPixels):
    """Stretch each sample's channels to the full range with probability p (see `functional.autocontrast`)."""

    def _kernel(self, a):
        return autocontrast(a)

    def _pil(self, img):
        return pil.image_op(img, "autocontrast")


class RandomEqualize(_RandomPixels):
    """Equalize each sample's histogram with probability p (see `functional.equalize`)."""

    def _kernel(self, a):
        return equalize(a)

    def _pil(self, img):
        return pil.image_op(img, "equalize")


class RandomPosterize(_RandomPixels):
    """Keep the top `bits` (0..8) bits of each channel, per sample with probability p (see `functional.posterize`)."""

    def __init__(self, bits, p=0.5, generator=None):
        check_bits(bits, "RandomPosterize")
        super().__init__(p, generator)
        self.bits = bits

    def _kernel(self, a):
        return posterize(a, np.full(len(a), self.bits))

    def _pil(self, img):
        return pil.image_op(img, "posterize", self.bits)

    def __repr__(self):
        return f"RandomPosterize(bits={self.bits}, p={self.p})"


class RandomSolarize(_RandomPixels):
    """Invert the pixels at or above `threshold`, per sample with probability p (see `functional.solarize`)."""

    def __init__(self, threshold, p=0.5, generator=None):
        super().__init__(p, generator)
        self.threshold = float(threshold)

    def _kernel(self, a):
        return solarize(a, np.full(len(a), self.threshold))

    def _pil(self, img):
        return pil.image_op(img, "solarize", self.threshold)

    def __repr__(self):
        return f"RandomSolarize(threshold={self.threshold}, p={self.p})"


class RandomAdjustSharpness(_RandomPixels):
    """Sharpen (factor > 1) or smooth (factor < 1) by `sharpness_factor`, per sample with probability p (see
    `functional.adjust_sharpness`)."""

    def __init__(self, sharpness_factor, p=0.5, generator=None):
        check_factor(sharpness_factor, "RandomAdjustSharpness")
        super().__init__(p, generator)
        self.sharpness_factor = float(sharpness_factor)

    def _kernel(self, a):
        return sharpness(a, np.full(len(a), self.sharpness_factor))

    def _pil(self, img):
        return pil.enhance(img, "Sharpness", self.sharpness_factor)

    def __repr__(self):
        return f"RandomAdjustSharpness(sharpness_factor={self.sharpness_factor}, p={self.p})"
