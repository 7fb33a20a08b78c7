"""ddp.fft's N-D Hermitian transforms (hfft2, hfftn, ihfft2, ihfftn): PyTorch's values and gradients for each
norm, shapes, `s` and `dim`; float64 finite differences; the full Hermitian signal's DFT, round trips and
Parseval without PyTorch."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck

rng = np.random.default_rng(0)
CPLX = rng.standard_normal((3, 4, 5)) + 1j * rng.standard_normal((3, 4, 5))
REAL = rng.standard_normal((3, 4, 6))
CASES = [("hfft2", CPLX, {}), ("hfft2", CPLX, {"s": (5, 4)}), ("hfftn", CPLX, {}), ("hfftn", CPLX, {"s": (3, 7)}),
         ("hfftn", CPLX, {"dim": (0, 2)}), ("hfftn", CPLX[0], {"s": (2, 9), "dim": (1, 0)}),
         ("hfftn", REAL, {"dim": 1}), ("ihfft2", REAL, {}), ("ihfft2", REAL, {"s": (3, 5)}),
         ("ihfftn", REAL, {}), ("ihfftn", REAL, {"s": (3, 5), "dim": (0, 1)}), ("ihfftn", REAL[0], {"s": (-1, 7)})]
NORMS = [None, "backward", "ortho", "forward"]


def _run(lib, name, x, kwargs):
    t = lib.tensor(x, requires_grad=True)
    y = getattr(lib.fft, name)(t, **kwargs)
    y = y.resolve_conj() if lib.__name__ == "torch" else y  # (torch's ihfftn sets a conj bit)
    flat = lib.view_as_real(y) if y.dtype.is_complex else y
    weights = np.random.default_rng(1).standard_normal(tuple(flat.shape))
    (flat * lib.tensor(weights)).sum().backward()
    return y.detach().numpy(), t.grad.resolve_conj().numpy()


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name,x,kwargs", CASES, ids=[f"{n}-{sorted(k.items())}" for n, _, k in CASES])
def test_matches_pytorch(name, x, kwargs, norm):
    torch = pytest.importorskip("torch")
    ours, theirs = _run(ddp, name, x, dict(kwargs, norm=norm)), _run(torch, name, x, dict(kwargs, norm=norm))
    for a, b in zip(ours, theirs):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_gradients_by_finite_differences(norm):
    pairs = np.stack([CPLX.real, CPLX.imag], -1)
    assert gradcheck(lambda z: ddp.fft.hfft2(ddp.view_as_complex(z), s=(4, 7), norm=norm), pairs[0])
    assert gradcheck(lambda z: ddp.fft.hfftn(ddp.view_as_complex(z), dim=(0, 2), norm=norm), pairs[:, :2])
    assert gradcheck(lambda r: ddp.view_as_real(ddp.fft.ihfft2(r, norm=norm)), REAL[0])
    assert gradcheck(lambda r: ddp.view_as_real(ddp.fft.ihfftn(r, s=(2, 3, 5), norm=norm)), REAL)


def test_hermitian_facts_without_pytorch():
    spectrum = REAL[0]  # real, shape (4, 6): the DFT of a Hermitian signal of that shape
    half = ddp.fft.ihfft2(ddp.tensor(spectrum))
    assert half.shape == (4, 4) and half.dtype == ddp.complex128
    full = np.fft.ifft2(spectrum)  # the Hermitian signal itself
    np.testing.assert_allclose(half.numpy(), full[:, :4], atol=1e-14)
    back = ddp.fft.hfft2(half, s=(4, 6))
    assert back.dtype == ddp.float64
    np.testing.assert_allclose(back.numpy(), spectrum, atol=1e-13)  # the DFT of the signal its half gives
    np.testing.assert_allclose(ddp.fft.hfftn(ddp.fft.ihfftn(ddp.tensor(REAL)), s=REAL.shape).numpy(), REAL,
                               atol=1e-13)
    ortho = ddp.fft.ihfftn(ddp.tensor(REAL), norm="ortho").numpy()  # Parseval: the half counts 2x but 0, n/2
    weights = np.array([1, 2, 2, 1])
    np.testing.assert_allclose((np.abs(ortho) ** 2 * weights).sum(), (REAL ** 2).sum(), rtol=1e-13)
    x32 = ddp.tensor(REAL.astype(np.float32))
    assert ddp.fft.ihfftn(x32).dtype == ddp.complex64 and ddp.fft.hfft2(ddp.fft.ihfft2(x32)).dtype == ddp.float32
    assert ddp.fft.hfftn(ddp.fft.ihfftn(ddp.arange(6).reshape(2, 3)), s=(2, 3)).dtype == ddp.float32


def test_errors():
    with pytest.raises(RuntimeError, match="expects a real input"):
        ddp.fft.ihfftn(ddp.tensor(CPLX))
    with pytest.raises(ValueError, match="Invalid normalization mode"):
        ddp.fft.hfft2(ddp.tensor(CPLX), norm="unitary")
    with pytest.raises(RuntimeError, match="same length"):
        ddp.fft.hfftn(ddp.tensor(CPLX), s=(3, 4), dim=(0,))
