"""Module API: registration, traversal order, state dicts, modes, hooks, containers, repr."""
from collections import OrderedDict

import numpy as np
import pytest

import ddp
import ddp.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.register_buffer("steps", ddp.zeros(1))
        self.register_buffer("scratch", ddp.zeros(2), persistent=False)
        self.scale = nn.Parameter(ddp.ones(1))

    def forward(self, x):
        return self.fc(x) * self.scale


def make_net():
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 3), Block()))


def test_named_parameters_order_and_names_nested():
    net = make_net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.1.scale", "2.1.fc.weight", "2.1.fc.bias"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [n for n, _ in net.named_buffers()] == ["2.1.steps", "2.1.scratch"]
    assert [n for n, _ in net.named_modules()] == ["", "0", "1", "2", "2.0", "2.1", "2.1.fc"]
    assert [n for n, _ in net.named_children()] == ["0", "1", "2"]
    assert len(list(net.parameters(recurse=False))) == 0
    assert [n for n, _ in net[2].named_parameters(prefix="x")][0] == "x.0.weight"


def test_shared_parameter_listed_once():
    fc = nn.Linear(2, 2)
    net = nn.Sequential(fc, fc)
    assert len(list(net.parameters())) == 2
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_state_dict_keys_values_and_round_trip():
    net = make_net()
    sd = net.state_dict()
    assert list(sd) == ["0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.1.scale", "2.1.steps",
                        "2.1.fc.weight", "2.1.fc.bias"]  # non-persistent buffer left out
    assert not sd["0.weight"].requires_grad
    assert np.shares_memory(sd["0.weight"].numpy(), net[0].weight.numpy())
    other = make_net()
    result = other.load_state_dict({k: v.numpy().copy() for k, v in sd.items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (k, a), (_, b) in zip(net.state_dict().items(), other.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    assert other[0].weight.dtype == np.float32


def test_load_state_dict_strict_errors_name_keys_and_shapes():
    net = nn.Sequential(nn.Linear(2, 3))
    sd = dict(net.state_dict())
    del sd["0.bias"]
    sd["0.extra"] = ddp.zeros(1)
    with pytest.raises(RuntimeError, match=r"Error\(s\) in loading state_dict for Sequential") as e:
        net.load_state_dict(sd)
    assert '"0.bias"' in str(e.value) and '"0.extra"' in str(e.value) and "Missing" in str(e.value)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["0.extra"]
    bad = dict(net.state_dict())
    bad["0.weight"] = ddp.zeros(4, 2)
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight.*\(4, 2\).*\(3, 2\)"):
        net.load_state_dict(bad, strict=False)  # shape errors even when not strict
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like, got <class 'list'>"):
        net.load_state_dict([1, 2])


def test_load_state_dict_copies_in_place_and_bumps_version():
    fc = nn.Linear(2, 2)
    weight = fc.weight
    version = weight._version
    fc.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(2)})
    assert fc.weight is weight and weight._version > version
    np.testing.assert_array_equal(weight.numpy(), np.ones((2, 2), np.float32))


def test_train_eval_propagate():
    net = make_net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("no")


def test_zero_grad_and_requires_grad():
    net = make_net()
    net(ddp.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_apply_children_first_and_returns_self():
    net = make_net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen[-1] == "Sequential" and seen[0] == "Linear"

    def init_zero(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    net.apply(init_zero)
    assert not net[0].weight.numpy().any() and not net[2][1].fc.weight.numpy().any()


def test_setattr_rules():
    m = nn.Module()
    m.w = nn.Parameter(ddp.zeros(2))
    assert "w" in m._parameters
    with pytest.raises(TypeError, match="parameter 'w'"):
        m.w = ddp.zeros(2)
    m.w = None
    assert m.w is None and list(m.parameters()) == []
    m.child = nn.Linear(1, 1)
    assert "child" in m._modules
    del m.child
    assert "child" not in m._modules
    m.register_buffer("b", ddp.zeros(1))
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.b = 3
    with pytest.raises(KeyError, match=r"buffer name can.+t contain \"\.\" or be empty, got .+a\.b"):
        m.register_buffer("a.b", ddp.zeros(1))
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        m.nothing
    with pytest.raises(NotImplementedError, match="forward"):
        m(1)


def test_hooks():
    fc = nn.Linear(2, 2)
    calls = []
    h1 = fc.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = fc.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    out = fc(ddp.ones(1, 2))
    np.testing.assert_allclose(out.numpy(), fc.bias.numpy()[None] + 1, rtol=1e-6)
    assert calls == [ddp.Size([1, 2])]
    h1.remove()
    h2.remove()
    np.testing.assert_allclose(fc(ddp.zeros(1, 2)).numpy(), fc.bias.numpy()[None])


def test_double_and_float_cast_floating_only():
    bn = nn.BatchNorm1d(2)
    bn.double()
    assert bn.weight.dtype == np.float64 and bn.running_mean.dtype == np.float64
    assert bn.num_batches_tracked.dtype == np.int64
    assert bn.float().weight.dtype == np.float32
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point dtypes, but got desired dtype=ddp.int64"):
        bn.to(ddp.int64)


def test_repr():
    net = make_net()
    text = repr(net)
    assert text.startswith("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n")
    assert "    (1): Block(\n      (fc): Linear(in_features=3, out_features=4, bias=True)\n    )" in text
    assert repr(nn.Linear(1, 2, bias=False)) == "Linear(in_features=1, out_features=2, bias=False)"
    assert repr(nn.Parameter(ddp.zeros(1))).startswith("Parameter containing:\ntensor(")


def test_sequential_indexing_slicing_and_editing():
    a, b, c = nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1)
    seq = nn.Sequential(a, b, c)
    assert seq[0] is a and seq[-1] is c and len(seq) == 3 and list(seq) == [a, b, c]
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c] and list(sub._modules) == ["1", "2"]
    with pytest.raises(IndexError, match="out of range"):
        seq[3]
    del seq[0]
    assert list(seq._modules) == ["0", "1"] and seq[0] is b
    seq.append(nn.Tanh())
    seq.insert(0, a)
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear", "Tanh"]
    named = nn.Sequential(OrderedDict([("enc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["enc.weight", "enc.bias"]
    x = ddp.randn(3, 1)
    np.testing.assert_allclose(seq(x).numpy(), np.tanh(c(b(a(a(x)) if False else b(a(x)))).numpy()), rtol=1e-6)


def test_module_list_and_dict():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    assert isinstance(layers[:2], nn.ModuleList) and len(layers[:2]) == 2
    layers.append(nn.ReLU())
    layers += [nn.Tanh()]
    assert len(layers) == 5
    del layers[0]
    assert list(layers._modules) == ["0", "1", "2", "3"]
    assert isinstance(layers.pop(), nn.Tanh) and len(layers) == 3
    heads = nn.ModuleDict({"a": nn.Linear(2, 1)})
    heads["b"] = nn.Linear(2, 3)
    assert list(heads.keys()) == ["a", "b"] and "b" in heads and len(heads) == 2
    assert list(heads.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]
    assert isinstance(heads.pop("a"), nn.Linear) and list(heads) == ["b"]


def test_load_state_dict_result_prints_as_pytorch_does():
    net = nn.Sequential(nn.Linear(2, 3))
    result = net.load_state_dict(net.state_dict())
    assert repr(result) == str(result) == "<All keys matched successfully>"
    assert tuple(result) == ([], []) and type(result).__name__ == "_IncompatibleKeys"
    sd = dict(net.state_dict(), extra=ddp.zeros(1))
    del sd["0.bias"]
    text = "_IncompatibleKeys(missing_keys=['0.bias'], unexpected_keys=['extra'])"
    assert repr(net.load_state_dict(sd, strict=False)) == text


def test_load_state_dict_result_matches_torch():
    torch = pytest.importorskip("torch")
    tnet, net = torch.nn.Linear(2, 3), nn.Linear(2, 3)
    for keep in (["weight", "bias"], ["weight"]):
        tsd = {k: v for k, v in tnet.state_dict().items() if k in keep}
        sd = {k: v for k, v in net.state_dict().items() if k in keep}
        assert repr(net.load_state_dict(sd, strict=False)) == repr(tnet.load_state_dict(tsd, strict=False))


def test_module_list_repr_merges_runs_of_equal_modules():
    layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2)])
    assert repr(layers) == ("ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
                            "  (3): ReLU()\n  (4): Linear(in_features=2, out_features=2, bias=True)\n)")
    assert repr(nn.ModuleList()) == "ModuleList()"
    nested = nn.Sequential(nn.ModuleList([nn.Sequential(nn.Tanh()) for _ in range(2)]))
    assert repr(nested) == ("Sequential(\n  (0): ModuleList(\n    (0-1): 2 x Sequential(\n      (0): Tanh()\n"
                            "    )\n  )\n)")
    assert "(0): ReLU()\n  (1): ReLU()" in repr(nn.Sequential(nn.ReLU(), nn.ReLU()))  # Sequential lists each


def test_module_list_repr_matches_torch():
    torch = pytest.importorskip("torch")

    def build(m):
        inner = [m.Sequential(m.Linear(3, 3), m.ReLU()) for _ in range(3)] + [m.Linear(3, 1), m.Linear(3, 1)]
        return m.Sequential(m.ModuleList(inner), m.ModuleList([m.Tanh()]), m.ModuleList())

    assert repr(build(nn)) == repr(build(torch.nn))


def test_module_pickles_and_deepcopies():
    import copy
    import pickle

    net = make_net()
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        for (k, a), (_, b) in zip(net.state_dict().items(), clone.state_dict().items()):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
            assert not np.shares_memory(a.numpy(), b.numpy()), k


def test_state_dict_matches_torch_names():
    torch = pytest.importorskip("torch")
    tnet = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(),
                               torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2)), torch.nn.Embedding(4, 2))
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU(),
                        nn.Sequential(nn.Linear(3, 2), nn.LayerNorm(2)), nn.Embedding(4, 2))
    assert list(net.state_dict()) == list(tnet.state_dict())
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in tnet.named_parameters()]
    net.load_state_dict({k: v.numpy() for k, v in tnet.state_dict().items()})
    assert repr(net) == repr(tnet)


