"""The rest of torchvision's common augmentations, vectorised over a batch (each sample its own draws):
`RandomResizedCrop`, `Pad`, `Grayscale` / `RandomGrayscale`, `GaussianBlur`, `RandomApply`,
`ConvertImageDtype`, and `InterpolationMode` for the interpolation arguments.

Layouts as in `ops`: numpy grey or colour images and batches, channels-first Tensors, or PIL images.
"""
import enum
import math
import numbers

import numpy as np

from ddp.core.random import get_generator
from ddp.core.tensor import Tensor

from . import ops, pil
from .color import _grey
from .geometric import _interpolation, _pair, image_size


class InterpolationMode(enum.Enum):
    """torchvision's interpolation names; the transforms here take "nearest" and "bilinear"."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _ten_tries(gen, n, area, scale, ratio, tries=10):
    """torchvision's ten tries per sample at a box: its area a fraction in `scale` of `area`, its aspect ratio
    log-uniform in `ratio`. Returns (round(sqrt(area r)), round(sqrt(area / r))), each (n, tries)."""
    target = area * gen.uniform(*scale, size=(n, tries))
    aspect = np.exp(gen.uniform(math.log(ratio[0]), math.log(ratio[1]), size=(n, tries)))
    return np.rint(np.sqrt(target * aspect)).astype(np.int64), np.rint(np.sqrt(target / aspect)).astype(np.int64)


def _first_fit(ok, *sides):
    """Per sample: whether any try fits (`ok`, (n, 10)), and each of `sides` at its first fitting try (the
    first try when none does)."""
    rows, first = np.arange(len(ok)), np.argmax(ok, axis=1)
    return (ok[rows, first],) + tuple(side[rows, first] for side in sides)


def _crop_box(gen, n, height, width, scale, ratio):
    """(top, left, h, w) arrays (n,) of random windows, as torchvision's RandomResizedCrop draws them: the first of
    ten tries that fits, else the whole image cropped to the nearest allowed aspect ratio, centered."""
    w, h = _ten_tries(gen, n, height * width, scale, ratio)
    found, h, w = _first_fit((w > 0) & (w <= width) & (h > 0) & (h <= height), h, w)
    in_ratio = width / height
    fw, fh = ((width, int(round(width / min(ratio)))) if in_ratio < min(ratio) else
              (int(round(height * max(ratio))), height) if in_ratio > max(ratio) else (width, height))
    h, w = np.where(found, h, fh), np.where(found, w, fw)
    top = np.where(found, (gen.random(n) * (height - h + 1)).astype(np.int64), (height - h) // 2)
    left = np.where(found, (gen.random(n) * (width - w + 1)).astype(np.int64), (width - w) // 2)
    return top, left, h, w


class RandomResizedCrop:
    """Crop a random window of each sample (area a fraction in `scale` of the image's, aspect ratio in
    `ratio`, drawn log-uniformly; torchvision's ten tries, then a central crop) and resize it to `size`.

    Arrays and Tensors are resized bilinearly (or nearest) without antialiasing, so strong shrinking is
    sharper than torchvision's; a PIL image is cropped and resized by PIL (antialiased), as torchvision's.

    Example:
        >>> RandomResizedCrop(24, scale=(0.5, 1.0))(images)   # (B, 32, 32, 3) -> (B, 24, 24, 3)
    """

    batched = True

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3), interpolation="bilinear", antialias=True,
                 generator=None):
        self.size = tuple(int(s) for s in _pair(size, "RandomResizedCrop size"))
        if not (0 < scale[0] <= scale[1] and 0 < ratio[0] <= ratio[1]):
            raise ValueError(f"RandomResizedCrop: scale and ratio must be (min, max) with 0 < min <= max, got "
                             f"{scale!r} and {ratio!r}")
        self.scale, self.ratio = tuple(scale), tuple(ratio)
        self.interpolation, self.generator = _interpolation(interpolation), generator

    def batch_params(self, n, height, width):
        """(top, left, h, w) arrays for n samples, as torchvision draws them."""
        return _crop_box(get_generator(self.generator), n, height, width, self.scale, self.ratio)

    @staticmethod
    def get_params(img, scale, ratio):
        """torchvision's one (top, left, height, width) window of `img`, drawn from the global generator."""
        return tuple(int(v[0]) for v in _crop_box(get_generator(), 1, *image_size(img), scale, ratio))

    def __call__(self, x):
        if pil.is_pil_image(x):
            top, left, h, w = (int(v[0]) for v in self.batch_params(1, x.height, x.width))
            return pil.resized_crop(x, top, left, h, w, self.size, self.interpolation)
        a, restore = ops.as_nchw(x, "RandomResizedCrop")
        box = self.batch_params(len(a), *a.shape[2:])
        return restore(ops.crop_resize(a, *box, self.size, self.interpolation))

    def __repr__(self):
        return f"RandomResizedCrop(size={self.size}, scale={self.scale}, ratio={self.ratio})"


class Pad:
    """Pad every side: an int, (left/right, top/bottom) or (left, top, right, bottom); `padding_mode`
    "constant" (with `fill`), "edge", "reflect" or "symmetric"."""

    batched = True

    def __init__(self, padding, fill=0, padding_mode="constant"):
        padding = (padding,) * 4 if isinstance(padding, numbers.Number) else tuple(padding)
        padding = padding * 2 if len(padding) == 2 else padding
        if len(padding) != 4 or any(p < 0 for p in padding):
            raise ValueError(f"Pad: padding must be an int or 2 or 4 non-negative ints, got {padding!r}")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"Pad: unknown padding_mode {padding_mode!r}")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, x):
        a, restore = ops.as_nchw(x, "Pad")
        return restore(ops.pad(a, self.padding, self.fill, self.padding_mode))

    def __repr__(self):
        return f"Pad(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode!r})"


