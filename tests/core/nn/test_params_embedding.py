"""ParameterList / ParameterDict (registration, names, state-dict keys, wrapping of Tensors, errors) and
Embedding's padding_idx, max_norm, scale_grad_by_freq and from_pretrained, against numpy and torch."""
from collections import OrderedDict

import numpy as np
import pytest

import ddp
import ddp.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.ps = nn.ParameterList([nn.Parameter(ddp.ones(2)) for _ in range(2)])
        self.pd = nn.ParameterDict({"w": nn.Parameter(ddp.ones(1))})

    def forward(self, x):
        return x * self.ps[0] * self.ps[1] * self.pd["w"]


def test_parameter_list_registers_and_wraps_tensors():
    ps = nn.ParameterList([nn.Parameter(ddp.randn(3, 2)), ddp.randn(4)])
    assert isinstance(ps[1], nn.Parameter) and ps[1].requires_grad
    ps.append(ddp.randn(2)).extend([ddp.randn(1)])
    ps += [ddp.zeros(5)]
    assert len(ps) == 5 and [n for n, _ in ps.named_parameters()] == ["0", "1", "2", "3", "4"]
    assert list(ps.state_dict()) == ["0", "1", "2", "3", "4"] and ps[-1].shape == (5,)
    assert [p.shape for p in ps[1:3]] == [(4,), (2,)]
    ps[0] = ddp.ones(7)
    assert ps[0].shape == (7,) and isinstance(ps[0], nn.Parameter)
    with pytest.raises(IndexError, match="index 9 is out of range"):
        ps[9]
    with pytest.raises(TypeError, match="got str"):
        ps.append("x")


def test_parameter_dict_orders_keys_as_torch_and_supports_dict_methods():
    pd = nn.ParameterDict({"b": ddp.randn(2), "a": nn.Parameter(ddp.randn(3))})
    assert list(pd.keys()) == ["a", "b"]  # a plain dict is added in sorted order, as PyTorch does
    pd.update(OrderedDict([("z", ddp.ones(1)), ("c", ddp.ones(1))]))
    assert list(pd) == ["a", "b", "z", "c"] and "z" in pd and pd.get("q") is None
    assert pd.pop("b").shape == (2,) and len(pd) == 3
    del pd["z"]
    assert list(pd.state_dict()) == ["a", "c"]
    with pytest.raises(AttributeError, match="no attribute 'zz'"):
        pd["zz"]


def test_containers_inside_a_module_train_and_match_torch_keys():
    net = Net()
    assert list(net.state_dict()) == ["ps.0", "ps.1", "pd.w"]
    net(ddp.ones(2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    torch = pytest.importorskip("torch")

    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ps = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2)) for _ in range(2)])
            self.pd = torch.nn.ParameterDict({"w": torch.nn.Parameter(torch.ones(1))})

    assert list(net.state_dict()) == list(TNet().state_dict())
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in TNet().named_parameters()]


def test_embedding_max_norm_renormalises_picked_rows_in_place():
    w = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]], dtype=np.float32)
    emb = nn.Embedding.from_pretrained(ddp.tensor(w.copy()), max_norm=1.0)
    out = emb(ddp.tensor([0, 0, 1]))
    np.testing.assert_allclose(out.numpy(), [[0.6, 0.8], [0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    np.testing.assert_allclose(emb.weight.numpy()[2], w[2])  # rows not picked stay as they were
    assert repr(emb) == "Embedding(3, 2, max_norm=1.0)"


def test_embedding_scale_grad_by_freq_and_padding_idx_gradients():
    emb = nn.Embedding(5, 2, padding_idx=1, scale_grad_by_freq=True)
    idx = ddp.tensor([[0, 0, 1], [3, 0, 1]])
    emb(idx).sum().backward()
    np.testing.assert_allclose(emb.weight.grad.numpy(), [[1, 1], [0, 0], [0, 0], [1, 1], [0, 0]])


@pytest.mark.parametrize("kwargs", [{"padding_idx": 2}, {"max_norm": 1.5}, {"max_norm": 2.0, "norm_type": 1.0},
                                    {"scale_grad_by_freq": True, "padding_idx": 0}])
def test_embedding_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    w = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32) * 2
    emb = nn.Embedding.from_pretrained(ddp.tensor(w.copy()), freeze=False, **kwargs)
    temb = torch.nn.Embedding.from_pretrained(torch.tensor(w.copy()), freeze=False, **kwargs)
    assert repr(emb) == repr(temb)
    idx = np.array([[0, 2, 2], [5, 1, 2]])
    out, tout = emb(ddp.tensor(idx)), temb(torch.tensor(idx))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-6, atol=1e-6)
    g = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(emb.weight.grad.numpy(), temb.weight.grad.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(emb.weight.numpy(), temb.weight.detach().numpy(), rtol=1e-6, atol=1e-6)
