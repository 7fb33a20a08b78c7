"""trapezoid / trapz, cumulative_trapezoid and gradient: values against numpy, float64 gradient checks (in the
samples and in the sample points), dtypes, edge cases, error types and messages, and torch where installed."""
import numpy as np
import pytest

import ddp
from op_helpers import against_torch, forward32, gradcheck, sample


def _points(n, seed=0):
    """n increasing, unevenly spaced sample points."""
    return np.cumsum(np.random.default_rng(seed).uniform(0.5, 2.0, n))


def _numpy_cumulative(y, x=None, dx=1.0, axis=-1):
    """The running trapezoidal integral, from numpy's pieces."""
    y = np.moveaxis(y, axis, -1)
    steps = np.diff(x) if x is not None else dx
    return np.moveaxis(np.cumsum(steps * (y[..., 1:] + y[..., :-1]) / 2, axis=-1), -1, axis)


# ------------------------------------------------------------------------------------------ trapezoid
@pytest.mark.parametrize("shape, dim", [((7,), -1), ((3, 5), 0), ((3, 5), 1), ((2, 3, 4), -2)], ids=str)
def test_trapezoid_and_cumulative(shape, dim):
    y = sample(shape, seed=1)
    x = _points(shape[dim], seed=2)
    np.testing.assert_allclose(ddp.trapezoid(ddp.tensor(y), dim=dim).numpy(), np.trapezoid(y, axis=dim), rtol=1e-12)
    np.testing.assert_allclose(ddp.trapezoid(ddp.tensor(y), dx=0.3, dim=dim).numpy(),
                               np.trapezoid(y, dx=0.3, axis=dim), rtol=1e-12)
    np.testing.assert_allclose(ddp.trapezoid(ddp.tensor(y), ddp.tensor(x), dim=dim).numpy(),
                               np.trapezoid(y, x, axis=dim), rtol=1e-12)
    np.testing.assert_allclose(ddp.cumulative_trapezoid(ddp.tensor(y), ddp.tensor(x), dim=dim).numpy(),
                               _numpy_cumulative(y, x, axis=dim), rtol=1e-12)
    np.testing.assert_allclose(ddp.cumulative_trapezoid(ddp.tensor(y), dx=2.0, dim=dim).numpy(),
                               _numpy_cumulative(y, dx=2.0, axis=dim), rtol=1e-12)
    for fn in (ddp.trapezoid, ddp.cumulative_trapezoid):
        assert gradcheck(lambda t, s: fn(t, s, dim=dim), y, x)
        assert gradcheck(lambda t: fn(t, dx=0.5, dim=dim), y)


def test_trapezoid_broadcast_points():
    y = sample((3, 4), seed=3)
    x = sample((3, 4), seed=4)  # one row of points per row of samples
    np.testing.assert_allclose(ddp.trapezoid(ddp.tensor(y), ddp.tensor(x)).numpy(), np.trapezoid(y, x), rtol=1e-12)
    x1 = sample((1, 4), seed=5)
    np.testing.assert_allclose(ddp.trapezoid(ddp.tensor(y), ddp.tensor(x1)).numpy(), np.trapezoid(y, x1), rtol=1e-12)
    assert gradcheck(lambda t, s: ddp.trapezoid(t, s), y, x1)
    assert ddp.trapezoid(ddp.zeros(2, 3, 4), ddp.zeros(3, 4)).shape == (2, 3)


def test_trapezoid_edges_and_dtypes():
    assert ddp.trapezoid(ddp.tensor([])).item() == 0.0
    assert ddp.trapezoid(ddp.tensor([2.0])).item() == 0.0
    assert ddp.trapezoid(ddp.zeros(2, 0)).tolist() == [0.0, 0.0]
    assert ddp.trapezoid(ddp.zeros(2, 0), dim=0).shape == (0,)
    assert ddp.cumulative_trapezoid(ddp.tensor([2.0])).shape == (0,)
    assert ddp.cumulative_trapezoid(ddp.zeros(2, 0)).shape == (2, 0)
    assert ddp.trapezoid(ddp.tensor([1, 2, 3])).dtype == ddp.float32  # integers: the default dtype
    assert ddp.trapezoid(ddp.tensor([1, 2, 3]), ddp.tensor([1, 2, 4])).item() == 6.5
    assert ddp.trapezoid(ddp.tensor([1.0, 2.0, 3.0]), ddp.tensor(np.array([1.0, 2.0, 4.0]))).dtype == ddp.float64
    assert ddp.trapezoid(ddp.tensor([1.0, 2.0, 3.0]), dx=ddp.tensor(2.0)).item() == 8.0
    assert ddp.trapz(ddp.tensor([1.0, 3.0, 2.0]), dx=0.5).item() == 2.25
    forward32(lambda t: ddp.trapezoid(t, dim=0), lambda a: np.trapezoid(a, axis=0).astype(np.float32), sample((4, 3)))
    forward32(lambda t: ddp.cumulative_trapezoid(t), lambda a: _numpy_cumulative(a).astype(np.float32), sample((3, 5)))


