"""invert, posterize, solarize, adjust_sharpness, autocontrast and equalize (`transforms.functional` and the
Random* classes): hand-checkable properties, per-sample draws on batches, PIL images through PIL's ImageOps,
and small golden values computed with torchvision 0.29 (torchvision is not needed to run these tests)."""
import numpy as np
import pytest

from ddp.core.data import transforms as T
from ddp.core.data.transforms import functional as F
from ddp.core.random import Generator
from ddp.core.tensor import Tensor

rng = np.random.default_rng(0)
# a (3, 4, 5) uint8 image with distinct values; the golden rows below are torchvision 0.29's outputs on it
X = (np.arange(60) * 37 % 200 + 20).astype(np.uint8).reshape(3, 4, 5)
BATCH = rng.integers(0, 256, (6, 3, 24, 24), dtype=np.uint8)


def gen(seed=0):
    return Generator().manual_seed(seed)


def test_invert_posterize_solarize_by_hand():
    np.testing.assert_array_equal(F.invert(Tensor(X)).numpy(), 255 - X)
    f = rng.random((2, 3, 4, 4), dtype=np.float32)
    np.testing.assert_allclose(F.invert(Tensor(f)).numpy(), 1 - f, rtol=0, atol=1e-7)
    np.testing.assert_array_equal(F.posterize(Tensor(X), 3).numpy(), X & 0b11100000)
    np.testing.assert_array_equal(F.posterize(Tensor(X), 8).numpy(), X)
    assert (F.posterize(Tensor(X), 0).numpy() == 0).all()
    np.testing.assert_array_equal(F.solarize(Tensor(X), 128).numpy(), np.where(X >= 128, 255 - X, X))
    np.testing.assert_array_equal(F.solarize(Tensor(f), 0.5).numpy(), np.where(f >= 0.5, 1 - f, f))
    levels = F.posterize(Tensor(f), 2).numpy()  # floats: torchvision v2's 2**bits levels
    np.testing.assert_allclose(levels, np.floor(f * 4) / 4)


def test_sharpness_autocontrast_equalize_match_torchvision_golden_values():
    np.testing.assert_array_equal(F.adjust_sharpness(Tensor(X), 1.7).numpy()[0], [
        [20, 57, 94, 131, 168], [205, 20, 79, 116, 153], [190, 0, 53, 101, 138], [175, 212, 49, 86, 123]])
    np.testing.assert_array_equal(F.autocontrast(Tensor(X)).numpy()[0], [
        [0, 49, 98, 147, 196], [245, 29, 78, 127, 176], [225, 9, 58, 107, 156], [205, 255, 38, 87, 136]])
    np.testing.assert_array_equal(F.equalize(Tensor(X)).numpy(), X)  # all levels distinct: PIL's step is 0
    y = np.tile((np.arange(400) % 23 * 11).astype(np.uint8).reshape(1, 20, 20), (3, 1, 1))
    y[1] //= 2
    np.testing.assert_array_equal(F.equalize(Tensor(y)).numpy()[:, 0, :8], [[0, 18, 36, 54, 72, 90, 108, 126]] * 3)


