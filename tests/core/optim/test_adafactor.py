"""Adafactor: a numpy reference of PyTorch's documented rule, torch.optim.Adafactor step by step for 0-D to 3-D
parameters, the factored state's shapes, and PyTorch's argument errors."""
import numpy as np
import pytest

import ddp
from ddp.core.tensor import Tensor

SHAPES = [(5,), (3, 4), (2, 3, 4), ()]
CASES = [
    dict(),
    dict(lr=0.05, weight_decay=0.1),
    dict(maximize=True, beta2_decay=-0.5, d=1.5, eps=(1e-30, 1e-2)),
    dict(lr=0.3, eps=(1e-3, 1e-3)),  # eps1 large enough to clamp the estimate and the row-mean denominator
]


def _params(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def reference_steps(arrays, grads, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0,
                    maximize=False):
    """Adafactor in float64 from the formulas of PyTorch's documentation, one parameter at a time."""
    out = []
    for p, gs in zip(arrays, grads):
        p = p.astype(np.float64)
        eps1 = np.finfo(np.float32).eps if eps[0] is None else eps[0]
        row = col = var = None
        for t, g in enumerate(gs, start=1):
            g = -g if maximize else g.astype(np.float64)
            beta2 = 1 - t**beta2_decay
            alpha = max(eps[1], np.sqrt(np.mean(p**2))) * min(lr, 1 / np.sqrt(t))
            p = p * (1 - lr * weight_decay)
            if g.ndim > 1:
                row = (g**2).mean(-1, keepdims=True) * (1 - beta2) + (0 if row is None else beta2 * row)
                col = (g**2).mean(-2, keepdims=True) * (1 - beta2) + (0 if col is None else beta2 * col)
                v = row * col / np.maximum(row.mean(-2, keepdims=True), eps1)
            else:
                var = g**2 * (1 - beta2) + (0 if var is None else beta2 * var)
                v = var
            u = g / np.sqrt(np.maximum(v, eps1**2))
            p = p - alpha / max(1, np.sqrt(np.mean(u**2)) / d) * u
        out.append(p)
    return out


@pytest.mark.parametrize("kwargs", CASES)
def test_matches_a_numpy_reference(kwargs):
    arrays = _params(np.float32)
    rng = np.random.default_rng(1)
    grads = [[rng.standard_normal(s).astype(np.float32) for _ in range(6)] for s in SHAPES]
    params = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = ddp.optim.Adafactor(params, **kwargs)
    for step in range(6):
        for p, gs in zip(params, grads):
            p.grad = Tensor(gs[step])
        opt.step()
    for p, expected in zip(params, reference_steps(arrays, grads, **kwargs)):
        assert p.dtype == np.float32
        np.testing.assert_allclose(p.numpy(), expected, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", CASES + [dict(foreach=True, lr=0.02)])
def test_steps_and_state_match_torch(kwargs, dtype):
    torch = pytest.importorskip("torch")
    arrays = _params(dtype)
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt, ref = ddp.optim.Adafactor(ours, **kwargs), torch.optim.Adafactor(theirs, **kwargs)
    rng = np.random.default_rng(2)
    tol = dict(rtol=2e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-14)
    for step in range(8):
        grads = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
        if step == 3:
            grads[0] = None  # skipped by both: its step count falls behind
        for p, q, g in zip(ours, theirs, grads):
            p.grad = None if g is None else Tensor(g.copy())
            q.grad = None if g is None else torch.tensor(g.copy())
        opt.step()
        ref.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.numpy(), q.detach().numpy(), err_msg=f"step {step}", **tol)
    for p, q in zip(ours, theirs):
        mine, expected = opt.state[p], ref.state[q]
        assert set(mine) == set(expected)
        for key, value in expected.items():
            if key == "step":
                assert mine[key] == value.item()
            else:
                assert mine[key].shape == tuple(value.shape) and mine[key].dtype == dtype
                np.testing.assert_allclose(mine[key].numpy(), value.numpy(), err_msg=key, **tol)
    assert opt.state_dict()["param_groups"][0].keys() == ref.state_dict()["param_groups"][0].keys()


def test_state_is_factored_for_matrices_only():
    params = [Tensor(np.ones(s, np.float32), requires_grad=True) for s in [(4, 6), (2, 3, 5), (7,), ()]]
    opt = ddp.optim.Adafactor(params)
    for p in params:
        p.grad = Tensor(np.ones(p.shape, np.float32))
    opt.step()
    assert opt.state[params[0]]["row_var"].shape == (4, 1) and opt.state[params[0]]["col_var"].shape == (1, 6)
    assert opt.state[params[1]]["row_var"].shape == (2, 3, 1) and opt.state[params[1]]["col_var"].shape == (2, 1, 5)
    assert set(opt.state[params[2]]) == {"step", "variance"} and opt.state[params[3]]["variance"].shape == ()
    # a first step with a constant gradient: u = g / |g| = 1, so p moves by alpha = max(eps2, RMS(p)) * lr
    np.testing.assert_allclose(params[0].numpy(), 1 - 1e-2, rtol=1e-6)


def test_state_dict_round_trip_continues_identically():
    a = Tensor(np.arange(12, dtype=np.float32).reshape(3, 4), requires_grad=True)
    b = Tensor(a.numpy().copy(), requires_grad=True)
    opt, other = ddp.optim.Adafactor([a], lr=0.1), ddp.optim.Adafactor([b], lr=0.1)
    for step in range(3):
        a.grad = Tensor(np.full((3, 4), step + 1.0, np.float32))
        opt.step()
    b.data = a.detach().clone()
    other.load_state_dict(opt.state_dict())
    a.grad, b.grad = Tensor(np.ones((3, 4), np.float32)), Tensor(np.ones((3, 4), np.float32))
    opt.step(), other.step()
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    wrong = ddp.optim.Adafactor([Tensor(np.zeros((3, 5), np.float32), requires_grad=True)])
    with pytest.raises(ValueError, match=r"'col_var' has shape \(1, 4\), but .* shape \(3, 5\) needs \(1, 5\)"):
        wrong.load_state_dict(opt.state_dict())


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lr=-1.0), ValueError, "Learning rate should be >= 0 but is: -1.0"),
    (dict(beta2_decay=0.5), ValueError, "beta2_decay should be <= 0 but is: 0.5"),
    (dict(eps=(-1e-3, 1e-3)), ValueError, "epsilon1 should be >= 0 but is: -0.001"),
    (dict(eps=(None, -1.0)), ValueError, "epsilon2 should be >= 0 but is: -1.0"),
    (dict(d=0.5), ValueError, "Clipping threshold d should be >= 1 but is: 0.5"),
    (dict(weight_decay=-0.1), ValueError, "weight_decay should be >= 0 but is: -0.1"),
    (dict(lr=Tensor(np.ones(2))), ValueError, "Tensor lr must be 1-element"),
    (dict(eps=1e-3), TypeError, "eps must be a pair"),
    (dict(d="1"), TypeError, "d must be a real number"),
    (dict(maximize=1), TypeError, "maximize must be a bool"),
])
def test_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        ddp.optim.Adafactor([Tensor(np.zeros(2, np.float32), requires_grad=True)], **kwargs)


def test_errors_are_torchs_types():
    torch = pytest.importorskip("torch")
    for kwargs in (dict(lr=-1.0), dict(beta2_decay=0.5), dict(eps=(-1e-3, 1e-3)), dict(d=0.5)):
        with pytest.raises(ValueError):
            torch.optim.Adafactor([torch.zeros(2, requires_grad=True)], **kwargs)
