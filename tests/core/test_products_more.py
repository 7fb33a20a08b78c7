"""inner, vdot, dist, chain_matmul, addmv, addr, addbmm and the in-place addmv_ / addr_ / addbmm_ / addmm_ /
baddbmm_, vander, matrix_power, pinverse, renorm, nuclear_norm and frobenius_norm: values against numpy,
float64 gradient checks, dtypes, Tensor methods, error types and messages, and torch where installed."""
import warnings

import numpy as np
import pytest

import ddp
from op_helpers import against_torch, forward32, gradcheck, leaf, sample


# ----------------------------------------------------------------------------------- inner, vdot, dist
@pytest.mark.parametrize("sa, sb", [((3,), (3,)), ((2, 3), (4, 3)), ((2, 3), (3,)), ((), (2, 3)), ((2, 1, 3), (3,))],
                         ids=str)
def test_inner(sa, sb):
    a, b = sample(sa, seed=1), sample(sb, seed=2)
    np.testing.assert_allclose(ddp.inner(ddp.tensor(a), ddp.tensor(b)).numpy(), np.inner(a, b), rtol=1e-12)
    assert gradcheck(lambda x, y: ddp.inner(x, y), a, b)
    assert gradcheck(lambda x, y: x.inner(y), a, b)


def test_vdot_dist_and_errors():
    a, b = sample((5,), seed=3), sample((5,), seed=4)
    assert ddp.vdot(ddp.tensor(a), ddp.tensor(b)).item() == pytest.approx(np.vdot(a, b))
    assert ddp.tensor([1, 2]).vdot(ddp.tensor([3, 4])).item() == 11
    assert gradcheck(lambda x, y: ddp.vdot(x, y), a, b)
    for p in (2, 1, 3.5, -1, float("inf"), -float("inf")):
        want = np.linalg.norm(a - b, p) if p not in (-1,) else np.sum(np.abs(a - b) ** -1.0) ** -1.0
        assert ddp.dist(ddp.tensor(a), ddp.tensor(b), p).item() == pytest.approx(want, rel=1e-12)
        assert gradcheck(lambda x, y: ddp.dist(x, y, p), a, b)
    assert ddp.dist(ddp.tensor([1.0, 2.0]), ddp.tensor([1.0, 5.0]), 0).item() == 1.0
    m = sample((2, 5), seed=5)
    assert gradcheck(lambda x, y: x.dist(y), m, b)  # broadcast
    assert ddp.dist(ddp.tensor([1.0]), ddp.tensor([2.0]), p=ddp.tensor(1.0)).item() == 1.0
    forward32(lambda x, y: ddp.inner(x, y), lambda x, y: np.inner(x, y), sample((2, 3)), sample((4, 3)))
    with pytest.raises(RuntimeError, match="inner: the last dims must have the same size"):
        ddp.inner(ddp.ones(2, 3), ddp.ones(4))
    with pytest.raises(RuntimeError, match="inner: both inputs need the same dtype"):
        ddp.inner(ddp.ones(3), ddp.ones(3, dtype=ddp.float64))
    with pytest.raises(RuntimeError, match="vdot: expected two 1-D tensors"):
        ddp.vdot(ddp.ones(2, 2), ddp.ones(2, 2))
    with pytest.raises(RuntimeError, match="vdot: both inputs need the same dtype, got ddp.int64 and ddp.float32"):
        ddp.vdot(ddp.tensor([1, 2]), ddp.ones(2))
    with pytest.raises(TypeError, match="dist: other must be a Tensor, got float"):
        ddp.dist(ddp.ones(2), 3.0)
    with pytest.raises(RuntimeError, match="dist: shapes"):
        ddp.dist(ddp.ones(2, 3), ddp.ones(4))
    with pytest.raises(RuntimeError, match="dist: needs floating point inputs"):
        ddp.dist(ddp.tensor([1, 2]), ddp.tensor([3, 4]))