class Grayscale:
    """RGB to grey (ITU-R 601-2 luma: 0.2989 R + 0.587 G + 0.114 B, truncated for integers, as torchvision's
    tensor path), with 1 output channel or 3 equal ones: (C, H, W) -> (1 or 3, H, W), batches alike. A PIL
    image is converted by PIL, to 'L' or to 'RGB', as torchvision's."""

    batched = True

    def __init__(self, num_output_channels=1):
        if num_output_channels not in (1, 3):
            raise ValueError(f"Grayscale: num_output_channels must be 1 or 3, got {num_output_channels}")
        self.num_output_channels = num_output_channels

    def __call__(self, x):
        if pil.is_pil_image(x):
            return pil.grayscale(x, self.num_output_channels)
        a, restore = ops.as_nchw(x, type(self).__name__)
        return restore(np.repeat(_grey(a), self.num_output_channels, axis=1))

    def __repr__(self):
        return f"Grayscale(num_output_channels={self.num_output_channels})"


class RandomGrayscale:
    """Make each sample grey with probability p, keeping its number of channels (a PIL image its mode 'L'
    or 'RGB')."""

    batched = True

    def __init__(self, p=0.1, generator=None):
        self.p, self.generator = p, generator

    def __call__(self, x):
        if pil.is_pil_image(x):
            pick = get_generator(self.generator).random(1)[0] < self.p
            return pil.grayscale(x, 1 if x.mode == "L" else 3) if pick else x
        a, restore = ops.as_nchw(x, "RandomGrayscale")
        if a.shape[1] == 1:
            return restore(a)
        pick = get_generator(self.generator).random(len(a)) < self.p
        return restore(np.where(pick[:, None, None, None], np.repeat(_grey(a), a.shape[1], axis=1), a))

    def __repr__(self):
        return f"RandomGrayscale(p={self.p})"


