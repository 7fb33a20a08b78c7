"""Gradients through complex matmul, einsum, division, exp and slice assignment, as a Fourier neural operator
needs them (complex weights mixed with rfft2 modes written into a zeros spectrum). PyTorch's convention: for
a real loss L of z = x + iy, z.grad = dL/dx + i dL/dy; checked by central differences on both parts (float64)
and against PyTorch where installed."""
import numpy as np
import pytest

import ddp

RNG = np.random.default_rng(0)


def _c(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


CASES = {
    "matmul": (lambda lib, a, b: (a @ b), (_c(3, 4), _c(4, 2))),
    "matmul_vec": (lambda lib, a, b: (a @ b), (_c(3, 4), _c(4))),
    "einsum": (lambda lib, a, b: lib.einsum("bixy,ioxy->boxy", a, b), (_c(2, 3, 2, 2), _c(3, 4, 2, 2))),
    "div": (lambda lib, a, b: a / (b + 3), (_c(5), _c(5))),
    "exp": (lambda lib, a, b: lib.exp(a) * b, (_c(4) * 0.5, _c(4))),
    "slice_put": (lambda lib, a, b: _put(lib, a, b), (_c(2, 3), _c(2, 2))),
}


def _put(lib, a, b):
    out = lib.zeros(2, 5, dtype=lib.complex128)
    out[:, :3] = a
    out[:, 3:] = b * 2
    return out


def _loss(lib, name, a, b):
    z = CASES[name][0](lib, a, b)
    return (z.real ** 2).sum() + (z.imag * 0.5).sum() + z.abs().sum()


def _numeric(name, arrays, i, h=1e-6):
    """dL/dx + i dL/dy for input i by central differences."""
    grad = np.zeros_like(arrays[i])
    for k in np.ndindex(arrays[i].shape):
        for unit in (1, 1j):
            values = []
            for sign in (1, -1):
                moved = [x.copy() for x in arrays]
                moved[i][k] += sign * h * unit
                values.append(_loss(ddp, name, *map(ddp.tensor, moved)).item())
            grad[k] += unit * (values[0] - values[1]) / (2 * h)
    return grad


@pytest.mark.parametrize("name", sorted(CASES))
def test_complex_gradients_match_central_differences(name):
    arrays = CASES[name][1]
    leaves = [ddp.tensor(x, requires_grad=True) for x in arrays]
    _loss(ddp, name, *leaves).backward()
    for i, leaf in enumerate(leaves):
        np.testing.assert_allclose(leaf.grad.numpy(), _numeric(name, arrays, i), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(CASES))
def test_complex_gradients_match_torch(name):
    torch = pytest.importorskip("torch")
    arrays = CASES[name][1]
    grads = []
    for lib in (ddp, torch):
        leaves = [lib.tensor(x, requires_grad=True) for x in arrays]
        _loss(lib, name, *leaves).backward()
        grads.append([leaf.grad.numpy() for leaf in leaves])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_a_real_weight_mixed_with_complex_gets_the_real_part():
    w = ddp.tensor(RNG.standard_normal((4, 2)), requires_grad=True)
    z = ddp.tensor(_c(3, 4))
    ((z @ w.to(ddp.complex128)).abs() ** 2).sum().backward()
    assert w.grad.dtype == ddp.float64
    zn = z.numpy()
    np.testing.assert_allclose(w.grad.numpy(), 2 * np.real(zn.conj().T @ (zn @ w.detach().numpy())), rtol=1e-10)
