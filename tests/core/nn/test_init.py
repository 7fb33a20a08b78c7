"""nn.init: distributions, gains and fans as PyTorch, in place, dtype kept, reproducible from the seed."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.nn import init


def test_calculate_gain():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    assert init.calculate_gain("selu") == pytest.approx(0.75)
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.calculate_gain("swish")
    torch = pytest.importorskip("torch")
    for name in ("linear", "tanh", "relu", "leaky_relu", "selu"):
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))


def test_fans():
    assert init._calculate_fan_in_and_fan_out(ddp.empty(3, 4)) == (4, 3)
    assert init._calculate_fan_in_and_fan_out(ddp.empty(8, 2, 3, 3)) == (18, 72)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ddp.empty(5))


def _stats(t):
    a = t.numpy().astype(np.float64)
    return a.mean(), a.std(), np.abs(a).max()


@pytest.mark.parametrize("fn, kwargs, dist, scale", [
    (init.uniform_, dict(a=-2.0, b=2.0), "uniform", 2.0),
    (init.normal_, dict(mean=0.0, std=3.0), "normal", 3.0),
    (init.xavier_uniform_, dict(gain=2.0), "uniform", 2.0 * math.sqrt(6 / (200 + 300))),
    (init.xavier_normal_, dict(), "normal", math.sqrt(2 / (200 + 300))),
    (init.kaiming_uniform_, dict(a=math.sqrt(5)), "uniform", 1 / math.sqrt(200)),
    (init.kaiming_uniform_, dict(nonlinearity="relu"), "uniform", math.sqrt(2) * math.sqrt(3 / 200)),
    (init.kaiming_normal_, dict(mode="fan_out", nonlinearity="relu"), "normal", math.sqrt(2) / math.sqrt(300)),
])
def test_distributions(fn, kwargs, dist, scale):
    ddp.manual_seed(0)
    w = ddp.empty(300, 200)
    version = w._version
    assert fn(w, **kwargs) is w and w._version > version and w.dtype == np.float32
    mean, std, top = _stats(w)
    if dist == "uniform":  # scale is the bound
        assert top <= scale and std == pytest.approx(scale / math.sqrt(3), rel=0.02)
    else:  # scale is the std
        assert std == pytest.approx(scale, rel=0.02)
    assert abs(mean) < 0.02 * scale * 3
    ddp.manual_seed(0)
    np.testing.assert_array_equal(fn(ddp.empty(300, 200), **kwargs).numpy(), w.numpy())


def test_constants_eye_orthogonal_trunc_normal():
    w = nn.Parameter(ddp.empty(3, 5))
    assert (init.constant_(w, 0.5).numpy() == 0.5).all() and w.requires_grad and w.is_leaf
    assert not init.zeros_(w).numpy().any() and (init.ones_(w).numpy() == 1).all()
    np.testing.assert_array_equal(init.eye_(w).numpy(), np.eye(3, 5))
    for shape in [(4, 6), (6, 4), (4, 2, 3)]:
        q = init.orthogonal_(ddp.empty(*shape), gain=2.0).numpy().reshape(shape[0], -1).astype(np.float64)
        small = q @ q.T if shape[0] <= q.shape[1] else q.T @ q
        np.testing.assert_allclose(small, 4 * np.eye(small.shape[0]), atol=1e-5)
    t = init.trunc_normal_(ddp.empty(1000), std=1.0, a=-0.5, b=0.5).numpy()
    assert t.min() >= -0.5 and t.max() <= 0.5


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 2, 3, 3)])
def test_orthogonal_leaves_an_empty_tensor_alone(shape):
    """PyTorch's orthogonal_ is a no-op on a tensor without elements (a zero-width layer)."""
    w = nn.Parameter(ddp.empty(*shape))
    assert init.orthogonal_(w, gain=init.calculate_gain("relu")) is w and tuple(w.shape) == shape


def test_init_does_not_record_and_float64_kept():
    w = nn.Parameter(ddp.zeros(4, 4, dtype=ddp.float64))
    init.kaiming_uniform_(w)
    assert w.grad_fn is None and w.dtype == np.float64 and w.numpy().any()
