"""linalg.qr, lstsq and the LU family (lu_factor[_ex], lu, lu_solve, lu_unpack, torch.lu, torch.lu_solve,
torch.qr): values against numpy (and torch, whose LAPACK gives the same signs and pivots), float64 gradient
checks, float32, batches and broadcasting, and the error paths."""
import numpy as np
import pytest

import ddp
from op_helpers import against_torch, gradcheck, leaf, sample

QR_SHAPES = [(3, 3), (4, 2), (2, 5), (2, 4, 3), (2, 3, 5), (1, 1)]


def flat(mod, *tensors):
    """One vector of every entry of `tensors` (ddp or torch, by `mod`), for one loss on several outputs."""
    return mod.cat([t.reshape(-1) for t in tensors])


# ------------------------------------------------------------------------------------------------ QR
@pytest.mark.parametrize("shape", QR_SHAPES, ids=str)
def test_qr_values_and_shapes(shape):
    a = sample(shape)
    for mode in ("reduced", "complete"):
        r = ddp.linalg.qr(ddp.tensor(a), mode=mode)
        q, rr = np.linalg.qr(a, mode=mode)
        assert type(r).__name__ == "linalg_qr" and r._fields == ("Q", "R")
        np.testing.assert_allclose(r.Q.numpy(), q, atol=1e-12)
        np.testing.assert_allclose(r.R.numpy(), rr, atol=1e-12)
    Q, R = ddp.linalg.qr(ddp.tensor(a), mode="r")
    assert Q.shape == (0,)
    np.testing.assert_allclose(R.numpy(), np.linalg.qr(a)[1], atol=1e-12)


@pytest.mark.parametrize("shape", QR_SHAPES, ids=str)
def test_qr_gradient(shape):
    assert gradcheck(lambda A: flat(ddp, *ddp.linalg.qr(A)), sample(shape))
    if shape[-2] <= shape[-1]:
        assert gradcheck(lambda A: flat(ddp, *ddp.linalg.qr(A, mode="complete")), sample(shape))


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)], ids=str)
def test_qr_against_torch(shape):
    torch = pytest.importorskip("torch")
    against_torch(lambda A: flat(ddp, *ddp.linalg.qr(A)), lambda A: flat(torch, *torch.linalg.qr(A)), sample(shape))
    against_torch(lambda A: flat(ddp, *ddp.qr(A)), lambda A: flat(torch, *torch.linalg.qr(A)), sample(shape))


def test_qr_modes_without_derivative_raise_in_backward():
    A = leaf(sample((4, 2)))
    with pytest.raises(RuntimeError, match="linalg.qr.*'r'"):
        ddp.linalg.qr(A, mode="r").R.sum().backward()
    Q, R = ddp.linalg.qr(A, mode="complete")
    assert Q.shape == (4, 4) and R.shape == (4, 2)
    with pytest.raises(RuntimeError, match="linalg.qr.*complete"):
        Q.sum().backward()


def test_qr_float32_torch_level_and_errors():
    A = leaf(sample((2, 4, 3)), np.float32)
    Q, R = ddp.linalg.qr(A)
    assert Q.dtype == R.dtype == ddp.float32
    (Q.sum() + R.sum()).backward()
    assert A.grad.dtype == ddp.float32
    r = ddp.qr(ddp.tensor(sample((4, 3))), some=False)
    assert type(r).__name__ == "qr" and r.Q.shape == (4, 4)
    assert ddp.tensor(sample((4, 3))).qr().R.shape == (3, 3)
    with pytest.raises(RuntimeError, match="linalg.qr: mode"):
        ddp.linalg.qr(ddp.tensor(sample((3, 3))), mode="full")
    with pytest.raises(RuntimeError, match="linalg.qr: A must be .*floating"):
        ddp.linalg.qr(ddp.ones(3, 3, dtype=ddp.int64))
    with pytest.raises(RuntimeError, match="linalg.qr.*shape \\(3,\\)"):
        ddp.linalg.qr(ddp.ones(3))


# --------------------------------------------------------------------------------------------- lstsq
LSTSQ_SHAPES = [((5, 3), (5, 2)), ((3, 5), (3, 2)), ((2, 5, 3), (2, 5)), ((1, 5, 3), (2, 5, 2)), ((4, 4), (4,)),
                ((2, 6, 3), (1, 6, 2))]


