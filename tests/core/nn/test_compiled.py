"""ddp.compile(module) (ddp/core/nn/compiled.py): an OptimizedModule shaped as PyTorch's, that calls the
module: `_orig_mod`, `_orig_mod.`-prefixed state-dict keys, attributes read and written through."""
import copy

import numpy as np
import pytest

import ddp


class Net(ddp.nn.Module):
    def __init__(self, nn):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.drop = nn.Dropout(0.5)
        self.scale = 2.0

    def forward(self, x):
        return self.drop(self.fc(x)) * self.scale


def test_compiled_module_calls_the_module_and_shares_its_parameters():
    model = Net(ddp.nn)
    compiled = ddp.compile(model)
    assert type(compiled).__name__ == "OptimizedModule" and compiled._orig_mod is model
    assert compiled.fc is model.fc and compiled.fc.weight is model.fc.weight
    assert [p is q for p, q in zip(compiled.parameters(), model.parameters())] == [True, True]
    x = ddp.ones(4, 3)
    model.eval()
    assert not compiled.training
    assert ddp.equal(compiled(x), model(x))
    compiled(x).sum().backward()
    assert model.fc.weight.grad is not None


def test_compiled_module_state_dict_repr_modes_and_attributes():
    model = Net(ddp.nn)
    compiled = ddp.compile(model, mode="max-autotune", fullgraph=True)
    assert list(compiled.state_dict()) == ["_orig_mod.fc.weight", "_orig_mod.fc.bias"]
    assert list(model.state_dict()) == ["fc.weight", "fc.bias"]
    compiled.load_state_dict(compiled.state_dict())
    assert repr(compiled).startswith("OptimizedModule(\n  (_orig_mod): Net(\n")
    compiled.train()
    assert model.training and model.drop.training
    compiled.eval()
    assert not model.training and not model.drop.training
    compiled.scale = 3.0  # written to the original, as PyTorch
    assert model.scale == 3.0 and "scale" not in compiled.__dict__
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nothing'"):
        compiled.nothing
    again = copy.deepcopy(compiled)
    assert again._orig_mod is not model and ddp.equal(again.fc.weight, model.fc.weight)
    assert model.compile() is None  # the in-place form


def test_a_compiled_sequential_keeps_its_length():
    seq = ddp.nn.Sequential(ddp.nn.Linear(2, 2), ddp.nn.ReLU())
    compiled = ddp.compile(seq)
    assert len(compiled) == 2 and compiled._orig_mod[0] is seq[0]  # (no indexing, as PyTorch)


@pytest.fixture
def torch_keeping_distribution_checks():
    """PyTorch with its distributions' argument validation restored after the test: importing torch._dynamo
    (torch.compile does) turns that validation off process-wide, which the distribution tests' oracle needs."""
    torch = pytest.importorskip("torch")
    validate = torch.distributions.Distribution._validate_args
    yield torch
    torch.distributions.Distribution.set_default_validate_args(validate)


def test_like_pytorchs_optimized_module(torch_keeping_distribution_checks):
    torch = torch_keeping_distribution_checks
    ours, theirs = ddp.compile(Net(ddp.nn)), torch.compile(_torch_net(torch))  # (compiled lazily: never called)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    theirs.scale = 3.0
    assert theirs._orig_mod.scale == 3.0 and type(theirs).__name__ == type(ours).__name__
    assert torch.compile(theirs._orig_mod, disable=True) is theirs._orig_mod


def _torch_net(torch):
    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(3, 2)
            self.drop = torch.nn.Dropout(0.5)
            self.scale = 2.0

    TorchNet.__name__ = "Net"
    return TorchNet()


def test_compiled_model_loads_into_an_uncompiled_one_after_the_prefix_is_stripped():
    compiled = ddp.compile(Net(ddp.nn))
    state = {k.removeprefix("_orig_mod."): v for k, v in compiled.state_dict().items()}
    fresh = Net(ddp.nn)
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.fc.weight.detach().numpy(), compiled.fc.weight.detach().numpy())