def test_sharpness_limits_and_autocontrast_range():
    np.testing.assert_array_equal(F.adjust_sharpness(Tensor(X), 1.0).numpy(), X)
    smooth = F.adjust_sharpness(Tensor(BATCH), 0.0).numpy()
    np.testing.assert_array_equal(smooth[..., 0, :], BATCH[..., 0, :])  # the border is kept
    inner = sum(BATCH[:, :, i:22 + i, j:22 + j].astype(np.float64) * (5 if (i, j) == (1, 1) else 1)
                for i in range(3) for j in range(3)) / 13
    np.testing.assert_array_equal(smooth[:, :, 1:-1, 1:-1], np.rint(inner))
    out = F.autocontrast(Tensor(BATCH // 2 + 20)).numpy()
    assert (out.min(axis=(2, 3)) == 0).all() and (out.max(axis=(2, 3)) == 255).all()
    flat = np.full((3, 4, 4), 0.25, np.float32)
    np.testing.assert_array_equal(F.autocontrast(Tensor(flat)).numpy(), flat)


def test_equalize_flattens_the_histogram_per_channel_and_sample():
    dark = (rng.random((4, 1, 32, 32)) ** 3 * 255).astype(np.uint8)
    out = F.equalize(Tensor(dark)).numpy()
    for b in range(4):  # each sample by its own histogram: the same as equalizing it alone
        np.testing.assert_array_equal(out[b], F.equalize(Tensor(dark[b])).numpy())
    assert abs(np.median(out) - 128) < 20 < abs(np.median(dark) - 128)
    f = F.equalize(Tensor(dark.astype(np.float32) / 255)).numpy()
    np.testing.assert_allclose(f, out / 255, atol=1e-6)


def test_leading_dims_layouts_and_refusals():
    five = np.stack([BATCH[:3], BATCH[3:]])  # (2, 3, C, H, W)
    np.testing.assert_array_equal(F.equalize(Tensor(five)).numpy().reshape(BATCH.shape),
                                  F.equalize(Tensor(BATCH)).numpy())
    hwc = BATCH[0].transpose(1, 2, 0)
    np.testing.assert_array_equal(F.autocontrast(hwc), F.autocontrast(Tensor(BATCH[0])).numpy().transpose(1, 2, 0))
    with pytest.raises(TypeError, match="1 or 3 channels"):
        F.invert(Tensor(np.zeros((4, 5, 5), np.uint8)))
    with pytest.raises(TypeError, match="threshold"):
        F.solarize(Tensor(np.zeros((3, 5, 5), np.float32)), 128)
    with pytest.raises(ValueError, match="bits"):
        F.posterize(Tensor(X), 9)
    with pytest.raises(ValueError, match="non-negative"):
        T.RandomAdjustSharpness(-1)
    with pytest.raises(TypeError, match="uint8 or float"):
        F.equalize(Tensor(X.astype(np.int32)))


@pytest.mark.parametrize("make, fn", [
    (lambda g: T.RandomInvert(0.5, generator=g), F.invert),
    (lambda g: T.RandomPosterize(2, 0.5, generator=g), lambda x: F.posterize(x, 2)),
    (lambda g: T.RandomSolarize(100, 0.5, generator=g), lambda x: F.solarize(x, 100)),
    (lambda g: T.RandomAdjustSharpness(2.0, 0.5, generator=g), lambda x: F.adjust_sharpness(x, 2.0)),
    (lambda g: T.RandomAutocontrast(0.5, generator=g), F.autocontrast),
    (lambda g: T.RandomEqualize(0.5, generator=g), F.equalize),
])
def test_random_classes_draw_per_sample(make, fn):
    out = make(gen(1))(Tensor(BATCH)).numpy()
    done = fn(Tensor(BATCH)).numpy()
    picked = [np.array_equal(o, d) and not np.array_equal(o, b) for o, d, b in zip(out, done, BATCH)]
    kept = [np.array_equal(o, b) for o, b in zip(out, BATCH)]
    assert all(p or k for p, k in zip(picked, kept)) and 0 < sum(picked) < len(BATCH)
    np.testing.assert_array_equal(make(gen(1))(Tensor(BATCH)).numpy(), out)  # reproducible from the generator
    assert make(gen(1)).batched


def test_pil_images_go_through_pil():
    Image = pytest.importorskip("PIL.Image")
    from PIL import ImageEnhance, ImageOps
    img = Image.fromarray(rng.integers(0, 256, (9, 11, 3), dtype=np.uint8))
    assert np.array_equal(np.array(F.invert(img)), 255 - np.array(img))
    assert np.array_equal(np.array(F.equalize(img)), np.array(ImageOps.equalize(img)))
    assert np.array_equal(np.array(F.adjust_sharpness(img, 1.5)), np.array(ImageEnhance.Sharpness(img).enhance(1.5)))
    out = T.RandomSolarize(100, p=1.0)(img.convert("L"))
    assert out.mode == "L" and np.array_equal(np.array(out), np.array(ImageOps.solarize(img.convert("L"), 100)))
    assert T.RandomPosterize(3, p=0.0)(img) is img
