"""`ddp.fft` (torch.fft): discrete Fourier transforms with PyTorch's arguments (`n`/`s` lengths, `dim`, `norm`
"backward", "ortho" or "forward"), differentiable (ops/fft.py), and the frequency helpers. Real inputs to the
complex transforms are taken as complex; results are complex64 from float32, complex128 from float64."""
import numpy as np

from .core.dtypes import get_default_dtype
from .core.ops.fft import FFT
from .core.index_functional import roll
from .core.tensor import Tensor

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn",
           "rfftn", "irfftn", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftshift", "ifftshift", "fftfreq", "rfftfreq"]


def _signal(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x if x.dtype.kind in "fc" else x.to(get_default_dtype())


def _norm(norm, op):
    norm = "backward" if norm is None else norm
    if norm not in ("backward", "ortho", "forward"):
        raise ValueError(f'{op}: Invalid normalization mode: "{norm}"')
    return norm


def _axes(x, dim, s, op):
    """The transform's axes (non-negative) and the lengths given for them (None: the input's)."""
    if dim is None:
        dims = list(range(x.ndim)) if s is None else list(range(x.ndim - len(s), x.ndim))
    else:
        dims = [dim] if isinstance(dim, int) else list(dim)
    axes = []
    for d in dims:
        if not -x.ndim <= d < max(x.ndim, 1):
            raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-x.ndim}, "
                             f"{x.ndim - 1}], but got {d})")
        axes.append(d % x.ndim)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"{op}: dims must be unique, got {dims}")
    if s is not None and len(s) != len(axes):
        raise RuntimeError(f"{op}: When given, dim and shape arguments must have the same length")
    sizes = [x.shape[a] if s is None or s[i] == -1 else int(s[i]) for i, a in enumerate(axes)]
    if any(n < 1 for n in sizes):
        raise RuntimeError(f"{op}: Invalid number of data points ({min(sizes)}) specified")
    return tuple(axes), sizes


def _c2c(x, s, dim, norm, inverse, op):
    x = _signal(x, op)
    axes, sizes = _axes(x, dim, s, op)
    return FFT.apply(x, kind="c2c", axes=axes, sizes=sizes, norm=_norm(norm, op), inverse=inverse)


def _r2c(x, s, dim, norm, op):
    x = _signal(x, op)
    if x.dtype.kind == "c":
        raise RuntimeError(f"{op} expects a real input tensor, but got {x.dtype}")
    axes, sizes = _axes(x, dim, s, op)
    return FFT.apply(x, kind="r2c", axes=axes, sizes=sizes, norm=_norm(norm, op))


def _c2r(x, s, dim, norm, op):
    x = _signal(x, op)
    if x.dtype.kind != "c":
        x = x.to(np.complex128 if x.dtype == np.float64 else np.complex64)
    axes, sizes = _axes(x, dim, s, op)
    if s is None or s[-1] == -1:
        sizes[-1] = 2 * (x.shape[axes[-1]] - 1)  # PyTorch's default: the even length the half spectrum came from
    if sizes[-1] < 1:
        raise RuntimeError(f"{op}: Invalid number of data points ({sizes[-1]}) specified")
    return FFT.apply(x, kind="c2r", axes=axes, sizes=sizes, norm=_norm(norm, op))


def _one(n):
    return None if n is None else (n,)


def fft(input, n=None, dim=-1, norm=None):  # noqa: A002 - PyTorch's names
    """The 1-D DFT along `dim` (padded or cropped to n)."""
    return _c2c(input, _one(n), dim, norm, False, "fft")


def ifft(input, n=None, dim=-1, norm=None):  # noqa: A002
    return _c2c(input, _one(n), dim, norm, True, "ifft")


def rfft(input, n=None, dim=-1, norm=None):  # noqa: A002
    """The 1-D DFT of a real signal: its n // 2 + 1 non-negative frequencies."""
    return _r2c(input, _one(n), dim, norm, "rfft")


def irfft(input, n=None, dim=-1, norm=None):  # noqa: A002
    """The real signal of length n (default 2 (m - 1)) whose rfft is `input`'s m bins."""
    return _c2r(input, _one(n), dim, norm, "irfft")


_SWAPPED = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}


