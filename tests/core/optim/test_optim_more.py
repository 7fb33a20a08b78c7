"""The added optimizers (and more options of the old ones) against torch.optim over 25 steps; their state
dicts round-trip in memory and through ddp.save/ddp.load."""
import copy
import tracemalloc
import warnings

import numpy as np
import pytest

import ddp
from ddp.core.tensor import Tensor

SHAPES = [(3, 4), (5,), ()]
STEPS = 25
CASES = [
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.3, 0.9), weight_decay=0.1)),
    ("Adamax", dict(maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, momentum_decay=0.01)),
    ("NAdam", dict(maximize=True, betas=(0.3, 0.99))),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(betas=(0.9, 0.9), maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.1, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1)),
    ("ASGD", dict(t0=3, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 0.5))),
    ("Rprop", dict(maximize=True)),
    # the old optimizers' remaining options, over more steps than test_optim_torch.py
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01, maximize=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01, amsgrad=True, maximize=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
]
# float32 tolerance: PyTorch fuses some multiply-adds (add with alpha, addcmul) into one rounding, so
# the last bits differ and drift a little over 25 steps; a wrong rule is off by far more
RTOL, ATOL = 1e-5, 1e-6


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(STEPS)]
    for k in range(2, STEPS, 3):  # same signs as the step before, so Rprop's steps grow too
        grads[k] = [np.abs(g) * np.sign(h) for g, h in zip(grads[k], grads[k - 1])]
    grads[7][1] = None  # a parameter without a gradient is skipped
    return start, grads


def _set_grads(params, grads, make):
    for p, g in zip(params, grads):
        p.grad = None if g is None else make(g.copy())


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_steps_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    start, grads = _problem()
    ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    opt = getattr(ddp.optim, name)(ours, **kwargs)
    ref = getattr(torch.optim, name)(theirs, **kwargs, foreach=False)
    for step, gs in enumerate(grads):
        _set_grads(ours, gs, Tensor)
        _set_grads(theirs, gs, torch.tensor)
        opt.step()
        ref.step()
        for p, q in zip(ours, theirs):
            assert p.dtype == np.float32
            np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=f"step {step}")
    for p, q in zip(ours, theirs):
        mine, reference = opt.state[p], ref.state[q]
        assert set(mine) == set(reference)
        for key, value in reference.items():
            got = mine[key].numpy() if isinstance(mine[key], Tensor) else mine[key]
            np.testing.assert_allclose(got, value.numpy(), rtol=RTOL, atol=ATOL, err_msg=key)
    mine, reference = opt.state_dict()["param_groups"][0], ref.state_dict()["param_groups"][0]
    assert set(mine) == set(reference)
    assert {k: v for k, v in mine.items() if k != "foreach"} == {k: v for k, v in reference.items() if k != "foreach"}


@pytest.mark.parametrize("name", ["Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"])
def test_param_groups_match_torch(name):
    torch = pytest.importorskip("torch")
    start, grads = _problem(seed=3)
    ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    opt = getattr(ddp.optim, name)([{"params": ours[:1]}, {"params": ours[1:], "lr": 0.003}], lr=0.02)
    ref = getattr(torch.optim, name)([{"params": theirs[:1]}, {"params": theirs[1:], "lr": 0.003}], lr=0.02)
    for gs in grads:
        _set_grads(ours, gs, Tensor)
        _set_grads(theirs, gs, torch.tensor)
        opt.step()
        ref.step()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=RTOL, atol=ATOL)


def test_schedulers_drive_the_new_optimizers_as_torch():
    torch = pytest.importorskip("torch")
    start, grads = _problem(seed=4)
    ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    opt, ref = ddp.optim.NAdam(ours, lr=0.01), torch.optim.NAdam(theirs, lr=0.01)
    sched = ddp.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=STEPS)
    ref_sched = torch.optim.lr_scheduler.OneCycleLR(ref, max_lr=0.05, total_steps=STEPS)
    for gs in grads:
        _set_grads(ours, gs, Tensor)
        _set_grads(theirs, gs, torch.tensor)
        opt.step()
        ref.step()
        sched.step()
        ref_sched.step()
        assert opt.param_groups[0]["betas"] == pytest.approx(ref.param_groups[0]["betas"], rel=1e-12)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=RTOL, atol=ATOL)


