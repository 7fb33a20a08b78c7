"""GRU and the cells (RNNCell, LSTMCell, GRUCell): parameters, gradcheck of the fused GRU scan, a numpy
reference of the recurrences, PyTorch parity (outputs and every gradient after loading torch's state dict),
flatten_parameters, and error messages."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.core.gradcheck import gradcheck
from ddp.core.tensor import Tensor


def _rand(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """One GRU step in numpy, gates r, z, n as in PyTorch's documentation."""
    xr, xz, xn = np.split(x @ w_ih.T + b_ih, 3, axis=-1)
    hr, hz, hn = np.split(h @ w_hh.T + b_hh, 3, axis=-1)
    r, z = _sigmoid(xr + hr), _sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h


# ----------------------------------------------------------------------------------- parameters
def test_gru_parameters_and_init():
    ddp.manual_seed(0)
    m = nn.GRU(3, 40, num_layers=2, bidirectional=True)
    params = dict(m.named_parameters())
    assert params["weight_ih_l0"].shape == (120, 3) and params["weight_ih_l1_reverse"].shape == (120, 80)
    assert params["weight_hh_l1"].shape == (120, 40) and params["bias_ih_l0"].shape == (120,)
    bound = 1 / math.sqrt(40)
    assert all(np.abs(p.numpy()).max() <= bound for p in params.values())
    assert repr(nn.GRU(3, 4, batch_first=True)) == "GRU(3, 4, batch_first=True)"
    m.flatten_parameters()  # a no-op, as scripts call it after moving a model
    assert dict(m.named_parameters())["weight_hh_l0"] is params["weight_hh_l0"]
    nn.LSTM(3, 4).flatten_parameters()
    nn.RNN(3, 4).flatten_parameters()


@pytest.mark.parametrize("cls, gates", [(nn.RNNCell, 1), (nn.LSTMCell, 4), (nn.GRUCell, 3)])
def test_cell_parameters_and_repr(cls, gates):
    m = cls(3, 5)
    assert list(m.state_dict()) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    assert m.weight_ih.shape == (gates * 5, 3) and m.weight_hh.shape == (gates * 5, 5)
    assert np.abs(m.weight_hh.numpy()).max() <= 1 / math.sqrt(5)
    assert list(cls(3, 5, bias=False).state_dict()) == ["weight_ih", "weight_hh"]
    assert repr(cls(3, 5, bias=False)) == f"{cls.__name__}(3, 5, bias=False)"
    assert repr(nn.RNNCell(3, 5, nonlinearity="relu")) == "RNNCell(3, 5, nonlinearity=relu)"


# -------------------------------------------------------------------------------------- gradcheck
@pytest.mark.parametrize("bidirectional", [False, True])
def test_gru_gradcheck(bidirectional):
    ddp.manual_seed(1)
    m = nn.GRU(3, 4, num_layers=2, bidirectional=bidirectional, dtype=ddp.float64)
    x, h0 = _rand(5, 2, 3, seed=1), _rand(2 * m.num_directions, 2, 4, seed=2)

    def fn(x, h0, *params):
        out, h_n = m(x, h0)
        return out, h_n

    assert gradcheck(fn, (x, h0, *m.parameters()))