@pytest.mark.parametrize("shapes", LSTSQ_SHAPES, ids=str)
@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
def test_lstsq_against_torch(shapes, driver):
    torch = pytest.importorskip("torch")
    a, b = sample(shapes[0], seed=1), sample(shapes[1], seed=2)
    r = ddp.linalg.lstsq(ddp.tensor(a), ddp.tensor(b), driver=driver)
    t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    assert type(r).__name__ == "linalg_lstsq"
    for name, x, y in zip(r._fields, r, t):
        assert tuple(x.shape) == tuple(y.shape) and x.dtype == y.numpy().dtype, name
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


def test_lstsq_matches_numpy_and_keeps_float32():
    a, b = sample((6, 3)), sample((6, 2), seed=3)
    x, res, rank, s = np.linalg.lstsq(a, b, rcond=None)
    r = ddp.linalg.lstsq(ddp.tensor(a), ddp.tensor(b), driver="gelsd")
    np.testing.assert_allclose(r.solution.numpy(), x, rtol=1e-10)
    np.testing.assert_allclose(r.residuals.numpy(), res, rtol=1e-10)
    np.testing.assert_allclose(r.singular_values.numpy(), s, rtol=1e-10)
    assert r.rank.item() == rank and r.rank.dtype == ddp.int64
    r32 = ddp.linalg.lstsq(ddp.tensor(a, dtype=ddp.float32), ddp.tensor(b, dtype=ddp.float32), driver="gelsd")
    assert r32.solution.dtype == r32.residuals.dtype == r32.singular_values.dtype == ddp.float32
    assert ddp.linalg.lstsq(ddp.tensor([[1.0], [1.0]]), ddp.tensor([1.0, 3.0])).solution.tolist() == pytest.approx([2.0])


def test_lstsq_rank_deficient_gives_the_minimum_norm_solution():
    a = sample((5, 3))
    a[:, 2] = a[:, 1]
    b = sample((5, 2), seed=4)
    for driver in (None, "gelsd"):
        r = ddp.linalg.lstsq(ddp.tensor(a), ddp.tensor(b), driver=driver)
        assert r.rank.item() == 2 and r.residuals.shape == (0,)
        np.testing.assert_allclose(r.solution.numpy(), np.linalg.pinv(a) @ b, rtol=1e-9, atol=1e-12)
    r = ddp.linalg.lstsq(ddp.tensor(np.diag([4.0, 1.0, 0.1])), ddp.tensor(np.ones((3, 1))), rcond=0.2)
    np.testing.assert_allclose(r.solution.numpy()[:, 0], [0.25, 1.0, 0.0])


@pytest.mark.parametrize("shapes", LSTSQ_SHAPES, ids=str)
def test_lstsq_gradient(shapes):
    a, b = sample(shapes[0], seed=1), sample(shapes[1], seed=2)
    assert gradcheck(lambda A, B: ddp.linalg.lstsq(A, B).solution, a, b)
    if shapes[0][-2] > shapes[0][-1]:
        assert gradcheck(lambda A, B: ddp.linalg.lstsq(A, B, driver="gelsd").residuals, a, b)


@pytest.mark.parametrize("shapes", [((5, 3), (5, 2)), ((3, 5), (3, 2)), ((1, 5, 3), (2, 5, 2))], ids=str)
def test_lstsq_gradient_against_torch(shapes):
    torch = pytest.importorskip("torch")
    a, b = sample(shapes[0], seed=1), sample(shapes[1], seed=2)
    against_torch(lambda A, B: ddp.linalg.lstsq(A, B).solution, lambda A, B: torch.linalg.lstsq(A, B).solution,
                  a, b)
    if shapes[0][-2] > shapes[0][-1]:
        against_torch(lambda A, B: ddp.linalg.lstsq(A, B, driver="gelsd").residuals,
                      lambda A, B: torch.linalg.lstsq(A, B, driver="gelsd").residuals, a, b)


def test_lstsq_errors():
    A, B = ddp.tensor(sample((5, 3))), ddp.tensor(sample((5, 2)))
    with pytest.raises(RuntimeError, match="linalg.lstsq: driver .* got 'lapack'"):
        ddp.linalg.lstsq(A, B, driver="lapack")
    with pytest.raises(RuntimeError, match="linalg.lstsq: A and B must have the same dtype"):
        ddp.linalg.lstsq(A, B.float())
    with pytest.raises(RuntimeError, match="linalg.lstsq: A and B must have the same number of rows"):
        ddp.linalg.lstsq(A, B[:4])
    with pytest.raises(RuntimeError, match="linalg.lstsq: B must have as many dims"):
        ddp.linalg.lstsq(A, B.reshape(1, 1, 5, 2))
    with pytest.raises(RuntimeError, match="linalg.lstsq: the batch dims"):
        ddp.linalg.lstsq(ddp.tensor(sample((2, 5, 3))), ddp.tensor(sample((3, 5, 2))))


