"""linalg.matrix_exp, matrix_rank, cond, inv_ex / cholesky_ex / solve_ex, tensorinv, tensorsolve, vander,
householder_product, and torch.svd / torch.matrix_exp with their Tensor methods: values against numpy,
closed forms and torch, float64 gradient checks, float32, batches, and the error paths."""
import math

import numpy as np
import pytest

import ddp
from op_helpers import against_torch, gradcheck, leaf, sample


# ---------------------------------------------------------------------------------------- matrix_exp
def test_matrix_exp_closed_forms():
    t = 0.7
    rot = ddp.linalg.matrix_exp(ddp.tensor([[0.0, -t], [t, 0.0]], dtype=ddp.float64)).numpy()
    np.testing.assert_allclose(rot, [[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]], rtol=1e-14)
    np.testing.assert_allclose(ddp.matrix_exp(ddp.tensor(np.diag([-30.0, 0.0, 5.0]))).numpy(),
                               np.diag(np.exp([-30.0, 0.0, 5.0])), rtol=1e-13)
    nilpotent = np.triu(np.ones((3, 3)), 1)  # exp(N) = I + N + N^2 / 2
    np.testing.assert_allclose(ddp.tensor(nilpotent).matrix_exp().numpy(),
                               np.eye(3) + nilpotent + nilpotent @ nilpotent / 2, rtol=1e-14)
    assert ddp.linalg.matrix_exp(ddp.zeros(2, 0, 0)).shape == (2, 0, 0)


@pytest.mark.parametrize("scale", [0.1, 1.0, 6.0])
def test_matrix_exp_gradient(scale):
    a = scale * sample((2, 3, 3))
    assert gradcheck(ddp.linalg.matrix_exp, a, rtol=1e-5 * max(scale, 1.0) ** 2)


@pytest.mark.parametrize("scale", [0.1, 1.0, 6.0])
def test_matrix_exp_against_torch(scale):
    torch = pytest.importorskip("torch")
    a = scale * sample((2, 4, 4), seed=3)
    y, t = ddp.linalg.matrix_exp(ddp.tensor(a)).numpy(), torch.linalg.matrix_exp(torch.tensor(a)).numpy()
    np.testing.assert_allclose(y, t, rtol=1e-12 * max(scale, 1.0) ** 2, atol=1e-13 * np.abs(t).max())
    A, T = leaf(a), torch.tensor(a, requires_grad=True)
    w = sample((2, 4, 4), seed=4)
    (ddp.linalg.matrix_exp(A) * ddp.tensor(w)).sum().backward()
    (torch.linalg.matrix_exp(T) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), T.grad.numpy(), rtol=1e-10, atol=1e-12 * np.abs(T.grad.numpy()).max())


def test_matrix_exp_float32_and_errors():
    A = leaf(sample((2, 3, 3)), np.float32)
    out = ddp.linalg.matrix_exp(A)
    assert out.dtype == ddp.float32
    out.sum().backward()
    assert A.grad.dtype == ddp.float32
    with pytest.raises(RuntimeError, match="linalg.matrix_exp: A must be square"):
        ddp.linalg.matrix_exp(ddp.ones(2, 3))
    with pytest.raises(RuntimeError, match="linalg.matrix_exp: A must have a floating dtype"):
        ddp.linalg.matrix_exp(ddp.ones(2, 2, dtype=ddp.int64))


