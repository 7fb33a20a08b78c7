"""Transforms: numeric references, single sample vs batch consistency, geometry, errors."""
import numpy as np
import pytest

from ddp.core.data import transforms as T
from ddp.core.data.transforms import functional as F
from ddp.core.tensor import Tensor


def images(b=5, h=28, w=28, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(b, h, w), dtype=np.uint8)


def rng(seed=0):
    return np.random.default_rng(seed)


# ---- ToTensor / Normalize

def test_to_tensor_single_and_batch():
    x = images()
    one, batch = T.ToTensor()(x[0]), T.ToTensor()(x)
    assert isinstance(one, Tensor) and one.shape == (1, 28, 28) and one.dtype == np.float32
    assert batch.shape == (5, 1, 28, 28) and batch.dtype == np.float32
    np.testing.assert_array_equal(one.numpy()[0], x[0].astype(np.float32) / np.float32(255))
    np.testing.assert_array_equal(batch.numpy()[0], one.numpy())
    assert batch.numpy().min() >= 0 and batch.numpy().max() <= 1


def test_to_tensor_matches_torch():
    torch = pytest.importorskip("torch")
    x = images(1)[0]
    expected = torch.from_numpy(x)[None].float().div(255).numpy()
    np.testing.assert_array_equal(T.ToTensor()(x).numpy(), expected)


def test_to_tensor_errors():
    with pytest.raises(TypeError, match="ToTensor: expected a numpy image array, got Tensor"):
        T.ToTensor()(Tensor(np.zeros((1, 2, 2), np.float32)))
    with pytest.raises(ValueError, match=r"got shape \(2, 2, 2, 2\)"):
        T.ToTensor()(np.zeros((2, 2, 2, 2), np.uint8))


def test_normalize_matches_numpy_and_batch_broadcasts():
    x = T.ToTensor()(images())
    norm = T.Normalize((0.1307,), (0.3081,))
    out = norm(x)
    expected = (x.numpy() - np.float32(0.1307)) / np.float32(0.3081)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(norm(Tensor(x.numpy()[2])).numpy(), expected[2])


def test_normalize_per_channel_and_inplace():
    a = np.random.default_rng(0).random((2, 3, 4, 4), dtype=np.float32)
    mean, std = (0.1, 0.2, 0.3), (1.0, 2.0, 4.0)
    expected = (a - np.float32(mean)[:, None, None]) / np.float32(std)[:, None, None]
    np.testing.assert_allclose(T.Normalize(mean, std)(Tensor(a)).numpy(), expected, rtol=1e-6)
    b = a.copy()
    assert T.Normalize(mean, std, inplace=True)(b) is b
    np.testing.assert_allclose(b, expected, rtol=1e-6)


def test_normalize_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).random((3, 5, 5), dtype=np.float32)
    mean, std = torch.tensor([0.1, 0.2, 0.3]), torch.tensor([0.5, 0.25, 2.0])
    expected = torch.from_numpy(a).sub(mean[:, None, None]).div(std[:, None, None]).numpy()
    np.testing.assert_array_equal(T.Normalize([0.1, 0.2, 0.3], [0.5, 0.25, 2.0])(a), expected)


def test_normalize_errors():
    with pytest.raises(ValueError, match="non-zero"):
        T.Normalize((0.5,), (0.0,))
    with pytest.raises(TypeError, match="floating-point.*uint8"):
        T.Normalize((0.5,), (0.5,))(np.zeros((1, 2, 2), np.uint8))
    with pytest.raises(ValueError, match=r"shape \(2, 4, 4\).*length 3"):
        T.Normalize((0.1, 0.2, 0.3), (1, 1, 1))(np.zeros((2, 4, 4), np.float32))


def test_compose_and_lambda_batched_flags():
    c = T.Compose([T.RandomCrop(28, padding=2), T.ToTensor(), T.Normalize((0.5,), (0.5,))])
    assert c.batched
    assert not T.Compose([T.ToTensor(), T.Lambda(lambda x: x)]).batched
    assert T.Compose([T.Lambda(lambda x: x, batched=True)]).batched
    assert c(images()).shape == (5, 1, 28, 28)
    with pytest.raises(TypeError, match="callable"):
        T.Lambda(3)


