"""Torch-level names that PyTorch programs call and ddp gained late: the recurrent cells from weights, conv3d /
conv_transpose3d / max_pool3d / rms_norm / ctc_loss at top level, cholesky_inverse, nonzero_static, the in-place
cumsum_ / cumprod_ / tril_ / triu_, the "unsafe" splits, new_empty_strided, get_device and vmap. Values against
PyTorch (skipped without it), gradients against finite differences in float64."""
import numpy as np
import pytest

import ddp
from op_helpers import against_torch, gradcheck, sample

N, H_IN, H = 3, 4, 5


def _cell_weights(gates, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(N, H_IN), (N, H), (gates * H, H_IN), (gates * H, H), (gates * H,), (gates * H,)]
    return [rng.standard_normal(s) * 0.5 for s in shapes]


@pytest.mark.parametrize("name,gates", [("rnn_tanh_cell", 1), ("rnn_relu_cell", 1), ("gru_cell", 3)])
def test_single_state_cells(name, gates):
    arrays = _cell_weights(gates)
    if name == "rnn_relu_cell":  # keep the pre-activations off relu's kink for the finite differences
        arrays[4] = arrays[4] + 3.0
    assert gradcheck(getattr(ddp, name), *arrays)
    assert gradcheck(lambda x, h, wi, wh: getattr(ddp, name)(x, h, wi, wh), *arrays[:4])  # without biases
    torch = pytest.importorskip("torch")
    against_torch(getattr(ddp, name), getattr(torch, name), *arrays)


def test_lstm_cell_returns_h_and_c():
    arrays = _cell_weights(4)
    c0 = np.random.default_rng(1).standard_normal((N, H))
    assert gradcheck(lambda x, h, c, *w: ddp.lstm_cell(x, (h, c), *w)[0], arrays[0], arrays[1], c0, *arrays[2:])
    assert gradcheck(lambda x, h, c, *w: ddp.lstm_cell(x, (h, c), *w)[1], arrays[0], arrays[1], c0, *arrays[2:])
    h, c = ddp.lstm_cell(*(ddp.tensor(a) for a in arrays[:1]), (ddp.tensor(arrays[1]), ddp.tensor(c0)),
                         *(ddp.tensor(a) for a in arrays[2:]))
    cell = ddp.nn.LSTMCell(H_IN, H).double()
    with ddp.no_grad():
        for p, a in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh), arrays[2:]):
            p.copy_(ddp.tensor(a))
    want_h, want_c = cell(ddp.tensor(arrays[0]), (ddp.tensor(arrays[1]), ddp.tensor(c0)))
    np.testing.assert_array_equal(h.numpy(), want_h.detach().numpy())
    np.testing.assert_array_equal(c.numpy(), want_c.detach().numpy())
    torch = pytest.importorskip("torch")
    for i in range(2):
        against_torch(lambda x, h, c, *w: ddp.lstm_cell(x, (h, c), *w)[i],
                      lambda x, h, c, *w: torch.lstm_cell(x, (h, c), *w)[i], arrays[0], arrays[1], c0, *arrays[2:])


def test_cell_errors():
    x, h, wi, wh = (ddp.tensor(a) for a in _cell_weights(1)[:4])
    with pytest.raises(RuntimeError, match="expected input to be 2-D"):
        ddp.rnn_tanh_cell(x[0], h, wi, wh)
    with pytest.raises(RuntimeError, match="expected hx of size"):
        ddp.rnn_tanh_cell(x, h[:2], wi, wh)
    with pytest.raises(RuntimeError, match="pair"):
        ddp.lstm_cell(x, h, wi, wh)


def test_three_d_ops_and_rms_norm_at_top_level():
    rng = np.random.default_rng(2)
    v, w = rng.standard_normal((2, 3, 5, 5, 5)), rng.standard_normal((4, 3, 2, 2, 2))
    F = ddp.nn.functional
    pairs = [
        (ddp.conv3d(ddp.tensor(v), ddp.tensor(w), None, 2, 1), F.conv3d(ddp.tensor(v), ddp.tensor(w), stride=2, padding=1)),
        (ddp.conv_transpose3d(ddp.tensor(v), ddp.tensor(w.transpose(1, 0, 2, 3, 4).copy()), None, 2),
         F.conv_transpose3d(ddp.tensor(v), ddp.tensor(w.transpose(1, 0, 2, 3, 4).copy()), stride=2)),
        (ddp.max_pool3d(ddp.tensor(v), 2), F.max_pool3d(ddp.tensor(v), 2)),
        (ddp.max_pool3d(ddp.tensor(v), 3, [], 1), F.max_pool3d(ddp.tensor(v), 3, None, 1)),
        (ddp.rms_norm(ddp.tensor(v), (5,)), F.rms_norm(ddp.tensor(v), (5,))),
    ]
    for got, want in pairs:
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(ddp.conv_transpose3d(ddp.tensor(v), ddp.tensor(w[:3]), None, 2).numpy(),
                               torch.conv_transpose3d(torch.tensor(v), torch.tensor(w[:3]), None, 2).numpy(), atol=1e-12)
    np.testing.assert_allclose(ddp.max_pool3d(ddp.tensor(v), 2).numpy(), torch.max_pool3d(torch.tensor(v), 2).numpy())


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_ctc_loss_takes_an_int_reduction(reduction):
    log_probs = np.log(np.random.default_rng(1).dirichlet(np.ones(5), size=(6, 2)))
    args = ([[1, 2], [3, 3]], [6, 5], [2, 2])
    got = ddp.ctc_loss(ddp.tensor(log_probs), *(ddp.tensor(a) for a in args), 0, reduction)
    name = {0: "none", 1: "mean", 2: "sum"}[reduction]
    want = ddp.nn.functional.ctc_loss(ddp.tensor(log_probs), *(ddp.tensor(a) for a in args), reduction=name)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    with pytest.raises(TypeError, match="reduction' must be int"):
        ddp.ctc_loss(ddp.tensor(log_probs), *(ddp.tensor(a) for a in args), 0, "mean")
    torch = pytest.importorskip("torch")
    ref = torch.ctc_loss(torch.tensor(log_probs), *(torch.tensor(a) for a in args), 0, reduction)
    np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-10)


