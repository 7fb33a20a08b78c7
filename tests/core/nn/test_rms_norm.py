"""RMSNorm and F.rms_norm: numpy reference, float64 gradcheck, torch parity of values and gradients, the
module's parameters and repr, and torch's errors."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from tests.core.op_helpers import against_torch, forward32, gradcheck, sample


def _reference(x, dims, weight=None, eps=1e-6):
    axes = tuple(range(x.ndim - dims, x.ndim))
    y = x / np.sqrt(np.square(x).mean(axis=axes, keepdims=True) + eps)
    return y * weight if weight is not None else y


@pytest.mark.parametrize("shape,normalized", [((4, 6), (6,)), ((2, 3, 4), (3, 4)), ((5,), (5,))])
def test_values_and_gradients(shape, normalized):
    x, w = sample(shape, seed=1), sample(normalized, "pos", seed=2)
    fn = lambda a, b: F.rms_norm(a, normalized, b, eps=1e-6)  # noqa: E731
    forward32(fn, lambda a, b: _reference(a, len(normalized), b), x, w)
    assert gradcheck(fn, x, w)
    assert gradcheck(lambda a: F.rms_norm(a, normalized), x)
    torch = pytest.importorskip("torch")
    against_torch(fn, lambda a, b: torch.nn.functional.rms_norm(a, normalized, b, eps=1e-6), x, w)


def test_default_eps_is_the_dtype_epsilon():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32) * 1e-4
    ours = F.rms_norm(ddp.tensor(x), (8,))
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.numpy(), torch.nn.functional.rms_norm(torch.tensor(x), (8,)).numpy(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(F.rms_norm(ddp.zeros(2, 4), (4,)).numpy(), np.zeros((2, 4)))


def test_module_parameters_state_dict_and_repr():
    m = nn.RMSNorm([3, 4])
    assert list(m.state_dict()) == ["weight"] and m.weight.shape == (3, 4) and m.weight.dtype == np.float32
    assert repr(m) == "RMSNorm((3, 4), eps=None, elementwise_affine=True)"
    assert list(nn.RMSNorm(4, eps=1e-5, elementwise_affine=False).state_dict()) == []
    assert repr(nn.RMSNorm(4, eps=1e-5, elementwise_affine=False)) == \
        "RMSNorm((4,), eps=1e-05, elementwise_affine=False)"
    x = ddp.randn(2, 3, 4)
    m.weight.data.fill_(2.0)
    y = m(x)
    np.testing.assert_allclose(y.numpy(), 2 * _reference(x.numpy(), 2, eps=np.finfo(np.float32).eps), rtol=1e-5)
    y.sum().backward()
    assert m.weight.grad.shape == (3, 4)
    assert nn.modules.normalization.RMSNorm is nn.RMSNorm


def test_errors():
    x = ddp.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="rms_norm"):
        F.rms_norm(x, (3,))
    with pytest.raises(RuntimeError, match="weight"):
        F.rms_norm(x, (4,), weight=ddp.ones(3))
    with pytest.raises(ValueError, match="fewer dims"):
        F.rms_norm(x, (2, 2, 3, 4))
