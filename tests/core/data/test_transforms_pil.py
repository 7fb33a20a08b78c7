"""PIL images through the transforms, as torchvision takes them: ToTensor / PILToTensor / ToPILImage per mode,
and every array transform giving a PIL image back in its mode (Resize and Grayscale by PIL itself)."""
import subprocess
import sys

import numpy as np
import pytest

import ddp
from ddp.core.data import transforms as T
from ddp.core.random import Generator
from ddp.core.tensor import Tensor

Image = pytest.importorskip("PIL.Image")

rng = np.random.default_rng(0)
PIXELS = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
RGB = Image.fromarray(PIXELS)


def gen(seed=0):
    return Generator().manual_seed(seed)


def image_of_mode(mode):
    if mode == "I;16":
        return Image.fromarray(rng.integers(0, 65536, (6, 8), dtype=np.uint16))
    if mode == "I":
        return Image.fromarray(rng.integers(-2 ** 20, 2 ** 20, (6, 8), dtype=np.int32))
    if mode == "F":
        return Image.fromarray(rng.standard_normal((6, 8)).astype(np.float32))
    return RGB.convert(mode)


# ---- ToTensor / PILToTensor

@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA", "P", "CMYK", "1"])
def test_to_tensor_of_8_bit_modes_is_float_in_0_1(mode):
    img = image_of_mode(mode)
    out = T.ToTensor()(img)
    pixels = np.array(img, np.uint8).reshape(6, 8, -1) * (255 if mode == "1" else 1)
    assert isinstance(out, Tensor) and out.dtype == np.float32 and tuple(out.shape) == (pixels.shape[2], 6, 8)
    np.testing.assert_array_equal(out.numpy(), pixels.transpose(2, 0, 1).astype(np.float32) / np.float32(255))


@pytest.mark.parametrize("mode, dtype", [("I", np.int32), ("I;16", np.int16), ("F", np.float32)])
def test_to_tensor_of_wide_modes_keeps_values(mode, dtype):
    img = image_of_mode(mode)
    out = T.ToTensor()(img)
    assert out.dtype == dtype and tuple(out.shape) == (1, 6, 8)
    np.testing.assert_array_equal(out.numpy()[0], np.array(img).astype(dtype))


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "P", "I", "I;16", "F"])
def test_pil_to_tensor_is_unscaled_chw(mode):
    img = image_of_mode(mode)
    out = T.PILToTensor()(img)
    pixels = np.array(img).reshape(6, 8, -1)
    assert out.dtype == pixels.dtype
    np.testing.assert_array_equal(out.numpy(), pixels.transpose(2, 0, 1))


def test_pil_to_tensor_refuses_arrays():
    with pytest.raises(TypeError, match="PILToTensor: expected a PIL image, got ndarray"):
        T.PILToTensor()(PIXELS)


# ---- ToPILImage

def test_to_pil_image_round_trips():
    assert np.array_equal(np.array(T.ToPILImage()(T.PILToTensor()(RGB))), PIXELS)
    back = T.ToPILImage()(T.ToTensor()(RGB))
    assert back.mode == "RGB" and np.array_equal(np.array(back), PIXELS)
    assert T.ToPILImage()(PIXELS).mode == "RGB"


def test_to_pil_image_scales_float_tensors_by_255_and_truncates():
    x = Tensor(np.array([[[0.0, 0.5, 0.999, 1.0]]], np.float32))
    img = T.ToPILImage()(x)
    assert img.mode == "L" and np.array(img).tolist() == [[0, 127, 254, 255]]
    assert T.ToPILImage(mode="F")(x).mode == "F"


@pytest.mark.parametrize("data, mode", [
    (np.zeros((4, 5), np.uint8), "L"), (np.zeros((4, 5, 1), np.int16), "I;16"), (np.zeros((4, 5), np.int32), "I"),
    (np.zeros((4, 5), np.float32), "F"), (np.zeros((4, 5, 2), np.uint8), "LA"), (np.zeros((4, 5, 3), np.uint8), "RGB"),
    (np.zeros((4, 5, 4), np.uint8), "RGBA"), (Tensor(np.zeros((3, 4, 5), np.uint8)), "RGB"),
])
def test_to_pil_image_infers_the_mode(data, mode):
    img = T.ToPILImage()(data)
    assert img.mode == mode and img.size == (5, 4)


def test_to_pil_image_takes_a_fitting_mode_and_refuses_others():
    assert T.ToPILImage("CMYK")(np.zeros((4, 5, 4), np.uint8)).mode == "CMYK"
    assert T.ToPILImage("YCbCr")(np.zeros((4, 5, 3), np.uint8)).mode == "YCbCr"
    with pytest.raises(ValueError, match="mode 'RGB' does not fit 4-channel"):
        T.ToPILImage("RGB")(np.zeros((4, 5, 4), np.uint8))
    with pytest.raises(ValueError, match="mode 'F' does not fit 1-channel uint8"):
        T.ToPILImage("F")(np.zeros((4, 5), np.uint8))
    with pytest.raises(ValueError, match="at most 4 channels"):
        T.ToPILImage()(np.zeros((4, 5, 6), np.uint8))
    with pytest.raises(ValueError, match="2-D or 3-D"):
        T.ToPILImage()(np.zeros((1, 4, 5, 3), np.uint8))
    with pytest.raises(TypeError, match="has no PIL mode"):
        T.ToPILImage()(np.zeros((4, 5, 3), np.float32))
    with pytest.raises(TypeError, match="expected a Tensor or a numpy array, got Image"):
        T.ToPILImage()(RGB)


# ---- the transforms on PIL images

