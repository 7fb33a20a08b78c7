"""Image files as uint8 (C, H, W) Tensors, as `torchvision.io` (importable as `ddp.data.io`): `read_image` /
`decode_image` and `write_png` / `write_jpeg` with their `encode_*` forms, through Pillow (the `vision` extra)
where torchvision uses libpng and libjpeg (so JPEG pixels may differ from torchvision's by a decoder's rounding).
"""
import enum
import io
from pathlib import Path

import numpy as np

from ..tensor import Tensor
from .files import atomic_write
from .transforms import pil

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_image", "read_image", "decode_png", "decode_jpeg",
           "encode_png", "encode_jpeg", "write_png", "write_jpeg"]


class ImageReadMode(enum.Enum):
    """The channels to decode to: as stored, grey, grey + alpha, RGB or RGB + alpha."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4


_PIL_MODES = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA", ImageReadMode.RGB: "RGB",
              ImageReadMode.RGB_ALPHA: "RGBA"}


def read_file(path):
    """The bytes of the file at `path` as a 1-D uint8 Tensor."""
    return Tensor(np.frombuffer(Path(path).read_bytes(), np.uint8).copy())


def write_file(filename, data):
    """Write the bytes of a 1-D uint8 Tensor to `filename` (atomically)."""
    atomic_write(filename, np.ascontiguousarray(data.numpy() if isinstance(data, Tensor) else data, np.uint8).tobytes())


def _unchanged(img):
    """The mode torchvision's decoders give a file as stored: palettes expanded to RGB (RGBA with transparency),
    1-bit as grey, CMYK and YCbCr as RGB; 16-bit grey kept as uint16."""
    if img.mode == "P":
        return img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode == "1":
        return img.convert("L")
    if img.mode in ("L", "LA", "RGB", "RGBA") or img.mode.startswith("I;16"):
        return img
    return img.convert("RGB")


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):  # noqa: A002 - torchvision's name
    """A PNG, JPEG, GIF (first frame), BMP, TIFF or WebP image, given as a 1-D uint8 Tensor of its bytes or a
    path, as a (C, H, W) Tensor: uint8, or uint16 for a 16-bit grey PNG in UNCHANGED mode.

    Args:
        mode: an `ImageReadMode` (or its name, as torchvision v2 takes "RGB").
        apply_exif_orientation: turn the image as its EXIF orientation tag says.
    Raises:
        ImportError: without Pillow. ValueError: for bytes that are no image Pillow reads.

    Example:
        >>> decode_image(read_file("cat.jpg"), ImageReadMode.RGB).shape   # (3, H, W)
    """
    Image = pil.image_module()
    data = Path(input).read_bytes() if isinstance(input, (str, Path)) else _bytes(input)
    mode = ImageReadMode[mode.upper()] if isinstance(mode, str) else ImageReadMode(mode)
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception as e:  # Pillow raises UnidentifiedImageError, OSError, SyntaxError for bad data
        raise ValueError(f"decode_image: could not decode {len(data)} bytes as an image: {e}") from e
    if apply_exif_orientation:
        from PIL import ImageOps
        img = ImageOps.exif_transpose(img)
    if mode is ImageReadMode.UNCHANGED:
        img = _unchanged(img)
    elif img.mode != _PIL_MODES[mode]:
        img = (img.convert("RGBA") if img.mode == "P" else img).convert(_PIL_MODES[mode])
    a = pil.to_hwc(img)
    a = a.astype(np.uint16) if a.dtype != np.uint8 else a
    return Tensor(np.ascontiguousarray(a.transpose(2, 0, 1)))


decode_png = decode_jpeg = decode_image


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """The image file at `path` as a (C, H, W) uint8 Tensor (see `decode_image`)."""
    return decode_image(read_file(path), mode, apply_exif_orientation)


def _bytes(data):
    a = data.numpy() if isinstance(data, Tensor) else np.asarray(data)
    if a.dtype != np.uint8 or a.ndim != 1:
        raise ValueError(f"decode_image: expected a 1-D uint8 Tensor of file bytes, got {a.dtype} {a.shape}")
    return a.tobytes()


def _image(input, op, channels):  # noqa: A002
    """A PIL image of a (C, H, W) uint8 Tensor with C in `channels`."""
    a = input.numpy() if isinstance(input, Tensor) else np.asarray(input)
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[0] not in channels:
        raise ValueError(f"{op}: expected a uint8 Tensor (C, H, W) with C in {channels}, got {a.dtype} {a.shape}")
    hwc = np.ascontiguousarray(a.transpose(1, 2, 0))
    return pil.image_module().fromarray(hwc[:, :, 0] if a.shape[0] == 1 else hwc)


def _encode(img, **options):
    out = io.BytesIO()
    img.save(out, **options)
    return Tensor(np.frombuffer(out.getvalue(), np.uint8).copy())


def encode_png(input, compression_level=6):  # noqa: A002
    """A (C, H, W) uint8 Tensor (C = 1, 2, 3 or 4) as the bytes of a PNG file, a 1-D uint8 Tensor.

    Raises:
        ValueError: for another dtype or shape, or a compression level outside 0..9.
    """
    if not 0 <= compression_level <= 9:
        raise ValueError(f"encode_png: compression_level must be in 0..9, got {compression_level}")
    return _encode(_image(input, "encode_png", (1, 2, 3, 4)), format="PNG", compress_level=compression_level)


def encode_jpeg(input, quality=75):  # noqa: A002
    """A (C, H, W) uint8 Tensor (C = 1 or 3) as the bytes of a JPEG file (a list of Tensors gives a list).

    Raises:
        ValueError: for another dtype or shape, or a quality outside 1..100.
    """
    if isinstance(input, (list, tuple)):
        return [encode_jpeg(x, quality) for x in input]
    if not 1 <= quality <= 100:
        raise ValueError(f"encode_jpeg: quality must be in 1..100, got {quality}")
    return _encode(_image(input, "encode_jpeg", (1, 3)), format="JPEG", quality=quality)


def write_png(input, filename, compression_level=6):  # noqa: A002
    """Write a (C, H, W) uint8 Tensor to `filename` as a PNG file."""
    write_file(filename, encode_png(input, compression_level))


def write_jpeg(input, filename, quality=75):  # noqa: A002
    """Write a (C, H, W) uint8 Tensor to `filename` as a JPEG file."""
    write_file(filename, encode_jpeg(input, quality))
