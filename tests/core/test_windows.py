"""hann, hamming, blackman, bartlett and kaiser windows: values against numpy's symmetric windows (periodic
ones are one longer, less the last point), lengths 0 and 1, dtypes, requires_grad, errors, and torch."""
import numpy as np
import pytest

import ddp

SYMMETRIC = {  # numpy's symmetric windows of n points
    "hann_window": np.hanning,
    "hamming_window": np.hamming,
    "blackman_window": np.blackman,
    "bartlett_window": np.bartlett,
    "kaiser_window": lambda n: np.kaiser(n, 12.0),
}


@pytest.mark.parametrize("name", sorted(SYMMETRIC))
@pytest.mark.parametrize("n", [2, 3, 8, 33])
def test_windows_match_numpy(name, n):
    fn, reference = getattr(ddp, name), SYMMETRIC[name]
    np.testing.assert_allclose(fn(n, periodic=False, dtype=ddp.float64).numpy(), reference(n), atol=1e-12)
    np.testing.assert_allclose(fn(n, dtype=ddp.float64).numpy(), reference(n + 1)[:-1], atol=1e-12)
    out = fn(n)
    assert out.dtype == ddp.float32 and out.shape == (n,)
    np.testing.assert_allclose(out.numpy(), reference(n + 1)[:-1], atol=1e-6)


class _default_float64:
    """Run a block with float64 as the default dtype."""

    def __enter__(self):
        self.previous = ddp.get_default_dtype()
        ddp.set_default_dtype(ddp.float64)

    def __exit__(self, *exc):
        ddp.set_default_dtype(self.previous)


@pytest.mark.parametrize("name", sorted(SYMMETRIC))
def test_window_lengths_dtypes_and_grad(name):
    fn = getattr(ddp, name)
    assert fn(0).shape == (0,) and fn(0).dtype == ddp.float32
    assert fn(1).tolist() == [1.0] and fn(1, periodic=False).tolist() == [1.0]
    assert fn(4, dtype=ddp.float16).dtype == ddp.float16
    assert fn(ddp.tensor(3)).shape == (3,)
    leaf = fn(5, requires_grad=True)
    assert leaf.requires_grad and leaf.is_leaf
    with _default_float64():
        assert fn(3).dtype == ddp.float64
    with pytest.raises(RuntimeError, match=f"{name}\\(\\): window_length must be >= 0, got -1"):
        fn(-1)
    with pytest.raises(TypeError, match=f"{name}\\(\\): window_length must be an int, got float"):
        fn(3.0)
    with pytest.raises(TypeError, match=f"{name}\\(\\): window_length must be an int, got bool"):
        fn(True)
    with pytest.raises(RuntimeError, match=f"{name}\\(\\): dtype must be a floating point dtype, got ddp.int64"):
        fn(3, dtype=ddp.int64)


def test_window_parameters():
    np.testing.assert_allclose(ddp.hamming_window(5, False, alpha=0.5, beta=0.5).numpy(),
                               ddp.hann_window(5, False).numpy(), atol=1e-7)
    np.testing.assert_allclose(ddp.kaiser_window(7, False, beta=5.0, dtype=ddp.float64).numpy(), np.kaiser(7, 5.0),
                               atol=1e-12)
    assert ddp.kaiser_window(4, beta=0.0).tolist() == [1.0] * 4
    with pytest.raises(RuntimeError, match="kaiser_window\\(\\): beta must be >= 0, got -1.0"):
        ddp.kaiser_window(4, beta=-1.0)


def test_against_torch():
    torch = pytest.importorskip("torch")
    for name in SYMMETRIC:
        for n in (0, 1, 2, 5, 16, 31):
            for periodic in (True, False):
                for dtype in ("float32", "float64"):
                    got = getattr(ddp, name)(n, periodic, dtype=getattr(ddp, dtype))
                    want = getattr(torch, name)(n, periodic, dtype=getattr(torch, dtype))
                    assert got.dtype.name == dtype and got.shape == tuple(want.shape)
                    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=3e-6 if dtype == "float32" else 1e-12)
    for args in ((6, True, 0.6, 0.4), (6, False, 0.6, 0.4)):
        np.testing.assert_allclose(ddp.hamming_window(*args).numpy(), torch.hamming_window(*args).numpy(), atol=1e-6)
    for beta in (0.0, 3.0, 20.0):
        np.testing.assert_allclose(ddp.kaiser_window(9, False, beta, dtype=ddp.float64).numpy(),
                                   torch.kaiser_window(9, False, beta, dtype=torch.float64).numpy(), atol=1e-12)