@pytest.mark.parametrize("cls", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cell_gradcheck(cls):
    ddp.manual_seed(2)
    m = cls(3, 4, dtype=ddp.float64)
    x, h = _rand(2, 3, seed=3), _rand(2, 4, seed=4)
    if cls is nn.LSTMCell:
        c = _rand(2, 4, seed=5)
        assert gradcheck(lambda x, h, c, *p: m(x, (h, c)), (x, h, c, *m.parameters()))
    else:
        assert gradcheck(lambda x, h, *p: m(x, h), (x, h, *m.parameters()))


# --------------------------------------------------------------------------- numpy references
def test_gru_matches_a_numpy_recurrence():
    ddp.manual_seed(3)
    m = nn.GRU(3, 4, dtype=ddp.float64)
    x = np.random.default_rng(6).standard_normal((6, 2, 3))
    w = [p.numpy() for p in (m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0)]
    h, outs = np.zeros((2, 4)), []
    for t in range(6):
        h = _gru_step(x[t], h, *w)
        outs.append(h)
    out, h_n = m(Tensor(x))
    np.testing.assert_allclose(out.numpy(), np.stack(outs), atol=1e-12)
    np.testing.assert_allclose(h_n.numpy()[0], h, atol=1e-12)


def test_cells_match_numpy_steps():
    ddp.manual_seed(4)
    x = np.random.default_rng(7).standard_normal((2, 3))
    h = np.random.default_rng(8).standard_normal((2, 4))
    gru = nn.GRUCell(3, 4, dtype=ddp.float64)
    w = [p.numpy() for p in (gru.weight_ih, gru.weight_hh, gru.bias_ih, gru.bias_hh)]
    np.testing.assert_allclose(gru(Tensor(x), Tensor(h)).numpy(), _gru_step(x, h, *w), atol=1e-12)
    rnn = nn.RNNCell(3, 4, dtype=ddp.float64)
    want = np.tanh(x @ rnn.weight_ih.numpy().T + rnn.bias_ih.numpy() + h @ rnn.weight_hh.numpy().T
                   + rnn.bias_hh.numpy())
    np.testing.assert_allclose(rnn(Tensor(x), Tensor(h)).numpy(), want, atol=1e-12)
    lstm = nn.LSTMCell(3, 4, dtype=ddp.float64)
    c = np.random.default_rng(9).standard_normal((2, 4))
    pre = x @ lstm.weight_ih.numpy().T + lstm.bias_ih.numpy() + h @ lstm.weight_hh.numpy().T + lstm.bias_hh.numpy()
    i, f, g, o = np.split(pre, 4, axis=1)
    c1 = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h1, c1_ours = lstm(Tensor(x), (Tensor(h), Tensor(c)))
    np.testing.assert_allclose(c1_ours.numpy(), c1, atol=1e-12)
    np.testing.assert_allclose(h1.numpy(), _sigmoid(o) * np.tanh(c1), atol=1e-12)


@pytest.mark.parametrize("cls", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cells_unbatched_and_default_state(cls):
    ddp.manual_seed(5)
    m = cls(3, 4)
    x = ddp.randn(3)
    out = m(x)
    batched = m(x.unsqueeze(0))
    if cls is nn.LSTMCell:
        assert out[0].shape == (4,) and out[1].shape == (4,)
        np.testing.assert_allclose(out[0].numpy(), batched[0].numpy()[0], rtol=1e-6)
        out = out[0]
    else:
        assert out.shape == (4,) and out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(), batched.numpy()[0], rtol=1e-6)


# ------------------------------------------------------------------------------------ vs PyTorch
GRU_CONFIGS = [
    dict(num_layers=2),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(num_layers=1, bias=False),
    dict(num_layers=3, bidirectional=True),
]


@pytest.mark.parametrize("kwargs", GRU_CONFIGS)
@pytest.mark.parametrize("with_h0", [False, True])
def test_gru_matches_torch(kwargs, with_h0):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tm = torch.nn.GRU(3, 5, **kwargs).double()
    m = nn.GRU(3, 5, dtype=ddp.float64, **kwargs)
    assert list(m.state_dict()) == list(tm.state_dict())
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    shape = (2, 6, 3) if m.batch_first else (6, 2, 3)
    xt = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    ht = torch.randn(m.num_layers * m.num_directions, 2, 5, dtype=torch.float64, requires_grad=True)
    x, h = (Tensor(t.detach().numpy().copy(), requires_grad=True) for t in (xt, ht))
    out_t, hn_t = tm(xt, ht) if with_h0 else tm(xt)
    out, hn = m(x, h) if with_h0 else m(x)
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(hn.numpy(), hn_t.detach().numpy(), atol=1e-12)
    wo, wh = torch.randn(*out_t.shape, dtype=torch.float64), torch.randn(*hn_t.shape, dtype=torch.float64)
    ((out_t * wo).sum() + (hn_t * wh).sum()).backward()
    ((out * Tensor(wo.numpy())).sum() + (hn * Tensor(wh.numpy())).sum()).backward()
    for name, p in m.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), dict(tm.named_parameters())[name].grad.numpy(), atol=1e-12,
                                   err_msg=name)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), atol=1e-12)
    if with_h0:
        np.testing.assert_allclose(h.grad.numpy(), ht.grad.numpy(), atol=1e-12)


def test_gru_float32_long_sequence_matches_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(1)
    tm = torch.nn.GRU(2, 3, batch_first=True)
    m = nn.GRU(2, 3, batch_first=True)
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    xt = torch.randn(2, 300, 2)
    out_t, _ = tm(xt)
    out_t.sum().backward()
    out, _ = m(Tensor(xt.numpy()))
    out.sum().backward()
    assert out.dtype == np.float32 and m.weight_hh_l0.grad.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(m.weight_hh_l0.grad.numpy(), tm.weight_hh_l0.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("with_state", [False, True])
def test_cells_match_torch(name, with_state):
    torch = pytest.importorskip("torch")
    torch.manual_seed(2)
    tm = getattr(torch.nn, name)(3, 5).double()
    m = getattr(nn, name)(3, 5, dtype=ddp.float64)
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    xt = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    states_t = [torch.randn(4, 5, dtype=torch.float64, requires_grad=True) for _ in range(2)]
    x = Tensor(xt.detach().numpy().copy(), requires_grad=True)
    states = [Tensor(s.detach().numpy().copy(), requires_grad=True) for s in states_t]
    if name == "LSTMCell":
        out_t = tm(xt, tuple(states_t)) if with_state else tm(xt)
        out = m(x, tuple(states)) if with_state else m(x)
    else:
        out_t, out = ((tm(xt, states_t[0]),), (m(x, states[0]),)) if with_state else ((tm(xt),), (m(x),))
    for ours, theirs in zip(out, out_t):
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), atol=1e-12)
    sum((t * (k + 1)).sum() for k, t in enumerate(out_t)).backward()
    sum((t * (k + 1)).sum() for k, t in enumerate(out)).backward()
    for pname, p in m.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), dict(tm.named_parameters())[pname].grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), atol=1e-12)
    if with_state:
        for s, st in zip(states[: len(out)], states_t):
            np.testing.assert_allclose(s.grad.numpy(), st.grad.numpy(), atol=1e-12)


