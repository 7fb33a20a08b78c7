"""Autograd through complex values (ops/complex_views.py): view_as_complex, view_as_real, polar, complex and
products, in PyTorch's convention; rotary position embeddings as Llama writes them, against PyTorch; float64
finite differences through real wrappers; and the refusal of ops whose complex gradient ddp does not have."""
import numpy as np
import pytest

import ddp
from op_helpers import against_torch, gradcheck

rng = np.random.default_rng(0)


def _rope(lib, x, freqs):
    """Llama's rotary embedding: pairs of features as complex numbers, turned by position-dependent angles."""
    cis = lib.polar(lib.ones_like(freqs), freqs).reshape(1, x.shape[1], 1, x.shape[-1] // 2)
    pairs = lib.view_as_complex(x.reshape(*x.shape[:-1], -1, 2))
    return lib.view_as_real(pairs * cis).flatten(3)


def _freqs(lib, dtype, length=5, dim=8):
    angles = np.outer(np.arange(length), 1.0 / (10000 ** (np.arange(0, dim, 2) / dim))).astype(dtype)
    return lib.tensor(angles)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rotary_embedding_matches_pytorch(dtype):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 5, 3, 8)).astype(dtype)
    weights = rng.standard_normal((2, 5, 3, 8)).astype(dtype)
    results = []
    for lib in (ddp, torch):
        t = lib.tensor(x, requires_grad=True)
        out = _rope(lib, t, _freqs(lib, dtype))
        (out * lib.tensor(weights)).sum().backward()
        results.append((out.detach().numpy(), t.grad.numpy(), out.dtype))
    (ours, our_grad, our_dtype), (theirs, their_grad, _) = results
    assert our_dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)
    np.testing.assert_allclose(our_grad, their_grad, rtol=tol, atol=tol)


def test_rotation_keeps_norms_and_gradients_check():
    x = rng.standard_normal((1, 5, 2, 8))
    out = _rope(ddp, ddp.tensor(x), _freqs(ddp, np.float64)).numpy()
    np.testing.assert_allclose(np.linalg.norm(out.reshape(-1, 2), axis=1), np.linalg.norm(x.reshape(-1, 2), axis=1))
    assert gradcheck(lambda t: _rope(ddp, t, _freqs(ddp, np.float64)), x)


def test_products_of_complex_tensors_differentiate():
    a, b = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))

    def product(u, v):
        return ddp.view_as_real(ddp.view_as_complex(u) * ddp.view_as_complex(v) + ddp.view_as_complex(v))

    assert gradcheck(product, a, b)
    torch = pytest.importorskip("torch")
    against_torch(product, lambda u, v: torch.view_as_real(torch.view_as_complex(u) * torch.view_as_complex(v)
                                                           + torch.view_as_complex(v)), a, b)


def test_polar_and_complex_differentiate():
    r, theta = rng.uniform(0.5, 2.0, 4), rng.uniform(-3, 3, 4)
    assert gradcheck(lambda a, t: ddp.view_as_real(ddp.polar(a, t)), r, theta)
    assert gradcheck(lambda re, im: ddp.view_as_real(ddp.complex(re, im) * ddp.complex(im, re)), r, theta)
    torch = pytest.importorskip("torch")
    against_torch(lambda a, t: ddp.view_as_real(ddp.polar(a, t)), lambda a, t: torch.view_as_real(torch.polar(a, t)),
                  r, theta)


def test_a_complex_leaf_gets_pytorchs_gradient():
    z0 = (rng.standard_normal(3) + 1j * rng.standard_normal(3)).astype(np.complex128)
    c = np.array([1 + 2j, -0.5j, 3.0])
    z = ddp.tensor(z0, requires_grad=True)
    ddp.view_as_real(z * ddp.tensor(c)).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), (1 + 1j) * np.conj(c))  # d/dRe + i d/dIm of sum(Re + Im)
    torch = pytest.importorskip("torch")
    t = torch.tensor(z0, requires_grad=True)
    torch.view_as_real(t * torch.tensor(c)).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), t.grad.numpy())


def test_ops_without_a_complex_gradient_refuse():
    z = ddp.view_as_complex(ddp.ones(3, 2, requires_grad=True))
    for op in (ddp.sqrt, ddp.log, ddp.sin):
        with pytest.raises(NotImplementedError, match="complex"):
            op(z)
    assert (ddp.ones(2, requires_grad=True) * ddp.tensor([1j, 2j])).requires_grad  # no silent loss of the graph
    with ddp.no_grad():
        assert ddp.exp(z).dtype == ddp.complex64


def test_view_errors_and_sharing():
    x = ddp.zeros(3, 2)
    z = ddp.view_as_complex(x)
    z_np = z.numpy()
    z_np[0] = 1 + 2j
    assert x.tolist()[0] == [1.0, 2.0]  # a view: same memory
    with pytest.raises(RuntimeError, match="last dimension of size 2"):
        ddp.view_as_complex(ddp.zeros(3, 3))
    with pytest.raises(RuntimeError, match="stride"):
        ddp.view_as_complex(ddp.zeros(2, 3).t())
    with pytest.raises(RuntimeError, match="only supported for complex"):
        ddp.view_as_real(ddp.zeros(2))
    assert ddp.view_as_real(z).shape == (3, 2) and ddp.cfloat is ddp.complex64


def test_conj_and_the_adjoint_carry_gradients():
    x = rng.standard_normal((3, 2))
    c = np.array([1j, 2.0, 3 + 1j])
    assert gradcheck(lambda t: ddp.view_as_real(ddp.view_as_complex(t).conj() * ddp.tensor(c)), x)
    m = rng.standard_normal((2, 3, 2))
    assert gradcheck(lambda t: ddp.view_as_real(ddp.view_as_complex(t).mH), m)
    torch = pytest.importorskip("torch")
    against_torch(lambda t: ddp.view_as_real(ddp.view_as_complex(t).conj() * ddp.tensor(c)),
                  lambda t: torch.view_as_real(torch.view_as_complex(t).conj() * torch.tensor(c)), x)


def test_magnitudes_and_means_of_complex_tensors_differentiate():
    """A spectral loss as audio code writes it: |rfft(x)|^2, its mean, and the magnitude of a complex mean."""
    x = rng.standard_normal((3, 16))

    def loss(t):
        spectrum = ddp.fft.rfft(t)
        return (ddp.abs(spectrum) ** 2).mean() + spectrum.mean().abs() + spectrum.abs().sum()

    assert gradcheck(loss, x)
    z = ddp.view_as_complex(ddp.zeros(2, 2, requires_grad=True))
    z.abs().sum().backward()  # the magnitude at 0: gradient 0, no NaN
    torch = pytest.importorskip("torch")

    def torch_loss(t):
        spectrum = torch.fft.rfft(t)
        return (torch.abs(spectrum) ** 2).mean() + spectrum.mean().abs() + spectrum.abs().sum()

    against_torch(loss, torch_loss, x)
