"""stft and istft (stft_functional.py): PyTorch's values and gradients for windows, hops, centring,
normalisation and two-sided spectra; perfect reconstruction; and the errors PyTorch gives."""
import warnings

import numpy as np
import pytest

import ddp

rng = np.random.default_rng(0)
SIGNAL = rng.standard_normal((2, 20))
CASES = [{}, {"hop_length": 3, "win_length": 6, "window": 6}, {"center": False}, {"normalized": True, "window": 8},
         {"onesided": False, "window": 8}, {"pad_mode": "constant", "window": 8}]


def _stft(lib, kwargs, x):
    k = dict(kwargs)
    if "window" in k:
        k["window"] = lib.hann_window(k["window"], dtype=lib.float64)
    t = lib.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the rectangular-window warning
        s = lib.view_as_real(lib.stft(t, 8, return_complex=True, **k))
    (s * lib.tensor(np.random.default_rng(1).standard_normal(tuple(s.shape)))).sum().backward()
    return s.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_stft_matches_pytorch(kwargs):
    torch = pytest.importorskip("torch")
    for x in (SIGNAL, SIGNAL[0]):
        for ours, theirs in zip(_stft(ddp, kwargs, x), _stft(torch, kwargs, x)):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_istft_inverts_stft_and_matches_pytorch():
    window = ddp.hann_window(8, dtype=ddp.float64)
    spectrum = ddp.stft(ddp.tensor(SIGNAL), 8, window=window, return_complex=True)
    assert spectrum.shape == (2, 5, 11) and spectrum.dtype == ddp.complex128
    np.testing.assert_allclose(ddp.istft(spectrum, 8, window=window, length=20).numpy(), SIGNAL, atol=1e-12)
    torch = pytest.importorskip("torch")
    z = rng.standard_normal((2, 5, 6)) + 1j * rng.standard_normal((2, 5, 6))
    weights = np.arange(36.0).reshape(2, 18)
    results = []
    for lib in (ddp, torch):
        t = lib.tensor(z, requires_grad=True)
        y = lib.istft(t, 8, window=lib.hann_window(8, dtype=lib.float64), length=18)
        (y * lib.tensor(weights)).sum().backward()
        results.append((y.detach().numpy(), t.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_errors_as_pytorch():
    with pytest.raises(RuntimeError, match="requires the return_complex parameter"):
        ddp.stft(ddp.tensor(SIGNAL), 8)
    with pytest.raises(RuntimeError, match="window tensor of size equal to win_length"):
        ddp.stft(ddp.tensor(SIGNAL), 8, window=ddp.hann_window(5), return_complex=True)
    with pytest.raises(RuntimeError, match="complex-valued input"):
        ddp.istft(ddp.tensor(SIGNAL), 8)
    with pytest.warns(UserWarning, match="rectangular window"):
        ddp.stft(ddp.tensor(SIGNAL), 8, return_complex=True)


def test_real_and_imag_of_a_complex_tensor_carry_gradients():
    x = ddp.ones(3, 2, requires_grad=True)
    z = ddp.view_as_complex(x)
    (z.real * 2 + z.imag * 3).sum().backward()
    assert x.grad.tolist() == [[2.0, 3.0]] * 3
