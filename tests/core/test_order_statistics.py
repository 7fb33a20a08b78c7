"""median, nanmedian, kthvalue, quantile and nanquantile: values against numpy, float64 gradient checks (to
the selected elements, or through the interpolation weights), NaN rules, dtypes, errors, and torch where
installed."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, leaf, sample

NAN = float("nan")
MODES = ["linear", "lower", "higher", "midpoint", "nearest"]


def _lower_median(a, axis):
    return np.take(np.sort(a, axis=axis), (a.shape[axis] - 1) // 2, axis=axis)


# --------------------------------------------------------------------------------------------- median
@pytest.mark.parametrize("shape, dim", [((5,), 0), ((4,), -1), ((3, 4), 1), ((3, 4), 0), ((2, 3, 6), 2),
                                        ((2, 3, 6), -2)], ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
def test_median_along_dim(shape, dim, keepdim):
    x = sample(shape)
    values, indices = ddp.median(ddp.tensor(x), dim, keepdim)
    expected = _lower_median(x, dim)
    if keepdim:
        expected = np.expand_dims(expected, dim)
    assert values.shape == expected.shape and indices.shape == expected.shape
    assert values.dtype == np.float64 and indices.dtype == np.int64
    np.testing.assert_array_equal(values.numpy(), expected)
    np.testing.assert_array_equal(np.take_along_axis(x, indices.numpy() if keepdim else
                                                     np.expand_dims(indices.numpy(), dim), dim),
                                  expected if keepdim else np.expand_dims(expected, dim))
    assert gradcheck(lambda t: ddp.median(t, dim, keepdim).values, x)


def test_median_is_a_values_indices_pair_like_max():
    out = ddp.tensor([[1.0, 5.0, 3.0]]).median(1)
    assert type(out) is ddp.return_types.median and out._fields == ddp.tensor([[1.0]]).max(1)._fields  # as PyTorch's
    assert out.values.tolist() == [3.0] and out.indices.tolist() == [2]
    v, i = out
    assert v.tolist() == [3.0]


@pytest.mark.parametrize("shape", [(), (1,), (5,), (4,), (3, 4), (2, 3, 5)], ids=str)
def test_median_all_elements(shape):
    x = sample(shape)
    out = ddp.median(ddp.tensor(x))
    assert out.shape == () and out.item() == _lower_median(x.reshape(-1), 0)
    assert gradcheck(lambda t: ddp.median(t), x)


def test_median_all_shares_the_gradient_among_ties():
    x = leaf([1.0, 2.0, 2.0, 3.0, 2.0])
    ddp.median(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), [0, 1 / 3, 1 / 3, 0, 1 / 3])
    y = leaf([1.0, 2.0, 2.0, 3.0, 2.0])
    ddp.median(y, 0).values.backward()  # along a dim: one selected index
    assert y.grad.sum().item() == 1.0 and y.grad[ddp.median(y, 0).indices].item() == 1.0


def test_median_nan_and_nanmedian():
    x = ddp.tensor([1.0, NAN, 2.0, NAN, 3.0])
    assert np.isnan(ddp.median(x).item())
    values, indices = ddp.median(x, 0)
    assert np.isnan(values.item()) and indices.item() == 1  # the first NaN
    assert ddp.nanmedian(x).item() == 2.0
    assert ddp.nanmedian(x, 0).values.item() == 2.0 and ddp.nanmedian(x, 0).indices.item() == 2
    rows = ddp.tensor([[NAN, NAN], [4.0, NAN], [1.0, 2.0]])
    values, indices = ddp.nanmedian(rows, 1)
    assert np.isnan(values[0].item()) and values[1:].tolist() == [4.0, 1.0] and indices.tolist() == [0, 0, 0]
    assert np.isnan(ddp.nanmedian(ddp.tensor([NAN, NAN])).item())
    leaf_x = leaf([1.0, NAN, 5.0, 3.0])
    ddp.nanmedian(leaf_x).backward()
    assert leaf_x.grad.tolist() == [0.0, 0.0, 0.0, 1.0]
    assert gradcheck(lambda t: ddp.nanmedian(t, 1).values, np.array([[1.0, NAN, 5.0, 3.0], [0.5, 0.2, NAN, NAN]]))


def test_median_dtypes_and_shapes():
    assert ddp.median(ddp.tensor([3, 1, 2, 4])).dtype == np.int64
    assert ddp.median(ddp.tensor([3, 1, 2, 4])).item() == 2
    assert ddp.median(ddp.tensor([3, 1, 2], dtype=ddp.int32), 0).values.dtype == np.int32
    x = leaf(np.float32([3, 1, 2]), np.float32)
    v = ddp.median(x, 0).values
    assert v.dtype == np.float32
    v.backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [0.0, 0.0, 1.0]
    assert ddp.median(ddp.tensor([1.0, 2.0]), 0, keepdim=True).values.shape == (1,)
    zero_d = ddp.median(ddp.tensor(3.0), 0)
    assert zero_d.values.shape == () and zero_d.indices.item() == 0
    assert np.isnan(ddp.median(ddp.tensor([])).item())
    assert ddp.median(ddp.zeros(0, 3), 1).values.shape == (0,)


def test_median_errors():
    with pytest.raises(IndexError, match="median"):
        ddp.median(ddp.zeros(0, 3), 0)
    with pytest.raises(IndexError, match="median"):
        ddp.median(ddp.zeros(2), 1)
    with pytest.raises(NotImplementedError, match="median: bool"):
        ddp.median(ddp.tensor([True, False]))
    with pytest.raises(RuntimeError, match="median: an empty"):
        ddp.median(ddp.tensor([], dtype=ddp.int64))


# ------------------------------------------------------------------------------------------- kthvalue
@pytest.mark.parametrize("shape, k, dim", [((5,), 1, -1), ((5,), 5, 0), ((3, 4), 2, 1), ((3, 4), 3, 0),
                                           ((2, 3, 4), 4, -1)], ids=str)
def test_kthvalue(shape, k, dim):
    x = sample(shape)
    values, indices = ddp.kthvalue(ddp.tensor(x), k, dim)
    expected = np.take(np.sort(x, axis=dim), k - 1, axis=dim)
    np.testing.assert_array_equal(values.numpy(), expected)
    np.testing.assert_array_equal(np.take(np.argsort(x, axis=dim), k - 1, axis=dim), indices.numpy())
    assert gradcheck(lambda t: ddp.kthvalue(t, k, dim).values, x)
    assert ddp.tensor(x).kthvalue(k, dim, keepdim=True).values.shape == np.expand_dims(expected, dim).shape


def test_kthvalue_nan_sorts_last_and_errors():
    x = ddp.tensor([1.0, NAN, 2.0])
    assert ddp.kthvalue(x, 2).values.item() == 2.0
    assert np.isnan(ddp.kthvalue(x, 3).values.item()) and ddp.kthvalue(x, 3).indices.item() == 1
    assert ddp.kthvalue(ddp.tensor(3.0), 1).values.item() == 3.0
    assert ddp.kthvalue(ddp.tensor([4, 2, 9]), 3).values.dtype == np.int64
    for k in (0, 3):
        with pytest.raises(RuntimeError, match="kthvalue: k = "):
            ddp.kthvalue(ddp.tensor([1.0, 2.0]), k)
    with pytest.raises(RuntimeError, match="kthvalue: k = 2"):
        ddp.kthvalue(ddp.tensor(3.0), 2)
    with pytest.raises(IndexError, match="kthvalue"):
        ddp.kthvalue(ddp.zeros(0, 3), 1, 0)
    with pytest.raises(TypeError, match="kthvalue: k must be an int"):
        ddp.kthvalue(ddp.tensor([1.0]), 1.0)
    with pytest.raises(NotImplementedError, match="kthvalue"):
        ddp.kthvalue(ddp.tensor([True]), 1)


# ------------------------------------------------------------------------------------------- quantile
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape, dim", [((7,), None), ((3, 5), None), ((3, 5), 1), ((4, 3), 0), ((2, 3, 4), -1)],
                         ids=str)
def test_quantile_values_and_gradient(mode, shape, dim):
    x = sample(shape)
    q = np.array([0.0, 0.1, 0.33, 0.5, 0.9, 1.0])
    out = ddp.quantile(ddp.tensor(x), ddp.tensor(q), dim, interpolation=mode)
    expected = np.quantile(x, q, axis=dim, method=mode) if mode != "nearest" else None
    if expected is not None:
        assert out.shape == expected.shape
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda t: ddp.quantile(t, ddp.tensor(q), dim, interpolation=mode), x)
    assert gradcheck(lambda t: ddp.quantile(t, 0.3, dim, keepdim=True, interpolation=mode), x)


def test_quantile_shapes():
    x = ddp.arange(12.0).reshape(3, 4)
    q2 = ddp.tensor([0.25, 0.5])
    assert ddp.quantile(x, 0.5).shape == ()
    assert ddp.quantile(x, q2, dim=1).shape == (2, 3)
    assert ddp.quantile(x, q2, dim=1, keepdim=True).shape == (2, 3, 1)
    assert ddp.quantile(x, q2, keepdim=True).shape == (2, 1, 1)
    assert ddp.quantile(x, ddp.tensor(0.5), dim=0).shape == (4,)
    assert ddp.quantile(x, ddp.tensor([0.5]), dim=0).shape == (1, 4)
    assert ddp.quantile(x, ddp.tensor([]), dim=0).shape == (0, 4)
    assert ddp.quantile(ddp.tensor(3.0), 0.5, dim=0, keepdim=True).shape == ()
    assert x.quantile(0.5).item() == 5.5 and x.nanquantile(0.5, 0).tolist() == [4.0, 5.0, 6.0, 7.0]


def test_quantile_interpolation_rules():
    x = ddp.tensor([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    q = ddp.tensor([0.1, 0.3, 0.5, 0.7, 0.9])
    expected = {"linear": [0.5, 1.5, 2.5, 3.5, 4.5], "lower": [0, 1, 2, 3, 4], "higher": [1, 2, 3, 4, 5],
                "midpoint": [0.5, 1.5, 2.5, 3.5, 4.5], "nearest": [0, 2, 2, 4, 4]}
    for mode, values in expected.items():
        np.testing.assert_allclose(ddp.quantile(x, q, interpolation=mode).numpy(), values, rtol=1e-6)
    halves = ddp.quantile(ddp.arange(5.0), ddp.tensor([0.125, 0.375, 0.625, 0.875]), interpolation="nearest")
    assert halves.tolist() == [0.0, 2.0, 2.0, 4.0]  # rank ties go to the even rank


def test_quantile_gradient_follows_the_weights():
    x = leaf([3.0, 1.0, 2.0, 5.0])
    ddp.quantile(x, 0.4).backward()  # rank 1.2 between 2 (weight 0.8) and 3 (weight 0.2)
    np.testing.assert_allclose(x.grad.numpy(), [0.2, 0.0, 0.8, 0.0])
    y = leaf([3.0, 1.0, 2.0, 5.0])
    ddp.quantile(y, 0.4, interpolation="midpoint").backward()
    np.testing.assert_allclose(y.grad.numpy(), [0.5, 0.0, 0.5, 0.0])


def test_quantile_nan_and_nanquantile():
    assert np.isnan(ddp.quantile(ddp.tensor([1.0, NAN, 2.0]), 0.5).item())
    assert ddp.nanquantile(ddp.tensor([1.0, NAN, 2.0, 3.0]), 0.5).item() == 2.0
    assert np.isnan(ddp.nanquantile(ddp.tensor([NAN, NAN]), 0.5).item())
    out = ddp.nanquantile(ddp.tensor([[1.0, NAN, 2.0], [NAN, NAN, NAN]]), ddp.tensor([0.0, 1.0]), dim=1)
    assert out[:, 0].tolist() == [1.0, 2.0] and np.isnan(out[:, 1].numpy()).all()
    x = np.array([[0.3, NAN, -1.2, 2.0], [NAN, 0.7, 1.5, NAN]])
    np.testing.assert_allclose(ddp.nanquantile(ddp.tensor(x), 0.3, 1).numpy(), np.nanquantile(x, 0.3, axis=1))
    assert gradcheck(lambda t: ddp.nanquantile(t, ddp.tensor([0.2, 0.75], dtype=ddp.float64), 1), x)


def test_quantile_float32_stays_float32():
    x = leaf(np.float32([3, 1, 2, 5]), np.float32)
    out = ddp.quantile(x, 0.3)
    assert out.dtype == np.float32
    out.backward()
    assert x.grad.dtype == np.float32
    assert ddp.quantile(x, ddp.tensor([0.3, 0.6]), interpolation="midpoint").dtype == np.float32


def test_quantile_errors():
    x = ddp.arange(12.0).reshape(3, 4)
    with pytest.raises(RuntimeError, match=r"quantile: q must lie in \[0, 1\]"):
        ddp.quantile(x, 1.5)
    with pytest.raises(RuntimeError, match=r"quantile: q must lie in \[0, 1\]"):
        ddp.quantile(x, ddp.tensor([0.5, 1.2]))
    with pytest.raises(RuntimeError, match="quantile: q must have the input's dtype"):
        ddp.quantile(x, ddp.tensor([0.5], dtype=ddp.float64))
    with pytest.raises(RuntimeError, match="0-d / 1-D"):
        ddp.quantile(x, ddp.tensor([[0.5]]))
    with pytest.raises(RuntimeError, match="nanquantile: expected a float32 or float64"):
        ddp.nanquantile(ddp.arange(3), 0.5)
    with pytest.raises(RuntimeError, match="quantile: interpolation must be one of"):
        ddp.quantile(x, 0.5, interpolation="foo")
    with pytest.raises(RuntimeError, match="quantile: the input must be non-empty"):
        ddp.quantile(ddp.zeros(0, 3), 0.5, dim=1)
    with pytest.raises(TypeError, match="quantile: q must be a float or a Tensor"):
        ddp.quantile(x, [0.5])
    with pytest.raises(TypeError, match="quantile: dim must be an int"):
        ddp.quantile(x, 0.5, dim=(0, 1))
    with pytest.raises(IndexError, match="quantile"):
        ddp.quantile(x, 0.5, dim=2)


# ---------------------------------------------------------------------------------------------- torch
def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    tied = rng.integers(0, 4, (5, 8)).astype(np.float32)
    tied[1, 2] = tied[3, 0] = tied[3, 5] = NAN
    smooth = rng.standard_normal((4, 7)).astype(np.float32)
    for x in (tied, smooth):
        for name in ("median", "nanmedian"):
            got, want = getattr(ddp, name)(ddp.tensor(x)), getattr(torch, name)(torch.tensor(x))
            np.testing.assert_array_equal(got.numpy(), want.numpy())
            for dim in (0, 1, -1):
                got, want = getattr(ddp, name)(ddp.tensor(x), dim), getattr(torch, name)(torch.tensor(x), dim)
                np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
                # tie-breaking among equal values is unspecified in torch: the picked element must hold the value
                picked = np.take_along_axis(x, np.expand_dims(got.indices.numpy(), dim), dim).squeeze(dim)
                np.testing.assert_array_equal(picked, want.values.numpy())
                if x is smooth:
                    np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
        for k in (1, 3, 4):
            got, want = ddp.kthvalue(ddp.tensor(x), k, 0), torch.kthvalue(torch.tensor(x), k, 0)
            np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
        q = np.array([0.0, 0.125, 0.3, 0.5, 0.875, 1.0], dtype=np.float32)
        for mode in MODES:
            for name in ("quantile", "nanquantile"):
                for dim in (None, 0, 1):
                    got = getattr(ddp, name)(ddp.tensor(x), ddp.tensor(q), dim, interpolation=mode)
                    want = getattr(torch, name)(torch.tensor(x), torch.tensor(q), dim, interpolation=mode)
                    assert got.dtype == np.float32 and got.shape == tuple(want.shape)
                    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-6)
    # gradients, float64
    x = sample((3, 6), seed=5)
    for fn in (lambda m, t: m.median(t), lambda m, t: m.median(t, 1).values, lambda m, t: m.kthvalue(t, 2, 0).values,
               lambda m, t: m.quantile(t, 0.37, 1), lambda m, t: m.nanquantile(t, 0.81)):
        a, b = leaf(x), torch.tensor(x, requires_grad=True)
        fn(ddp, a).sum().backward()
        fn(torch, b).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-12)
    for x in ([1.0, 2.0, 2.0, 3.0, 2.0], [NAN, 1.0, NAN]):
        a, b = leaf(x), torch.tensor(x, requires_grad=True)
        ddp.median(a).backward()
        torch.median(b).backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())
