"""torchvision's static `get_params` forms (one draw from the global generator, as Python numbers), FiveCrop /
TenCrop, resized_crop and erase."""
import numpy as np
import pytest

import ddp
from ddp.core.data import transforms as T
from ddp.core.data.transforms import functional as F
from ddp.core.tensor import Tensor

rng = np.random.default_rng(0)
CHW = Tensor(rng.random((3, 10, 12), dtype=np.float32))


def test_random_crop_get_params_is_a_window_for_crop():
    """d2l's voc_rand_crop: rect = RandomCrop.get_params(feature, (h, w)); F.crop(feature, *rect)."""
    ddp.manual_seed(0)
    rects = {T.RandomCrop.get_params(CHW, (4, 5)) for _ in range(50)}
    assert all(isinstance(v, int) for r in rects for v in r) and len(rects) > 10
    assert all(0 <= i <= 6 and 0 <= j <= 7 and (h, w) == (4, 5) for i, j, h, w in rects)
    i, j, h, w = T.RandomCrop.get_params(CHW, (4, 5))
    np.testing.assert_array_equal(F.crop(CHW, i, j, h, w).numpy(), CHW.numpy()[:, i:i + 4, j:j + 5])
    assert T.RandomCrop.get_params(CHW, (10, 12)) == (0, 0, 10, 12)
    assert T.RandomCrop(3).get_params(np.zeros((7, 9, 3), np.uint8), (3, 3))[2:] == (3, 3)  # instances too
    with pytest.raises(ValueError, match="larger than the image"):
        T.RandomCrop.get_params(CHW, (11, 5))


def test_get_params_follow_the_global_seed():
    ddp.manual_seed(5)
    first = T.RandomCrop.get_params(CHW, (3, 3)), T.RandomRotation.get_params([-10, 10])
    ddp.manual_seed(5)
    assert (T.RandomCrop.get_params(CHW, (3, 3)), T.RandomRotation.get_params([-10, 10])) == first


def test_color_jitter_get_params():
    t = T.ColorJitter(brightness=0.5, hue=0.1)
    assert t.brightness == (0.5, 1.5) and t.contrast is None and t.saturation is None and t.hue == (-0.1, 0.1)
    order, b, c, s, h = T.ColorJitter.get_params(t.brightness, t.contrast, t.saturation, t.hue)
    assert sorted(order.tolist()) == [0, 1, 2, 3] and order.dtype == ddp.int64
    assert 0.5 <= b <= 1.5 and c is None and s is None and -0.1 <= h <= 0.1 and isinstance(b, float)


def test_resized_crop_rotation_affine_blur_get_params():
    ddp.manual_seed(1)
    for _ in range(20):
        i, j, h, w = T.RandomResizedCrop.get_params(CHW, [0.2, 0.6], [0.5, 2.0])
        assert 0 <= i and 0 <= j and i + h <= 10 and j + w <= 12 and 0.15 <= h * w / 120 <= 0.65
    assert T.RandomResizedCrop.get_params(CHW, [2.0, 3.0], [1.0, 1.0]) == (0, 1, 10, 10)  # fallback: central square
    assert T.RandomResizedCrop.get_params(CHW, [2.0, 3.0], [2.0, 3.0]) == (2, 0, 6, 12)  # width / min ratio
    assert -10 <= T.RandomRotation.get_params([-10, 10]) <= 10
    angle, (tx, ty), scale, (sx, sy) = T.RandomAffine.get_params([-5, 5], [0.1, 0.2], [0.9, 1.1], [-3, 3, -2, 2],
                                                                 [12, 10])
    assert -5 <= angle <= 5 and abs(tx) <= 1.2 and abs(ty) <= 2 and isinstance(tx, int) and 0.9 <= scale <= 1.1
    assert -3 <= sx <= 3 and -2 <= sy <= 2
    assert T.RandomAffine.get_params([0, 0], None, None, None, [12, 10]) == (0.0, (0, 0), 1.0, (0.0, 0.0))
    assert 0.1 <= T.GaussianBlur.get_params(0.1, 2.0) <= 2.0


def test_random_erasing_get_params_and_erase():
    ddp.manual_seed(2)
    i, j, h, w, v = T.RandomErasing.get_params(CHW, scale=(0.05, 0.2), ratio=(0.5, 2.0), value=[0.5])
    assert i + h <= 10 and j + w <= 12 and tuple(v.shape) == (1, 1, 1)
    out = F.erase(CHW, i, j, h, w, v)
    assert np.all(out.numpy()[:, i:i + h, j:j + w] == 0.5) and np.array_equal(CHW.numpy(), CHW.numpy())
    outside = np.ones((10, 12), bool)
    outside[i:i + h, j:j + w] = False
    np.testing.assert_array_equal(out.numpy()[:, outside], CHW.numpy()[:, outside])
    *_, noise = T.RandomErasing.get_params(CHW, scale=(0.05, 0.2), ratio=(0.5, 2.0))
    assert noise.shape[0] == 3 and noise.dtype == ddp.float32
    assert T.RandomErasing.get_params(CHW, scale=(1.0, 1.0), ratio=(1.0, 1.0))[:4] == (0, 0, 10, 12)  # none fits
    copy = Tensor(CHW.numpy().copy())
    assert F.erase(copy, 0, 0, 2, 2, 0.0, inplace=True) is copy and np.all(copy.numpy()[:, :2, :2] == 0)
    with pytest.raises(TypeError, match="Tensor"):
        F.erase(CHW.numpy(), 0, 0, 1, 1, 0)


def test_five_and_ten_crop():
    a = CHW.numpy()
    tl, tr, bl, br, center = F.five_crop(CHW, (4, 5))
    for got, want in zip((tl, tr, bl, br, center), (a[:, :4, :5], a[:, :4, 7:], a[:, 6:, :5], a[:, 6:, 7:],
                                                    a[:, 3:7, 4:9])):
        np.testing.assert_array_equal(got.numpy(), want)
    ten = T.TenCrop(4)(CHW)
    assert len(ten) == 10 and not T.TenCrop(4).batched
    np.testing.assert_array_equal(ten[5].numpy(), a[:, :4, ::-1][:, :, :4])  # the mirror's top-left
    np.testing.assert_array_equal(F.ten_crop(CHW, 4, vertical_flip=True)[7].numpy(), a[:, ::-1][:, 6:, :4])
    assert [c.shape for c in T.FiveCrop(3)(np.zeros((6, 7, 3), np.uint8))] == [(3, 3, 3)] * 5
    with pytest.raises(ValueError, match="bigger than the image"):
        F.five_crop(CHW, 11)


def test_resized_crop_is_crop_then_resize():
    want = F.resize(F.crop(CHW, 2, 3, 6, 8), [4, 5], "bicubic")
    np.testing.assert_array_equal(F.resized_crop(CHW, 2, 3, 6, 8, [4, 5], "bicubic").numpy(), want.numpy())
    assert tuple(F.resized_crop(CHW, 0, 0, 5, 5, [3, 3]).shape) == (3, 3, 3)
