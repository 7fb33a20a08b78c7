"""PIL images in the transforms, with Pillow optional: it is imported only when a PIL image is given or made.

A PIL image goes through the array code as the array numpy reads from it ((H, W) for one band, else
(H, W, C)) and comes back as a PIL image of its mode (a palette image keeps its palette). Resizing and
grey conversion use PIL's own `resize` and `convert`, as torchvision does for PIL images.
"""
import sys

import numpy as np

# modes whose pixel values are colours or grey levels on 0..255, the only ones a colour change applies to
COLOUR_MODES = ("L", "LA", "RGB", "RGBA")
RESAMPLE = {"nearest": 0, "nearest-exact": 0, "bilinear": 2, "bicubic": 3}  # PIL's codes, as torchvision maps them


def is_pil_image(x):
    """Whether `x` is a PIL image; False without importing PIL when nothing has imported it yet."""
    module = sys.modules.get("PIL.Image")
    return module is not None and isinstance(x, module.Image)


def image_module():
    """`PIL.Image`, imported on first use."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("making a PIL image needs Pillow: pip install pillow") from e
    return Image


def check_mode(img, op, modes=COLOUR_MODES):
    """Raise a TypeError naming `op` when the PIL image `img` is not in one of `modes`."""
    if is_pil_image(img) and img.mode not in modes:
        raise TypeError(f"{op}: expected a PIL image of mode {' / '.join(modes)}, got mode {img.mode!r}; "
                        f"convert it first, e.g. img.convert('RGB')")


def to_array(img):
    """The pixels of a PIL image as a new array: (H, W) for one band, (H, W, C) for more."""
    return np.array(img)


def to_hwc(img, dtype=None):
    """The pixels of a PIL image as an (H, W, bands) array, in `dtype` when given."""
    a = np.array(img) if dtype is None else np.array(img, dtype)
    return a.reshape(img.size[1], img.size[0], len(img.getbands()))


def from_array(a, like):
    """A PIL image of `like`'s mode (and palette) from an array laid out as `to_array(like)` gives it."""
    Image = image_module()
    a = np.ascontiguousarray(a)
    if like.mode.startswith("I;16"):
        return Image.fromarray(a.view(np.uint16) if a.dtype == np.int16 else a.astype(np.uint16))
    img = Image.fromarray(a)
    if img.mode != like.mode and a.dtype == np.uint8:  # a mode numpy cannot name: P, CMYK, YCbCr, ...
        img = Image.frombytes(like.mode, img.size, a.tobytes())
    if like.mode == "P":
        img.putpalette(like.getpalette())
    return img


def resize(img, size, interpolation):
    """`img` resized to `size` (h, w) by PIL (antialiased when shrinking), with "nearest", "bilinear" or "bicubic"."""
    h, w = size
    return img.resize((w, h), RESAMPLE[interpolation])


def resized_crop(img, top, left, height, width, size, interpolation):
    """The window (top, left, height, width) of `img`, cropped and then resized to `size` (h, w) by PIL (as
    torchvision; resizing with PIL's `box` would blend in pixels from outside the window)."""
    return resize(img.crop((left, top, left + width, top + height)), size, interpolation)


def grayscale(img, num_output_channels):
    """`img` converted to grey by PIL ('L'), or to an 'RGB' image of three equal channels."""
    grey = img.convert("L")
    return grey if num_output_channels == 1 else grey.convert("RGB")


def image_op(img, name, *args):
    """PIL's own `ImageOps.<name>(img, *args)` (invert, posterize, solarize, autocontrast, equalize), which is
    what torchvision calls for a PIL image."""
    image_module()
    from PIL import ImageOps
    return getattr(ImageOps, name)(img, *args)


def enhance(img, name, factor):
    """PIL's `ImageEnhance.<name>(img).enhance(factor)` (Sharpness, Brightness, Color, Contrast), as torchvision."""
    image_module()
    from PIL import ImageEnhance
    return getattr(ImageEnhance, name)(img).enhance(factor)


def fill_colour(fill, img):
    """torchvision's fill for PIL: None reads 0, one number (or one value) serves every band; ints unless mode F."""
    bands = len(img.getbands())
    fill = 0 if fill is None else fill
    if isinstance(fill, (list, tuple)):
        if len(fill) not in (1, bands):
            raise ValueError(f"fill has {len(fill)} values for an image of {bands} bands")
        fill = tuple(fill) * (bands // len(fill))
    elif bands > 1:
        fill = (fill,) * bands
    cast = float if img.mode == "F" else int
    return tuple(map(cast, fill)) if isinstance(fill, tuple) else cast(fill)


def affine(img, matrix, interpolation, fill=None):
    """`img` resampled by PIL's AFFINE transform: output pixel (x, y) reads input point matrix @ (x + .5, y + .5, 1),
    `matrix` a (2, 3) array in PIL's coordinates (pixel i spans [i, i + 1))."""
    return img.transform(img.size, image_module().AFFINE, tuple(np.asarray(matrix, np.float64).ravel()),
                         RESAMPLE[interpolation], fillcolor=fill_colour(fill, img))


def rotate(img, angle, interpolation, fill=None):
    """`img` turned `angle` degrees counter-clockwise about its center by PIL's `rotate`, as torchvision."""
    return img.rotate(angle, RESAMPLE[interpolation], fillcolor=fill_colour(fill, img))
