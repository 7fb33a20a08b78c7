"""Colour (H, W, C) images and batches through the transforms, and the new ones: flips, CenterCrop, Resize
(against PyTorch's interpolate), ColorJitter (against torchvision's blend formulas), all batch-capable."""
import numpy as np
import pytest

import ddp
from ddp.core.data import transforms as T
from ddp.core.random import Generator
from ddp.core.tensor import Tensor

rng = np.random.default_rng(0)
COLOUR = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)          # one (H, W, C) image, as CIFAR10 stores it
COLOUR_BATCH = rng.integers(0, 256, (5, 7, 9, 3), dtype=np.uint8)
GREY_BATCH = rng.integers(0, 256, (5, 7, 9), dtype=np.uint8)       # (B, H, W), as MNIST stores it


def gen(seed=0):
    return Generator().manual_seed(seed)


def test_to_tensor_colour():
    x = T.ToTensor()(COLOUR)
    assert tuple(x.shape) == (3, 7, 9) and x.dtype == np.float32
    np.testing.assert_allclose(x.numpy(), COLOUR.transpose(2, 0, 1) / np.float32(255), rtol=1e-6)
    assert tuple(T.ToTensor()(COLOUR_BATCH).shape) == (5, 3, 7, 9)
    assert tuple(T.ToTensor()(GREY_BATCH).shape) == (5, 1, 7, 9)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(x.numpy(), torch.tensor(COLOUR).permute(2, 0, 1).float().div(255).numpy(),
                               rtol=1e-6)


@pytest.mark.parametrize("image", [COLOUR, COLOUR_BATCH, GREY_BATCH, T.ToTensor()(COLOUR)], ids=[
    "hwc", "bhwc", "bhw", "chw-tensor"])
def test_every_transform_keeps_the_layout(image):
    transforms = [T.RandomCrop(5, padding=1, generator=gen()), T.RandomHorizontalFlip(generator=gen()),
                  T.RandomVerticalFlip(generator=gen()), T.RandomRotation(20, generator=gen()), T.CenterCrop(5),
                  T.Resize((4, 6)), T.ColorJitter(0.3, 0.3, 0.3, generator=gen())]
    expected = {"RandomCrop": (5, 5), "CenterCrop": (5, 5), "Resize": (4, 6)}
    for t in transforms:
        out = t(image)
        assert type(out) is type(image)
        a, b = np.asarray(out.numpy() if isinstance(out, Tensor) else out), np.asarray(
            image.numpy() if isinstance(image, Tensor) else image)
        assert a.dtype == b.dtype, t
        hw = expected.get(type(t).__name__)
        if hw is None:
            assert a.shape == b.shape, t
        elif isinstance(image, Tensor) or b.ndim == 3 and b.shape[-1] != 3 or b.ndim == 2:
            assert a.shape == b.shape[:-2] + hw, t
        else:
            assert a.shape == b.shape[:-3] + hw + b.shape[-1:], t


def test_flips():
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(COLOUR), COLOUR[:, ::-1])
    np.testing.assert_array_equal(T.RandomVerticalFlip(p=1.0)(COLOUR), COLOUR[::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=0.0)(GREY_BATCH), GREY_BATCH)
    x = T.ToTensor()(COLOUR)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(x).numpy(), x.numpy()[:, :, ::-1])
    out = T.RandomHorizontalFlip(generator=gen(3))(GREY_BATCH)  # each sample decides for itself
    flipped = [np.array_equal(o, g[:, ::-1]) for o, g in zip(out, GREY_BATCH)]
    kept = [np.array_equal(o, g) for o, g in zip(out, GREY_BATCH)]
    assert all(f or k for f, k in zip(flipped, kept)) and any(flipped) and any(kept)
    np.testing.assert_array_equal(out, T.RandomHorizontalFlip(generator=gen(3))(GREY_BATCH))  # seeded
    ddp.manual_seed(5)
    a = T.RandomHorizontalFlip()(GREY_BATCH)
    ddp.manual_seed(5)
    np.testing.assert_array_equal(a, T.RandomHorizontalFlip()(GREY_BATCH))  # the default generator
    with pytest.raises(ValueError, match=r"RandomHorizontalFlip: p must be a probability in \[0, 1\], got 2"):
        T.RandomHorizontalFlip(p=2)


