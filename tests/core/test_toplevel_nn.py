"""The torch-level forms of nn.functional ops (`ddp.conv1d`, `ddp.dropout(x, p, train)`, `ddp.kl_div(x, y, 1)`):
signatures, results and errors against torch, in-place forms, and float64 gradient checks where the wrapper
does work of its own (constant_pad_nd's cropping, rsub, the in-place activations)."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, sample


def _t(a, dtype=np.float32):
    return ddp.tensor(np.asarray(a, dtype=dtype))


def _close(x, y, **kw):
    np.testing.assert_allclose(x.detach().numpy(), y.detach().numpy(), **kw)


def test_names_exist_at_top_level():
    names = """conv1d conv2d conv_transpose1d conv_transpose2d avg_pool1d max_pool1d max_pool2d max_pool1d_with_indices
    adaptive_avg_pool1d adaptive_max_pool1d batch_norm layer_norm group_norm instance_norm dropout alpha_dropout
    feature_alpha_dropout feature_dropout embedding embedding_bag pixel_shuffle pixel_unshuffle channel_shuffle
    prelu selu celu threshold hardshrink cosine_similarity pairwise_distance cosine_embedding_loss
    hinge_embedding_loss margin_ranking_loss triplet_margin_loss kl_div poisson_nll_loss
    binary_cross_entropy_with_logits bilinear constant_pad_nd rsub detach detach_ relu_ selu_ celu_ dropout_
    alpha_dropout_ feature_dropout_ feature_alpha_dropout_ threshold_ rrelu rrelu_ pdist""".split()
    assert [n for n in names if not callable(getattr(ddp, n, None))] == []


def test_import_ddp_does_not_load_the_layers():
    import subprocess
    import sys
    code = "import sys, ddp; ddp.selu(ddp.ones(2)); print('ddp.core.nn.functional' in sys.modules)"
    lazy = "import sys, ddp; print('ddp.core.nn.functional' in sys.modules)"
    out = [subprocess.run([sys.executable, "-c", c], capture_output=True, text=True).stdout.strip()
           for c in (lazy, code)]
    assert out == ["False", "True"]


def test_conv_and_pool_match_torch():
    torch = pytest.importorskip("torch")
    x, w = sample((2, 3, 9), seed=1).astype(np.float32), sample((4, 3, 3), seed=2).astype(np.float32)
    _close(ddp.conv1d(_t(x), _t(w), None, 2, 1), torch.conv1d(torch.tensor(x), torch.tensor(w), None, 2, 1), atol=1e-5)
    wt = sample((3, 2, 3), seed=3).astype(np.float32)
    _close(ddp.conv_transpose1d(_t(x), _t(wt), None, 2, 1, 1),
           torch.conv_transpose1d(torch.tensor(x), torch.tensor(wt), None, 2, 1, 1), atol=1e-5)
    vals, idx = ddp.max_pool1d_with_indices(_t(x), 3, [], 1)
    tv, ti = torch.max_pool1d_with_indices(torch.tensor(x), 3, [], 1)
    _close(vals, tv)
    assert idx.dtype == np.int64 and idx.tolist() == ti.tolist()
    assert not isinstance(ddp.max_pool1d(_t(x), 2), tuple)
    _close(ddp.max_pool1d(_t(x), 2), torch.max_pool1d(torch.tensor(x), 2))
    _close(ddp.avg_pool1d(_t(x), 3, 2), torch.avg_pool1d(torch.tensor(x), 3, 2), atol=1e-6)
    out, where = ddp.adaptive_max_pool1d(_t(x), 4)
    tout, twhere = torch.adaptive_max_pool1d(torch.tensor(x), 4)
    _close(out, tout)
    assert where.tolist() == twhere.tolist()
    _close(ddp.adaptive_avg_pool1d(_t(x), 4), torch.adaptive_avg_pool1d(torch.tensor(x), 4), atol=1e-6)
    img = sample((1, 2, 6, 6), seed=4).astype(np.float32)
    _close(ddp.max_pool2d(_t(img), 2), torch.max_pool2d(torch.tensor(img), 2))
    w2 = sample((3, 2, 3, 3), seed=5).astype(np.float32)
    _close(ddp.conv2d(_t(img), _t(w2), padding=1), torch.conv2d(torch.tensor(img), torch.tensor(w2), padding=1),
           atol=1e-5)


def test_norms_take_torch_level_argument_order():
    torch = pytest.importorskip("torch")
    x = sample((4, 3, 5), seed=6)
    w, b = sample((3,), seed=7), sample((3,), seed=8)
    rm, rv = np.zeros(3), np.ones(3)
    dm, dv = ddp.tensor(rm.copy()), ddp.tensor(rv.copy())
    tm, tv = torch.tensor(rm.copy()), torch.tensor(rv.copy())
    out = ddp.batch_norm(ddp.tensor(x), ddp.tensor(w), ddp.tensor(b), dm, dv, True, 0.1, 1e-5, False)
    ref = torch.batch_norm(torch.tensor(x), torch.tensor(w), torch.tensor(b), tm, tv, True, 0.1, 1e-5, False)
    _close(out, ref, atol=1e-10)
    _close(dm, tm, atol=1e-12)
    _close(dv, tv, atol=1e-12)
    out = ddp.instance_norm(ddp.tensor(x), ddp.tensor(w), None, None, None, True, 0.1, 1e-5, False)
    _close(out, torch.instance_norm(torch.tensor(x), torch.tensor(w), None, None, None, True, 0.1, 1e-5, False),
           atol=1e-10)
    _close(ddp.layer_norm(ddp.tensor(x), [5]), torch.layer_norm(torch.tensor(x), [5]), atol=1e-10)
    _close(ddp.group_norm(ddp.tensor(sample((2, 4, 3))), 2), torch.group_norm(torch.tensor(sample((2, 4, 3))), 2),
           atol=1e-10)
    with pytest.raises(RuntimeError):
        ddp.batch_norm(ddp.tensor(x), None, None, None, None, False, 0.1, 1e-5, False)


def test_dropout_forms():
    x = ddp.ones(4, 6, 5)
    assert ddp.dropout(x, 0.5, False) is x and ddp.alpha_dropout(x, 0.5, False) is x
    ddp.manual_seed(3)
    a = ddp.dropout(x, 0.5, True)
    ddp.manual_seed(3)
    assert ddp.dropout(x, 0.5, True).equal(a)
    assert set(np.unique(a.numpy())) <= {0.0, 2.0} and a.dtype == np.float32
    f = ddp.feature_dropout(x, 0.5, True).numpy()
    assert (f == f[:, :, :1]).all() and set(np.unique(f)) <= {0.0, 2.0}  # one draw per (sample, channel)
    assert 0 < (f[:, :, 0] == 0).sum() < 24
    fa = ddp.feature_alpha_dropout(ddp.randn(4, 6, 5), 0.5, True)
    assert fa.shape == (4, 6, 5)
    assert ddp.dropout(x, 1.0, True).abs().sum().item() == 0
    for op in (ddp.dropout, ddp.alpha_dropout, ddp.feature_dropout, ddp.feature_alpha_dropout, ddp.dropout_):
        with pytest.raises(RuntimeError, match="probability"):
            op(ddp.ones(2, 3), 1.5, True)
    for op in (ddp.feature_dropout, ddp.feature_alpha_dropout):
        with pytest.raises(RuntimeError, match="2 dims"):
            op(ddp.ones(4), 0.5, True)
    with pytest.raises(RuntimeError, match="floating"):
        ddp.dropout(ddp.ones(3, dtype=ddp.int64), 0.5, True)


def test_dropout_in_place_writes_and_records():
    x = ddp.ones(8, 8)
    assert ddp.dropout_(x, 0.5, True) is x and set(np.unique(x.numpy())) <= {0.0, 2.0}
    y = ddp.ones(3)
    assert ddp.alpha_dropout_(y, 0.5, False) is y and y.tolist() == [1.0, 1.0, 1.0]
    z = ddp.ones(4, 6, 3)
    assert ddp.feature_dropout_(z, 0.5, True) is z and (z.numpy() == z.numpy()[:, :, :1]).all()
    assert ddp.feature_alpha_dropout_(z, 0.5, True) is z
    leaf = ddp.ones(8, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        ddp.dropout_(leaf, 0.5, True)
    h = leaf * 3
    ddp.manual_seed(0)
    ddp.dropout_(h, 0.25, True)
    h.sum().backward()
    kept = h.detach().numpy() != 0
    np.testing.assert_allclose(leaf.grad.numpy(), np.where(kept, 3 / 0.75, 0.0), rtol=1e-6)


def test_embedding_weight_first_and_negative_padding():
    torch = pytest.importorskip("torch")
    w = sample((5, 3), seed=9)
    idx = [[0, 4, 1], [2, 2, 3]]
    for pad in (-1, 2, -2):
        dw, tw = ddp.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
        out, ref = ddp.embedding(dw, ddp.tensor(idx), pad), torch.embedding(tw, torch.tensor(idx), pad)
        _close(out, ref)
        out.sum().backward()
        ref.sum().backward()
        _close(dw.grad, tw.grad)


@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("padding_idx", [None, 1])
def test_embedding_bag_returns_four_tensors_as_torch(mode, padding_idx):
    torch = pytest.importorskip("torch")
    w = sample((5, 3), seed=10)
    idx, off = [0, 1, 2, 3, 4, 1], [0, 2, 2, 5]
    got = ddp.embedding_bag(ddp.tensor(w), ddp.tensor(idx), ddp.tensor(off), False, mode, False, None, False,
                            padding_idx)
    ref = torch.embedding_bag(torch.tensor(w), torch.tensor(idx), torch.tensor(off), False, mode, False, None,
                              False, padding_idx)
    _close(got[0], ref[0], atol=1e-12)
    for g, r in zip(got[1:], ref[1:]):
        assert g.dtype == np.int64
        assert g.tolist() == r.tolist() or r.numel() == 0  # torch may leave offset2bag empty in sum mode
    assert got[1].tolist() == [0, 0, 2, 2, 2, 3]
    with pytest.raises(RuntimeError, match="mode"):
        ddp.embedding_bag(ddp.tensor(w), ddp.tensor(idx), ddp.tensor(off), False, 3)


def test_activations_and_shuffles_match_torch():
    torch = pytest.importorskip("torch")
    x = sample((2, 4, 3), seed=11)
    dx, tx = ddp.tensor(x), torch.tensor(x)
    _close(ddp.selu(dx), torch.selu(tx), atol=1e-12)
    _close(ddp.celu(dx, 2.0), torch.celu(tx, 2.0), atol=1e-12)
    _close(ddp.threshold(dx, 0.2, -5.0), torch.threshold(tx, 0.2, -5.0))
    _close(ddp.hardshrink(dx, 0.7), torch.hardshrink(tx, 0.7))
    _close(dx.hardshrink(0.7), tx.hardshrink(0.7))
    wp = np.array([0.1, 0.2, 0.3, 0.4])
    _close(ddp.prelu(dx, ddp.tensor(wp)), torch.prelu(tx, torch.tensor(wp)))
    _close(dx.prelu(ddp.tensor(wp)), tx.prelu(torch.tensor(wp)))
    img = sample((1, 8, 2, 2), seed=12)
    _close(ddp.pixel_shuffle(ddp.tensor(img), 2), torch.pixel_shuffle(torch.tensor(img), 2))
    _close(ddp.pixel_unshuffle(ddp.tensor(img), 2), torch.pixel_unshuffle(torch.tensor(img), 2))
    _close(ddp.channel_shuffle(ddp.tensor(img), 4), torch.channel_shuffle(torch.tensor(img), 4))
    with pytest.raises(RuntimeError):
        ddp.celu(dx, 0.0)


def test_in_place_activations():
    torch = pytest.importorskip("torch")
    x = sample((6,), seed=13)
    for name, args in (("relu_", ()), ("selu_", ()), ("celu_", (1.5,)), ("threshold_", (0.3, 9.0))):
        d, t = ddp.tensor(x.copy()), torch.tensor(x.copy())
        assert getattr(ddp, name)(d, *args) is d
        getattr(torch, name)(t, *args)
        _close(d, t, atol=1e-12)
    ints = ddp.tensor([1, -2])
    assert ddp.relu_(ints).tolist() == [1, 0] and ints.dtype == np.int64
    with pytest.raises(RuntimeError, match="leaf"):
        ddp.relu_(ddp.ones(2, requires_grad=True))
    with pytest.raises(TypeError):
        ddp.relu_([1.0, -1.0])


def test_in_place_activation_gradients():
    x = sample((5,), seed=14, avoid=(0.0, 0.3))
    gradcheck(lambda a: ddp.selu_(a * 1.0), x)
    gradcheck(lambda a: ddp.celu_(a * 2.0, 1.5), x)
    gradcheck(lambda a: ddp.threshold_(a * 1.0, 0.3, -1.0), x)


@pytest.mark.parametrize("reduction", [0, 1, 2, 5])
def test_losses_take_int_reductions(reduction):
    torch = pytest.importorskip("torch")
    a, b = sample((4, 3), seed=15), sample((4, 3), seed=16)
    y = np.array([1.0, -1.0, 1.0, -1.0])
    d = lambda v: ddp.tensor(v)  # noqa: E731
    t = lambda v: torch.tensor(v)  # noqa: E731
    logp, probs = np.log(np.full((4, 3), 1 / 3)), np.random.default_rng(0).dirichlet(np.ones(3), 4)
    pairs = [
        (ddp.cosine_embedding_loss(d(a), d(b), d(y), 0.1, reduction),
         torch.cosine_embedding_loss(t(a), t(b), t(y), 0.1, reduction)),
        (ddp.hinge_embedding_loss(d(a), d(np.sign(b)), 0.5, reduction),
         torch.hinge_embedding_loss(t(a), t(np.sign(b)), 0.5, reduction)),
        (ddp.margin_ranking_loss(d(a[:, 0]), d(b[:, 0]), d(y), 0.2, reduction),
         torch.margin_ranking_loss(t(a[:, 0]), t(b[:, 0]), t(y), 0.2, reduction)),
        (ddp.triplet_margin_loss(d(a), d(b), d(a * 0.5), 1.0, 2.0, 1e-6, True, reduction),
         torch.triplet_margin_loss(t(a), t(b), t(a * 0.5), 1.0, 2.0, 1e-6, True, reduction)),
        (ddp.kl_div(d(logp), d(probs), reduction), torch.kl_div(t(logp), t(probs), reduction)),
        (ddp.kl_div(d(logp), d(np.log(probs)), reduction, log_target=True),
         torch.kl_div(t(logp), t(np.log(probs)), reduction, log_target=True)),
        (ddp.poisson_nll_loss(d(a), d(np.abs(b)), True, True, 1e-8, reduction),
         torch.poisson_nll_loss(t(a), t(np.abs(b)), True, True, 1e-8, reduction)),
        (ddp.binary_cross_entropy_with_logits(d(a), d((b > 0) * 1.0), None, d(np.array([2.0, 1.0, 0.5])), reduction),
         torch.binary_cross_entropy_with_logits(t(a), t((b > 0) * 1.0), None, t(np.array([2.0, 1.0, 0.5])),
                                                reduction)),
    ]
    for got, ref in pairs:
        assert got.shape == ref.shape
        _close(got, ref, rtol=1e-10, atol=1e-12)


def test_losses_default_to_no_reduction_and_reject_strings():
    torch = pytest.importorskip("torch")
    a, b = sample((3,), seed=17), sample((3,), seed=18)
    got = ddp.margin_ranking_loss(ddp.tensor(a), ddp.tensor(b), ddp.ones(3, dtype=ddp.float64))
    ref = torch.margin_ranking_loss(torch.tensor(a), torch.tensor(b), torch.ones(3, dtype=torch.float64))
    assert got.shape == ref.shape == (3,)
    _close(got, ref)
    with pytest.raises(TypeError, match="reduction"):
        ddp.kl_div(ddp.tensor(a), ddp.tensor(b), "mean")
    with pytest.raises(TypeError):
        torch.kl_div(torch.tensor(a), torch.tensor(b), "mean")


def test_distances_and_bilinear_match_torch():
    torch = pytest.importorskip("torch")
    a, b = sample((4, 3), seed=19), sample((4, 3), seed=20)
    _close(ddp.cosine_similarity(ddp.tensor(a), ddp.tensor(b)),
           torch.cosine_similarity(torch.tensor(a), torch.tensor(b)))
    _close(ddp.pairwise_distance(ddp.tensor(a), ddp.tensor(b), 3.0, 1e-6, True),
           torch.pairwise_distance(torch.tensor(a), torch.tensor(b), 3.0, 1e-6, True))
    _close(ddp.pdist(ddp.tensor(a), 1.5), torch.pdist(torch.tensor(a), 1.5))
    w, bias = sample((2, 3, 3), seed=21), sample((2,), seed=22)
    _close(ddp.bilinear(ddp.tensor(a), ddp.tensor(b), ddp.tensor(w), ddp.tensor(bias)),
           torch.bilinear(torch.tensor(a), torch.tensor(b), torch.tensor(w), torch.tensor(bias)))


@pytest.mark.parametrize("pad", [(1, 2), (1, -1), (-2, 0, 1, 1), (0, 0, -1, 2), (-3, 3)])
def test_constant_pad_nd_pads_and_crops(pad):
    torch = pytest.importorskip("torch")
    x = sample((2, 3, 4), seed=23)
    _close(ddp.constant_pad_nd(ddp.tensor(x), pad, 7.0), torch.constant_pad_nd(torch.tensor(x), pad, 7.0))
    gradcheck(lambda a: ddp.constant_pad_nd(a, pad, 0.5), x)
    assert ddp.constant_pad_nd(ddp.ones(2, 3), pad[:2]).dtype == np.float32


def test_constant_pad_nd_errors():
    torch = pytest.importorskip("torch")
    for bad in ((1, 2, 0), (1, 1, 1, 1, 1, 1), (-3, -2)):
        with pytest.raises(RuntimeError):
            torch.constant_pad_nd(torch.ones(2, 3), bad)
        with pytest.raises(RuntimeError, match="constant_pad_nd"):
            ddp.constant_pad_nd(ddp.ones(2, 3), bad)
    ints = ddp.constant_pad_nd(ddp.ones(2, 3, dtype=ddp.int64), (1, 1), 2.5)
    assert ints.dtype == np.int64 and ints.tolist() == torch.constant_pad_nd(torch.ones(2, 3, dtype=torch.int64),
                                                                             (1, 1), 2.5).tolist()


def test_rsub_and_detach():
    torch = pytest.importorskip("torch")
    a, b = sample((3,), seed=24), sample((3,), seed=25)
    _close(ddp.rsub(ddp.tensor(a), ddp.tensor(b), alpha=2), torch.rsub(torch.tensor(a), torch.tensor(b), alpha=2))
    _close(ddp.rsub(ddp.tensor(a), 5.0), torch.rsub(torch.tensor(a), 5.0))
    assert ddp.rsub(ddp.ones(2), 3).dtype == np.float32
    gradcheck(lambda x, y: ddp.rsub(x, y, alpha=3), a, b)
    x = ddp.ones(3, requires_grad=True)
    y = x * 2
    d = ddp.detach(y)
    assert not d.requires_grad and d.data_ptr() == y.data_ptr()
    assert ddp.detach_(y) is y and not y.requires_grad
    with pytest.raises(TypeError):
        ddp.detach(np.ones(2))


def test_rrelu_at_top_level_is_the_functional_one():
    torch = pytest.importorskip("torch")
    x = sample((6,), seed=23)
    _close(ddp.rrelu(ddp.tensor(x)), torch.rrelu(torch.tensor(x)))  # eval: the mean slope
    ddp.manual_seed(0)
    a = ddp.rrelu(ddp.tensor(x), training=True)
    ddp.manual_seed(0)
    b = ddp.tensor(x)
    assert ddp.rrelu_(b, training=True) is b
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(NotImplementedError, match="generator"):
        ddp.rrelu(ddp.tensor(x), generator=ddp.Generator())