# ----------------------------------------------------------------------------------- dropout, errors
def test_gru_dropout_between_layers_only_in_training():
    ddp.manual_seed(7)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = ddp.randn(5, 2, 3)
    m.eval()
    a = m(x)[0]
    np.testing.assert_array_equal(a.numpy(), m(x)[0].numpy())
    m.train()
    assert not np.allclose(m(x)[0].numpy(), a.numpy())


def test_gru_and_cell_errors():
    m = nn.GRU(4, 5)
    with pytest.raises(RuntimeError, match=r"GRU: input.size\(-1\) must be equal to input_size. Expected 4, got 3"):
        m(ddp.randn(6, 2, 3))
    with pytest.raises(RuntimeError, match=r"GRU: Expected hx size \(1, 2, 5\), got \(1, 3, 5\)"):
        m(ddp.randn(6, 2, 4), ddp.zeros(1, 3, 5))
    cell = nn.GRUCell(4, 5)
    with pytest.raises(RuntimeError, match="GRUCell: input has inconsistent input_size: got 3 expected 4"):
        cell(ddp.randn(2, 3))
    with pytest.raises(ValueError, match="GRUCell: Expected input to be 1D or 2D, got 3D instead"):
        cell(ddp.randn(1, 2, 4))
    with pytest.raises(RuntimeError, match=r"GRUCell: Expected hx of size \(2, 5\), got \(3, 5\)"):
        cell(ddp.randn(2, 4), ddp.zeros(3, 5))
    with pytest.raises(TypeError, match="LSTMCell: hx must be a tuple"):
        nn.LSTMCell(4, 5)(ddp.randn(2, 4), ddp.zeros(2, 5))
    with pytest.raises(ValueError, match="RNNCell: Unknown nonlinearity: gelu"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="LSTMCell: hidden_size must be a positive integer, got 0"):
        nn.LSTMCell(3, 0)


def test_base_classes_are_exported_as_in_torch():
    assert isinstance(nn.GRU(2, 3), nn.RNNBase) and isinstance(nn.LSTM(2, 3), nn.RNNBase)
    assert isinstance(nn.GRUCell(2, 3), nn.RNNCellBase) and isinstance(nn.RNNCell(2, 3), nn.RNNCellBase)


def test_all_weights_and_the_weight_name_lists_are_pytorchs():
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    assert m._all_weights[1] == ["weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                                 "bias_hh_l0_reverse", "weight_hr_l0_reverse"]
    assert m._flat_weights_names == [name for names in m._all_weights for name in names]
    assert [[p is getattr(m, n) for p, n in zip(ps, ns)] for ps, ns in zip(m.all_weights, m._all_weights)] == \
        [[True] * 5] * 4
    assert [p for ps in m.all_weights for p in ps] == m._flat_weights == list(m.parameters())
    assert nn.GRU(3, 4, bias=False)._all_weights == [["weight_ih_l0", "weight_hh_l0"]]
    with ddp.no_grad():  # the forget-gate idiom: bias[n//4:n//2] of every LSTM bias set to 1
        for names in m._all_weights:
            for name in filter(lambda n: "bias" in n, names):
                bias = getattr(m, name)
                bias[bias.size(0) // 4:bias.size(0) // 2].fill_(1.0)
    assert float(m.bias_hh_l1_reverse[4:8].sum()) == 4.0


def test_all_weights_names_match_pytorch():
    torch = pytest.importorskip("torch")
    for cls, kwargs in [("LSTM", dict(num_layers=2, bidirectional=True, proj_size=2)), ("GRU", dict(bias=False)),
                        ("RNN", dict(num_layers=3, nonlinearity="relu"))]:
        ours, theirs = getattr(nn, cls)(3, 4, **kwargs), getattr(torch.nn, cls)(3, 4, **kwargs)
        assert ours._all_weights == theirs._all_weights and ours._flat_weights_names == theirs._flat_weights_names
        assert [[tuple(p.shape) for p in ps] for ps in ours.all_weights] == \
            [[tuple(p.shape) for p in ps] for ps in theirs.all_weights]
