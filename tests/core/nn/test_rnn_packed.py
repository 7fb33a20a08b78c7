"""RNN, LSTM and GRU on a PackedSequence: each sequence runs over its own length (both directions), the
output is a PackedSequence with the input's layout, and the final states are those at each length."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.nn.utils.rnn import PackedSequence, pack_padded_sequence, pack_sequence, pad_packed_sequence

LENGTHS = [3, 5, 1, 4]
CONFIGS = [
    ("RNN", {}), ("RNN", {"num_layers": 2, "bidirectional": True, "nonlinearity": "relu"}),
    ("GRU", {}), ("GRU", {"bidirectional": True, "batch_first": True}),
    ("LSTM", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}),
]


def _finals(name, state):
    return state if name == "LSTM" else (state,)


def _padded(kw, seed=0, dtype=np.float32):
    shape = (4, 5, 3) if kw.get("batch_first") else (5, 4, 3)
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("name, kw", CONFIGS)
def test_packed_run_equals_each_sequence_alone(name, kw):
    """The reference without torch: sequence b through the same layer, unpadded, on its own."""
    ddp.manual_seed(0)
    layer = getattr(nn, name)(3, 4, **kw)
    bf = kw.get("batch_first", False)
    x = ddp.tensor(_padded(kw))
    out, state = layer(pack_padded_sequence(x, LENGTHS, batch_first=bf, enforce_sorted=False))
    assert isinstance(out, PackedSequence)
    padded, lengths = pad_packed_sequence(out, batch_first=bf)
    assert lengths.tolist() == LENGTHS
    for b, n in enumerate(LENGTHS):
        seq = x[b, :n] if bf else x[:n, b]
        alone, alone_state = layer(ddp.unsqueeze(seq, 0 if bf else 1))
        got = padded[b, :n] if bf else padded[:n, b]
        want = alone[0] if bf else alone[:, 0]
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)
        assert np.all((padded[b, n:] if bf else padded[n:, b]).numpy() == 0)  # padding stays padding
        for s, s_alone in zip(_finals(name, state), _finals(name, alone_state)):
            np.testing.assert_allclose(s[:, b].detach().numpy(), s_alone[:, 0].detach().numpy(), rtol=1e-5, atol=1e-6)


def test_packed_output_keeps_the_input_layout_and_takes_hx():
    ddp.manual_seed(0)
    gru = nn.GRU(3, 4, num_layers=2)
    seqs = [ddp.randn(n, 3) for n in (5, 4, 2)]  # already sorted: enforce_sorted=True
    packed = pack_sequence(seqs)
    h0 = ddp.randn(2, 3, 4)
    out, h_n = gru(packed, h0)
    assert out.sorted_indices is None and out.batch_sizes.tolist() == packed.batch_sizes.tolist()
    assert out.data.shape == (11, 4) and h_n.shape == (2, 3, 4)
    alone, h_alone = gru(ddp.unsqueeze(seqs[2], 1), h0[:, 2:3])
    np.testing.assert_allclose(h_n[:, 2].detach().numpy(), h_alone[:, 0].detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_packed_gradcheck(name):
    ddp.manual_seed(0)
    layer = getattr(nn, name)(2, 3, bidirectional=True, dtype=ddp.float64)
    x0 = np.random.default_rng(1).uniform(-1, 1, (4, 3, 2))

    def run(x, w):  # w is the layer's own reverse recurrent weight: gradcheck perturbs it in place
        out, state = layer(pack_padded_sequence(x, [2, 4, 3], enforce_sorted=False))
        finals = _finals(name, state)
        total = (out.data * out.data).sum()
        for s in finals:
            total = total + (s * s).sum()
        return total

    x = ddp.tensor(x0, dtype=ddp.float64, requires_grad=True)
    w = layer.weight_hh_l0_reverse
    assert ddp.autograd.gradcheck(run, (x, w))


@pytest.mark.parametrize("name, kw", CONFIGS)
def test_packed_matches_torch(name, kw):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(3, 4, **kw), getattr(torch.nn, name)(3, 4, **kw)
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters()):
            q.copy_(torch.from_numpy(p.detach().numpy()))
    bf, x = kw.get("batch_first", False), _padded(kw, seed=2)
    a, t = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, state = ours(pack_padded_sequence(a, LENGTHS, batch_first=bf, enforce_sorted=False))
    tout, tstate = theirs(torch.nn.utils.rnn.pack_padded_sequence(t, LENGTHS, batch_first=bf, enforce_sorted=False))
    np.testing.assert_allclose(out.data.detach().numpy(), tout.data.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert out.batch_sizes.tolist() == tout.batch_sizes.tolist()
    assert out.sorted_indices.tolist() == tout.sorted_indices.tolist()
    loss, tloss = (out.data * out.data).sum(), (tout.data * tout.data).sum()
    for s, ts in zip(_finals(name, state), _finals(name, tstate)):
        np.testing.assert_allclose(s.detach().numpy(), ts.detach().numpy(), rtol=1e-5, atol=1e-6)
        loss, tloss = loss + s.sum(), tloss + ts.sum()
    loss.backward()
    tloss.backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-5)
    for (n, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=n)


# ---------------------------------------------------------------------------- unpad / unpack, moves
def test_unpad_sequence_undoes_pad_sequence_with_gradients():
    from ddp.nn.utils.rnn import pad_sequence, unpad_sequence
    rng = np.random.default_rng(3)
    seqs = [rng.standard_normal((n, 2)) for n in (3, 1, 4)]
    for batch_first in (False, True):
        leaves = [ddp.tensor(s, requires_grad=True) for s in seqs]
        padded = pad_sequence(leaves, batch_first=batch_first)
        back = unpad_sequence(padded, ddp.tensor([3, 1, 4]), batch_first=batch_first)
        assert [tuple(b.shape) for b in back] == [(3, 2), (1, 2), (4, 2)]
        for b, s in zip(back, seqs):
            np.testing.assert_array_equal(b.detach().numpy(), s)
        sum((b * b).sum() for b in back).backward()
        for leaf, s in zip(leaves, seqs):
            np.testing.assert_allclose(leaf.grad.numpy(), 2 * s)
    with pytest.raises(RuntimeError, match="unpad_sequence: expected 3 lengths in"):
        unpad_sequence(padded, [3, 1, 5], batch_first=True)


def test_unpack_sequence_undoes_pack_sequence_in_the_original_order():
    from ddp.nn.utils.rnn import unpack_sequence
    rng = np.random.default_rng(4)
    seqs = [rng.standard_normal((n, 3)) for n in (2, 5, 1)]
    packed = pack_sequence([ddp.tensor(s) for s in seqs], enforce_sorted=False)
    back = unpack_sequence(packed)
    for b, s in zip(back, seqs):
        np.testing.assert_array_equal(b.numpy(), s)
    x = ddp.tensor(seqs[1], requires_grad=True)
    assert ddp.autograd.gradcheck(lambda x: unpack_sequence(pack_sequence([x[:2], x, x[:1]], False))[0], (x,))
    torch = pytest.importorskip("torch")
    theirs = torch.nn.utils.rnn.unpack_sequence(
        torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False))
    for b, t in zip(back, theirs):
        np.testing.assert_array_equal(b.numpy(), t.numpy())


def test_packed_sequence_moves_and_casts_as_a_tensor():
    packed = pack_sequence([ddp.ones(3, 2), ddp.ones(1, 2)])
    assert packed.to("cpu") is packed and packed.to(ddp.float32) is packed and packed.cpu() is packed
    double = packed.double()
    assert isinstance(double, PackedSequence) and double.data.dtype == ddp.float64
    assert double.batch_sizes is packed.batch_sizes and packed.to(dtype=ddp.float16).data.dtype == ddp.float16
    assert packed.long().data.dtype == ddp.int64 and packed.float().data.dtype == ddp.float32
    assert not packed.is_cuda and not packed.is_pinned() and packed.pin_memory() is packed
    with pytest.raises(RuntimeError, match="CPU"):
        packed.cuda()
