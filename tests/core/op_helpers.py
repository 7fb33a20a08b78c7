"""Shared checks for the op tests: samples kept off kinks, float64 gradient checks, numpy forward references."""
import numpy as np
import pytest

import ddp


def sample(shape, domain="real", seed=0, avoid=(0.0,)):
    """float64 samples of `shape`: 'real' is normal and kept 0.1 away from each value in `avoid` (kinks);
    'pos' is uniform in [0.5, 2]; 'unit' is uniform in [-0.9, 0.9] (off zero)."""
    rng = np.random.default_rng(seed)
    if domain == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "unit":
        x = rng.uniform(0.1, 0.9, shape)
        return x * rng.choice([-1.0, 1.0], shape)
    x = np.asarray(rng.standard_normal(shape))
    for k in avoid:
        d = x - k
        x = k + np.where(np.abs(d) < 0.1, np.where(d >= 0, 1.0, -1.0) * (0.1 + np.abs(d)), d)
    return x


def apart(shape_a, shape_b, seed=0, gap=0.1):
    """Two float64 samples whose broadcast elementwise differences stay at least `gap` apart (no ties)."""
    for s in range(seed, seed + 100):
        a, b = sample(shape_a, seed=s), sample(shape_b, seed=s + 1000)
        if np.all(np.abs(a - b) >= gap):
            return a, b
    raise AssertionError("could not draw samples without near-ties")


def leaf(array, dtype=np.float64):
    """A leaf tensor (a copy of `array` in `dtype`) that requires grad."""
    return ddp.tensor(np.asarray(array, dtype=dtype), dtype=dtype, requires_grad=True)


def gradcheck(fn, *arrays, **kwargs):
    """Run ddp.autograd.gradcheck on `fn` with float64 leaves made from `arrays`.

    Its defaults (eps 1e-6, atol 1e-7, rtol 1e-5) fail a gradient off by a relative 1e-4: keep samples off
    kinks and at moderate magnitudes (`sample`, `apart`) rather than loosening the tolerances."""
    return ddp.autograd.gradcheck(fn, tuple(leaf(a) for a in arrays), **kwargs)


def forward32(fn, ref, *arrays, rtol=1e-5, atol=1e-6):
    """fn on float32 tensors must match `ref` on float32 arrays, keep float32, and give float32 grads."""
    arrays32 = [np.asarray(a, dtype=np.float32) for a in arrays]
    xs = [leaf(a, np.float32) for a in arrays32]
    out = fn(*xs)
    expected = np.asarray(ref(*arrays32))
    assert out.dtype == np.float32, f"forward gave {out.dtype}"
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=rtol, atol=atol)
    out.backward(ddp.ones_like(out))
    for x in xs:
        assert x.grad is not None and x.grad.dtype == np.float32 and x.grad.shape == x.shape
    return out


def against_torch(fn_ddp, fn_torch, *arrays, masks=None):
    """Values, and the input gradients of the output times fixed weights, of ddp and torch on float64 copies of
    `arrays`; `masks` (one per input, None for all) picks the entries whose gradients must agree. Skips
    without torch."""
    import pytest
    torch = pytest.importorskip("torch")
    xs = [leaf(a) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, yt = fn_ddp(*xs), fn_torch(*ts)
    w = np.random.default_rng(7).standard_normal(tuple(y.shape))
    (y * ddp.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-9, atol=1e-12)
    for x, t, m in zip(xs, ts, masks or [None] * len(xs)):
        m = np.ones(x.shape, dtype=bool) if m is None else np.broadcast_to(m, x.shape)
        np.testing.assert_allclose(x.grad.numpy()[m], t.grad.numpy()[m], rtol=1e-8, atol=1e-10)


def libraries():
    """ddp, then PyTorch where it is installed: the libraries a scenario runs on, to compare what each does."""
    try:
        import torch
    except ImportError:
        return [ddp]
    return [ddp, torch]


#: Run a test once per library (`def test_x(lib)`), so that PyTorch's behaviour checks ddp's where installed.
each_library = pytest.mark.parametrize("lib", libraries(), ids=lambda lib: lib.__name__)