@pytest.mark.parametrize("transform, size", [
    (T.Resize(4), (5, 4)), (T.Resize((3, 5)), (5, 3)), (T.CenterCrop(3), (3, 3)),
    (T.RandomCrop(4, padding=1, generator=gen()), (4, 4)), (T.RandomResizedCrop(5, generator=gen()), (5, 5)),
    (T.RandomHorizontalFlip(generator=gen()), (8, 6)), (T.RandomVerticalFlip(generator=gen()), (8, 6)),
    (T.Pad((1, 2)), (10, 10)), (T.ColorJitter(0.3, 0.3, 0.3, 0.1, generator=gen()), (8, 6)),
    (T.RandomRotation(30, generator=gen()), (8, 6)), (T.RandomAffine(10, generator=gen()), (8, 6)),
    (T.GaussianBlur(3, generator=gen()), (8, 6)), (T.RandomGrayscale(0.5, generator=gen()), (8, 6)),
    (T.RandomApply([T.RandomHorizontalFlip(p=1.0)], generator=gen()), (8, 6)),
], ids=lambda v: type(v).__name__ if not isinstance(v, tuple) else str(v))
def test_transforms_give_back_a_pil_image_of_the_mode(transform, size):
    out = transform(RGB)
    assert isinstance(out, Image.Image) and out.mode == "RGB" and out.size == size


def test_array_transforms_on_a_pil_image_match_them_on_its_pixels():
    for make in (lambda: T.RandomCrop(5, padding=2, generator=gen(3)), lambda: T.RandomRotation(40, generator=gen(3)),
                 lambda: T.ColorJitter(0.4, 0.4, 0.4, 0.2, generator=gen(3)), lambda: T.Pad(2, padding_mode="reflect"),
                 lambda: T.RandomHorizontalFlip(generator=gen(3))):
        np.testing.assert_array_equal(np.array(make()(RGB)), make()(PIXELS))


@pytest.mark.parametrize("mode", ["L", "P", "1", "I", "I;16", "F", "RGBA", "LA", "CMYK"])
def test_geometric_transforms_keep_every_mode(mode):
    img = image_of_mode(mode)
    flipped = T.RandomHorizontalFlip(p=1.0)(img)
    assert flipped.mode == mode and np.array_equal(np.array(flipped), np.array(img)[:, ::-1])
    cropped = T.CenterCrop((4, 6))(img)
    assert cropped.mode == mode and np.array_equal(np.array(cropped), np.array(img)[1:5, 1:7])
    if mode == "P":
        assert flipped.getpalette() == img.getpalette()


def test_resize_of_a_pil_image_is_pils_own_antialiased_resize():
    big = Image.fromarray(rng.integers(0, 256, (40, 60, 3), dtype=np.uint8))
    assert np.array_equal(np.array(T.Resize(10)(big)), np.array(big.resize((15, 10), Image.Resampling.BILINEAR)))
    nearest = T.Resize((7, 9), interpolation=T.InterpolationMode.NEAREST)(big)
    assert np.array_equal(np.array(nearest), np.array(big.resize((9, 7), Image.Resampling.NEAREST)))


def test_random_resized_crop_of_a_pil_image_resizes_its_window_with_pil():
    t = T.RandomResizedCrop(6, scale=(0.3, 0.6), generator=gen(5))
    same_draws = T.RandomResizedCrop(6, scale=(0.3, 0.6), generator=gen(5))
    top, left, h, w = (int(v[0]) for v in same_draws.batch_params(1, 6, 8))
    want = RGB.crop((left, top, left + w, top + h)).resize((6, 6), Image.Resampling.BILINEAR)
    assert np.array_equal(np.array(t(RGB)), np.array(want))


def test_grayscale_of_a_pil_image_is_pils_convert():
    assert T.Grayscale()(RGB).mode == "L" and np.array_equal(np.array(T.Grayscale()(RGB)), np.array(RGB.convert("L")))
    three = T.Grayscale(3)(RGB)
    assert three.mode == "RGB" and np.array_equal(np.array(three), np.array(RGB.convert("L").convert("RGB")))
    assert T.RandomGrayscale(p=1.0)(RGB).mode == "RGB" and T.RandomGrayscale(p=1.0)(RGB.convert("L")).mode == "L"
    assert T.RandomGrayscale(p=0.0)(RGB) is RGB


def test_pil_refusals_as_torchvision():
    with pytest.raises(TypeError, match="Normalize: expected a Tensor, got a PIL image"):
        T.Normalize((0.5,), (0.5,))(RGB)
    with pytest.raises(TypeError, match="RandomErasing: expected a Tensor"):
        T.RandomErasing()(RGB)
    with pytest.raises(TypeError, match="ColorJitter: expected a PIL image of mode .* got mode 'P'"):
        T.ColorJitter(0.5)(RGB.convert("P"))


def test_a_torchvision_style_pil_pipeline():
    pipeline = T.Compose([T.RandomResizedCrop(4, generator=gen()), T.RandomHorizontalFlip(generator=gen()),
                          T.ColorJitter(0.2, 0.2, generator=gen()), T.ToTensor(),
                          T.Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))])
    out = pipeline(RGB)
    assert isinstance(out, Tensor) and tuple(out.shape) == (3, 4, 4) and out.dtype == ddp.float32


def test_pillow_stays_unimported_without_pil_images():
    code = ("import sys, numpy as np; from ddp.core.data import transforms as T; import ddp.core.data as D; "
            "x = np.zeros((5, 7, 7), np.uint8); T.Compose([T.RandomCrop(5), T.Resize(4), T.ColorJitter(0.1), "
            "T.Grayscale(), T.ToTensor()])(x); D.FakeData(2, transform=T.ToTensor())[0]; "
            "assert 'PIL' not in sys.modules, 'PIL imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
