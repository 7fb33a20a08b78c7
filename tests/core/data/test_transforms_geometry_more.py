"""Bicubic Resize, rotate(expand=True), perspective, gaussian_blur and torchvision's `center`: the expected images
are torchvision 0.29's outputs for the same calls (computed once with it; torchvision is not needed here)."""
import numpy as np
import pytest

from ddp.core.data import transforms as T
from ddp.core.data.transforms import functional as F
from ddp.core.random import Generator
from ddp.core.tensor import Tensor

X = Tensor(np.arange(1.0, 31.0, dtype=np.float32).reshape(1, 5, 6))
U8 = Tensor((X.numpy() * 8).astype(np.uint8))


def test_bicubic_resize_matches_torchvision():
    assert F.resize(U8, [3, 4], T.InterpolationMode.BICUBIC).tolist() == [[[27, 39, 51, 63], [106, 118, 130, 142],
                                                                           [185, 197, 209, 221]]]
    up = [0.5982, 1.2071, 2.0255, 2.7755, 3.5255, 4.2755, 5.0939, 5.7027]  # first row; antialias=True is PIL's kernel
    up_sharp = [0.4559, 1.0575, 1.932, 2.6937, 3.3617, 4.1234, 4.9979, 5.5995]  # antialias=False: a = -0.75
    np.testing.assert_allclose(T.Resize((7, 8), "bicubic")(X).numpy()[0, 0], up, atol=1e-4)
    np.testing.assert_allclose(F.resize(X, [7, 8], "bicubic", antialias=False).numpy()[0, 0], up_sharp, atol=1e-4)
    np.testing.assert_allclose(F.resize(X, [7, 8], "bicubic").numpy()[0, -1, -1], 30.4018, atol=1e-4)


def test_bicubic_keeps_constants_and_clips_uint8():
    flat = Tensor(np.full((2, 3, 9, 7), 0.25, np.float32))
    np.testing.assert_allclose(F.resize(flat, [4, 11], "bicubic").numpy(), 0.25, atol=1e-6)
    edge = np.zeros((1, 8, 8), np.uint8)
    edge[:, :, 4:] = 255
    out = F.resize(edge, [8, 13], "bicubic", antialias=False)  # overshoots, clipped to 0..255
    assert out.dtype == np.uint8 and out.max() == 255 and out.min() == 0
    assert F.resize(edge.astype(np.float32) / 255, [8, 13], "bicubic", antialias=False).max() > 1  # floats are not


def test_bicubic_pil_image_is_pils_resize():
    Image = pytest.importorskip("PIL.Image")
    img = Image.fromarray(np.random.default_rng(0).integers(0, 256, (9, 12, 3), dtype=np.uint8))
    want = img.resize((5, 4), Image.Resampling.BICUBIC)
    assert np.array_equal(np.array(T.Resize((4, 5), T.InterpolationMode.BICUBIC)(img)), np.array(want))


def test_rotate_expand_matches_torchvision():
    out = F.rotate(X, 30.0, expand=True)
    want = [[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 5, 6, 0, 0], [0, 0, 3, 4, 11, 12, 0, 0],
            [0, 2, 3, 10, 10, 17, 18, 0], [0, 7, 8, 15, 16, 23, 24, 0], [0, 13, 14, 21, 21, 28, 29, 0],
            [0, 0, 19, 20, 27, 28, 0, 0], [0, 0, 25, 26, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]
    assert out.tolist() == [want]
    assert tuple(F.rotate(X, 90.0, expand=True).shape) == (1, 7, 6)  # 6 x 5 turned: torchvision's rounding up
    assert tuple(F.rotate(X, 45.0, expand=True).shape) == (1, 9, 8)
    np.testing.assert_array_equal(F.rotate(X, 0.0, expand=True).numpy(), X.numpy())


def test_random_rotation_expand_draws_one_angle_per_call():
    t = T.RandomRotation((90, 90), expand=True)
    assert not t.batched and T.RandomRotation(10).batched
    batch = np.arange(2 * 4 * 6, dtype=np.uint8).reshape(2, 4, 6)
    np.testing.assert_array_equal(t(batch), np.rot90(batch, 1, axes=(1, 2)))
    assert T.RandomRotation(40, expand=True, generator=Generator().manual_seed(0))(batch).shape[1:] != (4, 6)


def test_center_counts_from_the_top_left_corner_as_torchvision():
    want = [[0, 2, 3, 10, 11, 18], [1, 8, 9, 16, 16, 23], [0, 13, 14, 21, 22, 29], [0, 13, 20, 21, 27, 28],
            [0, 0, 25, 26, 0, 0]]
    assert F.rotate(X, 30.0, center=[2, 1]).tolist() == [want]
    assert T.RandomRotation((30, 30), center=(2, 1), fill=0)(X).tolist() == [want]


START, END = [[0, 0], [5, 0], [5, 4], [0, 4]], [[1, 0], [5, 1], [4, 4], [0, 3]]


def test_perspective_matches_torchvision():
    want = [[0, 1, 2, 0, 0, 0], [13, 8, 9, 10, 5, 6], [19, 14, 15, 16, 17, 0], [25, 26, 22, 23, 24, 0],
            [0, 0, 0, 29, 30, 0]]
    assert F.perspective(X, START, END, T.InterpolationMode.NEAREST).tolist() == [want]
    blended = [2.5, 8.8077, 8.1154, 7.4231, 6.7308, 2.9624]  # second row, bilinear with fill [0.0]
    np.testing.assert_allclose(F.perspective(X, START, END, fill=[0.0]).numpy()[0, 1], blended, atol=1e-3)
    np.testing.assert_allclose(F.perspective(X, START, START).numpy(), X.numpy(), atol=1e-4)  # no move


def test_random_perspective_per_sample_and_params():
    ddp_gen = Generator().manual_seed(3)
    batch = np.random.default_rng(0).integers(1, 256, (6, 3, 10, 12), dtype=np.uint8)
    out = T.RandomPerspective(0.6, p=1.0, generator=ddp_gen)(Tensor(batch)).numpy()
    assert out.shape == batch.shape and out.dtype == np.uint8 and len({o.tobytes() for o in out}) == 6
    np.testing.assert_array_equal(T.RandomPerspective(p=0.0)(Tensor(batch)).numpy(), batch)
    start, end = T.RandomPerspective.get_params(12, 10, 0.5)
    assert start == [[0, 0], [11, 0], [11, 9], [0, 9]]
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = end
    assert 0 <= x0 <= 3 and 0 <= y0 <= 2 and 8 <= x1 <= 11 and 8 <= x2 <= 11 and 7 <= y2 <= 9 and 7 <= y3 <= 9
    with pytest.raises(ValueError, match="distortion_scale"):
        T.RandomPerspective(1.5)


def test_gaussian_blur_matches_torchvision():
    row = [13.478, 14.0, 15.0, 16.0, 17.0, 17.522]  # middle row of kernel (3, 5), sigma (0.8, 1.5)
    np.testing.assert_allclose(F.gaussian_blur(X, [3, 5], [0.8, 1.5]).numpy()[0, 2], row, atol=1e-3)
    assert F.gaussian_blur(U8, 3).tolist()[0][0] == [35, 39, 47, 55, 63, 67]  # sigma 0.15 * 3 + 0.35
    with pytest.raises(ValueError, match="odd"):
        F.gaussian_blur(X, 4)
