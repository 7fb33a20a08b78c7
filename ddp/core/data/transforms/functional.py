"""`transforms.functional`, as torchvision's: one operation per call, with its parameters given and nothing
drawn at random. Each runs the transform classes' own code; images are what the classes take (Tensors,
numpy arrays and batches as in `ops`, PIL images), and come back in the same form.

The batched array kernels behind the transforms live in `ops` (`affine_matrix` and `warp` are also here).
"""
import numbers

import numpy as np

from . import ops, photometric, pil
from .augment import Grayscale, InterpolationMode, Pad
from .basic import Normalize
from .color import adjust
from .convert import PILToTensor, ToPILImage, ToTensor
from .crops import five_crop, ten_crop  # noqa: F401  (defined with FiveCrop and TenCrop)
from .erasing import erase  # noqa: F401  (defined with RandomErasing)
from .geometric import _interpolation, affine as _affine_batch, pixel_center, rotate_expanded
from .ops import affine_matrix, warp  # noqa: F401  (the kernels, importable from here as before)
from .perspective import perspective_coeffs, warp_perspective
from .size import CenterCrop, Resize

__all__ = ["to_tensor", "pil_to_tensor", "to_pil_image", "normalize", "resize", "center_crop", "crop", "pad",
           "hflip", "vflip", "rotate", "affine", "rgb_to_grayscale", "to_grayscale", "adjust_brightness",
           "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_sharpness", "invert", "posterize",
           "solarize", "autocontrast", "equalize", "resized_crop", "gaussian_blur", "erase", "perspective",
           "five_crop", "ten_crop"]


def to_tensor(pic):
    """A PIL image or numpy image as a channels-first Tensor, uint8 scaled to [0, 1] (see `ToTensor`)."""
    return ToTensor()(pic)


def pil_to_tensor(pic):
    """A PIL image as a (C, H, W) Tensor of its unscaled pixels (see `PILToTensor`)."""
    return PILToTensor()(pic)


def to_pil_image(pic, mode=None):
    """A Tensor (C, H, W) or array (H, W, C) as a PIL image, its mode inferred when None (see `ToPILImage`)."""
    return ToPILImage(mode)(pic)


def normalize(tensor, mean, std, inplace=False):
    """(tensor - mean[c]) / std[c] per channel (see `Normalize`)."""
    return Normalize(mean, std, inplace)(tensor)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """`img` resized to (h, w), or its shorter edge to an int `size` (see `Resize`)."""
    return Resize(size, interpolation, max_size, antialias)(img)


def center_crop(img, output_size):
    """The central `output_size` window, zero-padded first when the image is smaller (see `CenterCrop`)."""
    return CenterCrop(output_size)(img)


def pad(img, padding, fill=0, padding_mode="constant"):
    """`img` padded on each side (see `Pad`)."""
    return Pad(padding, fill, padding_mode)(img)


def rgb_to_grayscale(img, num_output_channels=1):
    """ITU-R 601-2 luma with 1 or 3 channels (see `Grayscale`)."""
    return Grayscale(num_output_channels)(img)


to_grayscale = rgb_to_grayscale


def _each(img, op, fn):
    """fn applied to `img` viewed as (B, C, H, W), given back in img's layout and type."""
    a, restore = ops.as_nchw(img, op)
    return restore(fn(a))


def hflip(img):
    """`img` mirrored left-right."""
    return _each(img, "hflip", lambda a: np.ascontiguousarray(a[:, :, :, ::-1]))


def vflip(img):
    """`img` mirrored top-bottom."""
    return _each(img, "vflip", lambda a: np.ascontiguousarray(a[:, :, ::-1]))


