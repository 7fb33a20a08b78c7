"""ddp.nn.functional: erf/GELU accuracy, dropout, one_hot, softmax dims, norm and embedding argument errors."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn.functional as F
from ddp.core.ops.activation import erf

gradcheck = ddp.autograd.gradcheck


def test_erf_matches_math_erf():
    x = np.concatenate([np.linspace(-8, 8, 100001), [0.0, 1e-300, -1e-8, 5.99, 6.0, 6.01, 30.0, -np.inf, np.inf]])
    want = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(erf(x), want, rtol=0, atol=1e-13)
    assert erf(np.float32(0.5)).dtype == np.float64


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_gradcheck_float64(approximate):
    # the Chebyshev erf is smooth and accurate to 1e-13, far below the finite-difference error
    x = ddp.tensor(np.linspace(-5, 5, 23), dtype=ddp.float64, requires_grad=True)
    assert gradcheck(lambda x: F.gelu(x, approximate=approximate), (x,), atol=1e-8, rtol=1e-6)


def test_gelu_errors_and_dtype():
    assert F.gelu(ddp.randn(3)).dtype == np.float32
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(ddp.randn(3), approximate="fast")


def test_dropout_functional():
    x = ddp.randn(10, 10)
    assert F.dropout(x, 0.5, training=False) is x and F.dropout(x, 0.0) is x
    with pytest.raises(ValueError, match="got -0.1"):
        F.dropout(x, -0.1)


def test_leaky_relu_slope_and_grad():
    x = ddp.tensor([-2.0, 3.0], requires_grad=True)
    y = F.leaky_relu(x, 0.1)
    np.testing.assert_allclose(y.numpy(), [-0.2, 3.0], rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.1, 1.0], rtol=1e-6)


def test_softmax_dims_and_one_hot():
    x = ddp.randn(2, 3)
    np.testing.assert_allclose(F.softmax(x).numpy().sum(1), 1, rtol=1e-6)  # legacy default dim 1 for 2-D
    np.testing.assert_allclose(F.softmax(x, 0).numpy().sum(0), 1, rtol=1e-6)
    np.testing.assert_allclose(np.exp(F.log_softmax(x, -1).numpy()), F.softmax(x, -1).numpy(), rtol=1e-6)
    oh = F.one_hot(ddp.tensor([0, 2, 1]))
    assert oh.dtype == np.int64
    np.testing.assert_array_equal(oh.numpy(), np.eye(3)[[0, 2, 1]])
    assert F.one_hot(ddp.tensor([1]), 4).shape == (1, 4)
    with pytest.raises(RuntimeError, match=r"\[0, 2\)"):
        F.one_hot(ddp.tensor([2]), 2)


def test_functional_exports():
    for name in ("relu", "linear", "dropout", "softmax", "log_softmax", "cross_entropy", "mse_loss", "batch_norm",
                 "layer_norm", "embedding", "nll_loss", "binary_cross_entropy_with_logits", "gelu", "conv2d",
                 "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "pad", "flatten", "sigmoid", "tanh"):
        assert callable(getattr(F, name)), name


def test_batch_norm_functional_eval_needs_stats_and_updates_in_place():
    x = ddp.randn(4, 3)
    with pytest.raises(RuntimeError, match="running_mean and running_var"):
        F.batch_norm(x, None, None, training=False)
    rm, rv = ddp.zeros(3), ddp.ones(3)
    before = rm._version
    F.batch_norm(x, rm, rv, training=True, momentum=0.5)
    np.testing.assert_allclose(rm.numpy(), 0.5 * x.numpy().mean(0), rtol=1e-5, atol=1e-7)
    assert rm._version > before
    with pytest.raises(ValueError, match="at least 2 dims"):
        F.batch_norm(ddp.randn(3), rm, rv)


def test_layer_norm_and_embedding_errors():
    with pytest.raises(RuntimeError, match=r"weight has shape \(3,\)"):
        F.layer_norm(ddp.randn(2, 4), (4,), weight=ddp.ones(3))
    with pytest.raises(IndexError, match="out of range"):
        F.embedding(ddp.tensor([-1]), ddp.randn(3, 2))