def _spd_factor(seed=0, batch=(2,)):
    a = np.random.default_rng(seed).standard_normal(batch + (3, 3))
    return np.linalg.cholesky(a @ np.swapaxes(a, -1, -2) + 3 * np.eye(3))


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse(upper):
    low = _spd_factor()
    factor = np.swapaxes(low, -1, -2).copy() if upper else low
    got = ddp.cholesky_inverse(ddp.tensor(factor), upper)
    np.testing.assert_allclose(got.numpy(), np.linalg.inv(low @ np.swapaxes(low, -1, -2)), rtol=1e-12, atol=1e-12)
    assert ddp.tensor(factor[0]).cholesky_inverse(upper).shape == (3, 3)
    # the gradient flows through the factor's triangle (the other half is never read)
    tri = np.triu if upper else np.tril
    assert gradcheck(lambda f: ddp.cholesky_inverse(f.triu() if upper else f.tril(), upper), tri(factor))
    # PyTorch's backward also gives the unread triangle a gradient (that of inverse(L L^T) in the full L),
    # which finite differences of its own forward do not show: the triangles that are read must agree
    torch = pytest.importorskip("torch")
    against_torch(lambda f: ddp.cholesky_inverse(f, upper), lambda f: torch.cholesky_inverse(f, upper), factor,
                  masks=[tri(np.ones((3, 3), bool))])


def test_nonzero_static_pads_or_truncates():
    t = ddp.tensor([[0, 1], [2, 0], [3, 4]])
    assert ddp.nonzero_static(t, size=5).tolist() == [[0, 1], [1, 0], [2, 0], [2, 1], [-1, -1]]
    assert t.nonzero_static(size=2, fill_value=9).tolist() == [[0, 1], [1, 0]]
    assert ddp.nonzero_static(t, size=0).shape == (0, 2) and ddp.nonzero_static(t, size=0).dtype == ddp.int64
    assert ddp.nonzero_static(ddp.zeros(3), size=2, fill_value=7).tolist() == [[7], [7]]
    with pytest.raises(RuntimeError, match="non-negative int"):
        ddp.nonzero_static(t, size=-1)
    torch = pytest.importorskip("torch")
    for size, fill in [(5, -1), (2, 9), (6, 0)]:
        assert (ddp.nonzero_static(t, size=size, fill_value=fill).tolist()
                == torch.nonzero_static(torch.tensor(t.tolist()), size=size, fill_value=fill).tolist())


@pytest.mark.parametrize("name,args", [("cumsum_", (1,)), ("cumprod_", (0,)), ("tril_", ()), ("triu_", (1,)),
                                       ("tril_", (-1,))])
def test_in_place_scans_and_triangles(name, args):
    x = sample((3, 4), domain="pos")
    t = ddp.tensor(x.copy())
    assert getattr(t, name)(*args) is t
    np.testing.assert_allclose(t.numpy(), getattr(ddp.tensor(x), name[:-1])(*args).numpy(), rtol=1e-15)
    # through autograd: an in-place op on a non-leaf, differentiated back to the leaf
    assert gradcheck(lambda a: getattr(a * 1.0, name)(*args), x)
    torch = pytest.importorskip("torch")
    ref = torch.tensor(x.copy())
    getattr(ref, name)(*args)
    np.testing.assert_allclose(t.numpy(), ref.numpy(), rtol=1e-14)


def test_in_place_on_a_leaf_that_requires_grad_raises():
    with pytest.raises(RuntimeError, match="leaf"):
        ddp.ones(2, 2, requires_grad=True).tril_()


def test_unsafe_splits_are_the_splits():
    x = ddp.arange(7)
    for got, want in [(ddp.unsafe_split(x, 3), ddp.split(x, 3)), (x.unsafe_chunk(3), x.chunk(3)),
                      (ddp.unsafe_chunk(x, 2), ddp.chunk(x, 2)), (x.unsafe_split(2), x.split(2)),
                      (ddp.unsafe_split_with_sizes(x, [3, 4]), x.split_with_sizes([3, 4])),
                      (x.unsafe_split_with_sizes([5, 2]), x.split_with_sizes([5, 2]))]:
        assert [g.tolist() for g in got] == [w.tolist() for w in want]


def test_new_empty_strided_get_device_and_vmap():
    e = ddp.ones(2, dtype=ddp.float64).new_empty_strided((2, 3), (1, 2))
    assert e.shape == (2, 3) and e.stride() == (1, 2) and e.dtype == ddp.float64
    assert ddp.ones(1).new_empty_strided((2,), (1,), dtype=ddp.int32).dtype == ddp.int32
    assert ddp.get_device(ddp.ones(1)) == -1
    with pytest.raises(TypeError, match="must be Tensor"):
        ddp.get_device([1])
    x = ddp.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(ddp.vmap(lambda r: r.sum())(x).numpy(), [3.0, 12.0])
    assert ddp.vmap is ddp.func.vmap
