"""histogram and histogramdd: counts, weights and densities against numpy, the range rules, edge dtypes,
the Tensor method, error types and messages, and torch where installed (no derivative)."""
import numpy as np
import pytest

import ddp
from op_helpers import sample

NAN, INF = float("nan"), float("inf")


# ------------------------------------------------------------------------------------------ histogram
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bins, bounds", [(5, None), (7, (-1.0, 1.5)), (1, None), (13, (-0.25, -0.25))], ids=str)
def test_histogram_matches_numpy(dtype, bins, bounds):
    x = sample((40, 6), seed=1).astype(dtype)
    out = ddp.histogram(ddp.tensor(x), bins, range=bounds)
    if bounds is not None and bounds[0] == bounds[1]:
        bounds = (bounds[0] - 0.5, bounds[1] + 0.5)  # an empty range widens by 0.5 each way
    hist, edges = np.histogram(x, bins, range=bounds)
    np.testing.assert_array_equal(out.hist.numpy(), hist)
    np.testing.assert_allclose(out.bin_edges.numpy(), edges, rtol=1e-6)
    assert out.hist.dtype == dtype and out.bin_edges.dtype == dtype and not out.hist.requires_grad
    w = np.random.default_rng(2).uniform(0.0, 2.0, x.shape).astype(dtype)
    weighted = ddp.histogram(ddp.tensor(x), bins, range=bounds, weight=ddp.tensor(w), density=True)
    np.testing.assert_allclose(weighted.hist.numpy(), np.histogram(x, bins, range=bounds, weights=w, density=True)[0],
                               rtol=1e-5)


def test_histogram_given_edges():
    x = ddp.tensor([1.0, 2.0, 1.0, 3.0, 2.5, 7.0, 10.0, 11.0, -1.0, NAN])
    out = ddp.histogram(x, bins=ddp.tensor([0.0, 1.0, 2.5, 10.0]))
    assert out.hist.tolist() == [0.0, 3.0, 4.0]  # [0, 1), [1, 2.5), [2.5, 10]; 11, -1 and NaN dropped
    assert out.bin_edges.tolist() == [0.0, 1.0, 2.5, 10.0]
    repeated = ddp.histogram(ddp.tensor([1.0, 1.0, 2.0, 3.0]), bins=ddp.tensor([0.0, 1.0, 1.0, 10.0]))
    assert repeated.hist.tolist() == [0.0, 0.0, 4.0]
    dense = ddp.histogram(ddp.tensor([0.5, 1.5, 1.5, 3.0]), bins=ddp.tensor([0.0, 1.0, 3.0]), density=True)
    np.testing.assert_allclose(dense.hist.numpy(), [0.25, 0.375])


def test_histogram_range_rules():
    assert ddp.histogram(ddp.tensor([2.0, 2.0, 2.0]), 2).bin_edges.tolist() == [1.5, 2.0, 2.5]
    assert ddp.histogram(ddp.tensor([]), 2).bin_edges.tolist() == [0.0, 0.5, 1.0]  # no data: [0, 1]
    assert ddp.histogram(ddp.tensor([]), 2).hist.tolist() == [0.0, 0.0]
    assert ddp.histogram(ddp.tensor(5.0), 2).hist.tolist() == [0.0, 1.0]
    clipped = ddp.histogram(ddp.tensor([1.0, NAN, 2.0, INF]), 3, range=(0.0, 3.0))
    assert clipped.hist.tolist() == [0.0, 1.0, 1.0]
    assert ddp.tensor([0.0, 3.0, 3.0]).histogram(3).hist.tolist() == [1.0, 0.0, 2.0]  # the last edge: last bin
    signed = ddp.histogram(ddp.tensor([0.0, 1.0, 2.0, 3.0]), 3, weight=ddp.tensor([-1.0, 1.0, 1.0, 1.0]))
    assert signed.hist.tolist() == [-1.0, 1.0, 2.0]


def test_histogram_errors():
    x = ddp.tensor([1.0, 2.0])
    with pytest.raises(NotImplementedError, match="histogram: needs a floating point input"):
        ddp.histogram(ddp.tensor([1, 2]), 2)
    with pytest.raises(RuntimeError, match="histogram: bins must be > 0, got 0"):
        ddp.histogram(x, 0)
    with pytest.raises(RuntimeError, match="histogram: bins must be > 0, got 0"):
        ddp.histogram(x, bins=ddp.tensor([1.0]))
    with pytest.raises(TypeError, match="histogram: bins must be an int or a 1-D Tensor"):
        ddp.histogram(x, 2.0)
    with pytest.raises(RuntimeError, match="histogram: the range of dim 0 starts above its end"):
        ddp.histogram(x, 2, range=(3.0, 1.0))
    with pytest.raises(RuntimeError, match="histogram: the range \\[nan, nan\\] of dim 0 is not finite"):
        ddp.histogram(ddp.tensor([1.0, NAN]), 2)
    with pytest.raises(RuntimeError, match="is not finite"):
        ddp.histogram(x, 2, range=(0.0, INF))
    with pytest.raises(RuntimeError, match="range needs 2 numbers per dim"):
        ddp.histogram(x, 2, range=(0.0, 1.0, 2.0))
    with pytest.raises(TypeError, match="range is for int bins"):
        ddp.histogram(x, ddp.tensor([0.0, 1.0]), range=(0.0, 1.0))
    with pytest.raises(RuntimeError, match="must have the input's dtype float32, got ddp.float64"):
        ddp.histogram(x, ddp.tensor([0.0, 1.0], dtype=ddp.float64))
    with pytest.raises(RuntimeError, match="the bin edges of dim 0 must be 1-D"):
        ddp.histogram(x, ddp.tensor([[0.0, 1.0]]))
    with pytest.raises(RuntimeError, match="weight needs one entry per sample \\(2\\)"):
        ddp.histogram(x, 2, weight=ddp.tensor([1.0]))
    with pytest.raises(RuntimeError, match="weight must have the input's dtype"):
        ddp.histogram(x, 2, weight=ddp.tensor([1.0, 1.0], dtype=ddp.float64))