def test_trapezoid_errors():
    y = ddp.ones(3, 4)
    for fn, name in ((ddp.trapezoid, "trapezoid"), (ddp.cumulative_trapezoid, "cumulative_trapezoid")):
        with pytest.raises(TypeError, match=f"{name}: give the sample points x or the step dx, not both"):
            fn(y, ddp.arange(4.0), dx=1.0)
        with pytest.raises(TypeError, match=f"{name}: x must be a Tensor"):
            fn(y, 2.0)
        with pytest.raises(RuntimeError, match=f"{name}: needs one x per sample: 4 samples along dim 1, but x has 3"):
            fn(y, ddp.arange(3.0))
        with pytest.raises(RuntimeError, match=f"{name}: the steps of x .* do not broadcast"):
            fn(y, ddp.ones(2, 4))
        with pytest.raises(RuntimeError, match=f"{name}: bool samples"):
            fn(ddp.tensor([True, False]))
        with pytest.raises(RuntimeError, match=f"{name}: dx must be a real number"):
            fn(y, dx=1j)
        with pytest.raises(IndexError, match=f"{name}: the samples must have at least 1 dim"):
            fn(ddp.tensor(1.0))
        with pytest.raises(IndexError, match=name):
            fn(y, dim=2)


# ------------------------------------------------------------------------------------------- gradient
@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("shape", [(6,), (4, 5), (3, 4, 5)], ids=str)
def test_gradient_matches_numpy(shape, edge_order):
    f = sample(shape, seed=6)
    coords = [_points(n, seed=7 + i) for i, n in enumerate(shape)]
    steps = [0.5 + i for i in range(len(shape))]
    for spacing, np_spacing in ((1, ()), (0.25, (0.25,)), (steps, steps), (coords, coords)):
        arg = [ddp.tensor(c) for c in spacing] if spacing is coords else spacing
        out = ddp.gradient(ddp.tensor(f), spacing=arg, edge_order=edge_order)
        want = np.gradient(f, *np_spacing, edge_order=edge_order)
        want = want if isinstance(want, (list, tuple)) else [want]
        assert isinstance(out, tuple) and len(out) == len(shape)
        for got, expected in zip(out, want):
            np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10, atol=1e-12)
    weights = [ddp.tensor(sample(shape, seed=20 + d)) for d in range(len(shape))]

    def weighted(t, *cs):
        return sum((g * w).sum() for g, w in zip(ddp.gradient(t, spacing=list(cs), edge_order=edge_order), weights))
    assert gradcheck(weighted, f, *coords)


def test_gradient_dims_and_dtypes():
    f = sample((4, 5), seed=8)
    one = ddp.gradient(ddp.tensor(f), dim=1)
    assert len(one) == 1
    np.testing.assert_allclose(one[0].numpy(), np.gradient(f, axis=1), rtol=1e-12)
    swapped = ddp.gradient(ddp.tensor(f), spacing=[2.0, 3.0], dim=[1, 0])
    np.testing.assert_allclose(swapped[0].numpy(), np.gradient(f, 2.0, axis=1), rtol=1e-12)
    np.testing.assert_allclose(swapped[1].numpy(), np.gradient(f, 3.0, axis=0), rtol=1e-12)
    assert ddp.gradient(ddp.tensor(1.0)) == ()
    assert ddp.gradient(ddp.tensor([1, 3, 2, 6]))[0].dtype == ddp.float32
    assert ddp.gradient(ddp.tensor([1, 3, 2, 6]), spacing=[ddp.tensor(np.arange(4.0))])[0].dtype == ddp.float64
    assert ddp.gradient(ddp.zeros(3, 1), dim=0)[0].shape == (3, 1)
    assert np.isnan(ddp.gradient(ddp.ones(3), spacing=0)[0].numpy()).all()
    forward32(lambda t: ddp.gradient(t, edge_order=2)[0], lambda a: np.gradient(a, edge_order=2).astype(np.float32),
              sample((6,)))


