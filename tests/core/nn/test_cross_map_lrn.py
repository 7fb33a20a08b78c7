"""nn.CrossMapLRN2d: values and gradients equal to torch's (legacy windows and backward formula included),
a numpy reference of the forward, float32 kept, a float64 gradcheck where torch's formula is the exact
gradient (one channel), repr and errors with torch's types."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
from tests.core.op_helpers import against_torch, gradcheck, sample


def ref_forward(x, size, alpha, beta, k):
    """PyTorch's running-sum windows: channels c - p + 1 .. c + p - 1 (p = (size + 1) // 2) and channel 0."""
    c = x.shape[1]
    p = (size + 1) // 2
    scale = np.empty_like(x)
    for ch in range(c):
        window = set(range(max(0, ch - p + 1), min(c, ch + p))) | {0}
        scale[:, ch] = sum(x[:, j] ** 2 for j in window)
    return x * (k + alpha / size * scale) ** -beta


@pytest.mark.parametrize("size", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("channels", [1, 2, 5, 9])
def test_values_and_gradients_match_torch(size, channels):
    torch = pytest.importorskip("torch")
    x = sample((2, channels, 3, 4), seed=size + channels)
    args = (size, 0.3, 0.8, 1.5)
    np.testing.assert_allclose(nn.CrossMapLRN2d(*args)(ddp.tensor(x)).numpy(), ref_forward(x, *args), rtol=1e-12)
    against_torch(nn.CrossMapLRN2d(*args), torch.nn.CrossMapLRN2d(*args), x)


def test_defaults_and_float32():
    torch = pytest.importorskip("torch")
    x = (np.random.default_rng(0).standard_normal((2, 7, 5, 5)) * 3).astype(np.float32)
    a = ddp.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    y, yt = nn.CrossMapLRN2d(5)(a), torch.nn.CrossMapLRN2d(5)(t)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-6)
    y.sum().backward()
    yt.sum().backward()
    assert a.grad.dtype == np.float32
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_gradcheck_single_channel():
    """With one channel torch's backward is the derivative of its forward; check it numerically."""
    for size in (2, 3, 5):
        assert gradcheck(nn.CrossMapLRN2d(size, 0.5, 0.75, 1.0), sample((2, 1, 3, 3), seed=size))


def test_backward_is_torchs_formula_not_the_exact_derivative():
    """Documented quirk: with several channels the legacy backward differs from finite differences."""
    x = ddp.tensor(sample((1, 4, 2, 2)), requires_grad=True)
    assert not ddp.autograd.gradcheck(nn.CrossMapLRN2d(3, 0.5, 0.75, 1.0), (x,), raise_exception=False)


def test_size_one_forward_works_backward_raises():
    torch = pytest.importorskip("torch")
    x = sample((1, 3, 2, 2))
    np.testing.assert_allclose(nn.CrossMapLRN2d(1)(ddp.tensor(x)).numpy(),
                               torch.nn.CrossMapLRN2d(1)(torch.tensor(x)).numpy(), rtol=1e-12)
    a = ddp.tensor(x, requires_grad=True)
    with pytest.raises(RuntimeError, match="size >= 2"):
        nn.CrossMapLRN2d(1)(a).sum().backward()


def test_repr_and_errors():
    torch = pytest.importorskip("torch")
    assert repr(nn.CrossMapLRN2d(5)) == repr(torch.nn.CrossMapLRN2d(5))
    assert repr(nn.CrossMapLRN2d(3, 0.1, 0.5, 2.0)) == repr(torch.nn.CrossMapLRN2d(3, 0.1, 0.5, 2.0))
    for shape in ((2, 3, 4), (1, 2, 3, 4, 5)):
        with pytest.raises(ValueError, match=f"Expected input to be 4D, got {len(shape)}D instead"):
            nn.CrossMapLRN2d(3)(ddp.randn(*shape))
    assert nn.CrossMapLRN2d(3)(ddp.randn(0, 3, 2, 2)).shape == (0, 3, 2, 2)
