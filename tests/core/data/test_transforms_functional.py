"""`transforms.functional` (torchvision's one-call forms, each the classes' code with fixed parameters) and
Grayscale on channels-first Tensors."""
import numpy as np
import pytest

import ddp
from ddp.core.data import transforms as T
from ddp.core.data.transforms import functional as F
from ddp.core.random import Generator
from ddp.core.tensor import Tensor

rng = np.random.default_rng(1)
IMAGE = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
CHW = Tensor(rng.random((3, 7, 9), dtype=np.float32))


def gen(seed=0):
    return Generator().manual_seed(seed)


# ---- Grayscale on Tensors

@pytest.mark.parametrize("shape", [(3, 6, 8), (2, 3, 6, 8)])
def test_grayscale_of_a_tensor_is_601_luma(shape):
    x = ddp.rand(*shape)
    a = x.numpy()
    luma = 0.2989 * a[..., 0:1, :, :] + 0.587 * a[..., 1:2, :, :] + 0.114 * a[..., 2:3, :, :]
    one, three = T.Grayscale()(x), T.Grayscale(num_output_channels=3)(x)
    assert tuple(one.shape) == shape[:-3] + (1,) + shape[-2:] and tuple(three.shape) == shape
    np.testing.assert_allclose(one.numpy(), luma, rtol=1e-6)
    np.testing.assert_allclose(three.numpy(), np.repeat(luma, 3, axis=-3), rtol=1e-6)


def test_grayscale_of_a_uint8_tensor_truncates_as_torchvision():
    x = Tensor(rng.integers(0, 256, (3, 4, 5), dtype=np.uint8))
    r, g, b = x.numpy().astype(np.float32)
    np.testing.assert_array_equal(T.Grayscale()(x).numpy()[0], (0.2989 * r + 0.587 * g + 0.114 * b).astype(np.uint8))


def test_grayscale_of_numpy_images_keeps_their_layout():
    assert T.Grayscale()(IMAGE).shape == (7, 9, 1) and T.Grayscale(3)(IMAGE).shape == (7, 9, 3)
    grey = IMAGE[:, :, 0]
    assert T.Grayscale(3)(grey).shape == (7, 9, 3) and T.Grayscale()(grey).shape == (7, 9)


# ---- conversions and Normalize

def test_conversions_are_the_classes():
    np.testing.assert_array_equal(F.to_tensor(IMAGE).numpy(), T.ToTensor()(IMAGE).numpy())
    np.testing.assert_array_equal(F.normalize(CHW, (0.5,) * 3, (0.2,) * 3).numpy(),
                                  T.Normalize((0.5,) * 3, (0.2,) * 3)(CHW).numpy())
    pytest.importorskip("PIL")
    img = F.to_pil_image(IMAGE)
    assert img.mode == "RGB" and np.array_equal(F.pil_to_tensor(img).numpy(), IMAGE.transpose(2, 0, 1))
    assert F.to_pil_image(F.to_tensor(IMAGE)).mode == "RGB" and F.to_grayscale(img).mode == "L"


# ---- geometry

def test_flips_crop_pad_resize():
    np.testing.assert_array_equal(F.hflip(IMAGE), IMAGE[:, ::-1])
    np.testing.assert_array_equal(F.vflip(CHW).numpy(), CHW.numpy()[:, ::-1])
    np.testing.assert_array_equal(F.crop(IMAGE, 1, 2, 3, 4), IMAGE[1:4, 2:6])
    np.testing.assert_array_equal(F.center_crop(CHW, 5).numpy(), T.CenterCrop(5)(CHW).numpy())
    np.testing.assert_array_equal(F.pad(IMAGE, 2, padding_mode="edge"), T.Pad(2, padding_mode="edge")(IMAGE))
    np.testing.assert_array_equal(F.resize(CHW, (4, 5)).numpy(), T.Resize((4, 5))(CHW).numpy())


def test_crop_outside_the_image_reads_zero():
    grey = np.arange(1, 13, dtype=np.uint8).reshape(3, 4)
    want = np.zeros((4, 5), np.uint8)
    want[1:4, 2:5] = grey[:, :3]
    np.testing.assert_array_equal(F.crop(grey, -1, -2, 4, 5), want)
    assert F.crop(CHW, 5, 7, 4, 4).shape == (3, 4, 4)