# --------------------------------------------------------------------------- addmv, addr, chain_matmul
def test_addmv_addr_addbmm():
    x, m, v = sample((3,), seed=6), sample((3, 4), seed=7), sample((4,), seed=8)
    np.testing.assert_allclose(ddp.addmv(ddp.tensor(x), ddp.tensor(m), ddp.tensor(v), beta=0.5, alpha=2).numpy(),
                               0.5 * x + 2 * m @ v, rtol=1e-12)
    assert gradcheck(lambda a, b, c: ddp.addmv(a, b, c, beta=0.5, alpha=-2), x, m, v)
    assert gradcheck(lambda a, b, c: a.addmv(b, c), x[:1], m, v)  # input broadcast
    assert ddp.addmv(ddp.tensor([np.nan, 1.0]), ddp.ones(2, 3), ddp.ones(3), beta=0).tolist() == [3.0, 3.0]
    u, w = sample((3,), seed=9), sample((5,), seed=10)
    c = sample((3, 5), seed=11)
    np.testing.assert_allclose(ddp.addr(ddp.tensor(c), ddp.tensor(u), ddp.tensor(w), beta=2, alpha=3).numpy(),
                               2 * c + 3 * np.outer(u, w), rtol=1e-12)
    assert gradcheck(lambda a, b, d: ddp.addr(a, b, d, alpha=0.5), c, u, w)
    assert gradcheck(lambda a, b, d: a.addr(b, d), c[:, :1], u, w)
    assert ddp.addr(ddp.zeros(2, 3, dtype=ddp.int64), ddp.tensor([1, 2]), ddp.tensor([1, 2, 3])).dtype == ddp.int64
    b1, b2 = sample((4, 3, 2), seed=12), sample((4, 2, 5), seed=13)
    assert gradcheck(lambda a, p, q: a.addbmm(p, q, beta=0.5, alpha=2), c, b1, b2)
    with pytest.raises(RuntimeError, match="addmv: input of shape \\(4,\\) does not broadcast"):
        ddp.addmv(ddp.ones(4), ddp.ones(3, 4), ddp.ones(4))
    with pytest.raises(RuntimeError, match="addmv: mat \\(3, 4\\) and vec \\(3,\\) cannot be multiplied"):
        ddp.addmv(ddp.ones(3), ddp.ones(3, 4), ddp.ones(3))
    with pytest.raises(RuntimeError, match="addmv: expected a 2-D mat and a 1-D vec"):
        ddp.addmv(ddp.ones(3), ddp.ones(3, 4, 1), ddp.ones(4))
    with pytest.raises(RuntimeError, match="addmv: input, mat and vec need one dtype"):
        ddp.addmv(ddp.ones(3), ddp.ones(3, 4), ddp.ones(4, dtype=ddp.float64))
    with pytest.raises(RuntimeError, match="addr: expected two 1-D vectors"):
        ddp.addr(ddp.ones(2, 3), ddp.ones(2, 1), ddp.ones(3))
    with pytest.raises(RuntimeError, match="addr: input of shape \\(2, 4\\) does not broadcast"):
        ddp.addr(ddp.ones(2, 4), ddp.ones(2), ddp.ones(3))


def test_inplace_forms():
    m, v = ddp.tensor(sample((3, 4), seed=14)), ddp.tensor(sample((4,), seed=15))
    x = ddp.tensor(sample((3,), seed=16))
    want = ddp.addmv(x, m, v, beta=2, alpha=0.5)
    y = x.clone()
    assert y.addmv_(m, v, beta=2, alpha=0.5) is y and np.allclose(y.numpy(), want.numpy())
    c, u, w = ddp.tensor(sample((3, 4), seed=17)), ddp.tensor(sample((3,))), ddp.tensor(sample((4,)))
    assert np.allclose(c.clone().addr_(u, w, alpha=3).numpy(), ddp.addr(c, u, w, alpha=3).numpy())
    b1, b2 = ddp.tensor(sample((2, 3, 5))), ddp.tensor(sample((2, 5, 4)))
    assert np.allclose(c.clone().addbmm_(b1, b2, beta=0).numpy(), ddp.addbmm(c, b1, b2, beta=0).numpy())
    assert np.allclose(c.clone().addmm_(m, ddp.eye(4, dtype=m.dtype), alpha=2).numpy(), (c + 2 * m).numpy())
    batch = ddp.tensor(sample((2, 3, 4)))
    assert np.allclose(batch.clone().baddbmm_(b1, b2, beta=0.5).numpy(), ddp.baddbmm(batch, b1, b2, beta=0.5).numpy())
    # in-place on a non-leaf keeps the graph
    base = leaf(sample((3,), seed=18))
    mat = leaf(sample((3, 4), seed=19))
    out = base * 1.0
    out.addmv_(mat, v)
    out.sum().backward()
    np.testing.assert_allclose(base.grad.numpy(), np.ones(3))
    np.testing.assert_allclose(mat.grad.numpy(), np.broadcast_to(v.numpy(), (3, 4)))