# ---------------------------------------------------------------------------------------- histogramdd
def test_histogramdd_matches_numpy():
    x = sample((200, 3), seed=3)
    w = np.random.default_rng(4).uniform(0.0, 1.0, 200)
    for bins in (4, [3, 4, 5]):
        out = ddp.histogramdd(ddp.tensor(x), bins, weight=ddp.tensor(w), density=True)
        hist, edges = np.histogramdd(x, bins, weights=w, density=True)
        np.testing.assert_allclose(out.hist.numpy(), hist, rtol=1e-10)
        assert isinstance(out.bin_edges, tuple) and len(out.bin_edges) == 3
        for got, want in zip(out.bin_edges, edges):
            np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    bounds = [-1.0, 1.0, 0.0, 2.0, -2.0, 0.0]
    out = ddp.histogramdd(ddp.tensor(x), [2, 3, 4], range=bounds)
    pairs = [bounds[i:i + 2] for i in (0, 2, 4)]
    np.testing.assert_array_equal(out.hist.numpy(), np.histogramdd(x, [2, 3, 4], range=pairs)[0])
    edges = [ddp.tensor(np.array(e)) for e in ([-2.0, 0.0, 2.0], [-1.0, 1.0], [-3.0, -1.0, 0.0, 3.0])]
    out = ddp.histogramdd(ddp.tensor(x), edges)
    np.testing.assert_array_equal(out.hist.numpy(), np.histogramdd(x, [e.numpy() for e in edges])[0])
    batched = ddp.histogramdd(ddp.tensor(sample((4, 5, 2))), 3)  # leading dims are points too
    assert batched.hist.shape == (3, 3) and batched.hist.sum().item() == 20


def test_histogramdd_errors():
    x = ddp.ones(4, 2)
    with pytest.raises(RuntimeError, match="histogramdd: input must have at least 2 dims"):
        ddp.histogramdd(ddp.ones(3), 2)
    with pytest.raises(RuntimeError, match="histogramdd: bins must be an int or give one entry per dim"):
        ddp.histogramdd(x, [2])
    with pytest.raises(TypeError, match="histogramdd: bins must be an int, a list of ints or a list of Tensors"):
        ddp.histogramdd(x, ddp.tensor([0.0, 1.0]))
    with pytest.raises(TypeError, match="all ints or all Tensors"):
        ddp.histogramdd(x, [ddp.tensor([0.0, 1.0]), 2])
    with pytest.raises(RuntimeError, match="range needs 2 numbers per dim of the samples \\(4\\), got 3"):
        ddp.histogramdd(x, 2, range=[0.0, 1.0, 0.0])


# ---------------------------------------------------------------------------------------------- torch
def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    for trial in range(60):
        dtype = (np.float32, np.float64)[trial % 2]
        data = rng.standard_normal(int(rng.integers(1, 200))).astype(dtype)
        data[::9] = data[0]  # repeated values
        bins = int(rng.integers(1, 30))
        bounds = None if trial % 3 == 0 else tuple(sorted(rng.uniform(-2.0, 2.0, 2)))
        weight = rng.uniform(0.0, 1.0, data.shape).astype(dtype) if trial % 4 == 1 else None
        density = trial % 5 == 2
        kwargs = {"range": bounds, "density": density}
        got = ddp.histogram(ddp.tensor(data), bins, weight=None if weight is None else ddp.tensor(weight), **kwargs)
        want = torch.histogram(torch.tensor(data), bins, weight=None if weight is None else torch.tensor(weight),
                               **kwargs)
        np.testing.assert_allclose(got.hist.numpy(), want.hist.numpy(), rtol=1e-5)
        # the edges agree to an ulp (torch's vectorised linspace rounds some of them differently)
        np.testing.assert_allclose(got.bin_edges.numpy(), want.bin_edges.numpy(), rtol=1e-6, atol=1e-7)
        assert got.hist.dtype.name == str(want.hist.dtype).split(".")[-1]
    for data, kwargs in (([2.0, 2.0], {}), ([], {}), ([], {"range": (2.0, 2.0)}), ([1.0, 5.0], {"range": (3.0, 3.0)})):
        got, want = ddp.histogram(ddp.tensor(data), 3, **kwargs), torch.histogram(torch.tensor(data), 3, **kwargs)
        np.testing.assert_array_equal(got.hist.numpy(), want.hist.numpy())
        np.testing.assert_allclose(got.bin_edges.numpy(), want.bin_edges.numpy(), rtol=1e-6)
    edges = np.array([-1.0, -0.2, 0.0, 0.7, 2.0])
    data = rng.standard_normal(100)
    np.testing.assert_array_equal(ddp.histogram(ddp.tensor(data), ddp.tensor(edges)).hist.numpy(),
                                  torch.histogram(torch.tensor(data), torch.tensor(edges)).hist.numpy())
    points = rng.standard_normal((300, 2)).astype(np.float32)
    for bins in (3, [2, 5]):
        got, want = ddp.histogramdd(ddp.tensor(points), bins), torch.histogramdd(torch.tensor(points), bins)
        np.testing.assert_array_equal(got.hist.numpy(), want.hist.numpy())
        for g, w in zip(got.bin_edges, want.bin_edges):
            np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-6)
