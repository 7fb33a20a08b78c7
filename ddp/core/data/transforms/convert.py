"""Conversions between images and Tensors: `ToTensor`, `PILToTensor` and `ToPILImage`, as torchvision's."""
import numpy as np

from ddp.core.tensor import Tensor

from . import pil
from .ops import is_channels_last

# the dtype torchvision reads each PIL mode's pixels in; every other mode is read as uint8
_PIL_DTYPES = {"I": np.int32, "I;16": np.int16, "F": np.float32}


class ToTensor:
    """A PIL image or a numpy image -> a Tensor with channels first, uint8 values scaled to [0, 1].

    A PIL image (H, W) of C bands gives (C, H, W): float32 in [0, 1] for 8-bit modes (L, LA, P's palette
    indices, RGB, RGBA, CMYK, ...; mode '1' as 0 or 1), int32 for 'I', int16 for 'I;16' and float32 for 'F'
    unscaled, as torchvision's. A numpy array: grey (H, W) -> (1, H, W), (H, W, C) with C <= 4 -> (C, H, W);
    and the batches of `ops`: (B, H, W) (a last dim above 4) -> (B, 1, H, W), (B, H, W, C) -> (B, C, H, W).
    uint8 arrays are divided by 255 in float32; other dtypes are kept.

    Raises:
        TypeError: for a Tensor or anything that is not an array or a PIL image.
        ValueError: for an array that is not 2-D or 3-D, or 4-D with 1, 3 or 4 channels last.

    Example:
        >>> ToTensor()(np.zeros((28, 28), np.uint8)).shape   # (1, 28, 28)
    """

    batched = True

    def __call__(self, pic):
        if pil.is_pil_image(pic):
            out = pil.to_hwc(pic, _PIL_DTYPES.get(pic.mode, np.uint8))
            out = out * np.uint8(255) if pic.mode == "1" else out
        elif isinstance(pic, np.ndarray) and not isinstance(pic, Tensor):
            if pic.ndim not in (2, 3) and not is_channels_last(pic):
                raise ValueError(f"ToTensor: expected an image (H, W) or (H, W, C), or a batch (B, H, W) or "
                                 f"(B, H, W, C), C in (1, 3, 4), got shape {pic.shape}")
            out = pic if is_channels_last(pic) else pic[..., None]
        else:
            raise TypeError(f"ToTensor: expected a numpy image array, got {type(pic).__name__}; it takes a PIL "
                            f"image or a numpy array")
        out = np.moveaxis(out, -1, -3)
        if out.dtype == np.uint8:
            out = out.astype(np.float32) / np.float32(255)
        return Tensor(np.ascontiguousarray(out))

    def __repr__(self):
        return "ToTensor()"


class PILToTensor:
    """A PIL image -> a (C, H, W) Tensor of its pixels, unscaled, in their dtype (uint8 for 8-bit modes).

    Raises:
        TypeError: for anything but a PIL image.
    """

    def __call__(self, pic):
        if not pil.is_pil_image(pic):
            raise TypeError(f"PILToTensor: expected a PIL image, got {type(pic).__name__}")
        return Tensor(np.ascontiguousarray(pil.to_hwc(pic).transpose(2, 0, 1)))

    def __repr__(self):
        return "PILToTensor()"


# per channel count: the modes PIL can make from it, the first being the one inferred for uint8 data
_MODES_FOR_CHANNELS = {2: ("LA",), 3: ("RGB", "YCbCr", "HSV"), 4: ("RGBA", "CMYK", "RGBX")}
_GREY_MODES = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16", np.dtype(np.uint16): "I;16",
               np.dtype(np.int32): "I", np.dtype(np.float32): "F"}


def _infer_mode(hwc, mode):
    """torchvision's rules: the mode of an (H, W, C) array, checking a given `mode` against it."""
    channels = hwc.shape[2]
    if channels == 1:
        expected = _GREY_MODES.get(hwc.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"ToPILImage: mode {mode!r} does not fit 1-channel {hwc.dtype} data; "
                             f"it needs {expected!r}")
        mode = expected
    else:
        permitted = _MODES_FOR_CHANNELS[channels]
        if mode is not None and mode not in permitted:
            raise ValueError(f"ToPILImage: mode {mode!r} does not fit {channels}-channel data; it needs one of "
                             f"{permitted}")
        if mode is None and hwc.dtype == np.uint8:
            mode = permitted[0]
    if mode is None:
        raise TypeError(f"ToPILImage: {channels}-channel {hwc.dtype} data has no PIL mode")
    return mode


class ToPILImage:
    """A Tensor (C, H, W) or an array (H, W, C) (or grey (H, W)) -> a PIL image, as torchvision's.

    A float Tensor is scaled by 255 and truncated to uint8 (clipped to [0, 255]) unless `mode` is 'F'; a
    numpy array is taken as it is. With mode None the mode follows the data: 1 channel gives 'L' (uint8),
    'I;16' (int16 / uint16), 'I' (int32) or 'F' (float32); 2, 3, 4 uint8 channels give 'LA', 'RGB', 'RGBA'.

    Raises:
        TypeError: for input that is neither, or data with no PIL mode.
        ValueError: for input not 2-D or 3-D, more than 4 channels, or a `mode` that does not fit the data.

    Example:
        >>> ToPILImage()(ToTensor()(pil_image))   # back to the same 'RGB' image
    """

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        is_tensor = isinstance(pic, Tensor)
        if not (is_tensor or isinstance(pic, np.ndarray)):
            raise TypeError(f"ToPILImage: expected a Tensor or a numpy array, got {type(pic).__name__}")
        a = pic.numpy() if is_tensor else pic
        if a.ndim not in (2, 3):
            raise ValueError(f"ToPILImage: expected a 2-D or 3-D image, got shape {tuple(a.shape)}")
        hwc = a[:, :, None] if a.ndim == 2 else (a.transpose(1, 2, 0) if is_tensor else a)
        if hwc.shape[2] > 4:
            raise ValueError(f"ToPILImage: expected at most 4 channels, got {hwc.shape[2]} in shape {tuple(a.shape)}")
        if is_tensor and hwc.dtype.kind == "f" and self.mode != "F":
            hwc = np.clip(hwc * 255, 0, 255).astype(np.uint8)
        mode = _infer_mode(hwc, self.mode)
        return _make_image(hwc, mode)

    def __repr__(self):
        return f"ToPILImage(mode={self.mode!r})" if self.mode else "ToPILImage()"


def _make_image(hwc, mode):
    Image = pil.image_module()
    if hwc.shape[2] == 1:
        grey = np.ascontiguousarray(hwc[:, :, 0])
        return Image.fromarray(grey.view(np.uint16) if grey.dtype == np.int16 else grey)
    data = np.ascontiguousarray(hwc)
    img = Image.fromarray(data)
    return img if img.mode == mode else Image.frombytes(mode, img.size, data.tobytes())
