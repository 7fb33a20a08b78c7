"""ddp.fft (ops/fft.py): every transform against PyTorch, values and gradients, for each norm and with lengths
that pad or crop; finite differences through view_as_real; round trips; a spectral loss that trains."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck

rng = np.random.default_rng(0)
REAL, REAL3 = rng.standard_normal((3, 8)), rng.standard_normal((2, 4, 6))
CPLX, CPLX3 = rng.standard_normal((3, 5)) + 1j * rng.standard_normal((3, 5)), rng.standard_normal((2, 4, 6)) + 1j * rng.standard_normal((2, 4, 6))
CASES = [("fft", REAL, {}), ("fft", CPLX, {"n": 7}), ("ifft", CPLX, {"n": 3}), ("rfft", REAL, {}),
         ("rfft", REAL, {"n": 5}), ("irfft", CPLX, {}), ("irfft", CPLX, {"n": 7}), ("fft2", REAL3, {}),
         ("ifft2", CPLX3, {"s": (3, 8)}), ("rfft2", REAL3, {"s": (3, 5)}), ("irfft2", CPLX3, {}),
         ("fftn", CPLX3, {"dim": (0, 2)}), ("rfftn", REAL3, {}), ("irfftn", CPLX3, {"s": (4, 9)}),
         ("fftshift", REAL, {}), ("ifftshift", CPLX, {"dim": 1}), ("hfft", CPLX, {}), ("hfft", CPLX, {"n": 6}),
         ("ihfft", REAL, {}), ("ihfft", REAL, {"n": 5})]


def _as_real(lib, y):
    if not y.dtype.is_complex:
        return y
    return lib.view_as_real(y.resolve_conj() if lib.__name__ == "torch" else y)  # (torch's ihfft sets a conj bit)


def _run(lib, name, x, kwargs, weights):
    t = lib.tensor(x, requires_grad=True)
    y = _as_real(lib, getattr(lib.fft, name)(t, **kwargs))
    (y * lib.tensor(weights(tuple(y.shape)))).sum().backward()
    return y.detach().numpy(), t.grad.resolve_conj().numpy()


@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
@pytest.mark.parametrize("name,x,kwargs", CASES, ids=[f"{n}-{sorted(k.items())}" for n, _, k in CASES])
def test_matches_pytorch(name, x, kwargs, norm):
    torch = pytest.importorskip("torch")
    if "shift" not in name:
        kwargs = dict(kwargs, norm=norm)
    cache = {}
    weights = lambda shape: cache.setdefault(shape, np.random.default_rng(1).standard_normal(shape))  # noqa: E731
    for ours, theirs in zip(_run(ddp, name, x, kwargs, weights), _run(torch, name, x, kwargs, weights)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_gradients_by_finite_differences(norm):
    assert gradcheck(lambda x: ddp.view_as_real(ddp.fft.rfft(x, n=6, norm=norm)), REAL[:, :5])
    assert gradcheck(lambda x: ddp.fft.irfft(ddp.view_as_complex(x), n=7, norm=norm),
                     np.stack([CPLX.real, CPLX.imag], -1))
    assert gradcheck(lambda x: ddp.view_as_real(ddp.fft.fft2(ddp.view_as_complex(x), s=(3, 5), norm=norm)),
                     np.stack([CPLX3.real, CPLX3.imag], -1)[0])
    assert gradcheck(lambda x: ddp.fft.hfft(ddp.view_as_complex(x), n=7, norm=norm), np.stack([CPLX.real, CPLX.imag], -1))
    assert gradcheck(lambda x: ddp.view_as_real(ddp.fft.ihfft(x, n=6, norm=norm)), REAL[:, :5])


def test_round_trips_and_dtypes():
    x = ddp.tensor(REAL.astype(np.float32))
    spectrum = ddp.fft.rfft(x)
    assert spectrum.dtype == ddp.complex64 and spectrum.shape == (3, 5)
    np.testing.assert_allclose(ddp.fft.irfft(spectrum, n=8).numpy(), REAL, atol=1e-5)
    np.testing.assert_allclose(ddp.fft.ifftn(ddp.fft.fftn(ddp.tensor(CPLX3))).numpy(), CPLX3, atol=1e-12)
    np.testing.assert_allclose(ddp.fft.fftshift(ddp.fft.fftfreq(6)).numpy(), np.fft.fftshift(np.fft.fftfreq(6)))
    assert ddp.fft.rfftfreq(6, 0.5).tolist() == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    assert ddp.fft.fft(ddp.arange(4)).dtype == ddp.complex64  # an integer signal as the default float
    with pytest.raises(ValueError, match="Invalid normalization mode"):
        ddp.fft.fft(x, norm="unitary")
    with pytest.raises(RuntimeError, match="expects a real input"):
        ddp.fft.rfft(ddp.tensor(CPLX))


def test_a_spectral_loss_trains():
    """Fit a signal's low frequencies through |rfft|^2 (a loss on the spectrum, as audio and FNO code write)."""
    target = ddp.tensor(np.sin(np.linspace(0, 4 * np.pi, 32)))
    x = ddp.zeros(32, dtype=ddp.float64, requires_grad=True)
    opt = ddp.optim.Adam([x], lr=0.05)
    for _ in range(200):
        opt.zero_grad()
        diff = ddp.view_as_real(ddp.fft.rfft(x) - ddp.fft.rfft(target))
        loss = (diff ** 2).sum()
        loss.backward()
        opt.step()
    assert loss.item() < 1e-3
