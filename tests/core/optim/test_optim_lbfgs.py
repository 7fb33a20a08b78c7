"""LBFGS: a numpy L-BFGS written here, PyTorch's LBFGS on a quadratic and on Rosenbrock, convergence,
state dicts, the closure budget and argument errors."""
import copy

import numpy as np
import pytest

import ddp
from ddp.core.tensor import Tensor

X0 = [-1.2, 1.0, -0.5, 0.8, 1.5]


def rosenbrock(x):
    """Loss and gradient of the n-dimensional Rosenbrock function, computed in float64."""
    x = np.asarray(x, np.float64)
    r, s = x[1:] - x[:-1] ** 2, 1 - x[:-1]
    g = np.zeros_like(x)
    g[:-1] = -400 * x[:-1] * r - 2 * s
    g[1:] += 200 * r
    return float((100 * r**2 + s**2).sum()), g


def quadratic(x):
    """0.5 x.C x + b.x with C = diag(1..n), b = 1: the minimum is at -1 / (1..n)."""
    x = np.asarray(x, np.float64)
    c = np.arange(1, x.size + 1)
    return float(0.5 * (c * x * x).sum() + x.sum()), c * x + 1


def _closure(opt, x, fn):
    def closure():
        opt.zero_grad()
        loss, grad = fn(x.numpy())
        x.grad = Tensor(grad.astype(x.dtype))
        return loss
    return closure


def _ddp(fn, dtype=np.float64, steps=10, **kwargs):
    x = Tensor(np.array(X0, dtype), requires_grad=True)
    opt = ddp.optim.LBFGS([x], **kwargs)
    closure = _closure(opt, x, fn)
    path = []
    for _ in range(steps):
        opt.step(closure)
        path.append(x.numpy().copy())
    return path, opt.state[x]


# --------------------------------------------------------------------------------- numpy reference
def reference_lbfgs(fn, x, steps, lr=1.0, max_iter=20, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100):
    """Fixed-step L-BFGS as PyTorch runs it (no line search): `steps` calls of up to `max_iter` iterations."""
    max_eval = max_iter * 5 // 4
    x, pairs, n_total, path = np.array(x, np.float64), [], 0, []
    d = t = prev_g = h = None
    for _ in range(steps):
        loss, g = fn(x)
        evals = 1
        if np.abs(g).max() <= tolerance_grad:
            path.append(x.copy())
            continue
        for n in range(1, max_iter + 1):
            n_total += 1
            if n_total == 1:
                d, pairs, h = -g, [], 1.0
            else:
                y, s = g - prev_g, d * t
                if y @ s > 1e-10:
                    pairs = (pairs + [(s, y)])[-history_size:]
                    h = (y @ s) / (y @ y)
                q, alphas = -g.copy(), []
                for s_i, y_i in reversed(pairs):
                    alphas.append((s_i @ q) / (y_i @ s_i))
                    q -= alphas[-1] * y_i
                d = h * q
                for (s_i, y_i), a in zip(pairs, reversed(alphas)):
                    d += s_i * (a - (y_i @ d) / (y_i @ s_i))
            prev_g, prev_loss = g.copy(), loss
            t = min(1.0, 1.0 / np.abs(g).sum()) * lr if n_total == 1 else lr
            if g @ d > -tolerance_change:
                break
            x = x + t * d
            done = False
            if n != max_iter:
                loss, g = fn(x)
                evals += 1
                done = np.abs(g).max() <= tolerance_grad
            if n == max_iter or evals >= max_eval or done:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break
        path.append(x.copy())
    return path


@pytest.mark.parametrize("fn", [rosenbrock, quadratic])
@pytest.mark.parametrize("kwargs", [dict(), dict(lr=0.5, max_iter=5, history_size=3)], ids=["default", "short"])
def test_fixed_steps_follow_the_numpy_algorithm(fn, kwargs):
    path, _ = _ddp(fn, steps=12, **kwargs)
    expected = reference_lbfgs(fn, X0, 12, **kwargs)
    for step, (got, want) in enumerate(zip(path, expected)):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11, err_msg=f"step {step}")


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_rosenbrock_converges_to_the_minimum(line_search_fn):
    path, state = _ddp(rosenbrock, steps=15, line_search_fn=line_search_fn)
    np.testing.assert_allclose(path[-1], np.ones(5), atol=1e-4)
    assert state["n_iter"] > 20 and state["func_evals"] >= state["n_iter"]


def test_strong_wolfe_solves_the_quadratic_in_float32():
    path, _ = _ddp(quadratic, dtype=np.float32, steps=3, line_search_fn="strong_wolfe")
    assert path[-1].dtype == np.float32
    np.testing.assert_allclose(path[-1], -1 / np.arange(1, 6), atol=2e-5)  # float32: the loss stops changing


# ------------------------------------------------------------------------------------------- torch
@pytest.mark.parametrize("fn,dtype", [(rosenbrock, np.float64), (quadratic, np.float32), (quadratic, np.float64)],
                         ids=["rosenbrock-f64", "quadratic-f32", "quadratic-f64"])
