"""Complex tensors through the elementwise math, the reductions and the products: results are complex and
right (numpy's complex functions, or PyTorch's where installed), never silently real; and Python complex
scalars are weak, as PyTorch's: a float32 tensor times 1j is complex64."""
import numpy as np
import pytest

import ddp

Z = np.array([1 + 3j, 2 - 1j, -0.5 + 0.2j, 0.3 - 2j], dtype=np.complex64)

UNARY = {  # ddp name: numpy's complex function
    "reciprocal": np.reciprocal, "log2": np.log2, "log10": np.log10, "log1p": np.log1p, "expm1": np.expm1,
    "sinh": np.sinh, "cosh": np.cosh, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
    "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh, "exp2": np.exp2,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "sinc": np.sinc, "exp": np.exp, "sqrt": np.sqrt,
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_complex_elementwise_stays_complex(name):
    out = getattr(ddp, name)(ddp.tensor(Z))
    assert out.dtype == ddp.complex64
    np.testing.assert_allclose(out.numpy(), UNARY[name](Z.astype(np.complex128)), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_complex_elementwise_matches_torch(name):
    torch = pytest.importorskip("torch")
    want = getattr(torch, name)(torch.tensor(Z)).numpy()
    np.testing.assert_allclose(getattr(ddp, name)(ddp.tensor(Z)).numpy(), want, rtol=2e-5, atol=1e-6)


def test_isreal_vdot_and_vecdot_read_the_imaginary_part():
    z = ddp.tensor(np.array([1 + 0j, 2 - 1j, 3j], dtype=np.complex64))
    assert ddp.isreal(z).tolist() == [True, False, False]
    assert ddp.isreal(ddp.ones(2)).tolist() == [True, True]
    a, b = Z[:3], Z[1:]
    assert ddp.vdot(ddp.tensor(a), ddp.tensor(b)).item() == pytest.approx(np.vdot(a, b), rel=1e-6)
    assert ddp.vdot(ddp.tensor(a), ddp.tensor(a)).item() == pytest.approx(np.sum(np.abs(a) ** 2), rel=1e-6)
    got = ddp.linalg.vecdot(ddp.tensor(np.stack([a, b])), ddp.tensor(b))
    np.testing.assert_allclose(got.numpy(), [np.vdot(a, b), np.vdot(b, b)], rtol=1e-6)


def test_complex_spread_and_norms_are_real():
    z = Z.reshape(2, 2)
    t = ddp.tensor(z)
    centred = z - z.mean()
    assert t.var().dtype == ddp.float32
    assert t.var().item() == pytest.approx(np.sum(np.abs(centred) ** 2) / 3, rel=1e-6)
    np.testing.assert_allclose(t.std(1, correction=0).numpy(), np.std(z, axis=1), rtol=1e-6)
    assert ddp.linalg.vector_norm(t).item() == pytest.approx(np.linalg.norm(z), rel=1e-6)
    assert t.norm().item() == pytest.approx(np.linalg.norm(z), rel=1e-6)
    np.testing.assert_allclose(ddp.linalg.vector_norm(t, ord=1, dim=1).numpy(), np.abs(z).sum(1), rtol=1e-6)


def test_complex_spread_and_norm_gradients_match_torch():
    torch = pytest.importorskip("torch")
    z = Z.astype(np.complex128).reshape(2, 2)
    grads = []
    for lib in (ddp, torch):
        x = lib.tensor(z, requires_grad=True)
        (x.var() + x.std(0).sum() + lib.linalg.vector_norm(x)).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10)


def test_python_complex_scalars_are_weak():
    f32, f64, i64 = ddp.arange(3.0), ddp.arange(3.0, dtype=ddp.float64), ddp.arange(3)
    assert (f32 * 1j).dtype == ddp.complex64 and (1j * f32).dtype == ddp.complex64
    assert (f32 + 1j).dtype == ddp.complex64 and ddp.exp(1j * f32).dtype == ddp.complex64
    assert (f64 * 1j).dtype == ddp.complex128 and (i64 * 1j).dtype == ddp.complex64
    rotated = ddp.view_as_real(ddp.view_as_complex(ddp.arange(8.0).reshape(2, 2, 2)) * ddp.exp(1j * f32[:2]))
    assert rotated.dtype == ddp.float32  # the RoPE idiom feeds a float32 Linear
    assert ddp.full((2,), 1j).dtype == ddp.complex64