def test_flips_and_crop_match_torch():
    torch = pytest.importorskip("torch")
    t = torch.from_numpy(CHW.numpy())
    np.testing.assert_array_equal(F.hflip(CHW).numpy(), torch.flip(t, dims=[-1]).numpy())
    np.testing.assert_array_equal(F.vflip(CHW).numpy(), torch.flip(t, dims=[-2]).numpy())
    np.testing.assert_array_equal(F.crop(CHW, 2, 3, 4, 5).numpy(), t[:, 2:6, 3:8].numpy())


def test_rotate_and_affine_are_random_affine_with_fixed_draws():
    np.testing.assert_array_equal(F.rotate(IMAGE, 30), T.RandomRotation((30, 30))(IMAGE))
    square = IMAGE[:, :7]
    np.testing.assert_array_equal(F.rotate(square, 90), np.rot90(square, 1, axes=(0, 1)))
    want = T.RandomAffine((10, 10), scale=(1.2, 1.2), shear=(5, 5, 0, 0))(CHW)
    np.testing.assert_allclose(F.affine(CHW, 10, (0, 0), 1.2, 5).numpy(), want.numpy())
    assert F.rotate(IMAGE, 30, expand=True).shape == (11, 13, 3)  # grown to hold it, as torchvision (3, 11, 13)


# ---- colour

@pytest.mark.parametrize("name, factor", [("brightness", 1.4), ("contrast", 0.6), ("saturation", 1.7), ("hue", 0.2)])
def test_adjust_is_color_jitter_with_one_fixed_factor(name, factor):
    jitter = T.ColorJitter(**{name: (factor, factor) if name != "hue" else (factor, factor)})
    fn = getattr(F, f"adjust_{name}")
    np.testing.assert_array_equal(fn(IMAGE, factor), jitter(IMAGE))
    np.testing.assert_array_equal(fn(CHW, factor).numpy(), jitter(CHW).numpy())


def test_adjust_brightness_matches_torchvisions_formula():
    np.testing.assert_allclose(F.adjust_brightness(CHW, 1.5).numpy(), np.clip(CHW.numpy() * 1.5, 0, 1), rtol=1e-6)


def test_adjust_refuses_bad_factors():
    with pytest.raises(ValueError, match="brightness_factor must be non-negative"):
        F.adjust_brightness(IMAGE, -1)
    with pytest.raises(ValueError, match=r"hue_factor must be in \[-0.5, 0.5\]"):
        F.adjust_hue(IMAGE, 0.7)


def test_functional_draws_nothing_from_the_global_generator():
    ddp.manual_seed(4)
    want = ddp.rand(3).numpy()
    ddp.manual_seed(4)
    F.rotate(IMAGE, 10), F.adjust_contrast(IMAGE, 0.5), F.hflip(IMAGE), F.crop(IMAGE, 0, 0, 2, 2)
    np.testing.assert_array_equal(ddp.rand(3).numpy(), want)


def test_affine_turns_and_shears_as_torchvision():
    """F.affine's positive angle turns clockwise (rotate's counter-clockwise), with torchvision's shear signs
    and order; the expected images are torchvision 0.29's outputs for the same calls."""
    x = ddp.arange(1.0, 31.0).reshape(1, 5, 6)
    turned = [[0, 7, 8, 3, 4, 0], [13, 14, 9, 9, 4, 5], [19, 20, 15, 16, 11, 12], [26, 27, 22, 22, 17, 18],
              [0, 27, 28, 23, 24, 0]]
    mixed = [[7, 8, 9, 9, 10, 11], [7, 14, 14, 15, 16, 17], [0, 13, 20, 21, 22, 22], [0, 19, 20, 27, 27, 28],
             [0, 25, 26, 26, 0, 0]]
    assert F.affine(x, angle=30.0, translate=[0, 0], scale=1.0, shear=[0.0, 0.0])[0].tolist() == turned
    assert F.affine(x, angle=-20.0, translate=[1, -1], scale=1.2, shear=[5.0, -7.0])[0].tolist() == mixed
    assert F.rotate(x, -30.0).tolist() == F.affine(x, 30.0, [0, 0], 1.0, [0.0, 0.0]).tolist()
    assert T.RandomAffine((30, 30))(x).tolist() == F.affine(x, 30.0, [0, 0], 1.0, [0.0, 0.0]).tolist()
    assert T.RandomRotation((30, 30))(x).tolist() == F.rotate(x, 30.0).tolist()