def test_reassigning_a_child_or_parameter_keeps_its_place_in_the_order():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    before = [n for n, _ in net.named_parameters()]
    setattr(net, "0", nn.Linear(2, 3))
    net[2].weight = nn.Parameter(ddp.zeros(1, 3))
    assert [n for n, _ in net.named_parameters()] == before
    assert [n for n, _ in net[2].named_parameters()] == ["weight", "bias"]


def test_load_state_dict_with_assign_takes_the_tensors_themselves():
    """assign=True, as PyTorch's: parameters become Parameters over the given memory and dtype, keeping
    their requires_grad; buffers become the given tensors; shape errors still raise."""
    m = ddp.nn.Linear(2, 2)
    weight = ddp.ones(2, 2, dtype=ddp.float64)
    m.load_state_dict({"weight": weight, "bias": ddp.zeros(2)}, assign=True)
    assert isinstance(m.weight, ddp.nn.Parameter) and m.weight.dtype == ddp.float64 and m.weight.requires_grad
    assert m.weight.data_ptr() == weight.data_ptr()
    m.weight.requires_grad_(False)
    m.load_state_dict({"weight": ddp.nn.Parameter(ddp.ones(2, 2)), "bias": ddp.zeros(2)}, assign=True)
    assert not m.weight.requires_grad
    bn = ddp.nn.BatchNorm1d(2)
    mean = ddp.arange(2.0)
    bn.load_state_dict({**bn.state_dict(), "running_mean": mean}, assign=True)
    assert bn.running_mean is mean
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        m.load_state_dict({"weight": ddp.ones(3, 3), "bias": ddp.zeros(2)}, assign=True)


