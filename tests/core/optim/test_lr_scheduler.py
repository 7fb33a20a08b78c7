"""Learning-rate schedulers: lr sequences against torch's schedulers and hand-computed values."""
import copy
import math
import warnings

import numpy as np
import pytest

from ddp.core.tensor import Tensor
from ddp.optim import SGD
from ddp.optim import lr_scheduler as S

LRS = (0.1, 0.02)


def _sgd(lrs=LRS):
    return SGD([{"params": [Tensor(np.zeros(2, np.float32), requires_grad=True)], "lr": lr} for lr in lrs], lr=1.0)


def _lrs(sched, steps):
    """get_last_lr() after construction and after each of `steps` steps."""
    out = [list(sched.get_last_lr())]
    for _ in range(steps):
        sched.optimizer.step()
        sched.step()
        out.append(list(sched.get_last_lr()))
    return out


def _scale(epoch):
    return 0.9**epoch


CONFIGS = {
    "StepLR": lambda m, opt: m.StepLR(opt, step_size=3, gamma=0.5),
    "MultiStepLR": lambda m, opt: m.MultiStepLR(opt, milestones=[2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda m, opt: m.ExponentialLR(opt, gamma=0.9),
    "CosineAnnealingLR": lambda m, opt: m.CosineAnnealingLR(opt, T_max=7, eta_min=0.001),
    "LambdaLR": lambda m, opt: m.LambdaLR(opt, [_scale, lambda e: 1 / (e + 1)]),
    "LinearLR": lambda m, opt: m.LinearLR(opt, start_factor=0.1, end_factor=0.9, total_iters=6),
    "warmup+cosine": lambda m, opt: m.SequentialLR(
        opt, [m.LinearLR(opt, start_factor=0.25, total_iters=4), m.CosineAnnealingLR(opt, T_max=10)], milestones=[4]),
    "step+exp+step": lambda m, opt: m.SequentialLR(
        opt, [m.StepLR(opt, 2, 0.5), m.ExponentialLR(opt, 0.8), m.MultiStepLR(opt, [3], 0.1)], milestones=[5, 9]),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_lr_sequence_matches_torch(name):
    torch = pytest.importorskip("torch")
    ref_opt = torch.optim.SGD([{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in LRS], lr=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _lrs(CONFIGS[name](torch.optim.lr_scheduler, ref_opt), 25)
    got = _lrs(CONFIGS[name](S, _sgd()), 25)
    assert np.allclose(got, expected, rtol=1e-12, atol=0), (got, expected)


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR"])
def test_closed_form_step_epoch_matches_torch(name):
    torch = pytest.importorskip("torch")
    ref_opt = torch.optim.SGD([{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in LRS], lr=1.0)
    ours, theirs = CONFIGS[name](S, _sgd()), CONFIGS[name](torch.optim.lr_scheduler, ref_opt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (4, 0, 11, 3):
            ours.step(epoch)
            theirs.step(epoch)
            assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)


def test_step_lr_values():
    sched = S.StepLR(_sgd([1.0]), step_size=2, gamma=0.1)
    assert [lr[0] for lr in _lrs(sched, 5)] == pytest.approx([1, 1, 0.1, 0.1, 0.01, 0.01])


def test_multistep_lr_counts_repeated_milestones():
    sched = S.MultiStepLR(_sgd([1.0]), milestones=[1, 3, 3], gamma=0.5)
    assert [lr[0] for lr in _lrs(sched, 4)] == pytest.approx([1, 0.5, 0.5, 0.125, 0.125])


def test_cosine_follows_the_closed_form_and_sets_the_optimizer_lr():
    opt = _sgd([0.5])
    sched = S.CosineAnnealingLR(opt, T_max=10, eta_min=0.05)
    for t, lrs in enumerate(_lrs(sched, 10)):
        assert lrs[0] == pytest.approx(0.05 + 0.45 * (1 + math.cos(math.pi * t / 10)) / 2, rel=1e-12)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05) and opt.param_groups[0]["initial_lr"] == 0.5


def test_linear_warmup():
    sched = S.LinearLR(_sgd([1.0]), start_factor=0.2, total_iters=4)
    assert [lr[0] for lr in _lrs(sched, 6)] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0])


def test_lambda_lr_per_group():
    sched = S.LambdaLR(_sgd(), [lambda e: e + 1, lambda e: 0.5**e])
    assert _lrs(sched, 2) == [pytest.approx(v) for v in ([0.1, 0.02], [0.2, 0.01], [0.3, 0.005])]


@pytest.mark.parametrize("name", list(CONFIGS))
def test_state_dict_resumes_the_schedule(name):
    expected = _lrs(CONFIGS[name](S, _sgd()), 12)
    opt = _sgd()
    sched = CONFIGS[name](S, opt)
    _lrs(sched, 5)
    saved_opt, saved = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
    assert "optimizer" not in saved
    fresh_opt = _sgd()
    fresh = CONFIGS[name](S, fresh_opt)  # build, then load both (building a scheduler takes a step)
    fresh_opt.load_state_dict(saved_opt)
    fresh.load_state_dict(saved)
    assert _lrs(fresh, 7) == [pytest.approx(v, rel=1e-12) for v in expected[5:]]


def test_resume_with_last_epoch_needs_initial_lr():
    with pytest.raises(KeyError, match=r"initial_lr' is not specified in param_groups\[0\]"):
        S.StepLR(_sgd(), step_size=2, last_epoch=3)
    opt = _sgd([1.0])
    opt.param_groups[0]["initial_lr"] = 1.0
    opt.param_groups[0]["lr"] = 0.75  # as loaded from a checkpoint: building the scheduler keeps it
    sched = S.CosineAnnealingLR(opt, T_max=10, last_epoch=4)
    assert sched.get_last_lr() == [0.75] and sched.last_epoch == 5
    sched.step()  # recursive, from the current lr (as PyTorch)
    ratio = (1 + math.cos(math.pi * 6 / 10)) / (1 + math.cos(math.pi * 5 / 10))
    assert sched.get_last_lr()[0] == pytest.approx(0.75 * ratio, rel=1e-12)


def test_scheduler_errors():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        S.StepLR([], step_size=1)
    with pytest.raises(ValueError, match="Starting multiplicative factor expected to be in"):
        S.LinearLR(_sgd(), start_factor=0)
    with pytest.raises(ValueError, match="Ending multiplicative factor"):
        S.LinearLR(_sgd(), end_factor=1.5)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        S.LambdaLR(_sgd(), [_scale])
    opt = _sgd()
    with pytest.raises(ValueError, match="one milestone fewer than schedulers"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(opt, 3)], milestones=[])
    with pytest.raises(ValueError, match="same optimizer"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(_sgd(), 3)], milestones=[2])