class GaussianBlur:
    """Blur each sample with a Gaussian of an odd `kernel_size` (int or (kx, ky)) and a sigma drawn per
    sample from `sigma` ((min, max), or one value), reflecting at the borders, as torchvision's."""

    batched = True

    def __init__(self, kernel_size, sigma=(0.1, 2.0), generator=None):
        self.kernel_size = tuple(int(k) for k in _pair(kernel_size, "GaussianBlur kernel_size"))
        if any(k <= 0 or k % 2 == 0 for k in self.kernel_size):
            raise ValueError(f"GaussianBlur: kernel_size must be odd and positive, got {kernel_size!r}")
        self.sigma = (float(sigma), float(sigma)) if isinstance(sigma, numbers.Number) else tuple(map(float, sigma))
        if not 0 < self.sigma[0] <= self.sigma[1]:
            raise ValueError(f"GaussianBlur: sigma must be positive and min <= max, got {sigma!r}")
        self.generator = generator

    @staticmethod
    def get_params(sigma_min, sigma_max):
        """torchvision's one sigma, uniform in [sigma_min, sigma_max], from the global generator."""
        return float(get_generator().uniform(sigma_min, sigma_max))

    def __call__(self, x):
        a, restore = ops.as_nchw(x, "GaussianBlur")
        sigma = get_generator(self.generator).uniform(*self.sigma, size=len(a))
        work = a.astype(np.float32) if a.dtype.kind in "iu" else a
        kx, ky = self.kernel_size
        out = ops.blur_axis(ops.blur_axis(work, sigma, kx, axis=3), sigma, ky, axis=2)
        if a.dtype.kind in "iu":
            out = np.clip(np.rint(out), np.iinfo(a.dtype).min, np.iinfo(a.dtype).max).astype(a.dtype)
        return restore(out)

    def __repr__(self):
        return f"GaussianBlur(kernel_size={self.kernel_size}, sigma={self.sigma})"


class RandomApply:
    """Apply the `transforms` (in order) to each sample with probability p. On a batch the transforms run
    once and each sample keeps their result or its own; they must keep the image's shape."""

    def __init__(self, transforms, p=0.5, generator=None):
        self.transforms, self.p, self.generator = list(transforms), p, generator

    @property
    def batched(self):
        return all(getattr(t, "batched", False) for t in self.transforms)

    def __call__(self, x):
        out = x
        for t in self.transforms:
            out = t(out)
        a, restore = ops.as_nchw(x, "RandomApply")
        b, _ = ops.as_nchw(out, "RandomApply")
        if a.shape != b.shape:
            raise ValueError(f"RandomApply: the transforms changed the shape {a.shape} to {b.shape}")
        pick = get_generator(self.generator).random(len(a)) < self.p
        return restore(np.where(pick[:, None, None, None], b, a))

    def __repr__(self):
        return f"RandomApply(p={self.p}, transforms={self.transforms})"


class ConvertImageDtype:
    """Convert an image Tensor's dtype and scale its values: uint8 [0, 255] <-> float [0, 1]."""

    batched = True

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def __call__(self, x):
        if not isinstance(x, Tensor):
            raise TypeError(f"ConvertImageDtype: expected a Tensor, got {type(x).__name__}")
        a = x.numpy()
        if a.dtype == self.dtype:
            return x
        if a.dtype.kind == "f" and self.dtype.kind == "f":
            return Tensor(a.astype(self.dtype))
        if a.dtype.kind == "f":  # float [0, 1] -> integer [0, max], as torchvision: * (max + 1 - eps), floor
            top = np.iinfo(self.dtype).max
            return Tensor(np.floor(a * (top + 1 - 1e-3)).clip(0, top).astype(self.dtype))
        top = np.iinfo(a.dtype).max
        if self.dtype.kind == "f":
            return Tensor(a.astype(self.dtype) / self.dtype.type(top))
        out_top = np.iinfo(self.dtype).max  # integer to integer: rescale by the ranges
        return Tensor((a.astype(np.int64) * (out_top + 1) // (top + 1)).astype(self.dtype))

    def __repr__(self):
        return f"ConvertImageDtype({self.dtype})"
