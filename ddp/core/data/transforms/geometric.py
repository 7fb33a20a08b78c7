"""Random augmentations (`RandomCrop`, `RandomAffine`, `RandomRotation`), vectorised over a batch.

Each sample of a batch gets its own random parameters, drawn in one call (`batch_params`) from the numpy
Generator `generator` (default: `ddp.core.random.get_generator()`, looked up at each call). `get_params` is
torchvision's static form: one draw, from the global generator, as Python numbers.
"""
import numbers

import numpy as np

from ddp.core.random import get_generator

from . import ops, pil


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


def image_size(img):
    """(height, width) of a PIL image, a Tensor (..., C, H, W) or a numpy image in the layouts of `ops`."""
    if pil.is_pil_image(img):
        return img.height, img.width
    return ops.as_nchw(img, "get_params")[0].shape[2:]


def pixel_center(center):
    """torchvision's `center` (x, y), counted from the image's top-left corner, as the pixel coordinates the
    kernels take (pixel i's centre is at i + 0.5 there); None stays None (the image center)."""
    return None if center is None else (center[0] - 0.5, center[1] - 0.5)


def warp_fill(a, matrix, interpolation="nearest", fill=0, size=None):
    """`a` (B, C, H, W) resampled by `matrix` as `ops.warp` reads it, to `size` (default its own), with
    torchvision's fill (see `sample_fill`)."""
    size = a.shape[2:] if size is None else size
    return sample_fill(a, *ops.warp_coords(matrix, size), interpolation, fill).reshape(a.shape[:2] + tuple(size))


def sample_fill(a, src_x, src_y, interpolation="nearest", fill=0):
    """`a` (B, C, H, W) read at the pixel coordinates (src_x, src_y) (B, N), as `ops.sample`: (B, C, N), with
    torchvision's fill: a number or one per channel, None reading 0.

    A bilinear fill (not None) is blended as torchvision's tensors do: sampled with 0 outside, then
    out = img * mask + (1 - mask) * fill with `mask` the sampled coverage (so border pixels are weighted by their
    coverage twice; fill 0 darkens them, fill None does not)."""
    per_channel = np.ndim(fill) > 0
    if fill is None or interpolation != "bilinear":
        fill = 0 if fill is None else (np.reshape(fill, (-1, 1)) if per_channel else fill)
        return ops.sample(a, src_x, src_y, interpolation, fill)
    integer = a.dtype.kind in "iu"
    work = a.astype(np.float32) if integer else a
    img = ops.sample(work, src_x, src_y, "bilinear", 0)
    mask = ops.sample(np.ones((len(a), 1) + a.shape[2:], work.dtype), src_x, src_y, "bilinear", 0)
    fill = np.reshape(fill, (-1, 1)).astype(work.dtype) if per_channel else work.dtype.type(fill)
    out = img * mask + (1 - mask) * fill
    if integer:
        out = np.clip(np.rint(out), np.iinfo(a.dtype).min, np.iinfo(a.dtype).max)
    return out.astype(a.dtype, copy=False)


def affine(a, angle, translate, scale, shear, interpolation="nearest", fill=0, center=None):
    """`a` (B, C, H, W) warped by each sample's parameters (as `ops.affine_matrix` takes them) about
    `center` (x, y) in pixel coordinates, by default the image center; `fill` as `warp_fill` takes it."""
    H, W = a.shape[2:]
    center = center if center is not None else ((W - 1) / 2, (H - 1) / 2)
    matrix = ops.affine_matrix(angle, translate, scale, shear, center)
    return warp_fill(a, matrix, interpolation, fill)


def expanded_size(theta, height, width):
    """torchvision's (h, w) of an image turned by `theta` (2, 3; centered coordinates) and grown to hold it all:
    the corners' bounding box, in float32 and truncated to 1e-4 before rounding up, as torchvision."""
    corners = np.array([[-0.5 * width, -0.5 * height, 1], [-0.5 * width, 0.5 * height, 1],
                        [0.5 * width, 0.5 * height, 1], [0.5 * width, -0.5 * height, 1]], np.float32)
    moved = corners @ np.asarray(theta, np.float32).T
    half = np.array([0.5 * width, 0.5 * height], np.float32)
    tol = np.float32(1e-4)
    high = np.ceil(np.trunc((moved.max(axis=0) + half) / tol) * tol)
    low = np.floor(np.trunc((moved.min(axis=0) + half) / tol) * tol)
    w, h = (high - low).astype(np.int64)
    return int(h), int(w)