def test_chain_matmul():
    a, b, c = sample((2, 3), seed=20), sample((3, 4), seed=21), sample((4, 1), seed=22)
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        out = ddp.chain_matmul(ddp.tensor(a), ddp.tensor(b), ddp.tensor(c))
    np.testing.assert_allclose(out.numpy(), a @ b @ c, rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(lambda x, y, z: ddp.chain_matmul(x, y, z), a, b, c)
        single = ddp.tensor(a)
        copy = ddp.chain_matmul(single)
        assert copy is not single and np.array_equal(copy.numpy(), a)
        with pytest.raises(RuntimeError, match="chain_matmul: expected one or more matrices"):
            ddp.chain_matmul()
        with pytest.raises(RuntimeError, match="chain_matmul: argument 1 must be a 2-D matrix"):
            ddp.chain_matmul(ddp.ones(2, 3), ddp.ones(3))
        with pytest.raises(TypeError, match="chain_matmul: argument 0 must be a Tensor, got list"):
            ddp.chain_matmul([ddp.ones(2, 2)])
        with pytest.raises(RuntimeError, match="does not chain"):
            ddp.chain_matmul(ddp.ones(2, 3), ddp.ones(4, 1))


# ----------------------------------------------------------------------------------- vander and powers
def test_vander():
    x = sample((4,), seed=23)
    for n in (None, 0, 1, 2, 5):
        for increasing in (False, True):
            out = ddp.vander(ddp.tensor(x), N=n, increasing=increasing)
            np.testing.assert_allclose(out.numpy(), np.vander(x, n, increasing), rtol=1e-12)
    assert gradcheck(lambda t: ddp.vander(t, 4), x)
    assert gradcheck(lambda t: ddp.vander(t, 3, increasing=True), np.array([0.0, 1.5, -2.0]))  # through a zero
    assert ddp.vander(ddp.tensor([1, 2, 3])).tolist() == [[1, 1, 1], [4, 2, 1], [9, 3, 1]]
    assert ddp.vander(ddp.tensor([True, False])).dtype == ddp.int64
    assert ddp.vander(ddp.tensor([1, 2], dtype=ddp.int32)).dtype == ddp.int64
    assert ddp.vander(ddp.tensor([])).shape == (0, 0)
    forward32(lambda t: ddp.vander(t), lambda a: np.vander(a), sample((3,)))
    with pytest.raises(RuntimeError, match="vander: x must be 1-D"):
        ddp.vander(ddp.tensor(2.0))
    with pytest.raises(RuntimeError, match="vander: N must be >= 0, got -1"):
        ddp.vander(ddp.ones(3), N=-1)


def test_matrix_power_and_pinverse():
    a = sample((2, 3, 3), seed=24) / 2 + np.eye(3)
    for n in (-2, 0, 1, 3):
        np.testing.assert_allclose(ddp.matrix_power(ddp.tensor(a), n).numpy(), np.linalg.matrix_power(a, n), rtol=1e-10)
        assert gradcheck(lambda t: t.matrix_power(n), a)
    ints = np.random.default_rng(25).integers(-3, 4, (2, 3, 3))
    out = ddp.matrix_power(ddp.tensor(ints), 7)
    assert out.dtype == ddp.int64 and np.array_equal(out.numpy(), np.linalg.matrix_power(ints, 7))
    assert ddp.matrix_power(ddp.tensor([[1, 1], [0, 1]]), 0).tolist() == [[1, 0], [0, 1]]
    with pytest.raises(RuntimeError, match="matrix_power: a negative power inverts, which needs a floating A"):
        ddp.matrix_power(ddp.tensor([[1, 1], [0, 1]]), -1)
    with pytest.raises(RuntimeError, match="matrix_power: A must be a \\(batch of\\) square matrices"):
        ddp.matrix_power(ddp.ones(2, 3, dtype=ddp.int64), 2)
    with pytest.raises(TypeError, match="matrix_power: n must be an int"):
        ddp.matrix_power(ddp.ones(2, 2, dtype=ddp.int64), 2.0)
    m = sample((2, 4, 3), seed=26)
    np.testing.assert_allclose(ddp.pinverse(ddp.tensor(m)).numpy(), np.linalg.pinv(m), rtol=1e-10, atol=1e-12)
    small = ddp.tensor([[2.0, 0.0], [0.0, 1e-3]])
    assert small.pinverse(0.01).tolist() == [[0.5, 0.0], [0.0, 0.0]]
    assert ddp.pinverse(small).numpy()[1, 1] == pytest.approx(1e3)


# ---------------------------------------------------------------------------------------------- norms
def test_renorm():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.1, 0.1, 0.1]])
    for p, dim, maxnorm in ((2, 0, 5.0), (1, 1, 5.0), (float("inf"), 0, 5.0), (3, -1, 2.0)):
        other = tuple(i for i in range(x.ndim) if i != dim % x.ndim)
        norms = np.sum(np.abs(x) ** p, axis=other, keepdims=True) ** (1 / p) if p != float("inf") else \
            np.max(np.abs(x), axis=other, keepdims=True)
        want = x * np.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
        np.testing.assert_allclose(ddp.renorm(ddp.tensor(x), p, dim, maxnorm).numpy(), want, rtol=1e-12)
        assert gradcheck(lambda t: ddp.renorm(t, p, dim, maxnorm), x)
    assert gradcheck(lambda t: t.renorm(2, 1, 1.0), sample((2, 3, 4), seed=27))
    y = ddp.tensor(x)
    assert y.renorm_(2, 0, 5.0) is y and np.allclose(y.numpy(), ddp.renorm(ddp.tensor(x), 2, 0, 5.0).numpy())
    forward32(lambda t: ddp.renorm(t, 2, 0, 1.0), lambda a: ddp.renorm(ddp.tensor(a), 2, 0, 1.0).numpy(), x)
    with pytest.raises(RuntimeError, match="renorm: p must be > 0, got 0"):
        ddp.renorm(ddp.tensor(x), 0, 0, 5.0)
    with pytest.raises(RuntimeError, match="renorm: maxnorm must be >= 0, got -5"):
        ddp.renorm(ddp.tensor(x), 2, 0, -5)
    with pytest.raises(RuntimeError, match="renorm: needs an input of at least 2 dims"):
        ddp.renorm(ddp.ones(3), 2, 0, 1.0)
    with pytest.raises(RuntimeError, match="renorm: needs a floating point input"):
        ddp.renorm(ddp.tensor([[1, 2]]), 2, 0, 1.0)
    with pytest.raises(IndexError, match="renorm"):
        ddp.renorm(ddp.tensor(x), 2, 2, 1.0)


