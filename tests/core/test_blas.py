"""blas.axpy (y += alpha * x) and blas.axpby (y = alpha * x + beta * y) through BLAS for large contiguous
float arrays, numpy's fallback otherwise."""
import numpy as np
import pytest

from ddp.core import blas

BIG = blas.MIN_SIZE + 7  # an odd size: the kernels' vector loop and scalar tail both run


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axpy_matches_the_formula_to_one_rounding(dtype):
    if np.dtype(dtype).name not in blas.available():
        pytest.skip(f"no BLAS axpy for {np.dtype(dtype).name} here")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, BIG)).astype(dtype)
    expected = y.astype(np.float64) - 0.3 * x.astype(np.float64)
    assert blas.axpy(-0.3, x, y)
    assert y.dtype == dtype
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(y, expected, rtol=2 * eps, atol=2 * eps)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axpby_matches_the_formula_to_its_roundings(dtype):
    if np.dtype(dtype).name not in blas.available("axpby"):
        pytest.skip(f"no BLAS axpby for {np.dtype(dtype).name} here")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, BIG)).astype(dtype)
    expected = 0.7 * x.astype(np.float64) + 0.9 * y.astype(np.float64)
    assert blas.axpby(0.7, x, 0.9, y)
    assert y.dtype == dtype
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(y, expected, rtol=4 * eps, atol=4 * eps)


def test_an_openblas_or_mkl_numpy_has_saxpy():
    """numpy's Linux wheels bundle OpenBLAS (conda's may use MKL): there the float32 path must be found, or
    SGD silently loses its one pass."""
    from threadpoolctl import threadpool_info

    if not any(i.get("internal_api") in ("openblas", "mkl") for i in threadpool_info() if i.get("user_api") == "blas"):
        pytest.skip("numpy's BLAS here is neither OpenBLAS nor MKL")
    assert "float32" in blas.available() and "float32" in blas.available("axpby")


@pytest.mark.parametrize("case", ["small", "strided", "dtypes", "readonly"])
def test_axpy_declines_and_leaves_y_alone(case):
    x = np.ones(BIG, np.float32)
    y = np.zeros(BIG, np.float32)
    if case == "small":
        x, y = x[:100], y[:100]
    elif case == "strided":
        x, y = np.ones(2 * BIG, np.float32)[::2], np.zeros(2 * BIG, np.float32)[::2]
    elif case == "dtypes":
        x = x.astype(np.float64)
    else:
        y.flags.writeable = False
    assert not blas.axpy(2.0, x, y)
    assert not blas.axpby(2.0, x, 3.0, y)
    assert not y.any()


def test_sgd_on_a_large_parameter_is_the_rule():
    import ddp

    rng = np.random.default_rng(1)
    start, grad = rng.standard_normal((2, 300, 200)).astype(np.float32)
    p = ddp.nn.Parameter(ddp.from_numpy(start.copy()))
    p.grad = ddp.from_numpy(grad.copy())
    ddp.optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.numpy(), start - np.float32(0.1) * grad, rtol=1e-6, atol=1e-7)
    assert p._version == 1
