"""The augmentations of augment.py: RandomResizedCrop (its window drawn as torchvision's, its resize against
interpolate), Pad, Grayscale, RandomGrayscale, GaussianBlur (against a convolution), RandomErasing,
RandomApply, ConvertImageDtype; each on one image and on a batch, with per-sample draws."""
import numpy as np
import pytest

import ddp
from ddp.core.data import transforms as T
from ddp.core.random import Generator, get_generator

rng = np.random.default_rng(0)
BATCH = rng.integers(0, 256, (6, 20, 24, 3), dtype=np.uint8)   # (B, H, W, C), as CIFAR10 stores a batch


def gen(seed=0):
    return Generator().manual_seed(seed)


def test_random_resized_crop_windows_follow_scale_and_ratio():
    t = T.RandomResizedCrop(16, scale=(0.3, 0.6), ratio=(0.5, 2.0), generator=gen())
    top, left, h, w = t.batch_params(2000, 20, 24)
    area = h * w / (20 * 24)
    assert (top >= 0).all() and (left >= 0).all() and (top + h <= 20).all() and (left + w <= 24).all()
    assert 0.25 < area.min() and area.max() < 0.66 and 0.4 < (w / h).min() and (w / h).max() < 2.3
    out = t(BATCH)
    assert out.shape == (6, 16, 16, 3) and out.dtype == np.uint8
    assert T.RandomResizedCrop((10, 12), generator=gen())(BATCH[0]).shape == (10, 12, 3)


def test_random_resized_crop_resizes_as_interpolate(monkeypatch):
    """Its window resized bilinearly (half-pixel centers) is F.interpolate's, align_corners=False."""
    images = rng.standard_normal((2, 3, 20, 24)).astype(np.float32)
    t = T.RandomResizedCrop((9, 13))
    box = (np.array([2, 5]), np.array([3, 0]), np.array([14, 10]), np.array([17, 24]))
    monkeypatch.setattr(t, "batch_params", lambda n, H, W: box)
    out = t(ddp.tensor(images)).numpy()
    for b, (top, left, h, w) in enumerate(zip(*box)):
        crop = ddp.tensor(images[b:b + 1, :, top:top + h, left:left + w])
        want = ddp.nn.functional.interpolate(crop, size=(9, 13), mode="bilinear", align_corners=False).numpy()
        np.testing.assert_allclose(out[b], want[0], atol=1e-5)


def test_a_full_crop_of_the_same_size_is_the_image():
    t = T.RandomResizedCrop((20, 24), scale=(1.0, 1.0), ratio=(1.2, 1.2), generator=gen())
    np.testing.assert_array_equal(t(BATCH), BATCH)


def test_pad_grayscale_and_random_grayscale():
    assert T.Pad(2)(BATCH).shape == (6, 24, 28, 3)
    padded = T.Pad((1, 2, 3, 4), fill=7)(BATCH[0])
    assert padded.shape == (26, 28, 3) and (padded[:2] == 7).all() and (padded[:, :1] == 7).all()
    np.testing.assert_array_equal(T.Pad(3, padding_mode="reflect")(BATCH)[:, 3:-3, 3:-3], BATCH)
    grey = T.Grayscale()(BATCH)
    want = (0.2989 * BATCH[..., 0] + 0.587 * BATCH[..., 1] + 0.114 * BATCH[..., 2]).astype(np.uint8)
    assert grey.shape == (6, 20, 24, 1)
    np.testing.assert_array_equal(grey[..., 0], want)
    some = T.RandomGrayscale(p=0.5, generator=gen(3))(BATCH)
    made_grey = [(s[..., 0] == s[..., 1]).all() and (s[..., 1] == s[..., 2]).all() for s in some]
    assert 0 < sum(made_grey) < 6  # per sample
    for s, g, was in zip(some, T.Grayscale(3)(BATCH), made_grey):
        np.testing.assert_array_equal(s, g if was else s)


def test_gaussian_blur_is_a_reflect_padded_convolution():
    images = rng.standard_normal((3, 2, 12, 10)).astype(np.float32)
    t = T.GaussianBlur((5, 3), sigma=(0.5, 1.5), generator=gen(1))
    sigma = get_generator(gen(1)).uniform(0.5, 1.5, size=3)
    out = t(ddp.tensor(images)).numpy()
    for b, s in enumerate(sigma):
        k = [np.exp(-0.5 * ((np.arange(n) - n // 2) / s) ** 2) for n in (5, 3)]
        kx, ky = (v / v.sum() for v in k)
        padded = np.pad(images[b], ((0, 0), (1, 1), (2, 2)), mode="reflect")
        want = sum(ky[i] * kx[j] * padded[:, i:i + 12, j:j + 10] for i in range(3) for j in range(5))
        np.testing.assert_allclose(out[b], want, atol=1e-5)
    assert T.GaussianBlur(3)(BATCH).dtype == np.uint8
    with pytest.raises(ValueError, match="odd"):
        T.GaussianBlur(4)


def test_random_erasing_sets_one_box_per_chosen_sample():
    x = ddp.ones(8, 3, 16, 16)
    out = T.RandomErasing(p=1.0, value=0, generator=gen(2))(x).numpy()
    for sample in out:
        zero = sample[0] == 0
        rows, cols = np.nonzero(zero)
        assert zero.any() and zero.sum() == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
        assert (sample[:, zero] == 0).all()
    assert (T.RandomErasing(p=0.0)(x).numpy() == 1).all()
    kept = ddp.ones(3, 8, 8)
    assert T.RandomErasing(p=1.0, value=(1, 2, 3), inplace=True, generator=gen())(kept) is kept
    with pytest.raises(TypeError, match="Tensor"):
        T.RandomErasing()(BATCH)


def test_random_apply_and_convert_image_dtype():
    flipped = T.RandomApply([T.RandomHorizontalFlip(1.0)], p=0.5, generator=gen(4))(BATCH)
    picks = [np.array_equal(f, b[:, ::-1]) for f, b in zip(flipped, BATCH)]
    assert 0 < sum(picks) < 6 and all(p or np.array_equal(f, b) for p, f, b in zip(picks, flipped, BATCH))
    as_float = T.ConvertImageDtype(ddp.float32)(ddp.tensor(BATCH))
    assert as_float.dtype == ddp.float32 and float(as_float.max()) <= 1.0
    np.testing.assert_array_equal(T.ConvertImageDtype(ddp.uint8)(as_float).numpy(), BATCH)
    assert T.InterpolationMode.BILINEAR.value == "bilinear"
    assert T.RandomResizedCrop(8, interpolation=T.InterpolationMode.NEAREST).interpolation == "nearest"