def test_nuclear_and_frobenius_norms():
    x = sample((2, 3, 4), seed=28)
    np.testing.assert_allclose(ddp.nuclear_norm(ddp.tensor(x)).numpy(), np.linalg.norm(x, "nuc", axis=(1, 2)))
    kept = ddp.nuclear_norm(ddp.tensor(x), dim=(0, 2), keepdim=True)
    assert kept.shape == (1, 3, 1)
    np.testing.assert_allclose(kept.numpy().ravel(), np.linalg.norm(x, "nuc", axis=(0, 2)))
    assert ddp.nuclear_norm(ddp.tensor(x[0]), True).shape == (1, 1)  # True as keepdim
    assert gradcheck(lambda t: ddp.nuclear_norm(t, dim=(2, 0)), x)
    np.testing.assert_allclose(ddp.frobenius_norm(ddp.tensor(x), dim=(0, 2)).numpy(),
                               np.sqrt((x ** 2).sum(axis=(0, 2))), rtol=1e-12)
    assert ddp.frobenius_norm(ddp.tensor(x), dim=1, keepdim=True).shape == (2, 1, 4)
    assert ddp.frobenius_norm(ddp.tensor(x), dim=[]).item() == pytest.approx(np.sqrt((x ** 2).sum()))
    assert gradcheck(lambda t: ddp.frobenius_norm(t, (0, 1)), x)
    with pytest.raises(RuntimeError, match="nuclear_norm: dim must be a pair of dims"):
        ddp.nuclear_norm(ddp.tensor(x), dim=(0,))
    with pytest.raises(RuntimeError, match="nuclear_norm: needs an input of at least 2 dims"):
        ddp.nuclear_norm(ddp.ones(3))
    with pytest.raises(RuntimeError, match="nuclear_norm: needs a floating point input"):
        ddp.nuclear_norm(ddp.tensor([[1, 2]]))
    with pytest.raises(RuntimeError, match="frobenius_norm: takes at most 2 dims"):
        ddp.frobenius_norm(ddp.tensor(x), dim=(0, 1, 2))
    with pytest.raises(RuntimeError, match="frobenius_norm: dim names a dim twice"):
        ddp.frobenius_norm(ddp.tensor(x), dim=(0, -3))


