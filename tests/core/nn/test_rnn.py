"""RNN and LSTM: parameter names and init, gradcheck of the fused scans, PyTorch parity (forward and every
gradient, after loading torch's state dict), a 1000-step sequence, and error messages."""
import math

import numpy as np
import pytest

import ddp
from ddp.core.gradcheck import gradcheck
from ddp.core.nn.rnn import LSTM, RNN
from ddp.core.tensor import Tensor


def _rand(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def _names(num_layers, bidirectional, bias=True):
    kinds = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if bias else [])
    suffixes = [f"_l{k}{r}" for k in range(num_layers) for r in ([""] + (["_reverse"] if bidirectional else []))]
    return [kind + s for s in suffixes for kind in kinds]


# ----------------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("cls, gates", [(RNN, 1), (LSTM, 4)])
def test_parameter_names_shapes_and_init(cls, gates):
    ddp.manual_seed(0)
    m = cls(3, 50, num_layers=2, bidirectional=True)
    params = dict(m.named_parameters())
    assert list(params) == _names(2, True)
    assert params["weight_ih_l0"].shape == (gates * 50, 3)
    assert params["weight_ih_l1_reverse"].shape == (gates * 50, 100)
    assert params["weight_hh_l1"].shape == (gates * 50, 50)
    assert params["bias_hh_l0_reverse"].shape == (gates * 50,)
    bound = 1 / math.sqrt(50)
    for p in params.values():
        assert p.dtype == np.float32 and p.requires_grad
        assert np.abs(p.numpy()).max() <= bound and np.abs(p.numpy()).max() > 0.9 * bound
    assert list(cls(3, 4, bias=False).state_dict()) == _names(1, False, bias=False)


def test_repr_and_defaults():
    assert repr(RNN(3, 4)) == "RNN(3, 4)"
    assert repr(LSTM(3, 4, num_layers=2, batch_first=True)) == "LSTM(3, 4, num_layers=2, batch_first=True)"
    assert repr(RNN(3, 4, nonlinearity="relu")) == "RNN(3, 4)"  # PyTorch's RNN leaves it out (RNNCell shows it)


# -------------------------------------------------------------------------------------- gradcheck
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_rnn_gradcheck(nonlinearity, bidirectional):
    ddp.manual_seed(1)
    m = RNN(3, 4, num_layers=2, nonlinearity=nonlinearity, bidirectional=bidirectional, dtype=ddp.float64)
    x, h0 = _rand(5, 2, 3, seed=1), _rand(2 * m.num_directions, 2, 4, seed=2)
    assert gradcheck(lambda x, h0, *params: m(x, h0), (x, h0, *m.parameters()))


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_gradcheck(bidirectional):
    ddp.manual_seed(2)
    m = LSTM(3, 4, num_layers=2, bidirectional=bidirectional, dtype=ddp.float64)
    d = m.num_directions
    x, h0, c0 = _rand(4, 2, 3, seed=3), _rand(2 * d, 2, 4, seed=4), _rand(2 * d, 2, 4, seed=5)

    def fn(x, h0, c0, *params):
        out, (h_n, c_n) = m(x, (h0, c0))
        return out, h_n, c_n

    assert gradcheck(fn, (x, h0, c0, *m.parameters()))


# ------------------------------------------------------------------------------------ vs PyTorch
def _torch_pair(cls, **kwargs):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tm = getattr(torch.nn, cls.__name__)(3, 5, **kwargs).double()
    m = cls(3, 5, dtype=ddp.float64, **kwargs)
    assert list(m.state_dict()) == list(tm.state_dict())
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    return torch, tm, m


def _compare_grads(m, tm, pairs):
    for name, p in m.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), dict(tm.named_parameters())[name].grad.numpy(), atol=1e-12,
                                   err_msg=name)
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), atol=1e-12)


CONFIGS = [
    dict(num_layers=2),
    dict(num_layers=2, bidirectional=True, batch_first=True),
    dict(num_layers=1, bias=False),
    dict(num_layers=3, bidirectional=True),
]


