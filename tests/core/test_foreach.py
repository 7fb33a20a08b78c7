"""torch._foreach_* ops: every one of PyTorch's (but _foreach_powsum) against PyTorch with shared, per-tensor
and tensor-list arguments, in place and out of place; an EMA update as programs write it; errors."""
import numpy as np
import pytest

import ddp

ARRAYS = [np.array([0.6, 0.9, 1.3]), np.array([[0.7, 1.1], [0.8, 1.4]])]
NAMES = sorted(n for n in ddp.core.foreach.__all__)


def _tensors(lib):
    return [lib.tensor(a.copy()) for a in ARRAYS]


def _variants(name):
    base = name[len("_foreach_"):].rstrip("_")
    if base in ("add", "sub", "mul", "div", "pow", "clamp_min", "clamp_max", "maximum", "minimum"):
        return [(0.7,), ([0.5, 2.0],), ("tensors",)]
    if base in ("addcmul", "addcdiv"):
        return [("tensors", "tensors"), ("tensors", "tensors", 0.5)]
    if base == "lerp":
        return [("tensors", 0.3), ("tensors", [0.1, 0.9])]
    if base == "mm":
        return []
    if base == "copy":
        return [("tensors",)]
    return [()]


def _run(lib, name, variant):
    ts = _tensors(lib)
    args = [_tensors(lib) if a == "tensors" else a for a in variant]
    out = getattr(lib, name)(ts, *args)
    result = ts if name.endswith("_") else out
    return [np.asarray(r.detach().numpy() if hasattr(r, "detach") else r) for r in result]


@pytest.mark.parametrize("name", NAMES)
def test_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    for variant in _variants(name):
        with np.errstate(invalid="ignore"):
            for mine, theirs in zip(_run(ddp, name, variant), _run(torch, name, variant)):
                np.testing.assert_allclose(mine, theirs, rtol=1e-12, equal_nan=True, err_msg=f"{name}{variant}")


def test_an_ema_update_as_programs_write_it():
    params = _tensors(ddp)
    ema = [p.clone() * 0 for p in params]
    ddp._foreach_mul_(ema, 0.9)
    ddp._foreach_add_(ema, params, alpha=0.1)
    for e, a in zip(ema, ARRAYS):
        np.testing.assert_allclose(e.numpy(), 0.1 * a)
    norms = ddp._foreach_norm(params)
    np.testing.assert_allclose([n.item() for n in norms], [np.linalg.norm(a) for a in ARRAYS])
    assert [m.item() for m in ddp._foreach_max(params)] == [1.3, 1.4]
    np.testing.assert_allclose(ddp._foreach_pow(2.0, params)[0].numpy(), 2.0 ** ARRAYS[0])
    ddp._foreach_zero_(params)
    assert all(not p.numpy().any() for p in params)


def test_out_of_place_ops_are_differentiable():
    xs = [ddp.tensor(a, requires_grad=True) for a in ARRAYS]
    total = sum(y.sum() for y in ddp._foreach_mul(ddp._foreach_exp(xs), [2.0, 3.0]))
    total.backward()
    for x, a, k in zip(xs, ARRAYS, (2.0, 3.0)):
        np.testing.assert_allclose(x.grad.numpy(), k * np.exp(a))


def test_lists_must_match_in_length():
    with pytest.raises(RuntimeError, match="same number of tensors"):
        ddp._foreach_add(_tensors(ddp), [1.0, 2.0, 3.0])
