"""cov, corrcoef and mode: values against numpy, float64 gradient checks (cov in input and aweights,
corrcoef, mode's values), dtypes, Tensor methods, error types and messages, and torch where installed."""
import warnings

import numpy as np
import pytest

import ddp
from op_helpers import against_torch, forward32, gradcheck, leaf, sample


# ------------------------------------------------------------------------------------------------- cov
@pytest.mark.parametrize("shape", [(3, 5), (1, 4), (6,), (2, 3)], ids=str)
@pytest.mark.parametrize("correction", [0, 1, 2])
def test_cov_matches_numpy(shape, correction):
    x = sample(shape)
    out = ddp.cov(ddp.tensor(x), correction=correction)
    np.testing.assert_allclose(out.numpy(), np.cov(x, ddof=correction), rtol=1e-12)
    assert gradcheck(lambda t: ddp.cov(t, correction=correction), x)


def test_cov_weights_match_numpy():
    x = sample((3, 6), seed=1)
    f = np.array([1, 2, 0, 3, 1, 1])
    a = np.random.default_rng(2).uniform(0.5, 2.0, 6)
    for correction in (0, 1, 2):
        for fw, aw in ((f, None), (None, a), (f, a)):
            out = ddp.cov(ddp.tensor(x), correction=correction, fweights=None if fw is None else ddp.tensor(fw),
                          aweights=None if aw is None else ddp.tensor(aw))
            np.testing.assert_allclose(out.numpy(), np.cov(x, ddof=correction, fweights=fw, aweights=aw), rtol=1e-12)
    # differentiable in the input and in the reliability weights
    assert gradcheck(lambda t, w: ddp.cov(t, fweights=ddp.tensor(f), aweights=w), x, a)
    assert gradcheck(lambda t, w: ddp.cov(t, aweights=w, correction=0), x, a)


def test_cov_dtypes_shapes_and_method():
    x32 = sample((3, 5)).astype(np.float32)
    forward32(lambda t: ddp.cov(t), lambda a: np.cov(a).astype(np.float32), x32)
    assert ddp.cov(ddp.tensor([[1, 2, 4], [0, 1, 5]])).dtype == ddp.float32  # integers: the default dtype
    w64 = ddp.tensor(np.ones(5))
    assert ddp.cov(ddp.tensor(x32), aweights=w64).dtype == ddp.float64  # promotes with the weights
    assert ddp.cov(ddp.tensor([1.0, 2.0, 4.0])).shape == ()  # one variable: 0-d
    assert ddp.cov(ddp.zeros(0, 3)).shape == (0, 0)
    t = ddp.tensor(x32)
    np.testing.assert_allclose(t.cov(correction=0).numpy(), ddp.cov(t, correction=0).numpy())


def test_cov_without_degrees_of_freedom_warns():
    for x, kwargs in ((ddp.zeros(3, 1), {}), (ddp.tensor(3.0), {}), (ddp.ones(2, 4), {"correction": 4}),
                      (ddp.zeros(3, 0), {})):
        with pytest.warns(UserWarning, match="cov\\(\\): the degrees of freedom"):
            out = ddp.cov(x, **kwargs)
        assert not np.isfinite(out.numpy()).any()


def test_cov_errors():
    x = ddp.ones(2, 3)
    with pytest.raises(RuntimeError, match="cov\\(\\): expected a tensor of at most 2 dims"):
        ddp.cov(ddp.ones(2, 3, 4))
    with pytest.raises(RuntimeError, match="cov\\(\\): bool tensors"):
        ddp.cov(ddp.tensor([[True, False]]))
    with pytest.raises(TypeError, match="cov\\(\\): correction must be an int"):
        ddp.cov(x, correction=0.5)
    with pytest.raises(RuntimeError, match="cov\\(\\): fweights must have an integer dtype"):
        ddp.cov(x, fweights=ddp.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="cov\\(\\): aweights must have a floating point dtype"):
        ddp.cov(x, aweights=ddp.tensor([1, 2, 3]))
    with pytest.raises(RuntimeError, match="needs one weight per observation \\(3\\), got 2"):
        ddp.cov(x, fweights=ddp.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="fweights must have at most 1 dim"):
        ddp.cov(x, fweights=ddp.tensor([[1, 2, 3]]))
    with pytest.raises(RuntimeError, match="aweights must not be negative"):
        ddp.cov(x, aweights=ddp.tensor([1.0, -2.0, 3.0]))
    with pytest.raises(RuntimeError, match="the weights sum to zero"):
        ddp.cov(x, aweights=ddp.zeros(3))
    with pytest.raises(TypeError, match="cov\\(\\): fweights must be a Tensor"):
        ddp.cov(x, fweights=[1, 2, 3])


# ------------------------------------------------------------------------------------------- corrcoef
@pytest.mark.parametrize("shape", [(3, 5), (2, 8), (4,)], ids=str)
def test_corrcoef_matches_numpy(shape):
    x = sample(shape, seed=3)
    out = ddp.corrcoef(ddp.tensor(x))
    np.testing.assert_allclose(out.numpy(), np.corrcoef(x), rtol=1e-12)
    weight = ddp.tensor(sample(out.shape, seed=4))
    assert gradcheck(lambda t: ddp.corrcoef(t) * weight, x)
    assert gradcheck(lambda t: t.corrcoef() * weight, x)


