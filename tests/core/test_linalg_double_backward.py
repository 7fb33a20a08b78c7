"""Second derivatives (create_graph=True) of the linear-algebra ops: ddp's gradgradcheck in float64, the
recorded first-order gradient against the plain one, Hessian-vector products against PyTorch where it is
installed, and the Hessian of a Gaussian-process marginal likelihood (MultivariateNormal.log_prob)."""
import numpy as np
import pytest

import ddp
from op_helpers import leaf


def spd(shape, seed=0):
    """Symmetric matrices with well-separated eigenvalues (a rotation of diag(1, 3, 5, ...))."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal(shape))
    return (q * (1.0 + 2.0 * np.arange(shape[-1]))) @ np.swapaxes(q, -1, -2)


def normal(shape, seed=0, scale=1.0):
    return scale * np.random.default_rng(seed).standard_normal(shape)


def upper(shape, seed=0):
    """Well-conditioned upper triangular matrices (a diagonal kept away from 0)."""
    a = np.triu(normal(shape, seed))
    return a + 3.0 * np.eye(shape[-1]) * np.sign(np.diagonal(a, axis1=-2, axis2=-1))[..., None, :]


def sym(A):
    return (A + A.mT) / 2


def gauge_free(v):
    """Columns with their signs fixed (largest-magnitude entry positive): a function of A, unlike v."""
    return v * v.gather(-2, v.abs().argmax(dim=-2, keepdim=True)).sign()


def svd_parts(m, A):
    U, S, Vh = m.linalg.svd(A, full_matrices=False)
    return gauge_free(U), S, gauge_free(Vh.mT)


def rank2(shape, seed=0):
    """A (m, n) matrix of rank 2."""
    return normal(shape[:-1] + (2,), seed) @ normal(shape[:-2] + (2, shape[-1]), seed + 1)


# name: (fn(library, *inputs), input arrays); the same fn runs on ddp and on torch
CASES = {
    "solve_triangular": (lambda m, A, B: m.linalg.solve_triangular(A, B, upper=True),
                         [upper((3, 3)), normal((3, 2), 1)]),
    "solve_triangular_lower_right_unit": (
        lambda m, A, B: m.linalg.solve_triangular(A, B, upper=False, left=False, unitriangular=True),
        [normal((2, 3, 3), 2, 0.5), normal((2, 3), 3)]),
    "cholesky": (lambda m, A: m.linalg.cholesky(sym(A)), [spd((2, 3, 3))]),
    "cholesky_upper": (lambda m, A: m.linalg.cholesky(sym(A), upper=True), [spd((3, 3), 1)]),
    "cholesky_solve": (lambda m, B, A: m.cholesky_solve(B, m.linalg.cholesky(sym(A))),
                       [normal((3, 2), 4), spd((3, 3), 2)]),
    "eigh": (lambda m, A: (lambda r: (r.eigenvalues, gauge_free(r.eigenvectors)))(m.linalg.eigh(sym(A))),
             [spd((2, 3, 3), 3)]),
    "eigh_values": (lambda m, A: m.linalg.eigh(sym(A)).eigenvalues, [spd((3, 3), 4)]),
    "eigvalsh": (lambda m, A: m.linalg.eigvalsh(sym(A)), [spd((2, 3, 3), 5)]),
    "svdvals": (lambda m, A: m.linalg.svdvals(A), [normal((2, 4, 3), 6)]),
    "svd_tall": (svd_parts, [normal((4, 3), 7)]),
    "svd_wide": (svd_parts, [normal((2, 4), 8)]),
    "svd_values": (lambda m, A: m.linalg.svd(A, full_matrices=False).S, [normal((3, 3), 9)]),
    "norm_2": (lambda m, A: m.linalg.matrix_norm(A, 2), [normal((3, 4), 10)]),
    "norm_nuc": (lambda m, A: m.linalg.matrix_norm(A, "nuc"), [normal((2, 3, 4), 11)]),
    "qr_tall": (lambda m, A: tuple(m.linalg.qr(A)), [normal((4, 3), 12)]),
    "qr_wide": (lambda m, A: tuple(m.linalg.qr(A)), [normal((2, 4), 13)]),
    "matrix_exp": (lambda m, A: m.linalg.matrix_exp(A), [normal((2, 3, 3), 14, 0.5)]),
    "lstsq": (lambda m, A, B: m.linalg.lstsq(A, B).solution, [normal((4, 3), 15), normal((4, 2), 16)]),
    "pinv_tall": (lambda m, A: m.linalg.pinv(A), [normal((4, 3), 17)]),
    "pinv_wide": (lambda m, A: m.linalg.pinv(A), [normal((2, 3, 5), 18)]),
    "pinv_rank_deficient": (lambda m, A: m.linalg.pinv(A, atol=1e-3), [rank2((4, 3), 19)]),
    "pinv_hermitian": (lambda m, A: m.linalg.pinv(sym(A), hermitian=True), [spd((3, 3), 20) - 4 * np.eye(3)]),
}


def _outputs(y):
    return y if isinstance(y, tuple) else (y,)


@pytest.mark.parametrize("name", CASES)
def test_gradgradcheck(name):
    fn, arrays = CASES[name]
    assert ddp.autograd.gradgradcheck(lambda *xs: fn(ddp, *xs), tuple(leaf(a) for a in arrays))


def _weights(outputs, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(tuple(o.shape)) for o in outputs]


@pytest.mark.parametrize("name", CASES)
def test_recorded_gradient_matches_the_plain_one(name):
    fn, arrays = CASES[name]
    xs = [leaf(a) for a in arrays]
    ys = _outputs(fn(ddp, *xs))
    loss = sum((y * ddp.tensor(w)).sum() for y, w in zip(ys, _weights(ys, 1)))
    recorded = ddp.autograd.grad(loss, xs, create_graph=True, retain_graph=True)
    plain = ddp.autograd.grad(loss, xs)
    for r, p in zip(recorded, plain):
        assert r.requires_grad
        np.testing.assert_allclose(r.detach().numpy(), p.numpy(), rtol=1e-10, atol=1e-12)


def _hessian_vector(m, fn, arrays, tensor):
    """d/dx <v, d<w, fn(x)>/dx> for fixed random w, v, in library m (ddp or torch)."""
    xs = [tensor(a) for a in arrays]
    ys = _outputs(fn(m, *xs))
    loss = sum((y * tensor(w, False)).sum() for y, w in zip(ys, _weights(ys, 1)))
    grads = m.autograd.grad(loss, xs, create_graph=True)
    directions = [np.random.default_rng(2 + i).standard_normal(tuple(x.shape)) for i, x in enumerate(xs)]
    inner = sum((g * tensor(v, False)).sum() for g, v in zip(grads, directions))
    return [g.detach().numpy() for g in m.autograd.grad(inner, xs)]


@pytest.mark.parametrize("name", CASES)
def test_hessian_vector_products_against_torch(name):
    torch = pytest.importorskip("torch")
    fn, arrays = CASES[name]
    ours = _hessian_vector(ddp, fn, arrays, lambda a, grad=True: ddp.tensor(a, requires_grad=grad))
    theirs = _hessian_vector(torch, fn, arrays, lambda a, grad=True: torch.tensor(a, requires_grad=grad))
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t, rtol=1e-7, atol=1e-9)


# A Gaussian process on three points: the negative log marginal likelihood in (log scale, log length)
POINTS, TARGETS = [0.0, 0.7, 1.5], [0.3, -0.2, 0.5]
THETA = [0.1, -0.3]


def _nll(m, theta):
    x, y = m.tensor(POINTS, dtype=m.float64), m.tensor(TARGETS, dtype=m.float64)
    d = x.unsqueeze(-1) - x.unsqueeze(-2)
    K = theta[0].exp() * (-(d ** 2) / (2 * theta[1].exp() ** 2)).exp() + 0.1 * m.eye(3, dtype=m.float64)
    mvn = m.distributions.MultivariateNormal(m.zeros(3, dtype=m.float64), covariance_matrix=K)
    return -mvn.log_prob(y)


def test_multivariate_normal_hessian():
    theta = ddp.tensor(THETA, dtype=ddp.float64)
    H = ddp.autograd.functional.hessian(lambda t: _nll(ddp, t), theta).numpy()
    # central differences of the first-order gradient
    eps, columns = 1e-5, []
    for i in range(2):
        step = np.eye(2)[i] * eps
        grads = [ddp.autograd.functional.jacobian(lambda t: _nll(ddp, t), ddp.tensor(np.add(THETA, s))).numpy()
                 for s in (step, -step)]
        columns.append((grads[0] - grads[1]) / (2 * eps))
    np.testing.assert_allclose(H, np.stack(columns, axis=-1), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(H, H.T, rtol=1e-12)
    assert ddp.autograd.gradgradcheck(lambda t: _nll(ddp, t), (leaf(THETA),))


def test_multivariate_normal_hessian_against_torch():
    torch = pytest.importorskip("torch")
    H = ddp.autograd.functional.hessian(lambda t: _nll(ddp, t), ddp.tensor(THETA, dtype=ddp.float64))
    Ht = torch.autograd.functional.hessian(lambda t: _nll(torch, t), torch.tensor(THETA, dtype=torch.float64))
    np.testing.assert_allclose(H.numpy(), Ht.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("values", [lambda A: ddp.linalg.eigvalsh(A), lambda A: ddp.linalg.eigh(A).eigenvalues,
                                    lambda A: ddp.linalg.svdvals(A), lambda A: ddp.linalg.svd(A).S],
                         ids=["eigvalsh", "eigh", "svdvals", "svd"])
def test_values_only_gradient_of_repeated_values_stays_finite_when_recorded(values):
    A = leaf(2.0 * np.eye(3))
    (g,) = ddp.autograd.grad(values(A).sum(), A, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), np.eye(3), atol=1e-12)


@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (2, 5), (2, 4, 3)], ids=str)
def test_pinv_gradient(shape):
    assert ddp.autograd.gradcheck(ddp.linalg.pinv, (leaf(normal(shape, 21)),))


def test_pinv_gradient_of_a_rank_deficient_matrix_is_taken_at_its_rank():
    a = rank2((4, 3), 22)
    assert ddp.autograd.gradcheck(lambda A: ddp.linalg.pinv(A, rtol=1e-6), (leaf(a),))
    assert ddp.autograd.gradcheck(lambda A: ddp.linalg.pinv(A, atol=1e-6), (leaf(a.T),))
    # with the default cutoff the rounding of A's zero singular value decides the rank: pin it
    A = leaf(np.diag([2.0, 1.0, 0.0]))
    G = normal((3, 3), 23)
    (ddp.linalg.pinv(A) * ddp.tensor(G)).sum().backward()
    P = np.diag([0.5, 1.0, 0.0])
    I_P = np.eye(3) - np.diag([1.0, 1.0, 0.0])
    expected = -P.T @ G @ P.T + I_P @ G.T @ P @ P.T + P.T @ P @ G.T @ I_P
    np.testing.assert_allclose(A.grad.numpy(), expected, atol=1e-14)


def test_pinv_cutoffs_follow_torch():
    a = np.diag([4.0, 1e-3, 1e-20])
    # a zero atol leaves the default rtol on; a positive one turns it off
    np.testing.assert_allclose(ddp.linalg.pinv(ddp.tensor(a), atol=0.0).numpy(), np.diag([0.25, 1e3, 0.0]))
    np.testing.assert_allclose(ddp.linalg.pinv(ddp.tensor(a), atol=1e-30).numpy(), np.diag([0.25, 1e3, 1e20]))
    batch = ddp.tensor(np.stack([a, a]))
    per_matrix = ddp.linalg.pinv(batch, atol=ddp.tensor([0.0, 1e-2])).numpy()
    np.testing.assert_allclose(np.diagonal(per_matrix, axis1=-2, axis2=-1), [[0.25, 1e3, 0.0], [0.25, 0.0, 0.0]])
    np.testing.assert_allclose(ddp.linalg.pinv(ddp.tensor(-a), hermitian=True, rtol=0.5).numpy(),
                               np.diag([-0.25, 0.0, 0.0]))
    with pytest.raises(RuntimeError, match="square"):
        ddp.linalg.pinv(ddp.tensor(normal((3, 2))), hermitian=True)


def test_pinv_hermitian_reads_the_lower_triangle():
    a = spd((3, 3), 24)
    noisy = np.tril(a) + np.triu(np.full((3, 3), 50.0), 1)
    np.testing.assert_allclose(ddp.linalg.pinv(ddp.tensor(noisy), hermitian=True).numpy(), np.linalg.inv(a),
                               rtol=1e-10)


@pytest.mark.parametrize("case", ["square", "tall", "wide", "rank_deficient", "hermitian_lower", "batch_atol"])
def test_pinv_against_torch(case):
    torch = pytest.importorskip("torch")
    a, kwargs = {
        "square": (normal((3, 3), 25), {}),
        "tall": (normal((5, 3), 26), {}),
        "wide": (normal((2, 3, 4), 27), {}),
        "rank_deficient": (rank2((4, 4), 28), {"rtol": 1e-8}),
        "hermitian_lower": (np.tril(spd((3, 3), 29)) + np.triu(normal((3, 3), 30), 1), {"hermitian": True}),
        "batch_atol": (np.stack([rank2((3, 4), 31), normal((3, 4), 32)]), {"atol": [1e-6, 0.0]}),
    }[case]

    def fn(m, A):
        extra = {k: m.tensor(v, dtype=m.float64) if isinstance(v, list) else v for k, v in kwargs.items()}
        return m.linalg.pinv(A, **extra)

    A, T = leaf(a), torch.tensor(a, requires_grad=True)
    y, yt = fn(ddp, A), fn(torch, T)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-9, atol=1e-12)
    w = normal(tuple(y.shape), 33)
    (y * ddp.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), T.grad.numpy(), rtol=1e-8, atol=1e-10)
    ours = _hessian_vector(ddp, fn, [a], lambda x, grad=True: ddp.tensor(x, requires_grad=grad))
    theirs = _hessian_vector(torch, fn, [a], lambda x, grad=True: torch.tensor(x, requires_grad=grad))
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-7, atol=1e-9)
