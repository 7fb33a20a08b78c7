"""Optimizer arguments: PyTorch's ValueErrors and messages for bad values, TypeErrors naming the optimizer
for values of the wrong type (which PyTorch lets through or fails on obscurely), and the kernel flags."""
import inspect

import numpy as np
import pytest

import ddp
from ddp.core.tensor import Tensor

NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"]


def _param():
    return Tensor(np.zeros(3, np.float32), requires_grad=True)


# the message is PyTorch's, word for word
VALUE_ERRORS = [
    ("Adadelta", dict(lr=-1), "Invalid learning rate: -1"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("Adadelta", dict(rho=-0.1), "Invalid rho value: -0.1"),
    ("Adadelta", dict(eps=-1e-6), "Invalid epsilon value: -1e-06"),
    ("Adadelta", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("Adamax", dict(lr=-0.5), "Invalid learning rate: -0.5"),
    ("Adamax", dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    ("Adamax", dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    ("Adamax", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("Adamax", dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    ("NAdam", dict(lr=-1e-3), "Invalid learning rate: -0.001"),
    ("NAdam", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
    ("NAdam", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("RAdam", dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    ("RAdam", dict(betas=(-0.5, 0.9)), "Invalid beta parameter at index 0: -0.5"),
    ("RAdam", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("ASGD", dict(lr=-1), "Invalid learning rate: -1"),
    ("ASGD", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("Rprop", dict(lr=-1), "Invalid learning rate: -1"),
    ("Rprop", dict(etas=(1.2, 0.5)), "Invalid eta values: 1.2, 0.5"),
    ("Rprop", dict(etas=(0.0, 1.2)), "Invalid eta values: 0.0, 1.2"),
    ("SGD", dict(lr=-1), "Invalid learning rate: -1"),
    ("RMSprop", dict(alpha=-0.5), "Invalid alpha value: -0.5"),
    ("Adagrad", dict(eps=-1), "Invalid epsilon value: -1"),
    ("LBFGS", dict(lr=-1), "Invalid learning rate: -1"),
]


@pytest.mark.parametrize("name,kwargs,message", VALUE_ERRORS, ids=[f"{n}-{k}" for n, k, _ in VALUE_ERRORS])
def test_value_errors_are_torchs(name, kwargs, message):
    with pytest.raises(ValueError, match=f"^{message.replace('(', '[(]').replace(')', '[)]')}$"):
        getattr(ddp.optim, name)([_param()], **kwargs)


@pytest.mark.parametrize("name,kwargs,message", VALUE_ERRORS, ids=[f"{n}-{k}" for n, k, _ in VALUE_ERRORS])
def test_torch_gives_the_same_value_errors(name, kwargs, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as info:
        getattr(torch.optim, name)([torch.zeros(3, requires_grad=True)], **kwargs)
    assert str(info.value) == message


TYPE_ERRORS = [
    ("SGD", dict(lr="0.1"), r"SGD: lr must be a real number, but got str \('0.1'\)"),
    ("SGD", dict(lr=None), "SGD: lr must be a real number, but got NoneType"),
    ("SGD", dict(momentum=[0.9]), "SGD: momentum must be a real number, but got list"),
    ("SGD", dict(dampening="0"), "SGD: dampening must be a real number, but got str"),
    ("SGD", dict(nesterov="yes", momentum=0.9), "SGD: nesterov must be a bool, but got str"),
    ("SGD", dict(maximize="False"), r"SGD: maximize must be a bool, but got str \('False'\)"),
    ("Adam", dict(betas=0.9), "Adam: betas must be a tuple of two floats, but got 0.9"),
    ("Adam", dict(betas=(0.9, "0.999")), r"Adam: betas\[1\] must be a real number, but got str"),
    ("Adam", dict(amsgrad=1), "Adam: amsgrad must be a bool, but got int"),
    ("AdamW", dict(weight_decay=None), "AdamW: weight_decay must be a real number, but got NoneType"),
    ("RMSprop", dict(centered="True"), "RMSprop: centered must be a bool"),
    ("Adagrad", dict(lr_decay="0.1"), "Adagrad: lr_decay must be a real number"),
    ("Adadelta", dict(rho="0.9"), "Adadelta: rho must be a real number"),
    ("Adamax", dict(eps=True), "Adamax: eps must be a real number, but got bool"),
    ("NAdam", dict(decoupled_weight_decay="no"), "NAdam: decoupled_weight_decay must be a bool"),
    ("RAdam", dict(betas=[0.9]), r"RAdam: betas must be a tuple of two floats, but got \[0.9\]"),
    ("ASGD", dict(t0="1e6"), "ASGD: t0 must be a real number"),
    ("Rprop", dict(etas=0.5), "Rprop: etas must be a tuple of two floats, but got 0.5"),
    ("Rprop", dict(step_sizes=(1e-6, None)), r"Rprop: step_sizes\[1\] must be a real number"),
    ("NAdam", dict(foreach="no"), "NAdam: foreach must be a bool, but got str"),
    ("LBFGS", dict(history_size=10.0), r"LBFGS: history_size must be an int, but got float \(10.0\)"),
    ("LBFGS", dict(tolerance_grad="1e-5"), "LBFGS: tolerance_grad must be a real number"),
]


@pytest.mark.parametrize("name,kwargs,message", TYPE_ERRORS, ids=[f"{n}-{k}" for n, k, _ in TYPE_ERRORS])
def test_type_errors_name_the_optimizer(name, kwargs, message):
    with pytest.raises(TypeError, match=message):
        getattr(ddp.optim, name)([_param()], **kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_kernel_flags_are_accepted_and_kept(name):
    torch = pytest.importorskip("torch")
    reference = getattr(torch.optim, name)([torch.zeros(3, requires_grad=True)], foreach=False)
    opt = getattr(ddp.optim, name)([_param()], foreach=False)
    assert set(opt.param_groups[0]) == set(reference.param_groups[0])
    assert opt.param_groups[0]["foreach"] is False


@pytest.mark.parametrize("name", NAMES)
def test_differentiable_steps_are_refused(name):
    with pytest.raises(RuntimeError, match=f"{name}: differentiable=True is not supported"):
        getattr(ddp.optim, name)([_param()], differentiable=True)


def test_defaults_are_torchs():
    torch = pytest.importorskip("torch")
    for name in NAMES + ["LBFGS"]:
        mine = getattr(ddp.optim, name)([_param()]).defaults
        theirs = getattr(torch.optim, name)([torch.zeros(3, requires_grad=True)]).defaults
        assert mine == {k: v for k, v in theirs.items() if k in mine}, name
        assert set(mine) == set(theirs), name


def test_tensor_lr():
    opt = ddp.optim.Adamax([_param()], lr=ddp.tensor(0.01))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01) and isinstance(opt.param_groups[0]["lr"], float)
    with pytest.raises(ValueError, match="NAdam: Tensor lr must be 1-element, but got 2 elements"):
        ddp.optim.NAdam([_param()], lr=ddp.tensor([0.1, 0.2]))


def _signature(cls):
    return [(p.name, p.kind, p.default) for p in inspect.signature(cls.__init__).parameters.values()][1:]


SCHEDULERS = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
              "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR",
              "SequentialLR", "ChainedScheduler", "ReduceLROnPlateau"]


@pytest.mark.parametrize("name", NAMES + ["LBFGS"] + [f"lr_scheduler.{s}" for s in SCHEDULERS])
def test_signatures_are_torchs(name):
    # the same names, order, kinds (positional or keyword-only) and defaults, so that calls port unchanged
    torch = pytest.importorskip("torch")

    def find(root):
        for part in name.split("."):
            root = getattr(root, part)
        return root
    assert _signature(find(ddp.optim)) == _signature(find(torch.optim))