# --------------------------------------------------------------------------------- matrix_rank, cond
def test_matrix_rank():
    a = sample((2, 4, 4))
    a[0, :, 3] = a[0, :, 0] + a[0, :, 1]
    r = ddp.linalg.matrix_rank(ddp.tensor(a))
    assert r.tolist() == [3, 4] and r.dtype == ddp.int64
    d = ddp.tensor(np.diag([4.0, 1.0, 0.01]))
    assert ddp.linalg.matrix_rank(d).item() == 3
    assert ddp.linalg.matrix_rank(d, atol=0.5).item() == 2
    assert ddp.linalg.matrix_rank(d, rtol=0.5).item() == 1
    assert ddp.linalg.matrix_rank(d, 0.005).item() == 3  # tol: atol with rtol 0
    assert ddp.linalg.matrix_rank(ddp.tensor(np.diag([-4.0, 1.0, 0.0])), hermitian=True).item() == 2
    assert ddp.linalg.matrix_rank(d, atol=ddp.tensor([0.5, 2.0, 5.0])).tolist() == [2, 1, 0]
    with pytest.raises(RuntimeError, match="linalg.matrix_rank: give tol, or atol"):
        ddp.linalg.matrix_rank(d, 0.1, atol=0.1)
    with pytest.raises(RuntimeError, match="linalg.matrix_rank: A must be .*floating"):
        ddp.linalg.matrix_rank(ddp.ones(2, 2, dtype=ddp.int64))


def test_matrix_rank_against_torch():
    torch = pytest.importorskip("torch")
    a = sample((3, 4, 5))
    a[1, 3] = a[1, 0] - a[1, 2]
    for kw in ({}, {"atol": 1.0}, {"rtol": 0.3}, {"atol": 0.5, "rtol": 0.2}):
        assert ddp.linalg.matrix_rank(ddp.tensor(a), **kw).tolist() == \
            torch.linalg.matrix_rank(torch.tensor(a), **kw).tolist()
    s = a[:, :4, :4] + np.swapaxes(a[:, :4, :4], -1, -2)
    assert ddp.linalg.matrix_rank(ddp.tensor(s), hermitian=True, atol=1.0).tolist() == \
        torch.linalg.matrix_rank(torch.tensor(s), hermitian=True, atol=1.0).tolist()


COND_NORMS = [None, 2, -2, "fro", "nuc", 1, -1, math.inf, -math.inf]


@pytest.mark.parametrize("p", COND_NORMS, ids=str)
def test_cond(p):
    a = sample((2, 3, 3))
    got = ddp.linalg.cond(ddp.tensor(a), p).numpy()
    np.testing.assert_allclose(got, np.linalg.cond(a, p), rtol=1e-10)
    assert gradcheck(lambda A: ddp.linalg.cond(A, p), a)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(got, torch.linalg.cond(torch.tensor(a), p).numpy(), rtol=1e-10)
    if p in (None, 2, -2, "nuc"):  # torch's own backward fails for the other norms (an in-place inv_ex output)
        against_torch(lambda A: ddp.linalg.cond(A, p), lambda A: torch.linalg.cond(A, p), a)


def test_cond_singular_non_square_and_errors():
    s = ddp.tensor([[1.0, 2.0], [2.0, 4.0]])
    for p in ("fro", 1, -math.inf):
        assert ddp.linalg.cond(s, p).item() == math.inf
    batch = ddp.tensor(np.stack([np.array([[1.0, 2.0], [2.0, 4.0]]), np.eye(2)]))
    assert ddp.linalg.cond(batch, "fro").tolist() == [math.inf, pytest.approx(2.0)]
    wide = sample((3, 5))
    np.testing.assert_allclose(ddp.linalg.cond(ddp.tensor(wide)).item(), np.linalg.cond(wide), rtol=1e-10)
    assert ddp.linalg.cond(ddp.tensor(wide, dtype=ddp.float32)).dtype == ddp.float32
    with pytest.raises(RuntimeError, match="linalg.cond: p must be one of .* got 3"):
        ddp.linalg.cond(s, 3)
    with pytest.raises(RuntimeError, match="linalg.cond \\(p='fro'\\): A must be square"):
        ddp.linalg.cond(ddp.tensor(wide), "fro")


# ------------------------------------------------------------------------------------- the _ex variants
SINGULAR = np.array([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 1.0], [1.0, 3.0]]])