def test_center_crop_as_torchvision():
    np.testing.assert_array_equal(T.CenterCrop((4, 6))(COLOUR), COLOUR[2:6, 2:8])  # round(1.5) = 2, round(1.5)
    np.testing.assert_array_equal(T.CenterCrop(3)(GREY_BATCH), GREY_BATCH[:, 2:5, 3:6])
    big = T.CenterCrop((9, 10))(COLOUR)  # larger than the image: zero padding, image centred
    assert big.shape == (9, 10, 3)
    np.testing.assert_array_equal(big[1:8, 0:9], COLOUR)
    assert big[0].sum() == 0 and big[:, 9].sum() == 0


@pytest.mark.parametrize("size, antialias", [((4, 6), True), ((4, 6), False), ((11, 15), True), (5, True)])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_resize_matches_torch_interpolate(size, antialias, mode):
    torch = pytest.importorskip("torch")
    x = T.ToTensor()(COLOUR_BATCH)
    out = T.Resize(size, interpolation=mode, antialias=antialias)(x)
    target = (5, 5 * 9 // 7) if size == 5 else size  # an int is the shorter edge
    assert tuple(out.shape) == (5, 3) + target
    kw = dict(align_corners=False, antialias=antialias) if mode == "bilinear" else {}
    want = torch.nn.functional.interpolate(torch.tensor(x.numpy()), size=target, mode=mode, **kw)
    np.testing.assert_allclose(out.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    as_uint8 = T.Resize(size, interpolation=mode, antialias=antialias)(COLOUR_BATCH)  # HWC uint8: rounded
    assert as_uint8.dtype == np.uint8 and as_uint8.shape == (5,) + target + (3,)
    np.testing.assert_allclose(as_uint8.transpose(0, 3, 1, 2), want.numpy() * 255, atol=0.5 + 1e-3)


def test_resize_sizes_and_errors():
    r = T.Resize(8, max_size=10)
    assert r.output_size(16, 32) == (5, 10) and r.output_size(32, 16) == (10, 5) and r.output_size(8, 8) == (8, 8)
    assert T.Resize([6]).output_size(12, 18) == (6, 9)
    same = np.linspace(0, 1, 12, dtype=np.float32).reshape(1, 3, 4)
    np.testing.assert_allclose(T.Resize((3, 4))(Tensor(same)).numpy(), same, rtol=1e-6)  # the identity
    with pytest.raises(ValueError, match="interpolation must be 'bilinear', 'bicubic'"):
        T.Resize(4, interpolation="lanczos")
    with pytest.raises(ValueError, match="max_size"):
        T.Resize((4, 4), max_size=10)


def _blend(img, ref, f, bound):
    return np.clip(f * img.astype(np.float32) + (1 - f) * ref, 0, bound)


def _grey(rgb):
    return 0.2989 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def test_color_jitter_formulas():
    img = COLOUR.astype(np.float32) / 255  # float HWC in [0, 1]
    np.testing.assert_allclose(T.ColorJitter(brightness=(1.5, 1.5))(img), _blend(img, 0, 1.5, 1), rtol=1e-6)
    mean = _grey(img).mean()
    np.testing.assert_allclose(T.ColorJitter(contrast=(0.5, 0.5))(img), _blend(img, mean, 0.5, 1), rtol=1e-5)
    sat = T.ColorJitter(saturation=(0.0, 0.0))(img)
    np.testing.assert_allclose(sat, np.repeat(_grey(img)[..., None], 3, -1), rtol=1e-5, atol=1e-6)
    dark = T.ColorJitter(brightness=(0.5, 0.5))(COLOUR)  # uint8 truncates, as torchvision's tensors do
    np.testing.assert_array_equal(dark, (COLOUR.astype(np.float32) * 0.5).astype(np.uint8))
    grey = T.ColorJitter(saturation=0.9, generator=gen())(GREY_BATCH)  # saturation leaves grey alone
    np.testing.assert_array_equal(grey, GREY_BATCH)
    per_sample = T.ColorJitter(brightness=0.5, generator=gen(1))(np.ones((6, 2, 2, 3), np.float32) * 0.5)
    assert len({round(float(v), 6) for v in per_sample[:, 0, 0, 0]}) == 6  # a factor per sample
    with pytest.raises(ValueError, match="hue must be"):
        T.ColorJitter(hue=0.7)
    with pytest.raises(ValueError, match="brightness must be non-negative"):
        T.ColorJitter(brightness=-1)


def test_random_crop_and_rotation_on_colour():
    out = T.RandomCrop(7, padding=2, generator=gen(4))(COLOUR_BATCH[:, :, :7])
    padded = np.pad(COLOUR_BATCH[:, :, :7], ((0, 0), (2, 2), (2, 2), (0, 0)))
    for o, p in zip(out, padded):  # each crop is a window of its own padded image, channels kept together
        assert any(np.array_equal(o, p[i:i + 7, j:j + 7]) for i in range(5) for j in range(5))
    rotated = T.RandomRotation((90, 90))(COLOUR[:, :7])  # a square, turned a quarter counter-clockwise
    np.testing.assert_array_equal(rotated, np.rot90(COLOUR[:, :7], 1, axes=(0, 1)))
    pipeline = T.Compose([T.RandomHorizontalFlip(generator=gen()), T.CenterCrop(5), T.ToTensor(),
                          T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)), T.Lambda(lambda t: t * 2, batched=True)])
    assert pipeline.batched and tuple(pipeline(COLOUR_BATCH).shape) == (5, 3, 5, 5)