@pytest.mark.parametrize("kwargs", CONFIGS + [dict(num_layers=2, nonlinearity="relu", bidirectional=True)])
@pytest.mark.parametrize("with_h0", [False, True])
def test_rnn_matches_torch(kwargs, with_h0):
    torch, tm, m = _torch_pair(RNN, **kwargs)
    d, layers = m.num_directions, m.num_layers
    shape = (2, 6, 3) if m.batch_first else (6, 2, 3)
    xt = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    ht = torch.randn(layers * d, 2, 5, dtype=torch.float64, requires_grad=True)
    x, h = Tensor(xt.detach().numpy().copy(), requires_grad=True), Tensor(ht.detach().numpy().copy(), requires_grad=True)
    out_t, hn_t = tm(xt, ht) if with_h0 else tm(xt)
    out, hn = m(x, h) if with_h0 else m(x)
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(hn.numpy(), hn_t.detach().numpy(), atol=1e-12)
    wo, wh = torch.randn(*out_t.shape, dtype=torch.float64), torch.randn(*hn_t.shape, dtype=torch.float64)
    ((out_t * wo).sum() + (hn_t * wh).sum()).backward()
    ((out * Tensor(wo.numpy())).sum() + (hn * Tensor(wh.numpy())).sum()).backward()
    _compare_grads(m, tm, [(x, xt)] + ([(h, ht)] if with_h0 else []))


@pytest.mark.parametrize("kwargs", CONFIGS)
def test_lstm_matches_torch(kwargs):
    torch, tm, m = _torch_pair(LSTM, **kwargs)
    d, layers = m.num_directions, m.num_layers
    shape = (2, 6, 3) if m.batch_first else (6, 2, 3)
    xt = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    ht, ct = (torch.randn(layers * d, 2, 5, dtype=torch.float64, requires_grad=True) for _ in range(2))
    x, h, c = (Tensor(t.detach().numpy().copy(), requires_grad=True) for t in (xt, ht, ct))
    out_t, (hn_t, cn_t) = tm(xt, (ht, ct))
    out, (hn, cn) = m(x, (h, c))
    for ours, theirs in ((out, out_t), (hn, hn_t), (cn, cn_t)):
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), atol=1e-12)
    ws = [torch.randn(*t.shape, dtype=torch.float64) for t in (out_t, hn_t, cn_t)]
    sum((t * w).sum() for t, w in zip((out_t, hn_t, cn_t), ws)).backward()
    sum((t * Tensor(w.numpy())).sum() for t, w in zip((out, hn, cn), ws)).backward()
    _compare_grads(m, tm, [(x, xt), (h, ht), (c, ct)])


@pytest.mark.parametrize("cls", [RNN, LSTM])
def test_unbatched_input_matches_batch_of_one(cls):
    ddp.manual_seed(3)
    m = cls(3, 4, num_layers=2)
    x = ddp.randn(5, 3)
    out, state = m(x)
    out1, state1 = m(x.unsqueeze(1))
    assert out.shape == (5, 4)
    np.testing.assert_allclose(out.numpy(), out1.numpy()[:, 0], rtol=1e-6)
    h, h1 = (state[0], state1[0]) if cls is LSTM else (state, state1)
    assert h.shape == (2, 4)
    np.testing.assert_allclose(h.numpy(), h1.numpy()[:, 0], rtol=1e-6)
    out2, _ = m(x, (ddp.zeros(2, 4), ddp.zeros(2, 4)) if cls is LSTM else ddp.zeros(2, 4))
    np.testing.assert_allclose(out2.numpy(), out.numpy())


def test_float32_stays_float32_and_h0_defaults_to_zeros():
    ddp.manual_seed(4)
    m = LSTM(3, 4)
    x = ddp.randn(5, 2, 3, requires_grad=True)
    out, (h, c) = m(x)
    assert out.dtype == h.dtype == c.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32 and m.weight_hh_l0.grad.dtype == np.float32
    out0, _ = m(x, (ddp.zeros(1, 2, 4), ddp.zeros(1, 2, 4)))
    np.testing.assert_array_equal(out0.numpy(), out.numpy())


