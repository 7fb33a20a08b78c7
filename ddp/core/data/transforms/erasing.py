"""`RandomErasing` (vectorised over a batch, each sample its own rectangle) and `erase`, the one-call form that
sets a given rectangle, as torchvision's; both take channels-first Tensors (after `ToTensor`)."""
import numpy as np

from ddp.core.random import get_generator
from ddp.core.tensor import Tensor

from . import ops
from .augment import _first_fit, _ten_tries


def erase(img, i, j, h, w, v, inplace=False):
    """`img` (..., C, H, W) with rows i..i+h and columns j..j+w set to `v` (a Tensor, array or number broadcast to
    (C, h, w)), in place if `inplace`, as torchvision's `F.erase`.

    Raises:
        TypeError: for anything but a Tensor.
    """
    if not isinstance(img, Tensor):
        raise TypeError(f"erase: expected a Tensor (..., C, H, W), got {type(img).__name__}")
    a = img.numpy() if inplace else img.numpy().copy()
    a[..., i:i + h, j:j + w] = v.numpy() if isinstance(v, Tensor) else v
    return img if inplace else Tensor(a)


class RandomErasing:
    """With probability p, set a random rectangle of each sample (area a fraction in `scale`, aspect
    ratio in `ratio`) to `value`: a number, one per channel, or "random" (standard normal noise). Applies
    to channels-first Tensors, after ToTensor, as torchvision's.

    Example:
        >>> Compose([ToTensor(), RandomErasing(p=0.5)])
    """

    batched = True

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False, generator=None):
        if not 0 <= p <= 1:
            raise ValueError(f"RandomErasing: p must be a probability in [0, 1], got {p}")
        if not (0 <= scale[0] <= scale[1] <= 1 and 0 < ratio[0] <= ratio[1]):
            raise ValueError(f"RandomErasing: bad scale {scale!r} or ratio {ratio!r}")
        self.p, self.scale, self.ratio, self.value = p, tuple(scale), tuple(ratio), value
        self.inplace, self.generator = inplace, generator

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        """torchvision's (top, left, h, w, v) for erasing `img` (C, H, W), drawn from the global generator: the
        first of ten tries smaller than the image, `v` its values (standard normal noise (C, h, w) when `value`
        is None, else `value` as a (len, 1, 1) Tensor); when none fits, (0, 0, H, W, img)."""
        gen, (C, H, W) = get_generator(), tuple(img.shape[-3:])
        for _ in range(10):  # one try at a time, as torchvision draws them (a scalar loop, not over pixels)
            h, w = (int(v[0, 0]) for v in _ten_tries(gen, 1, H * W, scale, ratio, tries=1))
            if h < H and w < W:
                v = (gen.standard_normal((C, h, w)).astype(np.float32) if value is None else
                     np.asarray(value, np.float32)[:, None, None])
                return int(gen.integers(0, H - h + 1)), int(gen.integers(0, W - w + 1)), h, w, Tensor(v)
        return 0, 0, H, W, img

    def __call__(self, x):
        if not isinstance(x, Tensor):
            raise TypeError(f"RandomErasing: expected a Tensor (C, H, W) or (B, C, H, W), got {type(x).__name__}")
        a, restore = ops.as_nchw(x, "RandomErasing")
        gen, (B, C, H, W) = get_generator(self.generator), a.shape
        h, w = _ten_tries(gen, B, H * W, self.scale, self.ratio)
        found, h, w = _first_fit((h < H) & (w < W) & (h > 0) & (w > 0), h, w)
        erase = (gen.random(B) < self.p) & found
        top = (gen.random(B) * np.maximum(H - h + 1, 1)).astype(np.int64)
        left = (gen.random(B) * np.maximum(W - w + 1, 1)).astype(np.int64)
        ys, xs = np.arange(H)[None, :, None], np.arange(W)[None, None, :]
        box = ((ys >= top[:, None, None]) & (ys < (top + h)[:, None, None]) & (xs >= left[:, None, None])
               & (xs < (left + w)[:, None, None]) & erase[:, None, None])[:, None]
        if isinstance(self.value, str):
            if self.value != "random":
                raise ValueError(f"RandomErasing: value must be a number, a sequence or 'random', got {self.value!r}")
            fill = gen.standard_normal(a.shape).astype(a.dtype)
        else:
            fill = np.asarray(self.value, a.dtype).reshape(1, -1, 1, 1)
        out = np.where(box, fill, a)
        if self.inplace:
            x.numpy()[...] = out.reshape(x.shape)
            return x
        return restore(out)

    def __repr__(self):
        return f"RandomErasing(p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value!r})"