def test_a_3d_array_is_one_image_up_to_4_channels_else_a_grey_batch():
    """(H, W, C) with C <= 4 is one image, as torchvision's ToTensor reads it; a wider last dim is (B, H, W)."""
    for shape in ((6, 8, 1), (6, 8, 2), (6, 2, 2), (6, 5, 4)):
        image = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
        out = T.ToTensor()(image)
        assert tuple(out.shape) == (shape[2],) + shape[:2]
        np.testing.assert_array_equal(out.numpy(), image.transpose(2, 0, 1) / np.float32(255))
        np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(image), image[:, ::-1])
    for shape in ((6, 2, 5), (3, 5, 5)):
        batch = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
        assert tuple(T.ToTensor()(batch).shape) == (shape[0], 1) + shape[1:]
        np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(batch), batch[:, :, ::-1])
    assert tuple(T.ToTensor()(np.zeros((2, 5, 5, 1), np.uint8)).shape) == (2, 1, 5, 5)  # (B, H, W, 1)


def test_to_tensor_matches_torch_on_hwc_arrays():
    torch = pytest.importorskip("torch")
    for shape in ((6, 8, 1), (6, 8, 2), (6, 8, 3)):
        image = rng.integers(0, 256, shape, dtype=np.uint8)
        want = torch.from_numpy(image).permute(2, 0, 1).float().div(255).numpy()
        np.testing.assert_array_equal(T.ToTensor()(image).numpy(), want)


@pytest.mark.parametrize("shift", [0.25, -0.4, 0.5])
def test_color_jitter_hue_turns_the_colour_wheel(shift):
    """Against the standard library's colorsys, pixel by pixel (float images; uint8 truncates back)."""
    import colorsys
    img = np.random.default_rng(5).random((4, 5, 3)).astype(np.float32)
    img[0, 0] = (0.5, 0.5, 0.5)  # a grey pixel has no hue to turn
    out = T.ColorJitter(hue=(shift, shift))(img)
    for y in range(4):
        for x in range(5):
            h, s, v = colorsys.rgb_to_hsv(*map(float, img[y, x]))
            np.testing.assert_allclose(out[y, x], colorsys.hsv_to_rgb((h + shift) % 1, s, v), atol=1e-5)
    as_uint8 = T.ColorJitter(hue=(shift, shift))(COLOUR)
    assert as_uint8.dtype == np.uint8 and as_uint8.shape == COLOUR.shape
    np.testing.assert_array_equal(T.ColorJitter(hue=(0.0, 0.0))(COLOUR), COLOUR)
    np.testing.assert_array_equal(T.ColorJitter(hue=(shift, shift))(GREY_BATCH), GREY_BATCH)