def test_corrcoef_edges():
    out = ddp.corrcoef(ddp.tensor([[1.0, 2.0, 4.0], [1.0, 1.0, 1.0]]))  # a constant variable: nan
    assert out[0, 0].item() == 1.0 and np.isnan(out.numpy()[1]).all()
    exact = ddp.corrcoef(ddp.tensor([[1.0, 2.0, 4.0], [-1.0, -2.0, -4.0]]))
    assert exact.numpy().min() >= -1.0 and exact.numpy().max() <= 1.0  # clipped
    assert ddp.corrcoef(ddp.tensor([[1, 2, 4], [3, 1, 1]])).dtype == ddp.float32
    forward32(lambda t: ddp.corrcoef(t), lambda a: np.corrcoef(a).astype(np.float32), sample((3, 6)))
    with pytest.raises(RuntimeError, match="corrcoef\\(\\): expected a tensor of at most 2 dims"):
        ddp.corrcoef(ddp.ones(2, 3, 4))


# ----------------------------------------------------------------------------------------------- mode
def _numpy_mode(a):
    """The smallest most frequent value of a 1-D array and the index of its last occurrence."""
    values, counts = np.unique(a, return_counts=True)
    best = values[np.argmax(counts)]
    return best, np.nonzero(a == best)[0][-1]


def test_mode_values_and_indices():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, (5, 30))
    for dim in (0, 1, -1):
        out = ddp.mode(ddp.tensor(a), dim)
        rows = np.moveaxis(a, dim, -1)
        expected = [_numpy_mode(r) for r in rows]
        assert out.values.tolist() == [v for v, _ in expected]
        assert out.indices.tolist() == [i for _, i in expected]
        assert out.values.dtype == ddp.int64 and out.indices.dtype == ddp.int64
    kept = ddp.mode(ddp.tensor(a), 1, keepdim=True)
    assert kept.values.shape == (5, 1) and kept.indices.shape == (5, 1)
    assert ddp.tensor(a).mode(0).values.shape == (30,)


def test_mode_ties_edges_and_dtypes():
    first = ddp.mode(ddp.tensor([3.0, 1.0, 2.0, 1.0, 3.0, 5.0]))  # 1 and 3 both twice: the smaller
    assert (first.values.item(), first.indices.item()) == (1.0, 3)
    assert ddp.mode(ddp.tensor([1, 2, 3, 4])).indices.item() == 0  # all once: the smallest
    assert ddp.mode(ddp.tensor([True, False, True])).values.item() is True
    zero = ddp.mode(ddp.tensor([-0.0, 0.0, 1.0]))
    assert zero.indices.item() == 1
    scalar = ddp.mode(ddp.tensor(5.0))
    assert scalar.values.item() == 5.0 and scalar.indices.item() == 0 and scalar.indices.shape == ()
    empty = ddp.mode(ddp.zeros(2, 0), 0)
    assert empty.values.shape == (0,) and empty.indices.dtype == ddp.int64
    assert ddp.mode(ddp.zeros(3, dtype=ddp.float32)).values.dtype == ddp.float32
    with pytest.raises(IndexError, match="mode\\(\\): dim 1 of the input \\(2, 0\\) has size 0"):
        ddp.mode(ddp.zeros(2, 0), 1)
    with pytest.raises(IndexError, match="mode"):
        ddp.mode(ddp.zeros(2, 3), 2)


def test_mode_gradient_reaches_the_chosen_element():
    x = leaf([[3.0, 1.0, 2.0, 1.0], [4.0, 4.0, 0.0, 2.0]])
    out = ddp.mode(x, 1)
    (out.values * ddp.tensor([2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0, 2.0], [0.0, 3.0, 0.0, 0.0]]


# ---------------------------------------------------------------------------------------------- torch
def test_against_torch():
    torch = pytest.importorskip("torch")
    x = sample((3, 7), seed=5)
    f = np.array([1, 2, 3, 1, 1, 2, 1])
    a = np.random.default_rng(6).uniform(0.5, 2.0, 7)
    for correction in (0, 1, 3):
        against_torch(lambda t, w: ddp.cov(t, correction=correction, fweights=ddp.tensor(f), aweights=w),
                      lambda t, w: torch.cov(t, correction=correction, fweights=torch.tensor(f), aweights=w), x, a)
    against_torch(ddp.cov, torch.cov, x)
    against_torch(ddp.corrcoef, torch.corrcoef, x)
    against_torch(ddp.corrcoef, torch.corrcoef, x[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for data in (np.zeros((3, 0)), np.zeros((0, 3)), np.zeros((3, 1)), np.float64(3.0)):
            np.testing.assert_array_equal(ddp.cov(ddp.tensor(data)).numpy(), torch.cov(torch.tensor(data)).numpy())
    ints = np.random.default_rng(7).integers(0, 5, (4, 3, 9))
    for data in (ints, ints.astype(np.float32), ints > 2):
        for dim in (0, 1, 2):  # dims of at most 16, where torch's sort keeps equal values in order
            got, want = ddp.mode(ddp.tensor(data), dim), torch.mode(torch.tensor(data), dim)
            np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
            np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
            assert got.values.dtype.name == str(want.values.dtype).split(".")[-1]
    xt = torch.tensor([[3.0, 1.0, 2.0, 1.0]], requires_grad=True)
    torch.mode(xt, 1).values.sum().backward()
    xd = leaf([[3.0, 1.0, 2.0, 1.0]])
    ddp.mode(xd, 1).values.sum().backward()
    np.testing.assert_array_equal(xd.grad.numpy(), xt.grad.numpy())
