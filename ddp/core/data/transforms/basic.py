"""`Compose`, `RandomChoice`, `RandomOrder`, `Lambda` and `Normalize`.

A transform with `batched = True` gives the same result on a batch as on each of its samples (up to random
draws), so datasets may apply it once per batch.
"""
import numpy as np

from ddp.core.random import get_generator
from ddp.core.tensor import Tensor

from . import pil


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


class RandomChoice:
    """Apply one of `transforms`, picked at each call (with probabilities `p`, default equal), as torchvision's.

    Not batch-capable: on a batch every sample would get the same pick, so datasets call it per sample.
    """

    batched = False

    def __init__(self, transforms, p=None, generator=None):
        self.transforms = list(transforms)
        if not self.transforms:
            raise ValueError("RandomChoice: needs at least one transform")
        if p is not None:
            p = np.asarray(p, np.float64)
            if p.shape != (len(self.transforms),) or np.any(p < 0) or p.sum() <= 0:
                raise ValueError(f"RandomChoice: p must be one non-negative weight per transform, got {p.tolist()}")
            p = p / p.sum()
        self.p, self.generator = p, generator

    def __call__(self, x):
        return self.transforms[get_generator(self.generator).choice(len(self.transforms), p=self.p)](x)

    def __repr__(self):
        return f"RandomChoice({self.transforms}, p={None if self.p is None else self.p.tolist()})"


class RandomOrder:
    """Apply all of `transforms` in an order shuffled at each call, as torchvision's (per sample: not
    batch-capable, for the reason of `RandomChoice`)."""

    batched = False

    def __init__(self, transforms, generator=None):
        self.transforms, self.generator = list(transforms), generator

    def __call__(self, x):
        for i in get_generator(self.generator).permutation(len(self.transforms)):
            x = self.transforms[i](x)
        return x

    def __repr__(self):
        return f"RandomOrder({self.transforms})"


class Lambda:
    """Wrap a function as a transform; pass `batched=True` if it also handles a batch correctly."""

    def __init__(self, fn, batched=False):
        if not callable(fn):
            raise TypeError(f"Lambda: fn must be callable, got {type(fn).__name__}")
        self.fn, self.batched = fn, batched

    def __call__(self, x):
        return self.fn(x)


class Normalize:
    """(x - mean[c]) / std[c] per channel c, on (C, H, W) or (B, C, H, W) float data, keeping its dtype.

    Args:
        mean, std: one value per channel (or one for all).
        inplace: overwrite the input's memory.
    Raises:
        ValueError: for a zero std or a channel count that does not match.
        TypeError: for integer input or a PIL image (torchvision's Normalize takes Tensors only).

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
        if pil.is_pil_image(x):
            raise TypeError("Normalize: expected a Tensor, got a PIL image; apply ToTensor first")
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
