"""Optimizer hooks (optimizer_hooks.py) and the step counter: the step, state-dict and load-state-dict hooks in
PyTorch's order, the global step hooks, a subclass's step hooked once, replacements the hooks return, and
state["step"] as PyTorch's 0-d float32 Tensor."""
import importlib

import numpy as np
import pytest

import ddp
from tests.core.op_helpers import each_library


@each_library
def test_hooks_run_in_pytorchs_order(lib):
    log = []
    om = importlib.import_module(lib.__name__ + ".optim.optimizer")
    p = lib.nn.Parameter(lib.ones(2))
    opt = lib.optim.SGD([p], lr=0.1)
    opt.register_step_pre_hook(lambda o, args, kwargs: log.append("pre"))
    opt.register_step_post_hook(lambda o, args, kwargs: log.append("post"))
    handles = [om.register_optimizer_step_pre_hook(lambda o, a, k: log.append("global pre")),
               om.register_optimizer_step_post_hook(lambda o, a, k: log.append("global post"))]
    try:
        opt.register_state_dict_pre_hook(lambda o: log.append("state_dict pre"))
        opt.register_state_dict_post_hook(lambda o, sd: log.append(("state_dict post", sorted(sd))))
        opt.register_load_state_dict_pre_hook(lambda o, sd: log.append("load pre"))
        opt.register_load_state_dict_post_hook(lambda o: log.append("load post"))
        p.grad = lib.ones(2)
        opt.step()
        opt.load_state_dict(opt.state_dict())
    finally:
        for h in handles:
            h.remove()
    opt.step()
    assert log == ["global pre", "pre", "post", "global post", "state_dict pre",
                   ("state_dict post", ["param_groups", "state"]), "load pre", "load post", "pre", "post"]


@each_library
def test_hooks_may_replace_what_they_are_given(lib):
    p = lib.nn.Parameter(lib.ones(2))
    opt = lib.optim.SGD([p], lr=0.5)
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "note": "kept"})
    assert opt.state_dict()["note"] == "kept"
    saved = opt.state_dict()
    saved.pop("note")
    saved["param_groups"][0]["lr"] = 0.01

    def restore_lr(o, sd):
        sd = {**sd, "param_groups": [dict(g, lr=0.25) for g in sd["param_groups"]]}
        return sd

    opt.register_load_state_dict_pre_hook(restore_lr)
    opt.load_state_dict(saved)
    assert opt.param_groups[0]["lr"] == 0.25
    calls = []
    opt.register_step_pre_hook(lambda o, args, kwargs: ((o,), {"closure": lambda: calls.append(1) or 3.0}))
    p.grad = lib.ones(2)
    assert opt.step() == 3.0 and calls == [1]


def test_a_subclass_step_runs_the_hooks_once():
    """PyTorch runs them again for super().step(); ddp once per call."""
    log = []

    class Logged(ddp.optim.SGD):
        def step(self, closure=None):
            log.append("step")
            return super().step(closure)

    p = ddp.nn.Parameter(ddp.ones(2))
    opt = Logged([p], lr=0.1)
    opt.register_step_pre_hook(lambda o, a, k: log.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: log.append("post"))
    p.grad = ddp.ones(2)
    opt.step()
    assert log == ["pre", "step", "post"]
    with pytest.raises(RuntimeError, match="must return None or"):
        opt.register_step_pre_hook(lambda o, a, k: "wrong")
        opt.step()


@each_library
@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
                                  "ASGD", "Rprop", "Adafactor"])
def test_step_is_a_0d_float32_tensor(lib, name):
    p = lib.nn.Parameter(lib.ones(2, 2))
    opt = getattr(lib.optim, name)([p])
    for _ in range(3):
        p.grad = lib.ones(2, 2)
        opt.step()
    step = opt.state[p]["step"]
    assert isinstance(step, lib.Tensor) and step.ndim == 0 and step.dtype == lib.float32 and step.item() == 3.0
    again = getattr(lib.optim, name)([lib.nn.Parameter(lib.ones(2, 2))])
    again.load_state_dict(opt.state_dict())
    loaded = next(iter(again.state.values()))["step"]
    assert isinstance(loaded, lib.Tensor) and loaded.item() == 3.0


def test_a_checkpoint_with_an_int_step_still_loads(tmp_path):
    p = ddp.nn.Parameter(ddp.ones(2))
    opt = ddp.optim.Adam([p])
    p.grad = ddp.ones(2)
    opt.step()
    saved = opt.state_dict()
    saved["state"][0]["step"] = 7  # as ddp wrote it before, a plain int
    opt.load_state_dict(saved)
    p.grad = ddp.ones(2)
    opt.step()
    assert opt.state[p]["step"].item() == 8.0
    np.testing.assert_array_equal(opt.state[p]["exp_avg"].numpy().shape, (2,))


def test_a_scheduler_stepped_before_its_optimizer_warns():
    p = ddp.nn.Parameter(ddp.ones(1))
    opt = ddp.optim.SGD([p], lr=0.1)
    sched = ddp.optim.lr_scheduler.StepLR(opt, 1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    ok = ddp.optim.SGD([p], lr=0.1)
    sched = ddp.optim.lr_scheduler.StepLR(ok, 1)
    p.grad = ddp.ones(1)
    ok.step()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()