# -------------------------------------------------------------------------------------- state dicts
ROUND_TRIP = CASES  # the shapes include (): a 0-d parameter's 0-d state loads back as a Tensor


def _train(opt, params, grads):
    for gs in grads:
        _set_grads(params, gs, Tensor)
        opt.step()


def _groups(params):
    return [{"params": params[:1]}, {"params": params[1:], "lr": 0.004}]


@pytest.mark.parametrize("through_file", [False, True], ids=["memory", "ddp.save"])
@pytest.mark.parametrize("name,kwargs", ROUND_TRIP, ids=[f"{n}-{k}" for n, k in ROUND_TRIP])
def test_state_dict_round_trip_continues_identically(name, kwargs, through_file, tmp_path):
    start, grads = _problem(seed=5)
    cls = getattr(ddp.optim, name)
    straight = [Tensor(a.copy(), requires_grad=True) for a in start]
    _train(cls(_groups(straight), **kwargs), straight, grads)

    first = [Tensor(a.copy(), requires_grad=True) for a in start]
    opt = cls(_groups(first), **kwargs)
    _train(opt, first, grads[:10])
    saved = opt.state_dict()
    if through_file:
        ddp.save({"optim": saved, "params": [p.detach() for p in first]}, tmp_path / "ckpt.ddp")
        loaded = ddp.load(tmp_path / "ckpt.ddp")
        saved, arrays = loaded["optim"], [p.numpy() for p in loaded["params"]]
    else:
        saved, arrays = copy.deepcopy(saved), [p.numpy().copy() for p in first]
    second = [Tensor(a, requires_grad=True) for a in arrays]
    resumed = cls([{"params": second[:1]}, {"params": second[1:]}], **kwargs)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[1]["lr"] == 0.004
    _train(resumed, second, grads[10:])
    for a, b in zip(straight, second):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_state_keys_are_torchs():
    p = Tensor(np.ones(3, np.float32), requires_grad=True)
    expected = {"Adadelta": {"step", "square_avg", "acc_delta"}, "Adamax": {"step", "exp_avg", "exp_inf"},
                "NAdam": {"step", "mu_product", "exp_avg", "exp_avg_sq"}, "RAdam": {"step", "exp_avg", "exp_avg_sq"},
                "ASGD": {"step", "eta", "mu", "ax"}, "Rprop": {"step", "prev", "step_size"}}
    for name, keys in expected.items():
        opt = getattr(ddp.optim, name)([p])
        p.grad = Tensor(np.full(3, 0.5, np.float32))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
        assert set(opt.state_dict()["state"][0]) == keys, name


# ------------------------------------------------------------------------------- in place, no allocations
@pytest.mark.parametrize("name,kwargs", [c for c in CASES if c[0] in
                                         ("Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop")],
                         ids=[f"{n}-{k}" for n, k in CASES if n in ("Adadelta", "Adamax", "NAdam", "RAdam", "ASGD",
                                                                   "Rprop")])
def test_steps_update_in_place_without_parameter_sized_allocations(name, kwargs):
    n = 200_000
    rng = np.random.default_rng(0)
    p = Tensor(rng.standard_normal(n).astype(np.float32), requires_grad=True)
    p.grad = Tensor(rng.standard_normal(n).astype(np.float32))
    array = p.numpy()
    opt = getattr(ddp.optim, name)([p], **kwargs)
    opt.step()  # creates the state and the scratch buffers
    tracemalloc.start()
    opt.step()
    opt.step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < n // 4, f"a step allocated {peak} bytes for a parameter of {n * 4} bytes"
    assert p.numpy() is array and array.dtype == np.float32 and p._version == 3
    assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, Tensor))
