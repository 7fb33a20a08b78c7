"""The lr schedulers added to the first set: lr (and momentum) sequences against torch's and against the
formulas written here, step(epoch), epoch 0, state dicts (also through ddp.save) and argument errors."""
import copy
import math
import warnings

import numpy as np
import pytest

import ddp
from ddp.core.tensor import Tensor
from ddp.optim import lr_scheduler as S

LRS = (0.1, 0.02)
STEPS = 30


def _opt(lib, name="SGD", lrs=LRS, **kwargs):
    zeros = (lambda: Tensor(np.zeros(2, np.float32), requires_grad=True)) if lib is ddp else \
        (lambda: lib.zeros(2, requires_grad=True))
    return getattr(lib.optim, name)([{"params": [zeros()], "lr": lr} for lr in lrs], **kwargs)


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def _trace(sched, opt, steps=STEPS, metrics=None):
    """(lrs, momenta) after construction and after each step; `metrics` feeds ReduceLROnPlateau."""
    out = [(list(sched.get_last_lr()), _momenta(opt))]
    for i in range(steps):
        opt.step()
        sched.step(metrics[i]) if metrics is not None else sched.step()
        out.append((list(sched.get_last_lr()), _momenta(opt)))
    return out


class Halving:
    """A callable object as custom scale_fn: its attributes are saved in state dicts."""

    def __init__(self):
        self.base = 0.5

    def __call__(self, x):
        return self.base ** (x - 1)


PLATEAU = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85] * 3  # improves, then stalls
SGD_M = dict(momentum=0.9)
CONFIGS = {
    "MultiplicativeLR": ("SGD", {}, lambda m, o: m.MultiplicativeLR(o, [lambda e: 0.9, lambda e: 1 - 0.01 * e])),
    "ConstantLR": ("SGD", {}, lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=4)),
    "PolynomialLR": ("SGD", {}, lambda m, o: m.PolynomialLR(o, total_iters=12, power=2.0)),
    "WarmRestarts": ("SGD", {}, lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=4, eta_min=0.001)),
    "WarmRestarts-Tmult2": ("SGD", {}, lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2)),
    "CyclicLR-triangular": ("SGD", SGD_M, lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.05],
                                                                 step_size_up=4)),
    "CyclicLR-triangular2": ("SGD", SGD_M, lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=3, step_size_down=5,
                                                                  mode="triangular2", base_momentum=0.7)),
    "CyclicLR-exp_range": ("SGD", {}, lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=5, mode="exp_range",
                                                             gamma=0.97, cycle_momentum=False)),
    "CyclicLR-scale_fn": ("SGD", SGD_M, lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=4, scale_fn=Halving(),
                                                               scale_mode="iterations")),
    "CyclicLR-Adam": ("Adam", {}, lambda m, o: m.CyclicLR(o, 0.001, 0.01, step_size_up=6)),
    "OneCycleLR": ("SGD", SGD_M, lambda m, o: m.OneCycleLR(o, max_lr=[0.1, 0.05], total_steps=STEPS)),
    "OneCycleLR-linear-3phase": ("SGD", SGD_M, lambda m, o: m.OneCycleLR(
        o, max_lr=0.1, epochs=3, steps_per_epoch=10, pct_start=0.25, anneal_strategy="linear", three_phase=True)),
    "OneCycleLR-Adam": ("Adam", {}, lambda m, o: m.OneCycleLR(o, max_lr=0.01, total_steps=STEPS + 1,
                                                             div_factor=10.0, final_div_factor=100.0)),
    "OneCycleLR-no-momentum": ("AdamW", {}, lambda m, o: m.OneCycleLR(o, 0.01, total_steps=STEPS,
                                                                     cycle_momentum=False)),
    "ChainedScheduler": ("SGD", {}, lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.5, total_iters=3), m.ExponentialLR(o, gamma=0.9)])),
    "Sequential-3": ("SGD", {}, lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.5, total_iters=2), m.PolynomialLR(o, total_iters=8, power=0.5),
            m.MultiplicativeLR(o, lambda e: 0.95)], milestones=[3, 10])),
    "Plateau-min-rel": ("SGD", {}, lambda m, o: m.ReduceLROnPlateau(o, patience=2, factor=0.5)),
    "Plateau-max-abs": ("SGD", {}, lambda m, o: m.ReduceLROnPlateau(o, mode="max", threshold=0.05, patience=1,
                                                                   threshold_mode="abs", cooldown=2,
                                                                   min_lr=[0.05, 0.001])),
    "Plateau-eps": ("SGD", {}, lambda m, o: m.ReduceLROnPlateau(o, patience=0, factor=0.9, eps=0.005)),
}


