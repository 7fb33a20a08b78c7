"""ddp.data.utils: make_grid's layout, normalisation and padding (torchvision.utils' rules), and save_image
writing PNG files that decode (with a small decoder here, or Pillow where installed) to the expected pixels."""
import io
import struct
import zlib

import numpy as np
import pytest

import ddp
from ddp.data.utils import make_grid, save_image, write_png


def decode_png(data):
    """A minimal PNG reader for 8-bit grey / RGB / RGBA, non-interlaced, any of the five row filters."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h, depth, color, _, _, interlace = header
    assert depth == 8 and interlace == 0
    c = {0: 1, 2: 3, 6: 4}[color]
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * c)
    out = np.zeros((h, w * c), np.int32)
    for y in range(h):  # undo each row's filter (a test helper: clarity over speed)
        f, row = raw[y, 0], raw[y, 1:].astype(np.int32)
        prev = out[y - 1] if y else np.zeros(w * c, np.int32)
        for x in range(w * c):
            a = out[y, x - c] if x >= c else 0
            b, d = prev[x], prev[x - c] if x >= c else 0
            if f == 0:
                pred = 0
            elif f == 1:
                pred = a
            elif f == 2:
                pred = b
            elif f == 3:
                pred = (a + b) // 2
            else:
                p = a + b - d
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - d)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else d)
            out[y, x] = (row[x] + pred) % 256
    return out.astype(np.uint8).reshape(h, w, c)


def read_image(path):
    try:
        from PIL import Image
    except ImportError:
        return decode_png(path.read_bytes())
    return np.asarray(Image.open(path))


def test_make_grid_layout():
    x = np.arange(5 * 1 * 2 * 3, dtype=np.float32).reshape(5, 1, 2, 3)
    grid = make_grid(ddp.tensor(x), nrow=2, padding=1, pad_value=-1.0)
    assert isinstance(grid, ddp.Tensor) and tuple(grid.shape) == (3, 3 * 3 + 1, 2 * 4 + 1)
    g = grid.numpy()
    for k in range(5):  # image k sits in row k // 2, column k % 2; grey repeated into RGB
        r, c = k // 2, k % 2
        for ch in range(3):
            np.testing.assert_array_equal(g[ch, 1 + 3 * r:3 + 3 * r, 1 + 4 * c:4 + 4 * c], x[k, 0])
    assert (g[:, 7:9, 5:8] == -1).all()  # the empty sixth cell is padding
    assert (g[:, 0] == -1).all() and (g[:, :, 0] == -1).all()


def test_make_grid_normalize_and_inputs():
    x = np.array([[[[0.0, 2.0]]], [[[4.0, 8.0]]]], np.float32)  # (2, 1, 1, 2)
    g = make_grid(ddp.tensor(x), padding=0, normalize=True).numpy()
    np.testing.assert_allclose(g[0], [[0.0, 0.25, 0.5, 1.0]])
    g = make_grid(ddp.tensor(x), padding=0, normalize=True, scale_each=True).numpy()
    np.testing.assert_allclose(g[0], [[0.0, 1.0, 0.0, 1.0]])
    g = make_grid(ddp.tensor(x), padding=0, normalize=True, value_range=(0.0, 4.0)).numpy()
    np.testing.assert_allclose(g[0], [[0.0, 0.5, 1.0, 1.0]])
    one = make_grid(ddp.tensor(x[0]))  # a single image comes back as itself (as RGB)
    assert tuple(one.shape) == (3, 1, 2)
    listed = make_grid([ddp.tensor(x[0]), ddp.tensor(x[1])], padding=0)
    np.testing.assert_array_equal(listed.numpy(), make_grid(ddp.tensor(x), padding=0).numpy())
    with pytest.raises(ValueError, match=r"expected images \(B, C, H, W\)"):
        make_grid(ddp.zeros(1, 1, 1, 1, 1))
    with pytest.raises(TypeError, match="expected a Tensor or a list of Tensors, got ndarray"):
        make_grid(x)


def test_make_grid_torchvision_rules_by_formula():
    """torchvision's grid size: (H + padding) * rows + padding by (W + padding) * cols + padding."""
    for n, nrow in ((7, 3), (8, 8), (3, 8)):
        g = make_grid(ddp.zeros(n, 3, 4, 5), nrow=nrow, padding=2)
        cols, rows = min(nrow, n), -(-n // min(nrow, n))
        assert tuple(g.shape) == (3, 6 * rows + 2, 7 * cols + 2)


def test_save_image_png_pixels(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((3, 3, 4, 5)).astype(np.float32)
    path = tmp_path / "grid.png"
    save_image(ddp.tensor(x), path, nrow=2, padding=1, pad_value=1.0)
    grid = make_grid(ddp.tensor(x), nrow=2, padding=1, pad_value=1.0).numpy()
    expected = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(read_image(path), expected)
    grey = np.array([[0, 128, 255], [10, 20, 30]], np.uint8)  # the writer alone, grey and RGBA
    buf = io.BytesIO()
    write_png(buf, grey)
    np.testing.assert_array_equal(decode_png(buf.getvalue())[:, :, 0], grey)
    rgba = rng.integers(0, 256, (3, 2, 4), dtype=np.uint8)
    buf = io.BytesIO()
    write_png(buf, rgba)
    np.testing.assert_array_equal(decode_png(buf.getvalue()), rgba)


def test_save_image_single_and_errors(tmp_path):
    img = ddp.tensor(np.linspace(0, 1, 6, dtype=np.float32).reshape(1, 2, 3))
    save_image(img, tmp_path / "one.png")
    expected = np.clip(np.linspace(0, 1, 6).reshape(2, 3) * 255 + 0.5, 0, 255).astype(np.uint8)
    out = read_image(tmp_path / "one.png")
    np.testing.assert_array_equal(out[:, :, 0], expected)
    np.testing.assert_array_equal(out[:, :, 2], expected)
    with pytest.raises(ValueError, match=r"write_png: expected an \(H, W\) or \(H, W, C\) uint8 array"):
        write_png(io.BytesIO(), np.zeros((2, 2), np.float32))
    try:
        import PIL  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="without Pillow only PNG"):
            save_image(img, tmp_path / "one.jpg")