def test_layers_follow_the_default_dtype():
    """After set_default_dtype(float64), layers are made in float64 (as tensors are), unless told a dtype."""
    old = ddp.get_default_dtype()
    ddp.set_default_dtype(ddp.float64)
    try:
        layers = [ddp.nn.Linear(2, 2), ddp.nn.Embedding(3, 2), ddp.nn.LayerNorm(2), ddp.nn.LSTM(2, 2),
                  ddp.nn.MultiheadAttention(4, 2), ddp.nn.Conv1d(1, 1, 1), ddp.nn.BatchNorm1d(2), ddp.nn.PReLU(),
                  ddp.nn.RMSNorm(2), ddp.nn.GRUCell(2, 2), ddp.nn.GroupNorm(1, 2), ddp.nn.Bilinear(2, 2, 2)]
        for layer in layers:
            floats = [t for t in layer.state_dict().values() if t.dtype.kind == "f"]
            assert floats and all(t.dtype == ddp.float64 for t in floats), type(layer).__name__
        assert ddp.nn.Linear(2, 2, dtype=ddp.float32).weight.dtype == ddp.float32
        assert ddp.nn.Parameter().dtype == ddp.float64
    finally:
        ddp.set_default_dtype(old)
    assert ddp.nn.Linear(2, 2).weight.dtype == ddp.float32