def _build(lib, name):
    opt_name, kwargs, make = CONFIGS[name]
    opt = _opt(lib, opt_name, **kwargs)
    module = S if lib is ddp else lib.optim.lr_scheduler
    return make(module, opt), opt


def _metrics(name):
    return [(-v if "max" in name else v) for v in PLATEAU[:STEPS]] if name.startswith("Plateau") else None


@pytest.mark.parametrize("name", list(CONFIGS))
def test_sequence_matches_torch(name):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _trace(*_build(torch, name), metrics=_metrics(name))
    got = _trace(*_build(ddp, name), metrics=_metrics(name))
    for step, ((lrs, momenta), (ref_lrs, ref_momenta)) in enumerate(zip(got, expected)):
        assert lrs == pytest.approx(ref_lrs, rel=1e-12, abs=0), f"lr at step {step}"
        assert momenta == pytest.approx(ref_momenta, rel=1e-12, abs=0), f"momentum at step {step}"


@pytest.mark.parametrize("name,epochs", [
    ("ConstantLR", [2, 7, 0, 4]), ("PolynomialLR", [3, 15, 1, 12]),
    ("WarmRestarts", [2, 5.5, 13, 0.25]), ("WarmRestarts-Tmult2", [1, 4, 9.5, 22, 2]),
])
def test_step_epoch_matches_torch(name, epochs):
    torch = pytest.importorskip("torch")
    ours, _ = _build(ddp, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, _ = _build(torch, name)
        for epoch in epochs:
            ours.step(epoch)
            theirs.step(epoch)
            assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
            assert ours.last_epoch == theirs.last_epoch


# --------------------------------------------------------------------------- formulas, without torch
def _lr_path(name, group=0):
    sched, opt = _build(ddp, name)
    return [lrs[group] for lrs, _ in _trace(sched, opt, metrics=_metrics(name))]


def test_constant_and_polynomial_follow_their_closed_forms():
    assert _lr_path("ConstantLR") == pytest.approx([0.1 * (0.25 if t < 4 else 1.0) for t in range(STEPS + 1)])
    poly = [0.1 * (1 - min(t, 12) / 12) ** 2 for t in range(STEPS + 1)]
    assert _lr_path("PolynomialLR") == pytest.approx(poly, abs=1e-15)


def test_multiplicative_multiplies_from_epoch_one():
    expected = [0.02]
    for t in range(1, STEPS + 1):
        expected.append(expected[-1] * (1 - 0.01 * t))
    assert _lr_path("MultiplicativeLR", group=1) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name,t0,mult,low", [("WarmRestarts", 4, 1, 0.001), ("WarmRestarts-Tmult2", 3, 2, 0.0)])
def test_warm_restarts_formula(name, t0, mult, low):
    expected, t_cur, t_i = [], 0, t0
    for _ in range(STEPS + 1):
        expected.append(low + (0.1 - low) * (1 + math.cos(math.pi * t_cur / t_i)) / 2)
        t_cur += 1
        if t_cur == t_i:
            t_cur, t_i = 0, t_i * mult
    assert _lr_path(name) == pytest.approx(expected, rel=1e-12)


def test_cyclic_triangular_waves_and_momentum():
    sched, opt = _build(ddp, "CyclicLR-triangular2")
    trace = _trace(sched, opt)
    for t, (lrs, momenta) in enumerate(trace):
        cycle, pos = divmod(t, 8)  # 3 steps up, 5 down
        rise = pos / 3 if pos <= 3 else (8 - pos) / 5
        height = rise / 2**cycle
        assert lrs[0] == pytest.approx(0.01 + 0.09 * height, rel=1e-12)
        assert momenta[0] == pytest.approx(0.9 - 0.2 * height, rel=1e-12)


def test_one_cycle_rises_then_anneals_by_cosine():
    lrs, momenta = zip(*[(a[0], b[0]) for a, b in _trace(*_build(ddp, "OneCycleLR"))][:STEPS])
    peak = 0.3 * STEPS - 1  # the step where the rise ends
    for t in range(STEPS):
        if t <= peak:
            pct, start, end, m_start, m_end = t / peak, 0.1 / 25, 0.1, 0.95, 0.85
        else:
            pct, start, end, m_start, m_end = (t - peak) / (STEPS - 1 - peak), 0.1, 0.1 / 25 / 1e4, 0.85, 0.95
        assert lrs[t] == pytest.approx(end + (start - end) * (1 + math.cos(math.pi * pct)) / 2, rel=1e-12)
        assert momenta[t] == pytest.approx(m_end + (m_start - m_end) * (1 + math.cos(math.pi * pct)) / 2, rel=1e-12)


def test_one_cycle_sets_adam_beta1_and_refuses_extra_steps():
    sched, opt = _build(ddp, "OneCycleLR-Adam")
    assert opt.param_groups[0]["betas"] == (0.95, 0.999) and sched.get_last_lr()[0] == pytest.approx(0.001)
    _trace(sched, opt, steps=STEPS)
    sched.step()  # the last of total_steps + 1 values
    with pytest.raises(ValueError, match="Tried to step 32 times. The specified number of total steps is 31"):
        sched.step()


def test_chained_multiplies_the_factors():
    expected = [0.1 * 0.9**t * (0.5 if t < 3 else 1.0) for t in range(STEPS + 1)]
    assert _lr_path("ChainedScheduler") == pytest.approx(expected, rel=1e-12)


def test_plateau_cuts_after_patience_and_respects_min_lr_and_cooldown():
    # min, rel, patience 2, factor 0.5; entry i is the lr after metric i - 1: the best is 0.9 (metric 1)
    # until 0.8 (metric 6); metrics 2, 3, 4 are bad -> a cut after the third (entry 5); 5 is bad, 6 good,
    # 7, 8, 9 bad -> the next cut (entry 10)
    got = _lr_path("Plateau-min-rel")
    assert got[:12] == pytest.approx([0.1] * 5 + [0.05] * 5 + [0.025] * 2)
    # max, abs 0.05, patience 1, cooldown 2, min_lr 0.05 for group 0: cut to 0.05, and no lower
    assert min(_lr_path("Plateau-max-abs")) == pytest.approx(0.05)
    # eps: group 1's cut (0.02 -> 0.018) is below eps = 0.005 and skipped; group 0's is done
    trace = _lr_path("Plateau-eps", group=1)
    assert set(trace) == {0.02} and _lr_path("Plateau-eps")[3] == pytest.approx(0.09)


def test_epoch_zero():
    # building a scheduler sets the epoch-0 lrs, as PyTorch's first step does
    opt = _opt(ddp, momentum=0.9)
    sched = S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4)
    assert sched.last_epoch == 0 and [g["lr"] for g in opt.param_groups] == [0.01, 0.01]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9]
    opt = _opt(ddp)
    sched = S.ConstantLR(opt, factor=0.5, total_iters=2)
    assert sched.get_last_lr() == [0.05, 0.01] and opt.param_groups[0]["initial_lr"] == 0.1
    sched = S.ReduceLROnPlateau(_opt(ddp))
    assert sched.last_epoch == 0 and sched.get_last_lr() == list(LRS)