# ------------------------------------------------------------------------------------------------ LU
LU_SHAPES = [(3, 3), (2, 5, 3), (2, 3, 5), (2, 1, 4, 4), (1, 1)]


def _check_plu(P, L, U, a):
    np.testing.assert_allclose(P.numpy() @ L.numpy() @ U.numpy(), a, atol=1e-12)
    np.testing.assert_array_equal(np.tril(L.numpy(), -1) + np.eye(*L.shape[-2:]), L.numpy())
    np.testing.assert_array_equal(np.triu(U.numpy()), U.numpy())


@pytest.mark.parametrize("shape", LU_SHAPES, ids=str)
def test_lu_reconstructs_and_pivots_partially(shape):
    a = sample(shape)
    r = ddp.linalg.lu(ddp.tensor(a))
    assert type(r).__name__ == "linalg_lu" and r._fields == ("P", "L", "U")
    _check_plu(*r, a)
    assert np.all(np.abs(r.L.numpy()) <= 1.0 + 1e-15)  # partial pivoting: |L| <= 1
    LU, pivots = ddp.linalg.lu_factor(ddp.tensor(a))
    assert pivots.dtype == ddp.int32 and pivots.shape == shape[:-2] + (min(shape[-2:]),)
    _check_plu(*ddp.lu_unpack(LU, pivots), a)


@pytest.mark.parametrize("shape", LU_SHAPES, ids=str)
def test_lu_against_torch(shape):
    torch = pytest.importorskip("torch")
    a = sample(shape)
    r, t = ddp.linalg.lu_factor_ex(ddp.tensor(a)), torch.linalg.lu_factor_ex(torch.tensor(a))
    assert type(r).__name__ == "linalg_lu_factor_ex"
    np.testing.assert_allclose(r.LU.numpy(), t.LU.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(r.pivots.numpy(), t.pivots.numpy())
    np.testing.assert_array_equal(r.info.numpy(), t.info.numpy())
    against_torch(lambda A: flat(ddp, *ddp.linalg.lu(A)[1:]), lambda A: flat(torch, *torch.linalg.lu(A)[1:]), a)
    against_torch(lambda A: ddp.linalg.lu_factor(A).LU, lambda A: torch.linalg.lu_factor(A).LU, a)


@pytest.mark.parametrize("shape", LU_SHAPES, ids=str)
def test_lu_gradient(shape):
    a = sample(shape)
    assert gradcheck(lambda A: flat(ddp, *ddp.linalg.lu(A)[1:]), a)
    assert gradcheck(lambda A: ddp.linalg.lu_factor(A).LU, a)


def test_lu_singular_and_without_pivoting():
    s = np.array([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 1.0], [1.0, 3.0]]])
    r = ddp.linalg.lu_factor_ex(ddp.tensor(s))
    assert r.info.tolist() == [2, 0] and r.info.dtype == ddp.int32
    np.testing.assert_allclose(r.LU.numpy()[0], [[2.0, 4.0], [0.5, 0.0]])
    assert r.pivots.tolist()[0] == [2, 2]
    with pytest.raises(ddp.linalg.LinAlgError, match="linalg.lu_factor: U\\[2,2\\] is zero.*matrix 0"):
        ddp.linalg.lu_factor(ddp.tensor(s))
    with pytest.raises(ddp.linalg.LinAlgError, match="linalg.lu_factor_ex"):
        ddp.linalg.lu_factor_ex(ddp.tensor(s), check_errors=True)
    _check_plu(*ddp.linalg.lu(ddp.tensor(s[0])), s[0])  # linalg.lu never raises
    a = sample((3, 3))
    P, L, U = ddp.linalg.lu(ddp.tensor(a), pivot=False)
    assert P.shape == (0,)
    np.testing.assert_allclose(L.numpy() @ U.numpy(), a, atol=1e-12)
    assert ddp.linalg.lu_factor(ddp.tensor(a), pivot=False).pivots.tolist() == [1, 2, 3]


def test_lu_float32():
    A = leaf(sample((2, 4, 3)), np.float32)
    P, L, U = ddp.linalg.lu(A)
    assert P.dtype == L.dtype == U.dtype == ddp.float32
    (L.sum() + U.sum()).backward()
    assert A.grad.dtype == ddp.float32
    LU, piv = ddp.linalg.lu_factor(ddp.tensor(sample((3, 3)), dtype=ddp.float32))
    assert ddp.linalg.lu_solve(LU, piv, ddp.ones(3, 1)).dtype == ddp.float32


SOLVE_CASES = [(True, False), (True, True), (False, False), (False, True)]


