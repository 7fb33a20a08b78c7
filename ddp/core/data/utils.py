"""Image grids and PNG files, as torchvision.utils' `make_grid` and `save_image` (importable as ddp.data.utils).

PNGs are written by Pillow when it is installed, else by `write_png` here (zlib + struct: 8-bit grey, RGB
or RGBA, no filtering), so that saving samples needs no extra package.
"""
import math
import struct
import zlib
from pathlib import Path

import numpy as np

from ..tensor import Tensor
from .files import atomic_write

__all__ = ["make_grid", "save_image", "write_png"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOR_TYPES = {1: 0, 3: 2, 4: 6}  # channels -> PNG colour type: grey, RGB, RGBA


def _as_batch(tensor):
    """A Tensor (B, C, H, W), (C, H, W) or (H, W), or a list of (C, H, W) Tensors, as a (B, C, H, W) array."""
    if isinstance(tensor, (list, tuple)):
        if not tensor:
            raise ValueError("make_grid: got an empty list of images")
        a = np.stack([t.numpy() if isinstance(t, Tensor) else np.asarray(t) for t in tensor])
    elif isinstance(tensor, Tensor):
        a = tensor.numpy()
    else:
        raise TypeError(f"make_grid: expected a Tensor or a list of Tensors, got {type(tensor).__name__}")
    if a.ndim == 2:
        a = a[None]
    if a.ndim == 3:
        a = a[None]
    if a.ndim != 4:
        raise ValueError(f"make_grid: expected images (B, C, H, W), (C, H, W) or (H, W), got shape {a.shape}")
    if a.shape[1] == 1:  # grey becomes RGB, as torchvision's
        a = np.repeat(a, 3, axis=1)
    return a


def _normalize(a, value_range):
    lo, hi = (a.min(), a.max()) if value_range is None else value_range
    a = np.clip(a, lo, hi)
    return (a - lo) / max(hi - lo, 1e-5)


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """Tile a batch of images into one image: `nrow` images per row, `padding` pixels of `pad_value`
    around each.

    Args:
        tensor: a (B, C, H, W) Tensor or a list of (C, H, W) Tensors; one-channel images become RGB.
        normalize: shift and scale to [0, 1] by value_range (min, max), else by the batch's min and max
            (each image's own with scale_each).
    Returns:
        A float (C, H', W') Tensor; the image itself when the batch holds one.

    Example:
        >>> grid = make_grid(samples.view(64, 1, 28, 28), nrow=8)
    """
    a = _as_batch(tensor)
    a = a.astype(np.float32) if a.dtype.kind != "f" else a.copy()
    if normalize:
        if scale_each:
            a = np.stack([_normalize(img, value_range) for img in a]).astype(a.dtype)
        else:
            a = _normalize(a, value_range).astype(a.dtype)
    if len(a) == 1:
        return Tensor(a[0])
    n, c, h, w = a.shape
    cols = min(nrow, n)
    rows = math.ceil(n / cols)
    cell_h, cell_w = h + padding, w + padding
    grid = np.full((c, rows * cell_h + padding, cols * cell_w + padding), pad_value, dtype=a.dtype)
    # every image lands in its cell in one assignment: view the grid's cells as a (rows, cols) array
    tiles = np.full((rows * cols, c, h, w), pad_value, dtype=a.dtype)
    tiles[:n] = a
    cells = grid[:, padding:padding + rows * cell_h, padding:padding + cols * cell_w]
    cells = cells.reshape(c, rows, cell_h, cols, cell_w)
    cells[:, :, :h, :, :w] = tiles.reshape(rows, cols, c, h, w).transpose(2, 0, 3, 1, 4)
    return Tensor(grid)


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png(fp, image):
    """Write an (H, W) or (H, W, C) uint8 array (C = 1, 3 or 4) as an 8-bit PNG to a path or binary file."""
    a = np.asarray(image)
    if a.ndim == 2:
        a = a[:, :, None]
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] not in _COLOR_TYPES:
        raise ValueError(f"write_png: expected an (H, W) or (H, W, C) uint8 array with C in (1, 3, 4), "
                         f"got {a.dtype} {a.shape}")
    h, w, c = a.shape
    rows = np.concatenate([np.zeros((h, 1), np.uint8), a.reshape(h, w * c)], axis=1)  # filter byte 0 per row
    header = struct.pack(">IIBBBBB", w, h, 8, _COLOR_TYPES[c], 0, 0, 0)
    payload = (_PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
               + _chunk(b"IEND", b""))
    if isinstance(fp, (str, Path)):
        atomic_write(fp, payload)
    else:
        fp.write(payload)


def save_image(tensor, fp, format=None, **kwargs):  # noqa: A002 - torchvision's name
    """Save a Tensor (or batch, tiled by `make_grid` with `kwargs`) of values in [0, 1] as an image file.

    Values are scaled to 0..255 and rounded, as torchvision's. Pillow writes any format it knows when
    installed; without it the file is a PNG (its path must end in .png or `format` be "png").

    Raises:
        ValueError: for another format when Pillow is missing.

    Example:
        >>> save_image(recon.view(-1, 1, 28, 28), "recon.png", nrow=8)
    """
    grid = make_grid(tensor, **kwargs).numpy()
    image = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    try:
        from PIL import Image
    except ImportError:
        Image = None
    if Image is not None:
        Image.fromarray(image[:, :, 0] if image.shape[2] == 1 else image).save(fp, format=format)
        return
    suffix = Path(fp).suffix.lower() if isinstance(fp, (str, Path)) else ""
    if (format or suffix.lstrip(".") or "png").lower() != "png":
        raise ValueError(f"save_image: without Pillow only PNG files can be written, got "
                         f"{format or suffix!r}; install Pillow or save as .png")
    write_png(fp, image)
