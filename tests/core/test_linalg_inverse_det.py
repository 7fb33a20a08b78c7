"""linalg.inv, det, slogdet, solve and the torch-level inverse / det / logdet / slogdet: values against
numpy and torch, float64 gradient checks, float32, batches, singular inputs."""
import numpy as np
import pytest

import ddp
from op_helpers import against_torch, gradcheck, leaf


def wellcond(shape, seed=0):
    """Random matrices of `shape` (..., n, n), shifted towards 3 I so that they are well conditioned."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) + 3 * np.eye(shape[-1])


SHAPES = [(3, 3), (2, 3, 3), (2, 1, 2, 2), (1, 1)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("fn", [ddp.linalg.inv, ddp.linalg.det, ddp.inverse, ddp.det, ddp.logdet,
                                lambda a: ddp.linalg.slogdet(a).logabsdet], ids=["inv", "det", "inverse",
                                                                                   "tdet", "logdet", "slogdet"])
def test_gradients(fn, shape):
    assert gradcheck(fn, wellcond(shape))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_values_against_numpy(shape):
    a = wellcond(shape)
    A = ddp.tensor(a)
    np.testing.assert_allclose(ddp.linalg.inv(A).numpy(), np.linalg.inv(a), rtol=1e-10)
    np.testing.assert_allclose(ddp.linalg.det(A).numpy(), np.linalg.det(a), rtol=1e-10)
    sign, logabs = ddp.linalg.slogdet(A)
    np.testing.assert_allclose(sign.numpy(), np.linalg.slogdet(a)[0])
    np.testing.assert_allclose(logabs.numpy(), np.linalg.slogdet(a)[1], rtol=1e-10)
    assert ddp.linalg.det(A).shape == shape[:-2]


def test_negative_determinant_sign_and_logdet():
    a = np.diag([-2.0, 1.0, 3.0])
    A = leaf(a)
    r = ddp.slogdet(A)
    assert r.sign.item() == -1.0 and type(r).__name__ == "slogdet"
    assert type(ddp.linalg.slogdet(A)).__name__ == "linalg_slogdet"
    np.testing.assert_allclose(r.logabsdet.item(), np.log(6.0))
    y = ddp.logdet(A)
    assert np.isnan(y.item())
    y.backward()
    np.testing.assert_array_equal(A.grad.numpy(), np.zeros((3, 3)))  # as torch: no gradient through nan


def test_det_gradient_of_singular_matrix_is_the_cofactor_matrix():
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])  # rank 2
    A = leaf(a)
    ddp.linalg.det(A).backward()
    cof = np.array([[4 * 1 - 6 * 0, -(2 * 1 - 6 * 1), 2 * 0 - 4 * 1],
                    [-(2 * 1 - 3 * 0), 1 * 1 - 3 * 1, -(1 * 0 - 2 * 1)],
                    [2 * 6 - 3 * 4, -(1 * 6 - 3 * 2), 1 * 4 - 2 * 2]], dtype=float)
    np.testing.assert_allclose(A.grad.numpy(), cof, atol=1e-10)


def test_singular_inverse_and_solve_raise_linalg_error():
    z = ddp.zeros(2, 3, 3)
    for call in (lambda: ddp.linalg.inv(z), lambda: ddp.inverse(z), lambda: ddp.linalg.solve(z, ddp.ones(3)),
                 lambda: ddp.linalg.matrix_power(z, -1)):
        with pytest.raises(ddp.linalg.LinAlgError, match="singular"):
            call()
    assert issubclass(ddp.linalg.LinAlgError, RuntimeError)
    assert ddp.linalg.det(z).numpy().tolist() == [0.0, 0.0]


@pytest.mark.parametrize("bad,match", [((3,), "at least 2"), ((2, 3), "square")])
def test_bad_shapes(bad, match):
    with pytest.raises(RuntimeError, match=match):
        ddp.linalg.inv(ddp.ones(*bad))
    with pytest.raises(RuntimeError, match=match):
        ddp.det(ddp.ones(*bad))


def test_integer_input_is_refused():
    with pytest.raises(RuntimeError, match="floating"):
        ddp.linalg.inv(ddp.tensor([[1, 0], [0, 1]]))


SOLVE = [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((2, 3, 3), (2, 3)), ((2, 3, 3), (3, 4)),
         ((3, 3), (2, 3, 1)), ((2, 1, 3, 3), (4, 3, 2))]


@pytest.mark.parametrize("sa,sb", SOLVE, ids=str)
def test_solve(sa, sb):
    a, b = wellcond(sa), np.random.default_rng(1).standard_normal(sb)
    x = ddp.linalg.solve(ddp.tensor(a), ddp.tensor(b)).numpy()
    vector = len(sb) == 1 or sb == sa[:-1]
    expected = np.linalg.solve(a, b[..., None])[..., 0] if vector else np.linalg.solve(a, b)
    np.testing.assert_allclose(x, expected, rtol=1e-10)
    assert gradcheck(ddp.linalg.solve, a, b)


def test_solve_right():
    a, b = wellcond((2, 3, 3)), np.random.default_rng(1).standard_normal((2, 4, 3))
    x = ddp.linalg.solve(ddp.tensor(a), ddp.tensor(b), left=False).numpy()
    np.testing.assert_allclose(x @ a, b, atol=1e-10)
    assert gradcheck(lambda A, B: ddp.linalg.solve(A, B, left=False), a, b)


def test_solve_errors():
    with pytest.raises(RuntimeError, match="do not fit"):
        ddp.linalg.solve(ddp.eye(2), ddp.ones(3, 1))
    with pytest.raises(RuntimeError, match="do not fit"):
        ddp.linalg.solve(ddp.eye(3), ddp.ones(3), left=False)
    with pytest.raises(RuntimeError, match="broadcast"):
        ddp.linalg.solve(ddp.ones(2, 3, 3), ddp.ones(4, 3, 1))
    with pytest.raises(RuntimeError, match="dtype"):
        ddp.linalg.solve(ddp.eye(2), ddp.ones(2, dtype=ddp.float64))


def test_float32_stays_float32():
    a = wellcond((2, 3, 3)).astype(np.float32)
    for fn in (ddp.linalg.inv, ddp.linalg.det, ddp.logdet, lambda t: ddp.linalg.solve(t, t[..., 0])):
        A = leaf(a, np.float32)
        y = fn(A)
        assert y.dtype == ddp.float32
        y.sum().backward()
        assert A.grad.dtype == ddp.float32
    assert ddp.slogdet(ddp.tensor(a)).sign.dtype == ddp.float32


def test_tensor_methods():
    A = ddp.tensor(wellcond((3, 3)))
    np.testing.assert_allclose(A.inverse().numpy(), ddp.linalg.inv(A).numpy())
    np.testing.assert_allclose(A.det().numpy(), ddp.linalg.det(A).numpy())
    np.testing.assert_allclose(A.logdet().numpy(), np.log(ddp.linalg.det(A).numpy()))
    assert A.slogdet().sign.item() == 1.0


@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "solve", "solve_right", "logdet"])
def test_against_torch(name):
    torch = pytest.importorskip("torch")
    a = wellcond((2, 3, 3))
    a[1] = -a[1]  # a negative determinant in the batch
    b = np.random.default_rng(3).standard_normal((2, 3, 2))
    cases = {
        "inv": (ddp.linalg.inv, torch.linalg.inv, a),
        "det": (ddp.linalg.det, torch.linalg.det, a),
        "slogdet": (lambda t: ddp.linalg.slogdet(t).logabsdet, lambda t: torch.linalg.slogdet(t).logabsdet, a),
        "logdet": (lambda t: ddp.logdet(t[:1]), lambda t: torch.logdet(t[:1]), a),
        "solve": (ddp.linalg.solve, torch.linalg.solve, a, b),
        "solve_right": (lambda x, y: ddp.linalg.solve(x, y.mT, left=False),
                        lambda x, y: torch.linalg.solve(x, y.mT, left=False), a, b),
    }
    against_torch(*cases[name])


def test_singular_det_gradient_is_the_derivative():
    # torch 2.13 returns a zero gradient here; det is a polynomial, so finite differences pin the true one
    a = np.array([[[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]], [[0.0, 0, 0], [0, 1, 0], [0, 0, 2]]])
    assert gradcheck(ddp.linalg.det, a)
