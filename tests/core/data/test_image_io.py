"""`ddp.data.io`, torchvision.io's image files through Pillow: PNG round trips, read modes, JPEG, errors."""
import numpy as np
import pytest

import ddp
from ddp.data import io

Image = pytest.importorskip("PIL.Image")
PIXELS = np.random.default_rng(0).integers(0, 256, (3, 6, 7), dtype=np.uint8)


def test_png_round_trip_and_modes(tmp_path):
    path = tmp_path / "a.png"
    io.write_png(ddp.tensor(PIXELS), str(path))
    out = io.read_image(str(path))
    assert out.dtype == ddp.uint8 and tuple(out.shape) == (3, 6, 7) and np.array_equal(out.numpy(), PIXELS)
    grey = np.array(Image.open(path).convert("L"))
    np.testing.assert_array_equal(io.read_image(path, io.ImageReadMode.GRAY).numpy()[0], grey)
    rgba = io.decode_image(io.read_file(path), io.ImageReadMode.RGB_ALPHA).numpy()
    assert rgba.shape == (4, 6, 7) and np.all(rgba[3] == 255) and np.array_equal(rgba[:3], PIXELS)
    assert tuple(io.decode_image(str(path), "GRAY_ALPHA").shape) == (2, 6, 7)
    assert np.array_equal(io.decode_image(io.encode_png(ddp.tensor(PIXELS[:1]))).numpy(), PIXELS[:1])


def test_palette_and_16_bit_pngs_decode_as_torchvision(tmp_path):
    Image.fromarray(PIXELS.transpose(1, 2, 0)).convert("P").save(tmp_path / "p.png")
    assert tuple(io.read_image(tmp_path / "p.png").shape) == (3, 6, 7)  # palette expanded to RGB
    deep = np.arange(42, dtype=np.uint16).reshape(6, 7) * 1000
    Image.fromarray(deep).save(tmp_path / "d.png")
    out = io.read_image(tmp_path / "d.png")
    assert out.dtype == ddp.uint16 and np.array_equal(out.numpy()[0], deep)


def test_jpeg_round_trip_is_close(tmp_path):
    smooth = np.broadcast_to(np.linspace(0, 250, 16, dtype=np.uint8), (3, 16, 16)).copy()
    io.write_jpeg(ddp.tensor(smooth), tmp_path / "a.jpg", quality=95)
    out = io.read_image(tmp_path / "a.jpg").numpy()
    assert out.shape == (3, 16, 16) and np.abs(out.astype(int) - smooth).max() <= 8
    assert len(io.encode_jpeg([ddp.tensor(smooth), ddp.tensor(smooth[:1])])) == 2


def test_errors():
    with pytest.raises(ValueError, match="could not decode"):
        io.decode_image(ddp.tensor(np.arange(20, dtype=np.uint8)))
    with pytest.raises(ValueError, match="uint8 Tensor"):
        io.encode_png(ddp.tensor(PIXELS.astype(np.float32)))
    with pytest.raises(ValueError, match="C in"):
        io.encode_jpeg(ddp.tensor(PIXELS[:2]))
    with pytest.raises(ValueError, match="quality"):
        io.encode_jpeg(ddp.tensor(PIXELS), quality=0)
