"""Shared by the family tests: one ddp distribution and its torch twin, compared on every statistic, and
sample-moment checks."""
import math

import numpy as np

import ddp

_STATS = ("mean", "variance", "stddev", "mode")


def _get(obj, name, *args):
    """obj.name (or obj.name(*args)); the exception type when it raises NotImplementedError."""
    try:
        attr = getattr(obj, name)
        return attr(*args) if callable(attr) else attr
    except NotImplementedError:
        return NotImplementedError


def compare(torch, ddp_cls, torch_cls, params, value=None, probs=None, rtol=1e-9, atol=1e-11, grad=True,
            skip=(), no_grad=()):
    """Build both from float64 `params` (numpy arrays, or Python numbers passed as they are) and compare the
    shapes, the statistics, log_prob(value), cdf(value), icdf(probs), entropy, and the gradients of their sum
    with respect to every Tensor parameter. A method torch lacks (NotImplementedError) must be missing in ddp
    too; `skip` names what to leave out, `no_grad` what to leave out of the gradients (torch has none).
    Returns the ddp distribution."""
    leaves = {k: ddp.tensor(v, dtype=ddp.float64, requires_grad=True) if isinstance(v, np.ndarray) else v
              for k, v in params.items()}
    twins = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) if isinstance(v, np.ndarray) else v
             for k, v in params.items()}
    d, t = ddp_cls(**leaves), torch_cls(**twins)
    assert (tuple(d.batch_shape), tuple(d.event_shape)) == (tuple(t.batch_shape), tuple(t.event_shape))
    assert d.has_rsample == t.has_rsample
    calls = [(name, ()) for name in _STATS]
    if value is not None:
        calls += [("log_prob", (value,)), ("cdf", (value,))]
    if probs is not None:
        calls.append(("icdf", (probs,)))
    calls.append(("entropy", ()))
    ours, theirs = [], []
    for name, args in calls:
        if name in skip:
            continue
        b = _get(t, name, *(torch.from_numpy(np.asarray(a, dtype=np.float64)) for a in args))
        a = _get(d, name, *(ddp.tensor(np.asarray(a, dtype=np.float64)) for a in args))
        if b is NotImplementedError:
            assert a is NotImplementedError, f"{name}: torch has none, ddp gives {a}"
            continue
        assert a is not NotImplementedError, f"{name} is missing"
        assert a.dtype == ddp.float64, name
        assert tuple(a.shape) == tuple(b.shape), (name, tuple(a.shape), tuple(b.shape))
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol, err_msg=name)
        if np.isfinite(b.detach().numpy()).all() and b.requires_grad and name not in no_grad:
            ours.append(a.sum())
            theirs.append(b.sum())
    if grad and ours:
        sum(ours).backward()
        sum(theirs).backward()
        for k, leaf in leaves.items():
            if isinstance(leaf, ddp.Tensor) and twins[k].grad is not None:
                np.testing.assert_allclose(leaf.grad.numpy(), twins[k].grad.numpy(), rtol=100 * rtol,
                                           atol=100 * atol, err_msg=f"gradient of {k}")
    return d


def check_moments(samples, mean, var, n_sigma=5.0):
    """Sample mean and variance within n_sigma standard errors (the variance's from the sample's 4th moment)."""
    x = np.asarray(samples, dtype=np.float64)
    n = x.shape[0]
    m = x.mean(0)
    assert (np.abs(m - mean) <= n_sigma * np.sqrt(var / n)).all(), (m, mean)
    centred = x - m
    fourth = (centred ** 4).mean(0)
    v = centred.var(0)
    assert (np.abs(v - var) <= n_sigma * np.sqrt(np.maximum(fourth - v ** 2, 0) / n) + 1e-12).all(), (v, var)


def same_under_seed(draw, seed=7):
    """draw() twice after manual_seed(seed) gives the same values."""
    ddp.manual_seed(seed)
    a = draw().numpy().copy()
    ddp.manual_seed(seed)
    b = draw().numpy()
    return np.array_equal(a, b, equal_nan=True) and math.prod(a.shape) > 0