@pytest.mark.parametrize("left,adjoint", SOLVE_CASES)
def test_lu_solve(left, adjoint):
    a, b = sample((2, 3, 3)), sample((2, 3, 2) if left else (2, 2, 3), seed=5)
    LU, piv = ddp.linalg.lu_factor(ddp.tensor(a))
    x = ddp.linalg.lu_solve(LU, piv, ddp.tensor(b), left=left, adjoint=adjoint).numpy()
    op = np.swapaxes(a, -1, -2) if adjoint else a
    np.testing.assert_allclose((op @ x) if left else (x @ op), b, atol=1e-12)
    lu = LU.numpy()
    assert gradcheck(lambda LU_, B: ddp.linalg.lu_solve(LU_, piv, B, left=left, adjoint=adjoint), lu, b)
    # broadcasting: one factor for a batch of right-hand sides
    many = sample((4, 1, 3, 2) if left else (4, 1, 2, 3), seed=6)
    y = ddp.linalg.lu_solve(LU, piv, ddp.tensor(many), left=left, adjoint=adjoint)
    assert y.shape == (4, 2) + many.shape[-2:]


@pytest.mark.parametrize("left,adjoint", SOLVE_CASES)
def test_lu_solve_against_torch(left, adjoint):
    torch = pytest.importorskip("torch")
    a, b = sample((2, 3, 3)), sample((2, 3, 2) if left else (2, 2, 3), seed=5)
    lu, piv = ddp.linalg.lu_factor(ddp.tensor(a))
    tpiv = torch.tensor(piv.numpy())
    against_torch(lambda LU, B: ddp.linalg.lu_solve(LU, piv, B, left=left, adjoint=adjoint),
                  lambda LU, B: torch.linalg.lu_solve(LU, tpiv, B, left=left, adjoint=adjoint), lu.numpy(), b)


def test_torch_level_lu_names():
    a, b = sample((2, 3, 3)), sample((2, 3, 2), seed=7)
    out = ddp.lu(ddp.tensor(a))
    assert type(out) is tuple and len(out) == 2
    LU, piv, info = ddp.tensor(a).lu(get_infos=True)
    assert type(ddp.lu(ddp.tensor(a), get_infos=True)).__name__ == "_lu_with_info" and info.tolist() == [0, 0]
    np.testing.assert_allclose(ddp.lu_solve(ddp.tensor(b), LU, piv).numpy(), np.linalg.solve(a, b), atol=1e-12)
    np.testing.assert_allclose(ddp.tensor(b).lu_solve(LU, piv).numpy(), np.linalg.solve(a, b), atol=1e-12)
    assert ddp.lu(ddp.tensor([[1.0, 2.0], [2.0, 4.0]]))[0].shape == (2, 2)  # no error for a singular matrix
    r = ddp.lu_unpack(LU, piv, unpack_data=False)
    assert type(r).__name__ == "lu_unpack" and r.L.shape == r.U.shape == (0,) and r.P.shape == (2, 3, 3)
    assert ddp.lu_unpack(LU, piv, unpack_pivots=False).P.shape == (0,)
    assert gradcheck(lambda X: flat(ddp, *ddp.lu_unpack(X, piv)[1:]), LU.numpy())


def test_lu_errors():
    LU, piv = ddp.linalg.lu_factor(ddp.tensor(sample((3, 3))))
    with pytest.raises(RuntimeError, match="linalg.lu_solve: B must have at least 2 dims"):
        ddp.linalg.lu_solve(LU, piv, ddp.ones(3, dtype=ddp.float64))
    with pytest.raises(RuntimeError, match="linalg.lu_solve: the shapes of LU \\(3, 3\\) and B \\(2, 2\\)"):
        ddp.linalg.lu_solve(LU, piv, ddp.ones(2, 2, dtype=ddp.float64))
    with pytest.raises(RuntimeError, match="linalg.lu_solve: LU must be square"):
        ddp.linalg.lu_solve(ddp.ones(3, 2, dtype=ddp.float64), piv[:2], ddp.ones(3, 1, dtype=ddp.float64))
    with pytest.raises(RuntimeError, match="lu_unpack: pivots must be integers of shape \\(3,\\)"):
        ddp.lu_unpack(LU, piv.float())
    with pytest.raises(RuntimeError, match="lu_unpack: pivots must lie in \\[1, 3\\]"):
        ddp.lu_unpack(LU, ddp.tensor([1, 2, 4], dtype=ddp.int32))
    with pytest.raises(RuntimeError, match="linalg.lu_factor: A must be .*floating"):
        ddp.linalg.lu_factor(ddp.ones(2, 2, dtype=ddp.int64))
