"""3-D pooling (max, avg, adaptive avg, adaptive max; functional and modules): torch parity of values,
indices and gradients, float64 gradchecks on tie-free samples, float32 kept, and errors."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from tests.core.op_helpers import against_torch, gradcheck


def _distinct(shape, seed=0):
    """Values 0.1 apart in a random order: no ties for a max to flip between under finite differences."""
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n) * 0.1 - n * 0.05).reshape(shape)


MAX_CASES = [dict(kernel_size=2), dict(kernel_size=(2, 3, 2), stride=(1, 2, 1)),
             dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=2, stride=1, dilation=2),
             dict(kernel_size=3, stride=2, ceil_mode=True),
             dict(kernel_size=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))]


@pytest.mark.parametrize("kwargs", MAX_CASES)
def test_max_pool3d_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    x = _distinct((2, 3, 5, 6, 7))
    against_torch(lambda a: F.max_pool3d(a, **kwargs), lambda a: torch.nn.functional.max_pool3d(a, **kwargs), x)
    y, i = F.max_pool3d(ddp.tensor(x), return_indices=True, **kwargs)
    yt, it = torch.nn.functional.max_pool3d(torch.tensor(x), return_indices=True, **kwargs)
    np.testing.assert_array_equal(i.numpy(), it.numpy())
    assert i.dtype == np.int64
    assert gradcheck(lambda a: F.max_pool3d(a, **kwargs), _distinct((1, 1, 5, 6, 7), seed=1))


AVG_CASES = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
             dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
             dict(kernel_size=(2, 3, 3), stride=2, ceil_mode=True), dict(kernel_size=2, divisor_override=3),
             dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)]


@pytest.mark.parametrize("kwargs", AVG_CASES)
def test_avg_pool3d_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((2, 3, 5, 6, 7))
    against_torch(lambda a: F.avg_pool3d(a, **kwargs), lambda a: torch.nn.functional.avg_pool3d(a, **kwargs), x)
    assert gradcheck(lambda a: F.avg_pool3d(a, **kwargs), x[:1, :1])


@pytest.mark.parametrize("size", [1, 2, (3, 2, 4), (None, 3, 2), (4, 5, 6)])
def test_adaptive_pool3d_matches_torch(size):
    torch = pytest.importorskip("torch")
    x = _distinct((2, 2, 4, 5, 6), seed=3)
    tf = torch.nn.functional
    against_torch(lambda a: F.adaptive_avg_pool3d(a, size), lambda a: tf.adaptive_avg_pool3d(a, size), x)
    against_torch(lambda a: F.adaptive_max_pool3d(a, size), lambda a: tf.adaptive_max_pool3d(a, size), x)
    _, i = F.adaptive_max_pool3d(ddp.tensor(x), size, return_indices=True)
    _, it = torch.nn.functional.adaptive_max_pool3d(torch.tensor(x), size, return_indices=True)
    np.testing.assert_array_equal(i.numpy(), it.numpy())
    assert gradcheck(lambda a: F.adaptive_avg_pool3d(a, size), x[:1, :1])
    assert gradcheck(lambda a: F.adaptive_max_pool3d(a, size), x[:1, :1])


def test_unbatched_float32_and_modules():
    torch = pytest.importorskip("torch")
    x = ddp.randn(3, 4, 6, 6)  # unbatched (C, D, H, W)
    tn = torch.nn
    for ours, theirs in [(nn.MaxPool3d(2), tn.MaxPool3d(2)), (nn.AvgPool3d(3, 2, 1), tn.AvgPool3d(3, 2, 1)),
                         (nn.AdaptiveAvgPool3d(2), tn.AdaptiveAvgPool3d(2)),
                         (nn.AdaptiveMaxPool3d((1, None, 2)), tn.AdaptiveMaxPool3d((1, None, 2)))]:
        y, yt = ours(x), theirs(torch.tensor(x.numpy()))
        assert y.dtype == np.float32 and y.shape == tuple(yt.shape)
        np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-6, atol=1e-6)
        assert repr(ours) == repr(theirs)
    pooled, indices = nn.MaxPool3d(2, return_indices=True)(x)
    assert pooled.shape == (3, 2, 3, 3) and indices.shape == (3, 2, 3, 3)
    assert nn.modules.pooling.MaxPool3d is nn.MaxPool3d
    assert nn.modules.pooling.AdaptiveMaxPool3d is nn.AdaptiveMaxPool3d


def test_errors():
    with pytest.raises(RuntimeError, match="4-D .unbatched. or 5-D"):
        F.max_pool3d(ddp.randn(3, 4, 4), 2)
    with pytest.raises(TypeError, match="tuple of 3"):
        F.avg_pool3d(ddp.randn(1, 1, 4, 4, 4), (2, 2))
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        F.max_pool3d(ddp.randn(1, 1, 4, 4, 4), 2, padding=2)
    with pytest.raises(RuntimeError, match="too small"):
        F.avg_pool3d(ddp.randn(1, 1, 1, 4, 4), 2)
    with pytest.raises(RuntimeError, match="tuple of 3"):
        F.adaptive_avg_pool3d(ddp.randn(1, 1, 4, 4, 4), (2, 2))