# ------------------------------------------------------------------------------------ state dicts
@pytest.mark.parametrize("through_file", [False, True], ids=["memory", "ddp.save"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_state_dict_resumes_the_schedule(name, through_file, tmp_path):
    metrics = _metrics(name)
    sched, opt = _build(ddp, name)
    expected = _trace(sched, opt, metrics=metrics)
    sched, opt = _build(ddp, name)
    _trace(sched, opt, steps=12, metrics=metrics)
    saved = {"optim": opt.state_dict(), "sched": sched.state_dict()}
    if through_file:
        ddp.save(saved, tmp_path / "sched.ddp")
        saved = ddp.load(tmp_path / "sched.ddp")
    else:
        saved = copy.deepcopy(saved)
    fresh, fresh_opt = _build(ddp, name)  # build, then load both (building a scheduler takes a step)
    fresh_opt.load_state_dict(saved["optim"])
    fresh.load_state_dict(saved["sched"])
    rest = _trace(fresh, fresh_opt, steps=STEPS - 12, metrics=metrics[12:] if metrics else None)
    for (lrs, momenta), (ref_lrs, ref_momenta) in zip(rest, expected[12:]):
        assert lrs == pytest.approx(ref_lrs, rel=1e-12) and momenta == pytest.approx(ref_momenta, rel=1e-12)


def test_custom_scale_fn_object_keeps_its_attributes():
    sched, _ = _build(ddp, "CyclicLR-scale_fn")
    sched._scale_fn_custom.base = 0.25
    saved = sched.state_dict()
    assert saved["_scale_fn_custom"] == {"base": 0.25} and "_scale_fn_ref" not in saved
    fresh, _ = _build(ddp, "CyclicLR-scale_fn")
    fresh.load_state_dict(saved)
    assert fresh._scale_fn_custom.base == 0.25


# ----------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("make,error,message", [
    (lambda o: S.StepLR(o, step_size=0), ValueError, "StepLR: step_size must be positive"),
    (lambda o: S.StepLR(o, step_size="2"), TypeError, "StepLR: step_size must be a"),
    (lambda o: S.StepLR(o, 2, gamma=-0.1), ValueError, "StepLR: gamma must be positive, but got -0.1"),
    (lambda o: S.StepLR(o, 2, gamma="0.1"), TypeError, "StepLR: gamma must be a real number, but got str"),
    (lambda o: S.MultiStepLR(o, [2, 4.0]), TypeError, r"MultiStepLR: milestones\[1\] must be an int"),
    (lambda o: S.MultiStepLR(o, [2, -1]), ValueError, r"MultiStepLR: milestones\[1\] must be at least 0"),
    (lambda o: S.ExponentialLR(o, gamma=0), ValueError, "ExponentialLR: gamma must be positive, but got 0"),
    (lambda o: S.CosineAnnealingLR(o, T_max=0), ValueError, "CosineAnnealingLR: T_max must be positive"),
    (lambda o: S.CosineAnnealingLR(o, T_max=None), TypeError, "CosineAnnealingLR: T_max must be a real number"),
    (lambda o: S.CosineAnnealingLR(o, 10, last_epoch="3"), TypeError, "last_epoch must be an int"),
    (lambda o: S.ConstantLR(o, factor=1.5), ValueError, "Constant multiplicative factor expected to be in"),
    (lambda o: S.ConstantLR(o, total_iters=-1), ValueError, "ConstantLR: total_iters must be at least 0"),
    (lambda o: S.LinearLR(o, total_iters=0), ValueError, "LinearLR: total_iters must be at least 1, but got 0"),
    (lambda o: S.PolynomialLR(o, total_iters=0), ValueError, "PolynomialLR: total_iters must be at least 1"),
    (lambda o: S.LambdaLR(o, 0.5), TypeError, "LambdaLR: lr_lambda should be a function, but got float"),
    (lambda o: S.MultiplicativeLR(o, [abs]), ValueError, "Expected 2 lr_lambdas, but got 1"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "Expected positive integer T_0, but got 0"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, 2, T_mult=1.5), ValueError, "Expected integer T_mult >= 1"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, 2, eta_min="0"), ValueError, "Expected float or int eta_min"),
    (lambda o: S.CyclicLR(o, 0.01, 0.1, mode="sine"), ValueError, "mode is invalid and scale_fn is None"),
    (lambda o: S.CyclicLR(o, 0.01, 0.1, scale_mode="epoch"), ValueError, "scale_mode must be 'cycle' or"),
    (lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=0), ValueError, "CyclicLR: step_size_up must be positive"),
    (lambda o: S.CyclicLR(o, [0.01], 0.1), ValueError, "base_lr must have the same length as optimizer.param"),
    (lambda o: S.CyclicLR(_opt(ddp, "Adagrad"), 0.01, 0.1), ValueError, "optimizer must support momentum or beta1"),
    (lambda o: S.OneCycleLR(o, 0.1), ValueError, r"You must define either total_steps OR \(epochs AND"),
    (lambda o: S.OneCycleLR(o, 0.1, total_steps=0), ValueError, "Expected positive integer total_steps, but got 0"),
    (lambda o: S.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=1.5), ValueError, "positive integer steps_per_epoch"),
    (lambda o: S.OneCycleLR(o, 0.1, 10, pct_start=1), ValueError, "Expected float between 0 and 1 pct_start"),
    (lambda o: S.OneCycleLR(o, 0.1, 10, anneal_strategy="exp"), ValueError, "anneal_strategy must be one of"),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0"),
    (lambda o: S.ReduceLROnPlateau(o, factor=-0.5), ValueError, r"factor must be in \[0, 1\)"),
    (lambda o: S.ReduceLROnPlateau(o, mode="lowest"), ValueError, "mode lowest is unknown!"),
    (lambda o: S.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError, "threshold mode pct is unknown!"),
    (lambda o: S.ReduceLROnPlateau(o, patience=-1), ValueError, "patience must be at least 0"),
    (lambda o: S.ReduceLROnPlateau(o, patience=2.5), TypeError, "patience must be an int"),
    (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1"),
    (lambda o: S.ChainedScheduler([]), ValueError, "expects at least one scheduler to be chained"),
    (lambda o: S.ChainedScheduler([S.StepLR(o, 2), S.StepLR(_opt(ddp), 2)]), ValueError, "same optimizer"),
    (lambda o: S.ChainedScheduler([S.ReduceLROnPlateau(o)]), ValueError, "does not support `ReduceLROnPlateau`"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2), object()], [2]), TypeError, "should have `optimizer`"),
    (lambda o: S.StepLR([], 2), TypeError, "list is not an Optimizer"),
    (lambda o: S.LambdaLR(None, abs), TypeError, "NoneType is not an Optimizer"),
])
def test_argument_errors(make, error, message):
    with pytest.raises(error, match=message):
        make(_opt(ddp))


def test_errors_match_torch_types():
    torch = pytest.importorskip("torch")
    for make in (lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0),
                 lambda m, o: m.OneCycleLR(o, 0.1, total_steps=-1),
                 lambda m, o: m.ReduceLROnPlateau(o, factor=2.0),
                 lambda m, o: m.ConstantLR(o, factor=2.0),
                 lambda m, o: m.CyclicLR(o, 0.01, 0.1, mode="sine")):
        with pytest.raises(ValueError):
            make(torch.optim.lr_scheduler, _opt(torch))
        with pytest.raises(ValueError):
            make(S, _opt(ddp))


def test_plateau_takes_a_tensor_metric():
    opt = _opt(ddp)
    sched = S.ReduceLROnPlateau(opt, patience=0)
    for loss in (1.0, 2.0):
        sched.step(ddp.tensor(loss))
    assert sched.get_last_lr() == pytest.approx([0.01, 0.002]) and sched.best == 1.0
    with pytest.raises(ValueError, match="SequentialLR does not support `ReduceLROnPlateau`"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), sched], milestones=[3])
