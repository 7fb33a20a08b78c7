"""logaddexp, logaddexp2, logcumsumexp, cummax and cummin: values against numpy, stability at large inputs,
float64 gradient checks, tie and NaN rules, dtypes, errors, and torch where installed."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, leaf, sample

INF, NAN = float("inf"), float("nan")
PAIRS = [((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 1), (1, 4)), ((4,), (4,))]


# ------------------------------------------------------------------------------------------ logaddexp
@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2"])
@pytest.mark.parametrize("shapes", PAIRS, ids=str)
def test_logaddexp_values_and_gradient(name, shapes):
    a, b = sample(shapes[0], seed=1), sample(shapes[1], seed=2)
    out = getattr(ddp, name)(ddp.tensor(a), ddp.tensor(b))
    expected = getattr(np, name)(a, b)
    assert out.shape == expected.shape and out.dtype == np.float64
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-14)
    assert gradcheck(getattr(ddp, name), a, b)
    assert gradcheck(lambda t: getattr(ddp.tensor(b), name)(t), a)  # the method form


def test_logaddexp_is_stable():
    big = ddp.tensor([1000.0, -1000.0, 1000.0])
    np.testing.assert_allclose(ddp.logaddexp(big, ddp.tensor([1000.0, -1000.0, 0.0])).numpy(),
                               [1000 + np.log(2), -1000 + np.log(2), 1000.0], rtol=1e-6)
    np.testing.assert_allclose(ddp.logaddexp2(big, big).numpy(), [1001.0, -999.0, 1001.0], rtol=1e-6)
    ends = ddp.logaddexp(ddp.tensor([INF, -INF, INF, -INF]), ddp.tensor([INF, -INF, -INF, 1.0]))
    assert ends.tolist() == [INF, -INF, INF, 1.0]
    x = leaf([1000.0, -1000.0])
    y = leaf([1000.0, -990.0])
    ddp.logaddexp(x, y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy() + y.grad.numpy(), [1.0, 1.0])
    np.testing.assert_allclose(x.grad.numpy(), [0.5, 1 / (1 + np.exp(10))])


def test_logaddexp_dtypes_and_errors():
    a = leaf(np.float32([1, 2]), np.float32)
    out = ddp.logaddexp(a, 3.0)
    assert out.dtype == np.float32
    out.sum().backward()
    assert a.grad.dtype == np.float32
    assert ddp.logaddexp(a, ddp.tensor([1, 2])).dtype == np.float32
    assert ddp.logaddexp2(ddp.tensor([1.0], dtype=ddp.float64), a).dtype == np.float64
    with pytest.raises(NotImplementedError, match="logaddexp: needs a floating point input"):
        ddp.logaddexp(ddp.tensor([1, 2]), ddp.tensor([3, 4]))
    with pytest.raises(RuntimeError, match="logaddexp2: shapes"):
        ddp.logaddexp2(ddp.zeros(2), ddp.zeros(3))


# --------------------------------------------------------------------------------------- logcumsumexp
def _logcumsumexp(a, axis):
    return np.log(np.cumsum(np.exp(a), axis=axis))


@pytest.mark.parametrize("shape, dim", [((5,), 0), ((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -1), ((2, 3, 4), 1)],
                         ids=str)
def test_logcumsumexp_values_and_gradient(shape, dim):
    x = sample(shape)
    out = ddp.logcumsumexp(ddp.tensor(x), dim)
    np.testing.assert_allclose(out.numpy(), _logcumsumexp(x, dim), rtol=1e-12)
    assert gradcheck(lambda t: ddp.logcumsumexp(t, dim), x)
    assert gradcheck(lambda t: t.logcumsumexp(dim) * 3.0, x)


def test_logcumsumexp_is_stable_forward_and_backward():
    x = leaf([1000.0, 1000.0, -1000.0, 999.0])
    out = ddp.logcumsumexp(x, 0)
    np.testing.assert_allclose(out.numpy(), 1000 + np.log([1, 2, 2, 2 + np.exp(-1)]), rtol=1e-12)
    out.backward(ddp.tensor([1.0, -2.0, 0.5, 1.0], dtype=ddp.float64))
    assert np.isfinite(x.grad.numpy()).all()
    shifted = sample((4,), seed=3)
    assert gradcheck(lambda t: ddp.logcumsumexp(t + 800.0, 0), shifted)  # no overflow in the gradient


def test_logcumsumexp_shapes_dtypes_and_errors():
    assert ddp.logcumsumexp(ddp.tensor(3.0), 0).item() == 3.0
    assert ddp.logcumsumexp(ddp.zeros(0, 3), 0).shape == (0, 3)
    assert ddp.logcumsumexp(ddp.tensor([-INF, 1.0]), 0).tolist() == [-INF, 1.0]
    x = leaf(np.float32([1, 2, 3]), np.float32)
    out = ddp.logcumsumexp(x, 0)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
    with pytest.raises(NotImplementedError, match="logcumsumexp"):
        ddp.logcumsumexp(ddp.tensor([1, 2]), 0)
    with pytest.raises(IndexError, match="logcumsumexp"):
        ddp.logcumsumexp(ddp.zeros(2), 1)


# ------------------------------------------------------------------------------------- cummax, cummin
@pytest.mark.parametrize("name, ufunc", [("cummax", np.maximum), ("cummin", np.minimum)])
@pytest.mark.parametrize("shape, dim", [((6,), 0), ((3, 5), 1), ((3, 5), 0), ((2, 3, 4), -1)], ids=str)
def test_cummax_cummin_values_and_gradient(name, ufunc, shape, dim):
    x = sample(shape)  # distinct values: no running tie within a finite-difference step
    values, indices = getattr(ddp, name)(ddp.tensor(x), dim)
    expected = ufunc.accumulate(x, axis=dim)
    np.testing.assert_array_equal(values.numpy(), expected)
    np.testing.assert_array_equal(np.take_along_axis(x, indices.numpy(), dim), expected)
    assert indices.dtype == np.int64
    assert gradcheck(lambda t: getattr(ddp, name)(t, dim).values, x)
    assert gradcheck(lambda t: getattr(t, name)(dim)[0], x)


def test_cummax_ties_nan_and_gradient_routing():
    values, indices = ddp.cummax(ddp.tensor([3, 1, 4, 1, 5]), 0)
    assert values.tolist() == [3, 3, 4, 4, 5] and indices.tolist() == [0, 0, 2, 2, 4] and values.dtype == np.int64
    assert ddp.cummax(ddp.tensor([1.0, 1.0, 1.0]), 0).indices.tolist() == [0, 1, 2]  # ties: the latest
    assert ddp.cummin(ddp.tensor([2.0, 2.0, 3.0]), 0).indices.tolist() == [0, 1, 1]
    for name in ("cummax", "cummin"):
        values, indices = getattr(ddp, name)(ddp.tensor([1.0, NAN, 2.0, NAN, 3.0]), 0)
        assert values[0].item() == 1.0 and np.isnan(values[1:].numpy()).all()
        assert indices.tolist() == [0, 1, 1, 3, 3]
    x = leaf([1.0, 3.0, 2.0, 3.0, 0.0])
    ddp.cummax(x, 0).values.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 0.0, 2.0, 0.0]
    assert ddp.cummax(ddp.tensor([True, False, True]), 0).indices.tolist() == [0, 0, 2]
    zero_d = ddp.cummin(ddp.tensor(3.0), 0)
    assert zero_d.values.item() == 3.0 and zero_d.indices.item() == 0
    assert ddp.cummax(ddp.zeros(0, 3), 0).values.shape == (0, 3)
    assert type(ddp.cummax(ddp.zeros(2), 0)).__name__ == "cummax" and ddp.cummax(ddp.zeros(2), 0)._fields == ("values", "indices")
    with pytest.raises(IndexError, match="cummin"):
        ddp.cummin(ddp.zeros(2), 1)


def test_cummax_float32():
    x = leaf(np.float32([2, 1, 3]), np.float32)
    values = ddp.cummax(x, 0).values
    assert values.dtype == np.float32
    values.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 0.0, 1.0]


# ---------------------------------------------------------------------------------------------- torch
def test_against_torch():
    torch = pytest.importorskip("torch")
    a, b = sample((3, 4), seed=4) * 30, sample((4,), seed=5) * 30
    for name in ("logaddexp", "logaddexp2"):
        ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        da, db = leaf(a), leaf(b)
        want, got = getattr(torch, name)(ta, tb), getattr(ddp, name)(da, db)
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12)
        want.sum().backward()
        got.sum().backward()
        np.testing.assert_allclose(da.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-300)
        np.testing.assert_allclose(db.grad.numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-300)
    x = sample((3, 6), seed=6) * 20
    g = sample((3, 6), seed=7)
    for dim in (0, 1):
        tx, dx = torch.tensor(x, requires_grad=True), leaf(x)
        want, got = torch.logcumsumexp(tx, dim), ddp.logcumsumexp(dx, dim)
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12)
        want.backward(torch.tensor(g))
        got.backward(ddp.tensor(g))
        np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    rng = np.random.default_rng(8)
    tied = rng.integers(0, 3, (4, 7)).astype(np.float32)
    tied[1, 3] = tied[2, 0] = NAN
    for name in ("cummax", "cummin"):
        for dim in (0, 1):
            want, got = getattr(torch, name)(torch.tensor(tied), dim), getattr(ddp, name)(ddp.tensor(tied), dim)
            np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
            np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
            tx, dx = torch.tensor(tied, requires_grad=True), leaf(tied, np.float32)
            getattr(torch, name)(tx, dim).values.sum().backward()
            getattr(ddp, name)(dx, dim).values.sum().backward()
            np.testing.assert_array_equal(dx.grad.numpy(), tx.grad.numpy())


# ------------------------------------------------------------------- running sums rounded as PyTorch's
@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_float32_running_reductions_accumulate_in_float64(name, dim):
    """PyTorch's CPU scans accumulate float32 in float64 and round each output: a float32 running sum drifts
    from theirs within a few dozen steps (so do its gradients, the reversed running sums)."""
    rng = np.random.default_rng(5)
    x = (rng.uniform(0.9, 1.1, (7, 60)) if name == "cumprod" else rng.standard_normal((7, 60))).astype(np.float32)
    ref = {"cumsum": np.cumsum, "cumprod": np.cumprod, "logcumsumexp": np.logaddexp.accumulate}[name]
    t = ddp.tensor(x, requires_grad=True)
    out = getattr(ddp, name)(t, dim)
    assert out.dtype == ddp.float32
    np.testing.assert_array_equal(out.detach().numpy(), ref(x.astype(np.float64), axis=dim).astype(np.float32))
    g = rng.standard_normal(x.shape).astype(np.float32)
    out.backward(ddp.tensor(g))
    torch = pytest.importorskip("torch")
    theirs = torch.tensor(x, requires_grad=True)
    out_t = getattr(torch, name)(theirs, dim)
    out_t.backward(torch.tensor(g))
    np.testing.assert_array_equal(out.detach().numpy(), out_t.detach().numpy())
    if name != "logcumsumexp":  # its gradient is a different (overflow-free) formula: within float32 rounding
        np.testing.assert_array_equal(t.grad.numpy(), theirs.grad.numpy())
    np.testing.assert_allclose(t.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-5)