@pytest.mark.parametrize("kwargs", [dict(), dict(line_search_fn="strong_wolfe"),
                                    dict(lr=0.5, max_iter=5, history_size=3),
                                    dict(lr=0.5, max_iter=5, history_size=3, line_search_fn="strong_wolfe")],
                         ids=["fixed", "wolfe", "fixed-short", "wolfe-short"])
def test_matches_torch(fn, dtype, kwargs):
    # Rosenbrock amplifies last-bit differences (PyTorch fuses p + t * d into one rounding), so it is
    # compared in float64, where they stay far below the tolerance
    torch = pytest.importorskip("torch")
    path, state = _ddp(fn, dtype=dtype, steps=20, **kwargs)
    x = torch.tensor(np.array(X0, dtype), requires_grad=True)
    opt = torch.optim.LBFGS([x], **kwargs)

    def closure():
        opt.zero_grad()
        loss, grad = fn(x.detach().numpy())
        x.grad = torch.from_numpy(grad.astype(dtype))
        return loss

    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-8, atol=1e-10)
    for step, got in enumerate(path):
        opt.step(closure)
        np.testing.assert_allclose(got, x.detach().numpy(), **tol, err_msg=f"step {step}")
    assert (state["n_iter"], state["func_evals"]) == (opt.state[x]["n_iter"], opt.state[x]["func_evals"])


def test_matches_torch_with_autograd_in_the_closure():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((8, 3)), rng.standard_normal(8)
    results = []
    for lib, wrap in ((ddp, ddp.tensor), (torch, torch.tensor)):
        w = wrap(np.zeros(3), requires_grad=True)
        opt = lib.optim.LBFGS([w], line_search_fn="strong_wolfe", max_iter=10)
        A, B = wrap(a), wrap(b)

        def closure():
            opt.zero_grad()
            loss = ((A @ w - B) ** 2).mean() + 0.1 * (w**4).sum()
            loss.backward()
            return loss
        losses = [float(opt.step(closure).detach()) for _ in range(4)]
        results.append((losses, w.detach().numpy().copy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-10)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-8, atol=1e-10)


# ------------------------------------------------------------------------------ state, budget, errors
@pytest.mark.parametrize("through_file", [False, True], ids=["memory", "ddp.save"])
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_state_dict_round_trip_continues_identically(line_search_fn, through_file, tmp_path):
    kwargs = dict(max_iter=4, history_size=3, line_search_fn=line_search_fn)
    straight, _ = _ddp(rosenbrock, dtype=np.float32, steps=8, **kwargs)
    x = Tensor(np.array(X0, np.float32), requires_grad=True)
    opt = ddp.optim.LBFGS([x], **kwargs)
    for _ in range(4):
        opt.step(_closure(opt, x, rosenbrock))
    saved = opt.state_dict()
    assert {"d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss", "n_iter",
            "func_evals"} <= set(saved["state"][0])
    if through_file:
        ddp.save({"optim": saved, "x": x.detach()}, tmp_path / "lbfgs.ddp")
        loaded = ddp.load(tmp_path / "lbfgs.ddp")
        saved, start = loaded["optim"], loaded["x"].numpy()
    else:
        saved, start = copy.deepcopy(saved), x.numpy().copy()
    y = Tensor(start, requires_grad=True)
    resumed = ddp.optim.LBFGS([y], **kwargs)
    resumed.load_state_dict(saved)
    for step in range(4, 8):
        resumed.step(_closure(resumed, y, rosenbrock))
        np.testing.assert_array_equal(y.numpy(), straight[step])


def test_closure_calls_stay_within_max_eval():
    calls = []

    def counted(x):
        calls.append(1)
        return rosenbrock(x)
    x = Tensor(np.array(X0), requires_grad=True)
    opt = ddp.optim.LBFGS([x], max_iter=50, max_eval=7, line_search_fn="strong_wolfe")
    opt.step(_closure(opt, x, counted))
    # the line search tries its first step on top of its max_ls = max_eval - evaluations so far (as PyTorch)
    assert len(calls) == opt.state[x]["func_evals"] <= 7 + 1


def test_stops_at_once_on_a_stationary_point():
    x = Tensor(np.array([-1.0, -0.5]), requires_grad=True)
    opt = ddp.optim.LBFGS([x])
    assert opt.step(_closure(opt, x, lambda v: quadratic(v))) == pytest.approx(-0.75)
    np.testing.assert_array_equal(x.numpy(), [-1.0, -0.5])
    assert opt.state[x]["n_iter"] == 0


def test_errors():
    p, q = Tensor(np.zeros(2), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        ddp.optim.LBFGS([{"params": [p]}, {"params": [q]}])
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        ddp.optim.LBFGS([p]).add_param_group({"params": [q]})
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported as line_search_fn, but got 'wolfe'"):
        ddp.optim.LBFGS([p], line_search_fn="wolfe")
    with pytest.raises(TypeError, match=r"LBFGS: max_iter must be an int, but got float \(2.5\)"):
        ddp.optim.LBFGS([p], max_iter=2.5)
    with pytest.raises(ValueError, match="LBFGS: history_size must be at least 1, but got 0"):
        ddp.optim.LBFGS([p], history_size=0)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        ddp.optim.LBFGS([p], lr=-1)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'closure'"):
        ddp.optim.LBFGS([p]).step()