# ---- RandomCrop

def test_random_crop_batch_matches_per_sample_reference():
    x = images(6)
    out = T.RandomCrop(28, padding=2, generator=rng(1))(x)
    g = rng(1)  # the same draws: all tops, then all lefts
    top, left = g.integers(0, 5, size=6), g.integers(0, 5, size=6)
    for i in range(6):
        padded = np.pad(x[i], 2)
        np.testing.assert_array_equal(out[i], padded[top[i]:top[i] + 28, left[i]:left[i] + 28])
    assert out.dtype == np.uint8 and len({(t, l) for t, l in zip(top, left)}) > 1  # per-sample offsets


def test_random_crop_single_sample_and_tensor_layouts():
    x = images(1, 10, 12)[0]
    out = T.RandomCrop((4, 5), generator=rng(0))(x)
    assert out.shape == (4, 5)
    windows = [x[i:i + 4, j:j + 5] for i in range(7) for j in range(8)]
    assert any(np.array_equal(out, w) for w in windows)
    t = Tensor(np.random.default_rng(0).random((3, 10, 12), dtype=np.float32))
    out_t = T.RandomCrop(6, generator=rng(0))(t)
    assert isinstance(out_t, Tensor) and out_t.shape == (3, 6, 6)
    a = t.numpy()
    i, j = next((i, j) for i in range(5) for j in range(7) if np.array_equal(out_t.numpy()[0], a[0, i:i + 6, j:j + 6]))
    np.testing.assert_array_equal(out_t.numpy(), a[:, i:i + 6, j:j + 6])  # all channels of a sample cut alike
    assert T.RandomCrop(6)(Tensor(np.zeros((4, 3, 10, 12), np.float32))).shape == (4, 3, 6, 6)


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_random_crop_padding_modes(mode):
    x = images(2, 8, 8)
    out = T.RandomCrop(12, padding=2, padding_mode=mode, fill=7)(x)  # the whole padded image
    kw = {"constant_values": 7} if mode == "constant" else {}
    np.testing.assert_array_equal(out, np.pad(x, ((0, 0), (2, 2), (2, 2)), mode=mode, **kw))


def test_random_crop_padding_forms_and_pad_if_needed():
    x = images(1, 4, 6)
    assert T.RandomCrop((8, 8), padding=(1, 2))(x).shape == (1, 8, 8)      # left/right 1, top/bottom 2
    assert T.RandomCrop((5, 9), padding=(1, 0, 2, 1))(x).shape == (1, 5, 9)
    assert T.RandomCrop(7, pad_if_needed=True)(x).shape == (1, 7, 7)
    with pytest.raises(ValueError, match=r"crop size \(7, 7\) is larger than the \(padded\) image size \(4, 6\)"):
        T.RandomCrop(7)(x)
    with pytest.raises(ValueError, match="padding"):
        T.RandomCrop(7, padding=(1, 2, 3))
    with pytest.raises(ValueError, match="padding_mode"):
        T.RandomCrop(7, padding_mode="wrap")
    with pytest.raises(ValueError, match=r"got shape \(2, 2, 2, 2\)"):
        T.RandomCrop(1)(np.zeros((2, 2, 2, 2), np.uint8))


# ---- affine

def test_affine_identity_and_right_angle_rotation():
    x = images(3, 9, 9)
    same = T.RandomAffine(0)(x)
    np.testing.assert_array_equal(same, x)
    for size in (9, 10):  # odd and even: the center is a pixel or a corner between four
        y = images(3, size, size)
        np.testing.assert_array_equal(T.RandomRotation((90, 90))(y), np.rot90(y, k=1, axes=(1, 2)))
        np.testing.assert_array_equal(T.RandomRotation((-90, -90), interpolation="bilinear")(y),
                                      np.rot90(y, k=-1, axes=(1, 2)))