def crop(img, top, left, height, width):
    """Rows top..top+height and columns left..left+width of `img`; pixels outside the image read 0, as
    torchvision's."""
    def window(a):
        H, W = a.shape[2:]
        before_x, before_y = max(-left, 0), max(-top, 0)
        widths = (before_x, before_y, max(left + width - W, 0), max(top + height - H, 0))
        a = ops.pad(a, widths) if any(widths) else a
        return a[:, :, top + before_y:top + before_y + height, left + before_x:left + before_x + width]
    return _each(img, "crop", window)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    """The window (top, left, height, width) of `img` (see `crop`), resized to `size` (see `resize`)."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def gaussian_blur(img, kernel_size, sigma=None):
    """`img` blurred by a Gaussian of odd `kernel_size` (int or (kx, ky)) and `sigma` (one, or (sx, sy); None
    gives 0.15 * k + 0.35 per axis, as torchvision), reflecting at the borders.

    Raises:
        ValueError: for an even or non-positive kernel size or a non-positive sigma.
    """
    kx, ky = (kernel_size, kernel_size) if isinstance(kernel_size, numbers.Number) else tuple(kernel_size) * (
        2 if len(kernel_size) == 1 else 1)
    if any(int(k) != k or k <= 0 or k % 2 == 0 for k in (kx, ky)):
        raise ValueError(f"gaussian_blur: kernel_size must be odd and positive, got {kernel_size!r}")
    if sigma is None:
        sigma = (kx * 0.15 + 0.35, ky * 0.15 + 0.35)
    sx, sy = (sigma, sigma) if isinstance(sigma, numbers.Number) else tuple(sigma) * (2 if len(sigma) == 1 else 1)
    if sx <= 0 or sy <= 0:
        raise ValueError(f"gaussian_blur: sigma must be positive, got {sigma!r}")

    def blur(a):
        work = a.astype(np.float32) if a.dtype.kind in "iu" else a
        out = ops.blur_axis(ops.blur_axis(work, np.full(len(a), sx), int(kx), 3), np.full(len(a), sy), int(ky), 2)
        if a.dtype.kind in "iu":
            out = np.clip(np.rint(out), np.iinfo(a.dtype).min, np.iinfo(a.dtype).max).astype(a.dtype)
        return out
    return _each(img, "gaussian_blur", blur)


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None):
    """`img` seen in perspective: the four `startpoints` [x, y] (top-left, top-right, bottom-right,
    bottom-left) moved to `endpoints`; pixels from outside read `fill` (None: 0, edges not blended)."""
    mode = _interpolation(interpolation)
    coeffs = perspective_coeffs(np.asarray(startpoints)[None], np.asarray(endpoints)[None])
    return _each(img, "perspective", lambda a: warp_perspective(a, np.repeat(coeffs, len(a), 0), mode, fill))


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """`img` turned by `angle` degrees clockwise (torchvision's affine; `rotate` turns counter-clockwise),
    shifted by `translate` (x, y) pixels, scaled by `scale` and sheared by `shear` degrees (x, or (x, y)) about
    `center` (x, y from the top-left corner, as torchvision; default the image center)."""
    shear = (shear, 0.0) if isinstance(shear, numbers.Number) else tuple(shear) + (0.0,) * (2 - len(shear))
    mode = _interpolation(interpolation)

    def warp_all(a):
        n = len(a)
        return _affine_batch(a, np.full(n, float(angle)), np.tile(np.asarray(translate, np.float64), (n, 1)),
                             np.full(n, float(scale)), np.tile(np.asarray(shear, np.float64), (n, 1)), mode,
                             fill, pixel_center(center))
    return _each(img, "affine", warp_all)


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """`img` turned by `angle` degrees counter-clockwise about `center` (x, y from the top-left corner, as
    torchvision; default the image center); pixels from outside read `fill` (0). The output keeps the input's
    size, or with `expand` grows to hold the whole turned image (torchvision's size, which assumes the turn is
    about the center)."""
    if expand:
        return _each(img, "rotate", lambda a: rotate_expanded(a, angle, _interpolation(interpolation), fill, center))
    return affine(img, -angle, (0, 0), 1.0, 0.0, interpolation, fill, center)


def _adjust(img, name, factor):
    pil.check_mode(img, f"adjust_{name}")
    return _each(img, f"adjust_{name}", lambda a: adjust(a, name, np.full(len(a), factor)))


def adjust_brightness(img, brightness_factor):
    """brightness_factor * img, clipped (0 gives black, 1 the image)."""
    if brightness_factor < 0:
        raise ValueError(f"adjust_brightness: brightness_factor must be non-negative, got {brightness_factor}")
    return _adjust(img, "brightness", brightness_factor)


def adjust_contrast(img, contrast_factor):
    """img blended with its mean grey level (0 gives flat grey, 1 the image)."""
    if contrast_factor < 0:
        raise ValueError(f"adjust_contrast: contrast_factor must be non-negative, got {contrast_factor}")
    return _adjust(img, "contrast", contrast_factor)


def adjust_saturation(img, saturation_factor):
    """img blended with its grey image (0 gives grey, 1 the image)."""
    if saturation_factor < 0:
        raise ValueError(f"adjust_saturation: saturation_factor must be non-negative, got {saturation_factor}")
    return _adjust(img, "saturation", saturation_factor)


def adjust_hue(img, hue_factor):
    """Each pixel's hue moved by `hue_factor` turns of the colour wheel, in [-0.5, 0.5]."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"adjust_hue: hue_factor must be in [-0.5, 0.5], got {hue_factor}")
    return _adjust(img, "hue", hue_factor)


def adjust_sharpness(img, sharpness_factor):
    """img blended with its 3x3-smoothed self (0 gives the smoothed image, 1 the image, 2 a sharper one)."""
    photometric.check_factor(sharpness_factor, "adjust_sharpness")
    return photometric.apply(img, "adjust_sharpness",
                             lambda a: photometric.sharpness(a, np.full(len(a), sharpness_factor)),
                             lambda im: pil.enhance(im, "Sharpness", sharpness_factor))


def invert(img):
    """The negative image: 255 - img for uint8, 1 - img for floats."""
    return photometric.apply(img, "invert", photometric.invert, lambda im: pil.image_op(im, "invert"))


def posterize(img, bits):
    """Each channel kept to its top `bits` bits (0..8): uint8 images and PIL ones; floats (torchvision v2's rule)
    floored to 2**bits levels."""
    photometric.check_bits(bits, "posterize")
    return photometric.apply(img, "posterize", lambda a: photometric.posterize(a, np.full(len(a), bits)),
                             lambda im: pil.image_op(im, "posterize", bits))


def solarize(img, threshold):
    """Pixels at or above `threshold` inverted (the threshold on the image's scale: 0..255 for uint8, 0..1 for
    floats).

    Raises:
        TypeError: for a threshold above the dtype's brightest value, as torchvision.
    """
    return photometric.apply(img, "solarize", lambda a: photometric.solarize(a, np.full(len(a), threshold)),
                             lambda im: pil.image_op(im, "solarize", threshold), threshold=threshold)


def autocontrast(img):
    """Each channel stretched linearly so that its darkest pixel becomes 0 and its brightest the dtype's bound."""
    return photometric.apply(img, "autocontrast", photometric.autocontrast, lambda im: pil.image_op(im, "autocontrast"))


def equalize(img):
    """Each channel's histogram equalized (PIL's lookup table, as torchvision's): uint8 and PIL images, and floats
    in [0, 1] through uint8 (torchvision v2's rule)."""
    return photometric.apply(img, "equalize", photometric.equalize, lambda im: pil.image_op(im, "equalize"))
