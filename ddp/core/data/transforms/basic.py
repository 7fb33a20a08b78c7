"""`Compose`, `Lambda`, `ToTensor` and `Normalize`: each takes one sample or a whole batch.

A transform with `batched = True` gives the same result on a batch as on each of its samples (up to random
draws), so datasets may apply it once per batch.
"""
import numpy as np

from ddp.core.tensor import Tensor

from .functional import is_channels_last


class Compose:
    """Apply `transforms` in order. Batch-capable when every one of them is.

    Example:
        >>> t = Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])
    """

    def __init__(self, transforms):
        self.transforms = list(transforms)

    @property
    def batched(self):
        return all(getattr(t, "batched", False) for t in self.transforms)

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self):
        return "Compose([" + ", ".join(map(repr, self.transforms)) + "])"


class Lambda:
    """Wrap a function as a transform; pass `batched=True` if it also handles a batch correctly."""

    def __init__(self, fn, batched=False):
        if not callable(fn):
            raise TypeError(f"Lambda: fn must be callable, got {type(fn).__name__}")
        self.fn, self.batched = fn, batched

    def __call__(self, x):
        return self.fn(x)


class ToTensor:
    """A numpy image -> a float32 Tensor with channels first: grey (H, W) -> (1, H, W), colour (H, W, 3 or 4)
    -> (C, H, W); a batch (B, H, W) -> (B, 1, H, W), (B, H, W, C) -> (B, C, H, W) (layouts as in `functional`).

    uint8 values are scaled to [0, 1] (divided by 255 in float32, as torchvision's); other dtypes are kept.

    Raises:
        TypeError: for a Tensor or a non-array input.
        ValueError: for an array that is not 2-D or 3-D, or 4-D with 1, 3 or 4 channels last.
    """

    batched = True

    def __call__(self, pic):
        if isinstance(pic, Tensor) or not isinstance(pic, np.ndarray):
            raise TypeError(f"ToTensor: expected a numpy image array, got {type(pic).__name__}")
        if pic.ndim not in (2, 3) and not is_channels_last(pic):
            raise ValueError(f"ToTensor: expected an image (H, W) or (H, W, C), or a batch (B, H, W) or "
                             f"(B, H, W, C), C in (1, 3, 4), got shape {pic.shape}")
        out = np.moveaxis(pic, -1, -3) if is_channels_last(pic) else pic[..., None, :, :]
        if out.dtype == np.uint8:
            out = out.astype(np.float32) / np.float32(255)
        return Tensor(np.ascontiguousarray(out))

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """(x - mean[c]) / std[c] per channel c, on (C, H, W) or (B, C, H, W) float data, keeping its dtype.

    Args:
        mean, std: one value per channel (or one for all).
        inplace: overwrite the input's memory.
    Raises:
        ValueError: for a zero std or a channel count that does not match.
        TypeError: for integer input.

    Example:
        >>> Normalize((0.1307,), (0.3081,))(ToTensor()(image))
    """

    batched = True

    def __init__(self, mean, std, inplace=False):
        self.mean = np.atleast_1d(np.asarray(mean, np.float64))
        self.std = np.atleast_1d(np.asarray(std, np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ValueError(f"Normalize: mean and std must be sequences, got {mean!r} and {std!r}")
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must be non-zero, got {std!r}")
        self.inplace = inplace

    def __call__(self, x):
        is_tensor = isinstance(x, Tensor)
        a = x.numpy() if is_tensor else np.asarray(x)
        if a.dtype.kind != "f":
            raise TypeError(f"Normalize: expected floating-point input, got dtype {a.dtype}")
        if a.ndim < 3 or any(len(v) not in (1, a.shape[-3]) for v in (self.mean, self.std)):
            raise ValueError(f"Normalize: input shape {a.shape} (expected (C, H, W) or (B, C, H, W)) does not match "
                             f"mean of length {len(self.mean)} and std of length {len(self.std)}")
        mean = self.mean.astype(a.dtype)[:, None, None]
        std = self.std.astype(a.dtype)[:, None, None]
        out = a if self.inplace else None
        out = np.divide(np.subtract(a, mean, out=out), std, out=out)
        return Tensor(out) if is_tensor else out

    def __repr__(self):
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"