def test_gradient_errors():
    f = ddp.ones(3, 4)
    with pytest.raises(RuntimeError, match="gradient: edge_order must be 1 or 2, got 3"):
        ddp.gradient(f, edge_order=3)
    with pytest.raises(TypeError, match="gradient: edge_order must be an int"):
        ddp.gradient(f, edge_order=1.0)
    with pytest.raises(RuntimeError, match="gradient: dim 0 has 2 samples; edge_order=2 needs at least 3"):
        ddp.gradient(ddp.ones(2), edge_order=2)
    with pytest.raises(RuntimeError, match="gradient: spacing needs one entry per differentiated dim \\(2\\), got 1"):
        ddp.gradient(f, spacing=[2.0])
    with pytest.raises(RuntimeError, match="gradient: each Tensor of coordinates must be 1-D"):
        ddp.gradient(f, spacing=[ddp.tensor(2.0)], dim=0)
    with pytest.raises(RuntimeError, match="gradient: dim 1 has 4 samples, but its coordinates have 3"):
        ddp.gradient(f, spacing=[ddp.arange(3.0)], dim=1)
    with pytest.raises(TypeError, match="gradient: spacing must be a number or a list of numbers or of 1-D Tensors"):
        ddp.gradient(f, spacing=ddp.arange(4.0))
    with pytest.raises(TypeError, match="all numbers or all Tensors"):
        ddp.gradient(f, spacing=[ddp.arange(3.0), 2.0])
    with pytest.raises(RuntimeError, match="gradient: dim names a dim more than once"):
        ddp.gradient(f, dim=(0, 0))
    with pytest.raises(IndexError, match="gradient"):
        ddp.gradient(f, dim=2)


# ---------------------------------------------------------------------------------------------- torch
def test_against_torch():
    torch = pytest.importorskip("torch")
    y, x = sample((3, 6), seed=9), _points(6, seed=10)
    x2 = sample((3, 1), seed=11)
    for fd, ft in ((ddp.trapezoid, torch.trapezoid), (ddp.cumulative_trapezoid, torch.cumulative_trapezoid)):
        against_torch(lambda t, s: fd(t, s), lambda t, s: ft(t, s), y, x)
        against_torch(lambda t, s: fd(t, s, dim=0), lambda t, s: ft(t, s, dim=0), y, x2)
        against_torch(lambda t: fd(t, dx=0.7, dim=0), lambda t: ft(t, dx=0.7, dim=0), y)
        for data in (np.zeros((2, 0)), np.array([2.0]), np.arange(5)):
            np.testing.assert_allclose(fd(ddp.tensor(data)).numpy(), ft(torch.tensor(data)).numpy())
    f = sample((4, 5), seed=12)
    c0, c1 = _points(4, seed=13), _points(5, seed=14)
    for edge_order in (1, 2):
        against_torch(lambda t, a, b: ddp.stack(ddp.gradient(t, spacing=[a, b], edge_order=edge_order)),
                      lambda t, a, b: torch.stack(torch.gradient(t, spacing=[a, b], edge_order=edge_order)), f, c0, c1)
        against_torch(lambda t: ddp.stack(ddp.gradient(t, spacing=[0.5, 2.0], edge_order=edge_order)),
                      lambda t: torch.stack(torch.gradient(t, spacing=[0.5, 2.0], edge_order=edge_order)), f)
        against_torch(lambda t: ddp.gradient(t, dim=1, edge_order=edge_order)[0],
                      lambda t: torch.gradient(t, dim=1, edge_order=edge_order)[0], f)
    ints = np.array([1, 3, 2, 6])
    got, want = ddp.gradient(ddp.tensor(ints), spacing=2.5)[0], torch.gradient(torch.tensor(ints), spacing=2.5)[0]
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    assert got.dtype.name == str(want.dtype).split(".")[-1]