def test_affine_translation_shifts_pixels():
    x = images(1, 6, 7)
    m = F.affine_matrix(np.zeros(1), np.array([[2.0, -1.0]]), np.ones(1), np.zeros((1, 2)), (3, 2.5))
    out = F.warp(x[:, None], m, "nearest", fill=0)[0, 0]
    expected = np.zeros_like(x[0])
    expected[:-1, 2:] = x[0, 1:, :-2]  # right by 2, up by 1
    np.testing.assert_array_equal(out, expected)


def test_affine_batch_matches_per_sample_warp():
    x = images(4)
    t = T.RandomAffine(20, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=(-10, 10, -5, 5), generator=rng(2))
    out = t(x)
    angle, translate, scale, shear = T.RandomAffine(20, translate=(0.1, 0.2), scale=(0.8, 1.2),
                                                    shear=(-10, 10, -5, 5), generator=rng(2)).batch_params(4, 28, 28)
    assert np.all(translate == np.round(translate)) and np.all(np.abs(translate[:, 1]) <= 0.2 * 28)
    for i in range(4):
        m = F.affine_matrix(angle[i:i + 1], translate[i:i + 1], scale[i:i + 1], shear[i:i + 1], (13.5, 13.5))
        np.testing.assert_array_equal(out[i], F.warp(x[i][None, None], m)[0, 0])
    assert len({a.tobytes() for a in t(np.repeat(x[:1], 4, axis=0))}) == 4  # each sample its own draw


def test_affine_layouts_and_dtypes():
    x = images(2)
    assert T.RandomAffine(15)(x[0]).shape == (28, 28)
    t = T.ToTensor()(x)
    out = T.RandomRotation(15, interpolation="bilinear")(t)
    assert isinstance(out, Tensor) and out.shape == (2, 1, 28, 28) and out.dtype == np.float32
    out8 = T.RandomRotation(15, interpolation="bilinear")(x)
    assert out8.dtype == np.uint8


def test_affine_fill_and_errors():
    x = np.full((1, 5, 5), 9, np.uint8)
    out = T.RandomAffine((45, 45), fill=3)(x)
    assert out[0, 0, 0] == 3 and out[0, 2, 2] == 9
    with pytest.raises(ValueError, match="non-negative"):
        T.RandomRotation(-5)
    with pytest.raises(ValueError, match="translate"):
        T.RandomAffine(0, translate=(0.1, 2))
    with pytest.raises(ValueError, match="scale"):
        T.RandomAffine(0, scale=(0, 1))
    with pytest.raises(ValueError, match="shear"):
        T.RandomAffine(0, shear=(1, 2, 3))
    with pytest.raises(ValueError, match="interpolation"):
        T.RandomAffine(0, interpolation="cubic")


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_affine_geometry_matches_torch_grid_sample(mode):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).random((3, 2, 16, 16), dtype=np.float32)
    n, c = 3, 7.5
    angle, scale = np.array([30.0, -12.0, 5.0]), np.array([1.1, 0.9, 1.0])
    translate = np.array([[1.0, -2.0], [0.0, 3.0], [-1.0, 0.0]])
    shear = np.array([[10.0, 0.0], [0.0, -7.0], [4.0, 4.0]])
    m = F.affine_matrix(angle, translate, scale, shear, (c, c))
    ours = F.warp(x, m, mode, fill=0)
    # the same map in torch's normalized coordinates (align_corners=True: -1 and 1 are the corner pixels' centers)
    theta = np.concatenate([m[:, :, :2], ((m[:, :, :2] @ np.full(2, c) + m[:, :, 2] - c) / c)[..., None]], -1)
    grid = torch.nn.functional.affine_grid(torch.tensor(theta, dtype=torch.float32), (n, 2, 16, 16), align_corners=True)
    ref = torch.nn.functional.grid_sample(torch.from_numpy(x), grid, mode=mode, padding_mode="zeros",
                                          align_corners=True).numpy()
    if mode == "bilinear":
        np.testing.assert_allclose(ours, ref, atol=1e-4)
    else:  # rounding ties may fall differently in a few pixels
        assert np.mean(ours == ref) > 0.99