def rotate_expanded(a, angle, interpolation="nearest", fill=None, center=None):
    """`a` (B, C, H, W) turned `angle` degrees counter-clockwise (one angle for the batch) into an output grown
    to hold the whole turned image, as torchvision's rotate(expand=True); `center` is torchvision's (x, y)."""
    H, W = a.shape[2:]
    pivot = (0.0, 0.0) if center is None else (center[0] - 0.5 * W, center[1] - 0.5 * H)
    theta = ops.affine_matrix(np.array([-float(angle)]), np.zeros((1, 2)), np.ones(1), np.zeros((1, 2)), pivot)[0]
    h, w = expanded_size(theta, H, W)
    # torchvision's grid, in float32 and in its order (so that nearest ties round alike): output pixels in
    # centered coordinates, turned by theta scaled to [-1, 1], then back to input pixels
    ys, xs = np.mgrid[0:h, 0:w].reshape(2, 1, h * w).astype(np.float32)
    xs, ys = xs - np.float32(w * 0.5 - 0.5), ys - np.float32(h * 0.5 - 0.5)
    scaled = theta.astype(np.float32).T / np.array([0.5 * W, 0.5 * H], np.float32)
    src_x, src_y = ((((xs * scaled[0, i] + ys * scaled[1, i] + scaled[2, i]) + 1) * n - 1) / 2
                    for i, n in ((0, np.float32(W)), (1, np.float32(H))))
    src_x, src_y = np.repeat(src_x, len(a), 0), np.repeat(src_y, len(a), 0)
    return sample_fill(a, src_x, src_y, interpolation, fill).reshape(a.shape[:2] + (h, w))


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

    @staticmethod
    def get_params(img, output_size):
        """torchvision's (top, left, height, width) of a random `output_size` (h, w) window of `img`, drawn from
        the global generator; the whole image needs no draw.

        Raises:
            ValueError: if `img` is smaller than `output_size`.
        """
        (h, w), (th, tw) = image_size(img), output_size
        if h < th or w < tw:
            raise ValueError(f"RandomCrop.get_params: crop size {(th, tw)} is larger than the image size {(h, w)}")
        if (h, w) == (th, tw):
            return 0, 0, h, w
        gen = get_generator()
        return int(gen.integers(0, h - th + 1)), int(gen.integers(0, w - tw + 1)), th, tw

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

    def batch_params(self, n, height, width):
        """Draw (angle, translate, scale, shear) for `n` samples: arrays (n,), (n, 2), (n,), (n, 2)."""
        return _affine_params(get_generator(self.generator), n, self.degrees, self.translate, self.scale,
                              self.shear, height, width)

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        """torchvision's one draw from the global generator: (angle, (tx, ty), scale, (shear_x, shear_y)), the
        shifts whole pixels of an image of `img_size` (width, height)."""
        width, height = img_size
        angle, shift, scale, shear = _affine_params(get_generator(), 1, degrees, translate, scale_ranges, shears,
                                                    height, width)
        return (float(angle[0]), (int(shift[0, 0]), int(shift[0, 1])), float(scale[0]),
                (float(shear[0, 0]), float(shear[0, 1])))

    def __call__(self, x):
        a, restore = ops.as_nchw(x, type(self).__name__)
        angle, *rest = self.batch_params(len(a), *a.shape[2:])
        return restore(affine(a, self.turn * angle, *rest, self.interpolation, self.fill, pixel_center(self.center)))

    def __repr__(self):
        return (f"{type(self).__name__}(degrees={self.degrees}, translate={self.translate}, scale={self.scale}, "
                f"shear={self.shear}, interpolation={self.interpolation!r})")


class RandomRotation(RandomAffine):
    """Rotate each sample by a random angle in `degrees` ((min, max), or d for (-d, d)) about `center`.

    With `expand=True` the output grows to hold the whole turned image; its size then depends on the angle,
    so one angle is drawn per call, as torchvision's, and datasets apply it sample by sample (`batched` is False).

    Example:
        >>> RandomRotation(15)(batch)
    """

    turn = -1.0  # counter-clockwise, as torchvision's RandomRotation

    def __init__(self, degrees, interpolation="nearest", expand=False, center=None, fill=0, generator=None):
        super().__init__(degrees, interpolation=interpolation, fill=fill, center=center, generator=generator)
        self.expand = bool(expand)
        self.batched = not self.expand

    @staticmethod
    def get_params(degrees):
        """torchvision's one angle, uniform in `degrees` (min, max), from the global generator."""
        return float(get_generator().uniform(float(degrees[0]), float(degrees[1])))

    def __call__(self, x):
        if not self.expand:
            return super().__call__(x)
        a, restore = ops.as_nchw(x, "RandomRotation")
        angle = get_generator(self.generator).uniform(*self.degrees)
        return restore(rotate_expanded(a, angle, self.interpolation, self.fill, self.center))


def _affine_params(gen, n, degrees, translate, scale, shear, height, width):
    """(angle, translate, scale, shear) for `n` samples, as torchvision draws them: arrays (n,), (n, 2), (n,),
    (n, 2); shifts rounded to whole pixels, shear a 2- or 4-range (x, then y) or None."""
    angle = gen.uniform(float(degrees[0]), float(degrees[1]), size=n)
    shift = np.zeros((n, 2))
    if translate is not None:
        limit = np.array([translate[0] * width, translate[1] * height], np.float64)
        shift = np.round(gen.uniform(-limit, limit, size=(n, 2)))
    factor = gen.uniform(scale[0], scale[1], size=n) if scale is not None else np.ones(n)
    shear_xy = np.zeros((n, 2))
    if shear is not None:
        shear_xy[:, 0] = gen.uniform(shear[0], shear[1], size=n)
        if len(shear) == 4:
            shear_xy[:, 1] = gen.uniform(shear[2], shear[3], size=n)
    return angle, shift, factor, shear_xy
