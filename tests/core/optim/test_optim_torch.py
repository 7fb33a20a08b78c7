"""Optimizers against torch.optim: same parameters and gradients, compared after every step."""
import numpy as np
import pytest

import ddp
from ddp.core.tensor import Tensor

torch = pytest.importorskip("torch")

SHAPES = [(3, 4), (5,), ()]
CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.1, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.9), weight_decay=0.05, maximize=True)),  # lerp's other branch
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.9)),
    ("RMSprop", dict(centered=True, weight_decay=0.1)),
    # torch fuses multiply-adds (FMA); with alpha this small, sqrt(v - g^2) cancels and magnifies the last-bit
    # differences in v and g, so this case is checked to rtol 1e-5 below
    ("RMSprop", dict(lr=0.01, alpha=0.3, centered=True, momentum=0.5, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.1)),
    ("Adagrad", dict(eps=1e-6, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
]


def _pair(shapes, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    return ours, theirs


def _set_grads(ours, theirs, grads):
    for p, q, g in zip(ours, theirs, grads):
        p.grad = None if g is None else Tensor(g.copy())
        q.grad = None if g is None else torch.tensor(g.copy())


def _torch_optimizer(name, params, kwargs):
    return getattr(torch.optim, name)(params, **kwargs, foreach=False)  # the single-tensor path


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_steps_match_torch(name, kwargs):
    rtol = 1e-5 if kwargs.get("alpha") == 0.3 else 1e-6
    ours, theirs = _pair(SHAPES)
    opt = getattr(ddp.optim, name)(ours, **kwargs)
    ref = _torch_optimizer(name, theirs, kwargs)
    rng = np.random.default_rng(1)
    for step in range(8):
        grads = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
        if step == 3:
            grads[1] = None  # a parameter without a gradient is skipped by both
        _set_grads(ours, theirs, grads)
        opt.step()
        ref.step()
        for p, q in zip(ours, theirs):
            assert p.dtype == np.float32
            np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=rtol, atol=1e-7, err_msg=f"step {step}")
    for p, q in zip(ours, theirs):
        mine, reference = opt.state[p], ref.state[q]
        assert set(mine) == set(reference)
        for key, value in reference.items():
            if key == "step":
                assert mine[key] == value.item()
            else:
                np.testing.assert_allclose(mine[key].numpy(), value.numpy(), rtol=rtol, atol=1e-7, err_msg=key)


@pytest.mark.parametrize("kwargs", [k for n, k in CASES if n == "SGD"], ids=str)
def test_sgd_on_a_large_parameter_matches_torch(kwargs):
    """40,000 elements, so that the update runs through BLAS axpy (blas.py); the tolerance is looser than
    above because among that many elements some land near zero, where float32 roundings show."""
    ours, theirs = _pair([(200, 200)])
    opt, ref = ddp.optim.SGD(ours, **kwargs), _torch_optimizer("SGD", theirs, kwargs)
    rng = np.random.default_rng(1)
    for step in range(8):
        _set_grads(ours, theirs, [rng.standard_normal((200, 200)).astype(np.float32)])
        opt.step()
        ref.step()
        np.testing.assert_allclose(ours[0].numpy(), theirs[0].detach().numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=f"step {step}")


@pytest.mark.parametrize("name,kwargs", [CASES[2], CASES[7], CASES[15], CASES[17]])
def test_param_groups_match_torch(name, kwargs):
    ours, theirs = _pair(SHAPES, seed=2)
    opt = getattr(ddp.optim, name)([{"params": ours[:1]}, {"params": ours[1:], "lr": 0.003}], **kwargs)
    ref = _torch_optimizer(name, [{"params": theirs[:1]}, {"params": theirs[1:], "lr": 0.003}], kwargs)
    rng = np.random.default_rng(3)
    for _ in range(5):
        _set_grads(ours, theirs, [rng.standard_normal(s).astype(np.float32) for s in SHAPES])
        opt.step()
        ref.step()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_state_dict_layout_matches_torch():
    ours, theirs = _pair(SHAPES)
    opt = ddp.optim.Adam([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.1}], amsgrad=True)
    ref = torch.optim.Adam([{"params": theirs[:2]}, {"params": theirs[2:], "lr": 0.1}], amsgrad=True)
    _set_grads(ours, theirs, [np.ones(s, np.float32) for s in SHAPES])
    opt.step()
    ref.step()
    mine, reference = opt.state_dict(), ref.state_dict()
    assert set(mine["state"]) == set(reference["state"])
    assert [g["params"] for g in mine["param_groups"]] == [g["params"] for g in reference["param_groups"]]
    for g, h in zip(mine["param_groups"], reference["param_groups"]):
        for key in ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay"):
            assert g[key] == h[key]