def hfft(input, n=None, dim=-1, norm=None):  # noqa: A002
    """The real spectrum (length n, default 2 (m - 1)) of a signal Hermitian-symmetric in time, given by its
    first m samples: irfft of the conjugate with the normalisation swapped, as PyTorch's."""
    _norm(norm, "hfft")
    return irfft(_signal(input, "hfft").conj(), n, dim, _SWAPPED[norm])


def ihfft(input, n=None, dim=-1, norm=None):  # noqa: A002
    """The inverse of hfft: the n // 2 + 1 first samples of the Hermitian signal whose spectrum is the real
    `input` (conj of rfft, normalisation swapped)."""
    _norm(norm, "ihfft")
    return rfft(input, n, dim, _SWAPPED[norm]).conj()


def fft2(input, s=None, dim=(-2, -1), norm=None):  # noqa: A002
    return _c2c(input, s, dim, norm, False, "fft2")


def ifft2(input, s=None, dim=(-2, -1), norm=None):  # noqa: A002
    return _c2c(input, s, dim, norm, True, "ifft2")


def rfft2(input, s=None, dim=(-2, -1), norm=None):  # noqa: A002
    return _r2c(input, s, dim, norm, "rfft2")


def irfft2(input, s=None, dim=(-2, -1), norm=None):  # noqa: A002
    return _c2r(input, s, dim, norm, "irfft2")


def fftn(input, s=None, dim=None, norm=None):  # noqa: A002
    return _c2c(input, s, dim, norm, False, "fftn")


def ifftn(input, s=None, dim=None, norm=None):  # noqa: A002
    return _c2c(input, s, dim, norm, True, "ifftn")


def rfftn(input, s=None, dim=None, norm=None):  # noqa: A002
    return _r2c(input, s, dim, norm, "rfftn")


def irfftn(input, s=None, dim=None, norm=None):  # noqa: A002
    return _c2r(input, s, dim, norm, "irfftn")


def hfftn(input, s=None, dim=None, norm=None):  # noqa: A002
    """The real N-D spectrum of a signal Hermitian-symmetric in time, given by the half of it along the last
    of `dim` (default length there 2 (m - 1)): irfftn of the conjugate with the normalisation swapped, as
    PyTorch's (the DFT of a Hermitian signal is n times the inverse DFT of its conjugate, both real)."""
    return _c2r(_signal(input, "hfftn").conj(), s, dim, _SWAPPED[_norm(norm, "hfftn")], "hfftn")


def ihfftn(input, s=None, dim=None, norm=None):  # noqa: A002
    """The inverse of hfftn: the half (along the last of `dim`) of the Hermitian signal whose N-D spectrum is
    the real `input`; the conjugate of rfftn with the normalisation swapped."""
    return _r2c(input, s, dim, _SWAPPED[_norm(norm, "ihfftn")], "ihfftn").conj()


def hfft2(input, s=None, dim=(-2, -1), norm=None):  # noqa: A002
    """hfftn over the last two dims."""
    return hfftn(input, s, dim, norm)


def ihfft2(input, s=None, dim=(-2, -1), norm=None):  # noqa: A002
    """ihfftn over the last two dims."""
    return ihfftn(input, s, dim, norm)


def _shift(x, dim, sign):
    dims = list(range(x.ndim)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    return roll(x, [sign * (x.shape[d] // 2) for d in dims], dims)


def fftshift(input, dim=None):  # noqa: A002
    """The zero frequency moved to the middle (a roll by n // 2 along each dim)."""
    return _shift(input, dim, 1)


def ifftshift(input, dim=None):  # noqa: A002
    """fftshift undone (a roll by -(n // 2))."""
    return _shift(input, dim, -1)


def fftfreq(n, d=1.0, *, dtype=None, device=None, requires_grad=False, layout=None):
    """The sample frequencies of an n-point DFT: [0, 1, ..., -1] / (d n)."""
    return Tensor(np.fft.fftfreq(n, d).astype(dtype or get_default_dtype()), requires_grad=requires_grad)


def rfftfreq(n, d=1.0, *, dtype=None, device=None, requires_grad=False, layout=None):
    """The non-negative sample frequencies of an n-point rfft: [0, 1, ..., n // 2] / (d n)."""
    return Tensor(np.fft.rfftfreq(n, d).astype(dtype or get_default_dtype()), requires_grad=requires_grad)
