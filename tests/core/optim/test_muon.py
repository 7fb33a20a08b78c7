"""Muon: a float64 reference of PyTorch's documented rule, torch.optim.Muon step by step (its bfloat16 iteration
made float32 for an exact comparison, and as it ships, to bfloat16's precision), the orthogonalisation itself,
resuming from a state dict, and the argument errors."""
import copy

import numpy as np
import pytest

import ddp
from ddp.core.optim.muon import orthogonalize
from ddp.core.tensor import Tensor

SHAPES = [(6, 4), (4, 6), (5, 5)]
CASES = [
    dict(),
    dict(lr=0.02, nesterov=False),
    dict(lr=0.01, momentum=0.9, weight_decay=0.0, adjust_lr_fn="match_rms_adamw"),
    dict(lr=0.05, weight_decay=0.01, ns_steps=3, ns_coefficients=(2.0, -1.5, 0.5), eps=1e-3),
]


def _reference(arrays, grads, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
               ns_coefficients=(3.4445, -4.7750, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None):
    """Muon in float64 from the formulas of PyTorch's documentation, written out independently."""
    a, b, c = ns_coefficients
    params = [x.astype(np.float64) for x in arrays]
    bufs = [np.zeros_like(x) for x in params]
    for step_grads in grads:
        for i, g in enumerate(step_grads):
            bufs[i] = momentum * bufs[i] + (1 - momentum) * g
            direction = (1 - momentum) * g + momentum * bufs[i] if nesterov else bufs[i]
            x = direction if direction.shape[0] <= direction.shape[1] else direction.T
            x = x / max(np.sqrt((x * x).sum()), eps)
            for _ in range(ns_steps):
                xxt = x @ x.T
                x = a * x + b * xxt @ x + c * xxt @ xxt @ x
            x = x if direction.shape[0] <= direction.shape[1] else x.T
            rows, cols = params[i].shape
            scale = np.sqrt(max(1, rows / cols)) if adjust_lr_fn != "match_rms_adamw" else 0.2 * np.sqrt(max(rows, cols))
            params[i] = params[i] * (1 - lr * weight_decay) - lr * scale * x
    return params


def _run(lib, arrays, grads, kwargs, dtype=np.float32):
    params = [lib.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    opt = lib.optim.Muon(params, **kwargs)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = lib.tensor(g.astype(dtype))
        opt.step()
    return [p.detach().numpy() for p in params], opt


def _problem(steps=6, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(steps)]
    return arrays, grads


@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_matches_the_documented_rule_in_float64(kwargs):
    arrays, grads = _problem()
    ours, _ = _run(ddp, arrays, grads, kwargs, dtype=np.float64)
    for got, want in zip(ours, _reference(arrays, grads, **kwargs)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_matches_pytorch_with_its_iteration_in_float32(kwargs, monkeypatch):
    """PyTorch's Muon, with the bfloat16 cast of its Newton-Schulz iteration made a float32 copy."""
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.Tensor, "bfloat16", lambda self, *args, **kw: self.clone())
    arrays, grads = _problem()
    ours, opt = _run(ddp, arrays, grads, kwargs)
    theirs, ref = _run(torch, arrays, grads, kwargs)
    for got, want in zip(ours, theirs):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    for p, q in zip(opt.param_groups[0]["params"], ref.param_groups[0]["params"]):
        assert set(opt.state[p]) == set(ref.state[q]) == {"momentum_buffer"}
        np.testing.assert_allclose(opt.state[p]["momentum_buffer"].numpy(), ref.state[q]["momentum_buffer"].numpy(),
                                   rtol=1e-6, atol=1e-7)


def test_agrees_with_pytorch_as_shipped_to_bfloat16_precision():
    torch = pytest.importorskip("torch")
    arrays, grads = _problem(steps=4)
    kwargs = dict(lr=0.02)
    ours, _ = _run(ddp, arrays, grads, kwargs)
    theirs, _ = _run(torch, arrays, grads, kwargs)
    for got, want, start in zip(ours, theirs, arrays):
        moved = np.abs(want - start).max()
        assert np.abs(got - want).max() < 0.03 * moved  # bfloat16 keeps 8 bits: ~0.4% per rounding


def test_orthogonalize_pushes_singular_values_towards_one():
    rng = np.random.default_rng(3)
    for shape in [(40, 10), (10, 40), (20, 20)]:
        g = rng.standard_normal(shape) * 1e-3
        out = orthogonalize(g, (3.4445, -4.7750, 2.0315), 5, 1e-7)
        assert out.shape == shape and out.flags.c_contiguous
        s = np.linalg.svd(out, compute_uv=False)
        assert 0.6 < s.min() and s.max() < 1.25, s  # Keller Jordan's quintic: near, not at, one
        # the cubic Newton-Schulz iteration (1.5, -0.5, 0) converges to U V^T itself
        u, _, vt = np.linalg.svd(g, full_matrices=False)
        np.testing.assert_allclose(orthogonalize(g, (1.5, -0.5, 0.0), 60, 1e-7), u @ vt, atol=1e-8)


def test_zero_gradient_leaves_only_weight_decay():
    p = Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    opt = ddp.optim.Muon([p], lr=0.1, weight_decay=0.5)
    p.grad = Tensor(np.zeros((3, 2), np.float32))
    opt.step()  # the direction's norm is 0: divided by eps, it stays 0 instead of NaN
    np.testing.assert_array_equal(p.detach().numpy(), np.full((3, 2), 0.95, np.float32))


def test_resumes_exactly_from_a_state_dict():
    arrays, grads = _problem(steps=6)
    whole, _ = _run(ddp, arrays, grads, dict(lr=0.02))
    params = [Tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
    opt = ddp.optim.Muon(params, lr=0.02)
    for step_grads in grads[:3]:
        for p, g in zip(params, step_grads):
            p.grad = Tensor(g.astype(np.float32))
        opt.step()
    saved, values = copy.deepcopy(opt.state_dict()), [p.detach().numpy().copy() for p in params]
    resumed = [Tensor(v, requires_grad=True) for v in values]
    again = ddp.optim.Muon(resumed, lr=0.5)
    again.load_state_dict(saved)
    assert again.param_groups[0]["lr"] == 0.02
    for step_grads in grads[3:]:
        for p, g in zip(resumed, step_grads):
            p.grad = Tensor(g.astype(np.float32))
        again.step()
    for got, want in zip(resumed, whole):
        np.testing.assert_array_equal(got.detach().numpy(), want)


def test_trains_hidden_weights_beside_adamw():
    ddp.manual_seed(0)
    model = ddp.nn.Sequential(ddp.nn.Linear(8, 32), ddp.nn.Tanh(), ddp.nn.Linear(32, 1))
    x = ddp.randn(64, 8)
    y = x[:, :1] * x[:, 1:2]
    muon = ddp.optim.Muon([p for p in model.parameters() if p.ndim == 2], lr=0.05)
    adamw = ddp.optim.AdamW([p for p in model.parameters() if p.ndim != 2], lr=1e-2)
    losses = []
    for _ in range(60):
        loss = ddp.nn.functional.mse_loss(model(x), y)
        muon.zero_grad()
        adamw.zero_grad()
        loss.backward()
        muon.step()
        adamw.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=-1.0), "Learning rate should be >= 0"),
    (dict(momentum=-0.1), "momentum should be >= 0"),
    (dict(weight_decay=-0.1), "weight decay should be >= 0"),
    (dict(adjust_lr_fn="spectral"), "Adjust learning rate function spectral is not supported"),
    (dict(ns_steps=100), "less than 100"),
    (dict(ns_coefficients=(1.0, 2.0)), "exactly 3 values"),
    (dict(lr=ddp.tensor([0.1, 0.2])), "Tensor lr must be 1-element"),
])
def test_bad_arguments_raise_as_pytorch(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ddp.optim.Muon([Tensor(np.zeros((2, 2), np.float32), requires_grad=True)], **kwargs)


def test_only_2d_parameters():
    with pytest.raises(ValueError, match=r"only supports 2D parameters .* size: \(3,\)"):
        ddp.optim.Muon([Tensor(np.zeros(3, np.float32), requires_grad=True)])
    opt = ddp.optim.Muon([Tensor(np.zeros((2, 2), np.float32), requires_grad=True)])
    with pytest.raises(ValueError, match="only supports 2D"):
        opt.add_param_group({"params": [Tensor(np.zeros((2, 2, 2), np.float32), requires_grad=True)]})
    with pytest.raises(TypeError, match="nesterov must be a bool"):
        ddp.optim.Muon([Tensor(np.zeros((2, 2), np.float32), requires_grad=True)], nesterov="no")
    assert float(ddp.optim.Muon([Tensor(np.zeros((2, 2), np.float32), requires_grad=True)],
                                lr=ddp.tensor(0.25)).param_groups[0]["lr"]) == 0.25