# ---------------------------------------------------------------------------------------------- torch
def test_against_torch():
    torch = pytest.importorskip("torch")
    a, b = sample((2, 3), seed=30), sample((4, 3), seed=31)
    against_torch(ddp.inner, torch.inner, a, b)
    against_torch(ddp.vdot, torch.vdot, a[0], b[0])
    for p in (2, 1, 0.5, float("inf")):
        against_torch(lambda x, y: ddp.dist(x, y, p), lambda x, y: torch.dist(x, y, p), a, b[:1])
    x, m, v = sample((3,), seed=32), sample((3, 4), seed=33), sample((4,), seed=34)
    against_torch(lambda *t: ddp.addmv(*t, beta=0.5, alpha=2), lambda *t: torch.addmv(*t, beta=0.5, alpha=2), x, m, v)
    c, u, w = sample((3, 4), seed=35), sample((3,), seed=36), sample((4,), seed=37)
    against_torch(lambda *t: ddp.addr(*t, beta=2, alpha=-1), lambda *t: torch.addr(*t, beta=2, alpha=-1), c, u, w)
    b1, b2 = sample((2, 3, 5), seed=38), sample((2, 5, 4), seed=39)
    against_torch(lambda *t: t[0].addbmm(t[1], t[2], alpha=3), lambda *t: t[0].addbmm(t[1], t[2], alpha=3), c, b1, b2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        against_torch(ddp.chain_matmul, torch.chain_matmul, a, a.T, a)
    for n, increasing in ((None, False), (2, True), (5, False)):
        data = sample((4,), seed=40)
        np.testing.assert_allclose(ddp.vander(ddp.tensor(data), n, increasing).numpy(),
                                   torch.vander(torch.tensor(data), n, increasing).numpy(), rtol=1e-12)
    sq = sample((2, 3, 3), seed=41) / 2 + np.eye(3)
    for n in (-1, 0, 2, 5):
        against_torch(lambda t: ddp.matrix_power(t, n), lambda t: torch.matrix_power(t, n), sq)
    ints = np.array([[1, 2], [3, 4]])
    np.testing.assert_array_equal(ddp.matrix_power(ddp.tensor(ints), 6).numpy(),
                                  torch.matrix_power(torch.tensor(ints), 6).numpy())
    tall = sample((5, 3), seed=42)
    np.testing.assert_allclose(ddp.pinverse(ddp.tensor(tall)).numpy(), torch.pinverse(torch.tensor(tall)).numpy(),
                               rtol=1e-10, atol=1e-12)
    r = sample((3, 4), seed=43) * 2
    for p, dim, maxnorm in ((2, 0, 1.0), (1, 1, 2.0), (3, -1, 1.5)):
        against_torch(lambda t: ddp.renorm(t, p, dim, maxnorm), lambda t: torch.renorm(t, p, dim, maxnorm), r)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        against_torch(ddp.nuclear_norm, torch.nuclear_norm, sample((2, 3, 4), seed=44))
        against_torch(lambda t: ddp.nuclear_norm(t, (0, 2), True), lambda t: torch.nuclear_norm(t, (0, 2), True),
                      sample((2, 3, 4), seed=45))
        against_torch(lambda t: ddp.frobenius_norm(t, (0, 1)), lambda t: torch.frobenius_norm(t, (0, 1)),
                      sample((2, 3, 4), seed=46))


def test_mixed_float_dtypes_raise_instead_of_upcasting():
    """As PyTorch: a float64 input to float32 weights is an error, not a silent float64 product."""
    w32, x64 = ddp.ones(2, 3), ddp.ones(4, 3, dtype=ddp.float64)
    with pytest.raises(RuntimeError, match="same dtype"):
        ddp.nn.functional.linear(x64, w32)
    with pytest.raises(RuntimeError, match="same dtype"):
        ddp.matmul(x64, w32.t())
    with pytest.raises(RuntimeError, match="same dtype"):
        ddp.nn.Linear(3, 2)(x64)
    assert ddp.nn.Linear(3, 2)(x64.float()).dtype == ddp.float32
