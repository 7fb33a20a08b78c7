"""`stft` and `istft` (torch.stft, torch.istft), composed from differentiable ops: reflect padding, windowed
frames (`unfold`), `ddp.fft`'s transforms, and overlap-add (`index_add`) normalised by the summed squared window,
as PyTorch computes them."""
import warnings

import numpy as np

from .dtypes import get_default_dtype
from .tensor import Tensor

__all__ = ["stft", "istft"]


def _window(window, win_length, n_fft, dtype, op):
    """The window, zero-padded on both sides to n_fft (centred), as PyTorch places a shorter one."""
    if window is None:
        warnings.warn(f"{op}: a window was not provided; a rectangular window is applied, which is known to cause "
                      "spectral leakage (torch.hann_window and the like reduce it)", UserWarning, stacklevel=3)
        window = Tensor(np.ones(win_length, dtype=dtype))
    if window.ndim != 1 or window.shape[0] != win_length:
        raise RuntimeError(f"{op}: expected a 1D window tensor of size equal to win_length={win_length}, but got "
                           f"window with size {tuple(window.shape)}")
    left = (n_fft - win_length) // 2
    if left or n_fft != win_length:
        from .nn.functional_padding import pad

        window = pad(window, (left, n_fft - win_length - left))
    return window


def _lengths(n_fft, hop_length, win_length, op):
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    win = n_fft if win_length is None else int(win_length)
    if not (0 < win <= n_fft) or hop <= 0:
        raise RuntimeError(f"{op}: expected 0 < win_length <= n_fft and hop_length > 0, got n_fft={n_fft}, "
                           f"hop_length={hop}, win_length={win}")
    return hop, win


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",  # noqa: A002
         normalized=False, onesided=None, return_complex=None):
    """The short-time Fourier transform of a 1-D signal or a (B, L) batch: (..., n_fft // 2 + 1, frames)
    complex (onesided, the default for real signals), frames hop_length apart, each windowed and
    transformed; with `center` the signal is first padded by n_fft // 2 on each side (`pad_mode`).

    Raises:
        RuntimeError: return_complex not given for a real signal (as PyTorch), or lengths that do not fit.
    """
    from .. import fft
    from .nn.functional_padding import pad

    x = input
    if x.dtype.kind != "c" and return_complex is None:
        raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will further "
                           "require that return_complex=True in a future PyTorch release.")
    if x.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, got {x.ndim}D")
    hop, win = _lengths(n_fft, hop_length, win_length, "stft")
    batched = x.ndim == 2
    x = x if batched else x.unsqueeze(0)
    if center:
        x = pad(x.unsqueeze(1), (n_fft // 2, n_fft // 2), mode=pad_mode).squeeze(1)
    if x.shape[-1] < n_fft:
        raise RuntimeError(f"stft: the signal ({x.shape[-1]} samples) is shorter than n_fft={n_fft}")
    real_dtype = x._data.real.dtype if x.dtype.kind == "c" else x.dtype
    frames = x.unfold(-1, n_fft, hop) * _window(window, win, n_fft, real_dtype, "stft")  # (B, frames, n_fft)
    onesided = x.dtype.kind != "c" if onesided is None else onesided
    spectrum = fft.rfft(frames) if onesided else fft.fft(frames)
    if normalized:
        spectrum = spectrum * (1 / np.sqrt(n_fft))
    out = spectrum.transpose(-1, -2)  # (B, freq, frames)
    out = out if batched else out.squeeze(0)
    if not return_complex:
        from .complex_views_functional import view_as_real

        return view_as_real(out)
    return out


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,  # noqa: A002
          onesided=None, length=None, return_complex=False):
    """The signal whose stft is `input` (..., freq, frames): each frame transformed back, windowed and
    overlap-added, divided by the overlapping squared windows; trimmed of stft's centre padding, to `length`.

    Raises:
        RuntimeError: the window's squared overlap vanishes somewhere (PyTorch's NOLA condition).
    """
    from .. import fft

    z = input
    if z.dtype.kind != "c":
        raise RuntimeError("istft requires a complex-valued input tensor")
    batched = z.ndim == 3
    z = z if batched else z.unsqueeze(0)
    hop, win = _lengths(n_fft, hop_length, win_length, "istft")
    real_dtype = z._data.real.dtype
    w = _window(window, win, n_fft, real_dtype, "istft")
    onesided = z.shape[-2] != n_fft if onesided is None else onesided
    spectrum = z.transpose(-1, -2)  # (B, frames, freq)
    if normalized:
        spectrum = spectrum * np.sqrt(n_fft)
    frames = fft.irfft(spectrum, n=n_fft) if onesided else fft.ifft(spectrum).real
    frames = frames * w  # (B, frames, n_fft)
    count = frames.shape[1]
    total = n_fft + hop * (count - 1)
    positions = (np.arange(count)[:, None] * hop + np.arange(n_fft)[None, :]).reshape(-1)
    signal = Tensor(np.zeros((frames.shape[0], total), dtype=real_dtype)).index_add(
        1, Tensor(positions), frames.reshape(frames.shape[0], -1))
    envelope = np.zeros(total, dtype=real_dtype)
    np.add.at(envelope, positions, np.tile(w.detach().numpy() ** 2, count))
    start = n_fft // 2 if center else 0
    end = total - (n_fft // 2 if center else 0) if length is None else start + length
    kept = envelope[start:end]
    if (np.abs(kept) < 1e-11).any():
        raise RuntimeError("istft: window overlap add min: the window's squared overlap is zero somewhere "
                           "(it must not be, to invert)")
    out = signal[:, start:end] / Tensor(kept)
    if length is not None and out.shape[-1] < length:
        from .nn.functional_padding import pad

        out = pad(out, (0, length - out.shape[-1]))
    return out if batched else out.squeeze(0)