def test_ex_variants_on_good_input_match_the_plain_ops():
    a = sample((2, 3, 3)) + 3 * np.eye(3)
    spd = a @ np.swapaxes(a, -1, -2)
    b = sample((2, 3, 2), seed=2)
    r = ddp.linalg.inv_ex(ddp.tensor(a))
    assert type(r).__name__ == "linalg_inv_ex" and r.info.tolist() == [0, 0] and r.info.dtype == ddp.int32
    np.testing.assert_allclose(r.inverse.numpy(), np.linalg.inv(a), rtol=1e-12)
    c = ddp.linalg.cholesky_ex(ddp.tensor(spd), upper=True)
    np.testing.assert_allclose(c.L.numpy(), np.swapaxes(np.linalg.cholesky(spd), -1, -2), rtol=1e-12)
    s = ddp.linalg.solve_ex(ddp.tensor(a), ddp.tensor(b), left=True)
    np.testing.assert_allclose(s.result.numpy(), np.linalg.solve(a, b), rtol=1e-12)
    assert gradcheck(lambda A: ddp.linalg.inv_ex(A).inverse, a)
    assert gradcheck(lambda A, B: ddp.linalg.solve_ex(A, B).result, a, b)


def test_ex_variants_report_failures_per_matrix():
    r = ddp.linalg.inv_ex(ddp.tensor(SINGULAR))
    assert r.info.tolist() == [2, 0]
    np.testing.assert_array_equal(r.inverse.numpy()[0], [[-np.inf, np.inf], [np.inf, -np.inf]])  # as getrs
    np.testing.assert_allclose(r.inverse.numpy()[1], np.linalg.inv(SINGULAR[1]))
    s = ddp.linalg.solve_ex(ddp.tensor(SINGULAR), ddp.tensor([1.0, 1.0], dtype=ddp.float64))
    assert s.info.tolist() == [2, 0] and s.result.shape == (2, 2)
    np.testing.assert_allclose(s.result.numpy()[1], np.linalg.solve(SINGULAR[1], [1.0, 1.0]))
    assert not np.isfinite(s.result.numpy()[0]).any()
    bad_spd = np.array([[[4.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [[4.0, 2.0, 0.0], [2.0, 2.0, 0.0],
                                                                          [0.0, 0.0, -1.0]]])
    c = ddp.linalg.cholesky_ex(ddp.tensor(bad_spd))
    assert c.info.tolist() == [2, 3]
    np.testing.assert_array_equal(c.L.numpy(), [[[2, 0, 0], [1, 0, 0], [0, 0, 1]], [[2, 0, 0], [1, 1, 0], [0, 0, -1]]])
    for call in (lambda: ddp.linalg.inv_ex(ddp.tensor(SINGULAR), check_errors=True),
                 lambda: ddp.linalg.solve_ex(ddp.tensor(SINGULAR), ddp.ones(2, 1, dtype=ddp.float64),
                                             check_errors=True)):
        with pytest.raises(ddp.linalg.LinAlgError, match="matrix 0 of the flattened batch is singular"):
            call()
    with pytest.raises(ddp.linalg.LinAlgError, match="linalg.cholesky_ex: matrix 0 .* order 2"):
        ddp.linalg.cholesky_ex(ddp.tensor(bad_spd), check_errors=True)


def test_ex_variants_keep_the_good_matrices_gradients():
    A = leaf(SINGULAR)
    with np.errstate(invalid="ignore"):  # the singular matrix's -inf + inf in the loss
        ddp.linalg.inv_ex(A).inverse.sum().backward()
    good = leaf(SINGULAR[1])
    ddp.linalg.inv(good).sum().backward()
    np.testing.assert_allclose(A.grad.numpy()[1], good.grad.numpy())
    assert np.all(A.grad.numpy()[0] == 0)
    spd = np.stack([np.array([[1.0, 2.0], [2.0, 1.0]]), np.array([[4.0, 2.0], [2.0, 3.0]])])
    A = leaf(spd)
    ddp.linalg.cholesky_ex(A).L.sum().backward()
    good = leaf(spd[1])
    ddp.linalg.cholesky(good).sum().backward()
    np.testing.assert_allclose(A.grad.numpy()[1], good.grad.numpy())


def test_ex_variants_against_torch():
    torch = pytest.importorskip("torch")
    r, t = ddp.linalg.inv_ex(ddp.tensor(SINGULAR)), torch.linalg.inv_ex(torch.tensor(SINGULAR))
    np.testing.assert_allclose(r.inverse.numpy(), t.inverse.numpy())
    assert r.info.tolist() == t.info.tolist()
    b = np.arange(12.0).reshape(2, 2, 3)
    for left in (True, False):
        bb = b if left else np.ascontiguousarray(np.swapaxes(b, -1, -2))
        r = ddp.linalg.solve_ex(ddp.tensor(SINGULAR), ddp.tensor(bb), left=left)
        t = torch.linalg.solve_ex(torch.tensor(SINGULAR), torch.tensor(bb), left=left)
        np.testing.assert_allclose(r.result.numpy(), t.result.numpy(), rtol=1e-12)
        assert r.info.tolist() == t.info.tolist()
    a = sample((2, 3, 3))
    against_torch(lambda A: ddp.linalg.inv_ex(A).inverse, lambda A: torch.linalg.inv_ex(A).inverse, a)


# ----------------------------------------------------------------------------- tensorinv, tensorsolve
def test_tensorinv_and_tensorsolve():
    a = sample((4, 2, 2)) + 3 * np.eye(4).reshape(4, 2, 2)
    np.testing.assert_allclose(ddp.linalg.tensorinv(ddp.tensor(a), ind=1).numpy(), np.linalg.tensorinv(a, ind=1),
                               rtol=1e-12)
    sq = a.reshape(2, 2, 2, 2)
    np.testing.assert_allclose(ddp.linalg.tensorinv(ddp.tensor(sq)).numpy(), np.linalg.tensorinv(sq), rtol=1e-12)
    assert gradcheck(lambda A: ddp.linalg.tensorinv(A, ind=1), a)
    m = sample((2, 3, 6)) + 3 * np.eye(6).reshape(2, 3, 6)
    b = sample((2, 3), seed=1)
    np.testing.assert_allclose(ddp.linalg.tensorsolve(ddp.tensor(m), ddp.tensor(b)).numpy(),
                               np.linalg.tensorsolve(m, b), rtol=1e-12)
    moved = np.ascontiguousarray(np.moveaxis(m, 2, 0))  # (6, 2, 3); dims=(0,) moves dim 0 back to the end
    np.testing.assert_allclose(ddp.linalg.tensorsolve(ddp.tensor(moved), ddp.tensor(b), dims=(0,)).numpy(),
                               np.linalg.tensorsolve(m, b), rtol=1e-12)
    assert gradcheck(ddp.linalg.tensorsolve, m, b)
    with pytest.raises(RuntimeError, match="linalg.tensorinv: ind must be a positive int, got 0"):
        ddp.linalg.tensorinv(ddp.tensor(a), ind=0)
    with pytest.raises(RuntimeError, match="linalg.tensorinv: the sizes before ind"):
        ddp.linalg.tensorinv(ddp.tensor(a), ind=2)
    with pytest.raises(ddp.linalg.LinAlgError, match="linalg.tensorinv"):
        ddp.linalg.tensorinv(ddp.zeros(2, 2, 4, dtype=ddp.float64), ind=2)
    with pytest.raises(RuntimeError, match="linalg.tensorsolve: A of shape \\(2, 3, 5\\)"):
        ddp.linalg.tensorsolve(ddp.ones(2, 3, 5), ddp.ones(2, 3))


# ----------------------------------------------------------------------------------- vander, Householder
def test_vander():
    x = sample((2, 3))
    np.testing.assert_allclose(ddp.linalg.vander(ddp.tensor(x)).numpy(),
                               np.stack([np.vander(r, increasing=True) for r in x]), rtol=1e-14)
    assert ddp.linalg.vander(ddp.tensor(x), N=5).shape == (2, 3, 5)
    assert ddp.linalg.vander(ddp.tensor([1, 2, 3]), N=2).tolist() == [[1, 1], [1, 2], [1, 3]]
    assert ddp.linalg.vander(ddp.tensor([1.0, 2.0])).dtype == ddp.float32
    assert gradcheck(lambda t: ddp.linalg.vander(t, N=4), x)
    z = leaf([0.0, 2.0])
    ddp.linalg.vander(z, N=4).sum().backward()
    assert z.grad.tolist() == [1.0, 17.0]  # 1 + 2x + 3x^2, also at x = 0
    with pytest.raises(RuntimeError, match="linalg.vander: N must be at least 2, got 1"):
        ddp.linalg.vander(ddp.tensor([1.0, 2.0]), N=1)
    with pytest.raises(RuntimeError, match="linalg.vander: x must have at least 1 dim"):
        ddp.linalg.vander(ddp.tensor(2.0))
    torch = pytest.importorskip("torch")
    against_torch(lambda t: ddp.linalg.vander(t, N=4), lambda t: torch.linalg.vander(t, N=4), x)


def test_householder_product_makes_qr_q():
    a = sample((2, 5, 3))
    h, tau = np.linalg.qr(a, mode="raw")  # LAPACK's reflectors, transposed
    reflectors = np.ascontiguousarray(np.swapaxes(h, -1, -2))
    Q = ddp.linalg.householder_product(ddp.tensor(reflectors), ddp.tensor(tau))
    np.testing.assert_allclose(Q.numpy(), np.linalg.qr(a)[0], atol=1e-12)
    assert gradcheck(ddp.linalg.householder_product, sample((4, 3)), sample((2,), seed=1))
    with pytest.raises(RuntimeError, match="linalg.householder_product: A must have at least as many rows"):
        ddp.linalg.householder_product(ddp.ones(2, 3), ddp.ones(2))
    with pytest.raises(RuntimeError, match="linalg.householder_product: tau must have shape"):
        ddp.linalg.householder_product(ddp.ones(4, 3), ddp.ones(4))
    torch = pytest.importorskip("torch")
    against_torch(ddp.linalg.householder_product, torch.linalg.householder_product, sample((2, 4, 3)),
                  sample((2, 3), seed=2))


# ------------------------------------------------------------------------------------ torch.svd, methods
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (3, 3)], ids=str)
def test_torch_svd(shape):
    a = sample(shape)
    m, n = shape[-2:]
    for some in (True, False):
        U, S, V = ddp.svd(ddp.tensor(a), some=some)
        k = min(m, n)
        np.testing.assert_allclose((U.numpy()[..., :k] * S.numpy()[..., None, :]) @ np.swapaxes(V.numpy()[..., :k],
                                   -1, -2), a, atol=1e-12)
        assert U.shape[-1] == (k if some else m) and V.shape[-1] == (k if some else n)
    r = ddp.tensor(a).svd(compute_uv=False)
    assert type(r).__name__ == "svd" and r.U.shape[-2:] == (m, m) and r.V.shape[-2:] == (n, n)
    assert not r.U.numpy().any() and not r.V.numpy().any()
    assert gradcheck(lambda A: ddp.svd(A, compute_uv=False).S, a)
    torch = pytest.importorskip("torch")
    against_torch(lambda A: ddp.svd(A).S, lambda A: torch.svd(A).S, a)
    np.testing.assert_allclose(np.abs(ddp.svd(ddp.tensor(a)).V.numpy()), np.abs(torch.svd(torch.tensor(a)).V.numpy()),
                               atol=1e-12)


def test_names_are_exported():
    for name in ("qr", "lstsq", "lu_factor", "lu_factor_ex", "lu", "lu_solve", "matrix_rank", "matrix_exp", "cond",
                 "inv_ex", "cholesky_ex", "solve_ex", "tensorinv", "tensorsolve", "vander", "householder_product"):
        assert name in ddp.linalg.__all__ and callable(getattr(ddp.linalg, name))
    for name in ("qr", "svd", "lu", "lu_solve", "lu_unpack", "matrix_exp"):
        assert callable(getattr(ddp, name))
    for name in ("qr", "svd", "lu", "lu_solve", "matrix_exp"):
        assert callable(getattr(ddp.ones(2, 2), name))