# --------------------------------------------------------------------------------- long sequences
def _unrolled_rnn(m, x):
    """A reference built step by step from ddp ops: a graph 1000 nodes deep."""
    h = ddp.zeros(x.shape[1], m.hidden_size, dtype=x.dtype)
    for t in range(x.shape[0]):
        h = ddp.tanh(ddp.linear(x[t], m.weight_ih_l0, m.bias_ih_l0) + ddp.linear(h, m.weight_hh_l0, m.bias_hh_l0))
    return h


def test_1000_steps_backward_matches_a_step_by_step_graph():
    ddp.manual_seed(5)
    m = RNN(2, 3, dtype=ddp.float64)
    x = Tensor(np.random.default_rng(5).standard_normal((1000, 2, 2)), requires_grad=True)
    _, h_n = m(x)
    h_n.sum().backward()
    grads = [p.grad.numpy().copy() for p in m.parameters()] + [x.grad.numpy().copy()]
    m.zero_grad()
    x.grad = None
    h = _unrolled_rnn(m, x)  # the engine walks this deep graph iteratively: no recursion limit
    h.sum().backward()
    np.testing.assert_allclose(h.numpy(), h_n.numpy()[0], atol=1e-12)
    for ours, ref in zip(grads, [p.grad.numpy() for p in m.parameters()] + [x.grad.numpy()]):
        np.testing.assert_allclose(ours, ref, atol=1e-10)


def test_lstm_1000_steps_matches_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(6)
    tm = torch.nn.LSTM(2, 3, batch_first=True)
    m = LSTM(2, 3, batch_first=True)
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    xt = torch.randn(2, 1000, 2)
    out_t, _ = tm(xt)
    out_t.sum().backward()
    out, _ = m(Tensor(xt.numpy()))
    out.sum().backward()
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(m.weight_hh_l0.grad.numpy(), tm.weight_hh_l0.grad.numpy(), rtol=1e-4, atol=1e-4)


# ----------------------------------------------------------------------------------- dropout, errors
def test_dropout_between_layers_only_in_training():
    ddp.manual_seed(7)
    m = RNN(3, 4, num_layers=2, dropout=0.5)
    x = ddp.randn(5, 2, 3)
    m.eval()
    a, b = m(x)[0], m(x)[0]
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    m.train()
    assert not np.allclose(m(x)[0].numpy(), a.numpy())


@pytest.mark.parametrize("cls", [RNN, LSTM])
def test_input_errors(cls):
    name = cls.__name__
    m = cls(4, 5, num_layers=2)
    with pytest.raises(RuntimeError, match=rf"{name}: input.size\(-1\) must be equal to input_size. Expected 4, got 3"):
        m(ddp.randn(6, 2, 3))
    with pytest.raises(ValueError, match=rf"{name}: Expected input to be 2D or 3D, got 4D tensor instead"):
        m(ddp.randn(6, 2, 3, 4))
    with pytest.raises(ValueError, match="input must have the type ddp.float32, got type ddp.float64"):
        m(ddp.randn(6, 2, 4, dtype=ddp.float64))
    h = ddp.zeros(2, 3, 5)
    with pytest.raises(RuntimeError, match=r"Expected hx(\[0\])? size \(2, 2, 5\), got \(2, 3, 5\)"):
        m(ddp.randn(6, 2, 4), (h, h) if cls is LSTM else h)
    h = ddp.zeros(2, 5)
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx(\\[0\\])? should also be 3-D but got 2-D"):
        m(ddp.randn(6, 2, 4), (h, h) if cls is LSTM else h)


def test_constructor_errors():
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size must be a positive integer, got 0"):
        RNN(3, 0)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size should be a positive integer or zero"):
        LSTM(3, 4, proj_size=-1)
    with pytest.raises(TypeError, match=r"hx must be a tuple \(h0, c0\)"):
        LSTM(3, 4)(ddp.randn(2, 3), ddp.zeros(1, 4))


def test_dropout_with_one_layer_warns_as_pytorch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        ddp.nn.LSTM(2, 3, dropout=0.5)
