"""ddp.nn.utils: gradient clipping (norms of every order, non-finite totals), parameters <-> vector, and
rnn.pad_sequence, against numpy and, where installed, torch."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters
from ddp.nn.utils.rnn import pad_sequence


def _params_with_grads(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2, 2)]
    params = [nn.Parameter(ddp.tensor(rng.standard_normal(s).astype(np.float32))) for s in shapes]
    grads = [(rng.standard_normal(s) * scale).astype(np.float32) for s in shapes]
    for p, g in zip(params, grads):
        p.grad = ddp.tensor(g)
    return params, grads


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_numpy(norm_type, max_norm):
    params, grads = _params_with_grads()
    flat = np.concatenate([g.ravel() for g in grads]).astype(np.float64)
    p = float(norm_type)
    total = np.abs(flat).max() if p == math.inf else (np.abs(flat) ** p).sum() ** (1 / p)
    got = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    assert isinstance(got, ddp.Tensor) and got.shape == () and got.dtype == ddp.float32
    np.testing.assert_allclose(got.item(), total, rtol=1e-5)
    scale = min(1.0, max_norm / (total + 1e-6))
    for prm, g in zip(params, grads):
        np.testing.assert_allclose(prm.grad.numpy(), g * scale, rtol=1e-5)
        assert prm.grad.dtype == ddp.float32


def test_clip_grad_norm_single_tensor_skips_missing_grads_and_keeps_buffers():
    params, grads = _params_with_grads()
    params[1].grad = None
    buffer = params[0].grad._data  # clipping writes into the existing gradient arrays (DDP's bucket views)
    total = clip_grad_norm_(iter(params), 1.0)
    expected = np.sqrt((grads[0] ** 2).sum() + (grads[2] ** 2).sum())
    np.testing.assert_allclose(total.item(), expected, rtol=1e-5)
    assert params[0].grad._data is buffer and params[1].grad is None
    single, g = _params_with_grads(seed=1)
    clip_grad_norm_(single[0], 0.1)
    np.testing.assert_allclose(np.linalg.norm(single[0].grad.numpy()), 0.1, rtol=1e-4)
    assert clip_grad_norm_([nn.Parameter(ddp.zeros(2))], 1.0).item() == 0.0  # no gradients: a zero norm


def test_clip_grad_norm_nonfinite():
    params, _ = _params_with_grads()
    params[0].grad._data[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite, so it cannot be clipped"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert np.isinf(clip_grad_norm_(params, 1.0, foreach=True).item())  # scaled by the inf norm, as PyTorch


def test_clip_grad_value():
    params, grads = _params_with_grads(scale=2.0)
    assert clip_grad_value_(params, 0.5) is None
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad.numpy(), np.clip(g, -0.5, 0.5))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_clipping_matches_torch(norm_type):
    torch = pytest.importorskip("torch")
    params, grads = _params_with_grads(seed=3, scale=3.0)
    tparams = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for p, g in zip(tparams, grads):
        p.grad = torch.tensor(g)
    got, want = clip_grad_norm_(params, 2.0, norm_type), torch.nn.utils.clip_grad_norm_(tparams, 2.0, norm_type)
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-6)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7)
    clip_grad_value_(params, 0.1)
    torch.nn.utils.clip_grad_value_(tparams, 0.1)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_parameters_to_vector_and_back():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    vec = parameters_to_vector(model.parameters())
    expected = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    assert vec.shape == (len(expected),)
    np.testing.assert_array_equal(vec.numpy(), expected)
    (vec * vec).sum().backward()  # differentiable: the gradient reaches each parameter
    for p in model.parameters():
        np.testing.assert_allclose(p.grad.numpy(), 2 * p.detach().numpy())
    new = ddp.arange(len(expected), dtype=ddp.float32)
    vector_to_parameters(new, model.parameters())
    np.testing.assert_array_equal(parameters_to_vector(model.parameters()).detach().numpy(), new.numpy())
    assert model[0].weight.shape == (2, 3) and model[0].weight.requires_grad
    with pytest.raises(TypeError, match="expected a Tensor, but got: ndarray"):
        vector_to_parameters(new.numpy(), model.parameters())
    with pytest.raises(ValueError, match=r"vector_to_parameters: vec has shape \(3,\), expected \(11,\)"):
        vector_to_parameters(ddp.zeros(3), model.parameters())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    rng = np.random.default_rng(4)
    seqs = [rng.standard_normal((n, 2)).astype(np.float32) for n in (3, 1, 2)]
    xs = [ddp.tensor(s, requires_grad=True) for s in seqs]
    out = pad_sequence(xs, batch_first=batch_first, padding_value=-1.0, padding_side=side)
    ref = np.full((3, 3, 2), -1.0, np.float32)  # (B, L, *)
    for i, s in enumerate(seqs):
        if side == "right":
            ref[i, :len(s)] = s
        else:
            ref[i, 3 - len(s):] = s
    np.testing.assert_array_equal(out.numpy(), ref if batch_first else ref.transpose(1, 0, 2))
    (out * out).sum().backward()
    for x, s in zip(xs, seqs):
        np.testing.assert_allclose(x.grad.numpy(), 2 * s)
    torch = pytest.importorskip("torch")
    want = torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first=batch_first,
                                           padding_value=-1.0, padding_side=side)
    np.testing.assert_array_equal(out.numpy(), want.numpy())


def test_pad_sequence_errors_and_tensor_input():
    assert tuple(pad_sequence(ddp.ones(2, 3)).shape) == (3, 2)  # a tensor is a list of its rows
    with pytest.raises(ValueError, match="padding_side to be one of left or right"):
        pad_sequence([ddp.ones(2)], padding_side="middle")
    with pytest.raises(RuntimeError, match="empty list"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match=r"equal trailing dims, got shapes \[\(2, 3\), \(1, 2\)\]"):
        pad_sequence([ddp.ones(2, 3), ddp.ones(1, 2)])


def test_import_paths():
    import ddp.nn.utils.rnn as rnn
    assert rnn.pad_sequence is pad_sequence and ddp.nn.utils.clip_grad_norm_ is clip_grad_norm_


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_pack_and_pad_packed_round_trip(batch_first, enforce_sorted):
    from ddp.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
    rng = np.random.default_rng(5)
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    x = rng.standard_normal((5, 4, 2)).astype(np.float32)  # (T, B, *)
    for b, n in enumerate(lengths):
        x[n:, b] = 0.0
    xin = x.transpose(1, 0, 2).copy() if batch_first else x
    xd = ddp.tensor(xin, requires_grad=True)
    packed = pack_padded_sequence(xd, ddp.tensor(lengths), batch_first=batch_first, enforce_sorted=enforce_sorted)
    assert isinstance(packed, PackedSequence) and packed.batch_sizes.numpy().tolist() == [4, 3, 3, 1, 1]
    order = np.argsort(-np.array(lengths), kind="stable")
    expected = np.concatenate([x[t, order[:bs]] for t, bs in enumerate([4, 3, 3, 1, 1])])
    np.testing.assert_array_equal(packed.data.numpy(), expected)
    out, got_lengths = pad_packed_sequence(packed, batch_first=batch_first, total_length=6)
    assert got_lengths.numpy().tolist() == lengths and got_lengths.dtype == np.int64
    np.testing.assert_array_equal(out.numpy()[:, :5] if batch_first else out.numpy()[:5], xin)
    assert (out.numpy()[:, 5] if batch_first else out.numpy()[5]).sum() == 0
    (out * out).sum().backward()  # the gradient reaches exactly the real steps
    np.testing.assert_allclose(xd.grad.numpy(), 2 * xin)
    torch = pytest.importorskip("torch")
    tp = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(xin), torch.tensor(lengths), batch_first=batch_first,
                                                 enforce_sorted=enforce_sorted)
    np.testing.assert_array_equal(packed.data.numpy(), tp.data.numpy())
    tout, _ = torch.nn.utils.rnn.pad_packed_sequence(tp, batch_first=batch_first, padding_value=0.0, total_length=6)
    np.testing.assert_array_equal(out.numpy(), tout.numpy())


def test_pack_errors_and_pack_sequence():
    from ddp.nn.utils.rnn import pack_padded_sequence, pack_sequence, pad_packed_sequence
    x = ddp.zeros(4, 2, 3)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        pack_padded_sequence(x, [2, 4])
    with pytest.raises(RuntimeError, match=r"len\(lengths\) to be equal to batch_size, but got 3"):
        pack_padded_sequence(x, [4, 2, 1])
    with pytest.raises(RuntimeError, match=r"every length must be in \[1, 4\]"):
        pack_padded_sequence(x, [4, 0])
    packed = pack_sequence([ddp.ones(1, 3), ddp.ones(3, 3)], enforce_sorted=False)
    padded, lengths = pad_packed_sequence(packed, padding_value=-1.0)
    assert lengths.tolist() == [1, 3] and tuple(padded.shape) == (3, 2, 3) and padded.numpy()[1, 0, 0] == -1
    with pytest.raises(ValueError, match="total_length=2 and max sequence length being 3"):
        pad_packed_sequence(packed, total_length=2)


def test_total_norm_then_clip_in_two_steps():
    from ddp.nn.utils import clip_grads_with_norm_, get_total_norm
    params, grads = _params_with_grads(seed=6, scale=4.0)
    total = get_total_norm([p.grad for p in params], norm_type=2.0)
    np.testing.assert_allclose(total.item(), np.sqrt(sum((g.astype(np.float64) ** 2).sum() for g in grads)),
                               rtol=1e-5)
    clip_grads_with_norm_(params, 1.0, total)
    np.testing.assert_allclose(np.sqrt(sum((p.grad.numpy() ** 2).sum() for p in params)), 1.0, rtol=1e-5)
    torch = pytest.importorskip("torch")
    tgrads = [torch.tensor(g) for g in grads]
    np.testing.assert_allclose(total.item(), torch.nn.utils.get_total_norm(tgrads).item(), rtol=1e-6)
