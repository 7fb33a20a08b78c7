"""svd_lowrank and pca_lowrank (randomized, so checked by what they must recover: the SVD of low-rank
matrices, against numpy / torch.linalg.svd, not the random draws) and the Householder trio geqrf, orgqr and
ormqr against torch; float64 gradient checks with the generator seeded inside the function."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, leaf


def low_rank(shape, rank, seed=0):
    rng = np.random.default_rng(seed)
    *batch, m, n = shape
    return rng.standard_normal((*batch, m, rank)) @ rng.standard_normal((*batch, rank, n))


def _reconstruct(U, S, V):
    return (U * S.unsqueeze(-2)) @ V.mT


@pytest.mark.parametrize("shape,rank,q", [((20, 10), 3, 4), ((10, 20), 3, 3), ((2, 8, 6), 2, 6), ((7, 5), 5, 6)],
                         ids=str)
def test_svd_lowrank_recovers_low_rank_matrices(shape, rank, q):
    a = low_rank(shape, rank)
    U, S, V = ddp.svd_lowrank(ddp.tensor(a), q=q)
    k = min(q, *shape[-2:])
    assert U.shape == (*shape[:-1], k) and S.shape == (*shape[:-2], k) and V.shape == (*shape[:-2], shape[-1], k)
    np.testing.assert_allclose(_reconstruct(U, S, V).numpy(), a, atol=1e-10)
    np.testing.assert_allclose(S.numpy()[..., :rank], np.linalg.svd(a, compute_uv=False)[..., :rank], rtol=1e-10)
    np.testing.assert_allclose((U.mT @ U).numpy(), np.broadcast_to(np.eye(k), U.shape[:-2] + (k, k)), atol=1e-10)


@pytest.mark.parametrize("shape,q", [((20, 10), 4), ((10, 20), 3), ((5, 3), None), ((5, 8), None), ((3, 2), 6)],
                         ids=str)
def test_svd_lowrank_shapes_and_singular_values_match_torch(shape, q):
    torch = pytest.importorskip("torch")
    a = low_rank(shape, 2)
    ours = ddp.svd_lowrank(ddp.tensor(a), q=q)
    theirs = torch.svd_lowrank(torch.tensor(a), q=q)
    assert [tuple(x.shape) for x in ours] == [tuple(x.shape) for x in theirs]
    np.testing.assert_allclose(ours[1].numpy()[:2], torch.linalg.svdvals(torch.tensor(a)).numpy()[:2], rtol=1e-10)


def test_svd_lowrank_with_M_factors_A_minus_M():
    a = low_rank((12, 8), 3)
    M = np.random.default_rng(3).standard_normal((1, 8))  # broadcast over the rows
    U, S, V = ddp.svd_lowrank(ddp.tensor(a + M), q=3, M=ddp.tensor(M))
    np.testing.assert_allclose(_reconstruct(U, S, V).numpy(), a, atol=1e-10)
    U, S, V = ddp.svd_lowrank(ddp.tensor(a + M).mT, q=3, M=ddp.tensor(M).mT)  # the wide side too
    np.testing.assert_allclose(_reconstruct(U, S, V).numpy(), a.T, atol=1e-10)


def test_svd_lowrank_approximates_with_power_iterations():
    rng = np.random.default_rng(5)
    u, _ = np.linalg.qr(rng.standard_normal((40, 10)))
    v, _ = np.linalg.qr(rng.standard_normal((30, 10)))
    s = 2.0 ** -np.arange(10)
    a = (u * s) @ v.T
    S = ddp.svd_lowrank(ddp.tensor(a), q=6, niter=4)[1].numpy()
    np.testing.assert_allclose(S[:3], s[:3], rtol=1e-6)


def test_svd_lowrank_float32_and_errors():
    U, S, V = ddp.svd_lowrank(ddp.tensor(low_rank((6, 4), 2), dtype=ddp.float32), q=2)
    assert U.dtype == S.dtype == V.dtype == ddp.float32
    with pytest.raises(RuntimeError, match="floating matrices"):
        ddp.svd_lowrank(ddp.ones(3))
    with pytest.raises(RuntimeError, match="floating matrices"):
        ddp.svd_lowrank(ddp.ones(3, 2, dtype=ddp.int64))
    with pytest.raises(ValueError, match="niter"):
        ddp.svd_lowrank(ddp.ones(3, 2), niter=-1)


def _seeded(fn):
    def run(*args):
        ddp.manual_seed(0)
        return fn(*args)
    return run


def test_svd_lowrank_gradcheck():
    a = np.random.default_rng(2).standard_normal((6, 4))

    def outputs(A):
        U, S, V = ddp.svd_lowrank(A, q=3, niter=1)
        return S, _reconstruct(U, S, V), U @ U.mT  # sign-free functions of the factors

    assert gradcheck(_seeded(outputs), a)
    assert gradcheck(_seeded(lambda A: ddp.svd_lowrank(A, q=2, M=A[:1] * 0.5)[1]), a.T)


def test_pca_lowrank_against_torch():
    torch = pytest.importorskip("torch")
    a = low_rank((30, 5), 3) + 4.0  # an offset that centering removes
    U, S, V = ddp.pca_lowrank(ddp.tensor(a), q=3)
    Ut, St, Vt = torch.pca_lowrank(torch.tensor(a), q=3)
    np.testing.assert_allclose(S.numpy(), St.numpy(), rtol=1e-10)
    np.testing.assert_allclose((V @ V.mT).numpy(), (Vt @ Vt.mT).numpy(), atol=1e-10)  # the same subspace
    centered = a - a.mean(0)
    np.testing.assert_allclose(_reconstruct(U, S, V).numpy(), centered, atol=1e-10)
    assert [tuple(x.shape) for x in ddp.pca_lowrank(ddp.tensor(a))] == \
        [tuple(x.shape) for x in torch.pca_lowrank(torch.tensor(a))]
    assert ddp.pca_lowrank(ddp.tensor(a), q=3, center=False)[1].numpy()[0] > S.numpy()[0]
    assert gradcheck(_seeded(lambda A: ddp.pca_lowrank(A, q=2)[1]), a[:8])


@pytest.mark.parametrize("kwargs,match", [({"q": 6}, "q\\(=6\\)"), ({"q": -1}, "q\\(=-1\\)"),
                                          ({"niter": -1}, "niter")], ids=str)
def test_pca_lowrank_errors_like_torch(kwargs, match):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        torch.pca_lowrank(torch.randn(4, 5), **kwargs)
    with pytest.raises(ValueError, match=match):
        ddp.pca_lowrank(ddp.randn(4, 5), **kwargs)


# --------------------------------------------------------------------------------- geqrf, orgqr, ormqr
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 4, 3)], ids=str)
def test_geqrf_and_orgqr_match_torch(shape):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(4).standard_normal(shape)
    packed, tau = ddp.geqrf(ddp.tensor(a))
    tp, tt = torch.geqrf(torch.tensor(a))
    np.testing.assert_allclose(packed.numpy(), tp.numpy(), atol=1e-12)
    np.testing.assert_allclose(tau.numpy(), tt.numpy(), atol=1e-12)
    if shape[-2] >= shape[-1]:
        Q = ddp.orgqr(packed, tau)
        np.testing.assert_allclose(Q.numpy(), torch.orgqr(tp, tt).numpy(), atol=1e-12)
        np.testing.assert_allclose((Q @ packed.triu()[..., :shape[-1], :]).numpy(), a, atol=1e-12)
    assert ddp.tensor(a).geqrf().a.shape == shape


def test_geqrf_keeps_float32_and_has_no_derivative():
    a, tau = ddp.geqrf(leaf(np.eye(3, 2), np.float32))
    assert a.dtype == tau.dtype == ddp.float32 and a.requires_grad
    with pytest.raises(NotImplementedError, match="geqrf"):
        a.sum().backward()
    with pytest.raises(RuntimeError, match="floating matrices"):
        ddp.geqrf(ddp.ones(3))


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("shape", [(5, 3), (3, 4), (2, 4, 4)], ids=str)
def test_ormqr_matches_torch(shape, left, transpose):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    a = rng.standard_normal(shape)
    mn = shape[-2]
    c = rng.standard_normal((*shape[:-2], mn, 2) if left else (*shape[:-2], 2, mn))
    packed, tau = ddp.geqrf(ddp.tensor(a))
    tp, tt = torch.geqrf(torch.tensor(a))
    ours = ddp.ormqr(packed, tau, ddp.tensor(c), left, transpose)
    theirs = torch.ormqr(tp, tt, torch.tensor(c), left, transpose)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-12)
    np.testing.assert_allclose(packed.ormqr(tau, ddp.tensor(c), left=left, transpose=transpose).numpy(),
                               ours.numpy())


def test_ormqr_gradcheck():
    rng = np.random.default_rng(8)
    a, tau, c, d = rng.standard_normal((4, 3)), rng.uniform(0.5, 1.5, 3), rng.standard_normal((4, 2)), \
        rng.standard_normal((2, 4))
    assert gradcheck(lambda A, t, C: ddp.ormqr(A, t, C), a, tau, c)
    assert gradcheck(lambda A, t, D: ddp.ormqr(A, t, D, left=False, transpose=True), a, tau, d)
    assert gradcheck(lambda A, t: ddp.orgqr(A, t), a, tau)


@pytest.mark.parametrize("shapes,left,match", [
    (((4, 3), (3,), (5, 2)), True, "other.shape\\[-2\\] must be equal to input.shape\\[-2\\]"),
    (((4, 3), (2,), (4, 2)), True, "tau.shape\\[-1\\] must be equal"),
    (((4, 3), (3,), (4, 2)), False, "other.shape\\[-1\\] must be equal"),
    (((2, 4, 3), (2, 3), (4, 2)), True, "same number of dimensions"),
    (((2, 4, 3), (1, 3), (2, 4, 2)), True, "batch dimensions of tau"),
], ids=str)
def test_ormqr_errors_like_torch(shapes, left, match):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.ormqr(*(torch.randn(s) for s in shapes), left=left)
    with pytest.raises(RuntimeError, match=match):
        ddp.ormqr(*(ddp.randn(s) for s in shapes), left=left)
