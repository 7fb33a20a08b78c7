"""LSTM with proj_size (h_t = (o tanh(c_t)) W_hr^T): parameter names and shapes, a float64 gradcheck of the
projected scan, PyTorch parity of outputs, states and every gradient (stacked, bidirectional, packed,
unbatched), and the state shape checks."""
import numpy as np
import pytest

import ddp
from ddp.core.gradcheck import gradcheck
from ddp.core.nn.rnn import LSTM
from ddp.core.tensor import Tensor
from ddp.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def _rand(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def test_parameters_repr_and_shapes():
    m = LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    shapes = {name: tuple(p.shape) for name, p in m.named_parameters()}
    assert list(shapes)[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]
    assert shapes["weight_hh_l0"] == (20, 2) and shapes["weight_hr_l0_reverse"] == (2, 5)
    assert shapes["weight_ih_l1"] == (20, 4)  # layer 1 reads both directions' projected h
    assert repr(m) == "LSTM(3, 5, proj_size=2, num_layers=2, bidirectional=True)"
    out, (h_n, c_n) = m(ddp.randn(6, 3, 3))
    assert out.shape == (6, 3, 4) and h_n.shape == (4, 3, 2) and c_n.shape == (4, 3, 5)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_projected_lstm_gradcheck(bidirectional):
    ddp.manual_seed(3)
    m = LSTM(3, 4, num_layers=2, bidirectional=bidirectional, proj_size=2, dtype=ddp.float64)
    d = m.num_directions
    x, h0, c0 = _rand(4, 2, 3, seed=1), _rand(2 * d, 2, 2, seed=2), _rand(2 * d, 2, 4, seed=3)

    def fn(x, h0, c0, *params):
        out, (h_n, c_n) = m(x, (h0, c0))
        return out, h_n, c_n

    assert gradcheck(fn, (x, h0, c0, *m.parameters()))


@pytest.mark.parametrize("kwargs", [dict(num_layers=2), dict(num_layers=2, bidirectional=True, batch_first=True),
                                    dict(bias=False), dict(num_layers=3, bidirectional=True)])
def test_projected_lstm_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tm = torch.nn.LSTM(3, 5, proj_size=3, **kwargs).double()
    m = LSTM(3, 5, proj_size=3, dtype=ddp.float64, **kwargs)
    assert list(m.state_dict()) == list(tm.state_dict()) and repr(m) == repr(tm)
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    states = m.num_layers * m.num_directions
    xt = torch.randn(*((2, 6, 3) if m.batch_first else (6, 2, 3)), dtype=torch.float64, requires_grad=True)
    ht = torch.randn(states, 2, 3, dtype=torch.float64, requires_grad=True)
    ct = torch.randn(states, 2, 5, dtype=torch.float64, requires_grad=True)
    x, h, c = (Tensor(t.detach().numpy().copy(), requires_grad=True) for t in (xt, ht, ct))
    out_t, (hn_t, cn_t) = tm(xt, (ht, ct))
    out, (hn, cn) = m(x, (h, c))
    for ours, theirs in ((out, out_t), (hn, hn_t), (cn, cn_t)):
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), atol=1e-12)
    ws = [torch.randn(*t.shape, dtype=torch.float64) for t in (out_t, hn_t, cn_t)]
    sum((t * w).sum() for t, w in zip((out_t, hn_t, cn_t), ws)).backward()
    sum((t * Tensor(w.numpy())).sum() for t, w in zip((out, hn, cn), ws)).backward()
    theirs = dict(tm.named_parameters())
    for name, p in m.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs[name].grad.numpy(), atol=1e-12, err_msg=name)
    for ours, t in ((x, xt), (h, ht), (c, ct)):
        np.testing.assert_allclose(ours.grad.numpy(), t.grad.numpy(), atol=1e-12)


def test_projected_lstm_packed_and_unbatched_match_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(1)
    tm = torch.nn.LSTM(3, 4, proj_size=2, bidirectional=True, batch_first=True).double()
    m = LSTM(3, 4, proj_size=2, bidirectional=True, batch_first=True, dtype=ddp.float64)
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((3, 5, 3))
    lengths = [5, 2, 4]
    packed_t = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), lengths, batch_first=True,
                                                       enforce_sorted=False)
    out_t, (hn_t, cn_t) = tm(packed_t)
    out, (hn, cn) = m(pack_padded_sequence(ddp.tensor(x), lengths, batch_first=True, enforce_sorted=False))
    np.testing.assert_allclose(pad_packed_sequence(out, batch_first=True)[0].numpy(),
                               torch.nn.utils.rnn.pad_packed_sequence(out_t, batch_first=True)[0].detach().numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(hn.numpy(), hn_t.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(cn.numpy(), cn_t.detach().numpy(), atol=1e-12)
    out_t, (hn_t, cn_t) = tm(torch.tensor(x[0]))  # unbatched: (L, H_in), states (D, P) and (D, H)
    out, (hn, cn) = m(ddp.tensor(x[0]))
    assert hn.shape == (2, 2) and cn.shape == (2, 4)
    for ours, theirs in ((out, out_t), (hn, hn_t), (cn, cn_t)):
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), atol=1e-12)


def test_state_shapes_are_checked():
    m = LSTM(3, 5, proj_size=2)
    x = ddp.randn(4, 2, 3)
    with pytest.raises(RuntimeError, match=r"Expected hx\[0\] size \(1, 2, 2\), got \(1, 2, 5\)"):
        m(x, (ddp.zeros(1, 2, 5), ddp.zeros(1, 2, 5)))
    with pytest.raises(RuntimeError, match=r"Expected hx\[1\] size \(1, 2, 5\), got \(1, 2, 2\)"):
        m(x, (ddp.zeros(1, 2, 2), ddp.zeros(1, 2, 2)))
