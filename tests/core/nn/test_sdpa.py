"""The fused scaled-dot-product attention Function: gradcheck (q, k, v and a float mask), a numpy reference,
causal masks with L != S, scale, dropout, the MultiheadAttention path without weights, and PyTorch parity."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from ddp.core import random_draws as draws
from ddp.core.gradcheck import gradcheck
from ddp.core.random import generator_of
from ddp.core.tensor import Tensor


def _rand(*shape, seed=0, grad=True):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=grad)


def _reference(q, k, v, mask=None, scale=None):
    """softmax(q k^T * scale + mask) v in numpy."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    s = q @ np.swapaxes(k, -1, -2) * scale
    if mask is not None:
        s = s + mask
    w = np.exp(s - s.max(-1, keepdims=True))
    return (w / w.sum(-1, keepdims=True)) @ v


@pytest.mark.parametrize("causal", [False, True])
def test_gradcheck_q_k_v_and_float_mask(causal):
    q, k, v = _rand(2, 3, 4, seed=1), _rand(2, 5, 4, seed=2), _rand(2, 5, 3, seed=3)
    if causal:
        assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), (q, k, v))
    else:
        mask = _rand(3, 5, seed=4)  # broadcast over the batch; its gradient is summed by the engine
        fn = lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.3)  # noqa: E731
        assert gradcheck(fn, (q, k, v, mask))


def test_matches_numpy_with_masks_and_scale():
    q, k, v = (np.random.default_rng(s).standard_normal(shape) for s, shape in
               ((5, (2, 2, 4, 6)), (6, (2, 2, 7, 6)), (7, (2, 2, 7, 3))))
    run = lambda **kw: F.scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), **kw).numpy()  # noqa: E731
    causal = np.triu(np.full((4, 7), -np.inf), 1)  # top-left aligned, as PyTorch's is_causal
    np.testing.assert_allclose(run(is_causal=True), _reference(q, k, v, causal), atol=1e-12)
    allowed = np.random.default_rng(8).random((4, 7)) > 0.3
    allowed[:, 0] = True
    np.testing.assert_allclose(run(attn_mask=Tensor(allowed), scale=0.5),
                               _reference(q, k, v, np.where(allowed, 0, -np.inf), 0.5), atol=1e-12)
    float_mask = np.random.default_rng(9).standard_normal((2, 1, 4, 7))
    np.testing.assert_allclose(run(attn_mask=Tensor(float_mask)), _reference(q, k, v, float_mask), atol=1e-12)


@pytest.mark.parametrize("length, source", [(70, 70), (70, 40), (40, 70), (33, 33)])
def test_long_causal_matches_the_masked_reference(length, source):
    rng = np.random.default_rng(11)
    q, k, v = rng.standard_normal((2, length, 4)), rng.standard_normal((2, source, 4)), rng.standard_normal((source, 3))
    out = F.scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), is_causal=True)
    want = _reference(q, k, v, np.triu(np.full((length, source), -np.inf), 1))
    np.testing.assert_allclose(out.numpy(), want, atol=1e-12)


def test_causal_gradcheck_and_dropout_over_many_rows():
    q, k, v = _rand(1, 33, 2, seed=12), _rand(1, 33, 2, seed=13), _rand(1, 33, 2, seed=14)
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), (q, k, v))
    x = ddp.randn(2, 40, 4, requires_grad=True)
    ddp.manual_seed(5)
    a = F.scaled_dot_product_attention(x, x, x, is_causal=True, dropout_p=0.25)
    a.sum().backward()
    ddp.manual_seed(5)  # the same keep mask, applied by hand: same output
    keep = draws.dropout_mask(generator_of(), (2, 40, 40), 0.25, np.float32)
    scores = x.numpy() @ np.swapaxes(x.numpy(), -1, -2) / 2 + np.triu(np.full((40, 40), -np.inf), 1)
    w = np.exp(scores - scores.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    np.testing.assert_allclose(a.numpy(), (w * keep) @ x.numpy(), rtol=1e-4, atol=1e-5)
    assert np.isfinite(x.grad.numpy()).all()


def test_float32_stays_float32_and_mask_with_more_dims():
    q = ddp.randn(4, 5, 8, requires_grad=True)
    mask = Tensor(np.zeros((3, 4, 5, 5), dtype=np.float32))  # more leading dims than q: broadcasts up
    out = F.scaled_dot_product_attention(q, q, q, attn_mask=mask)
    assert out.shape == (3, 4, 5, 8) and out.dtype == np.float32
    out.sum().backward()
    assert q.grad.shape == (4, 5, 8) and q.grad.dtype == np.float32


def test_dropout_scales_kept_weights_and_follows_the_seed():
    q = ddp.randn(2, 6, 4)
    v = ddp.ones(2, 6, 4)
    ddp.manual_seed(3)
    a = F.scaled_dot_product_attention(q, q, v, dropout_p=0.5)
    ddp.manual_seed(3)
    b = F.scaled_dot_product_attention(q, q, v, dropout_p=0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.allclose(a.numpy(), 1.0)  # rows of kept weights * 2 no longer sum to one
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, q, v, dropout_p=0.0).numpy(), 1.0, rtol=1e-6)
    x = ddp.randn(2, 6, 4, requires_grad=True)
    F.scaled_dot_product_attention(x, x, x, dropout_p=0.3).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_mha_without_weights_uses_the_fused_op_and_agrees():
    ddp.manual_seed(4)
    mha = nn.MultiheadAttention(8, 2, batch_first=True, dtype=ddp.float64)
    x = _rand(2, 5, 8, seed=5)
    mask = nn.Transformer.generate_square_subsequent_mask(5, dtype=ddp.float64)
    fused, none = mha(x, x, x, attn_mask=mask, need_weights=False)
    composed, _ = mha(x, x, x, attn_mask=mask, need_weights=True)
    assert none is None
    np.testing.assert_allclose(fused.numpy(), composed.numpy(), atol=1e-12)
    assert gradcheck(lambda x: mha(x, x, x, attn_mask=mask, need_weights=False)[0], (x,))


@pytest.mark.parametrize("case", ["causal", "bool", "float", "scale", "causal_rect", "causal_long"])
def test_matches_torch(case):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    lq = {"causal_rect": 3, "causal_long": 70}.get(case, 5)
    ls = 64 if case == "causal_long" else 5
    q, k, v = rng.standard_normal((2, 3, lq, 8)), rng.standard_normal((2, 3, ls, 8)), rng.standard_normal((2, 3, ls, 4))
    kwargs, t_kwargs = {}, {}
    if case.startswith("causal"):
        kwargs = t_kwargs = {"is_causal": True}
    elif case == "bool":
        m = rng.random((lq, 5)) > 0.4
        m[:, 0] = True
        kwargs, t_kwargs = {"attn_mask": Tensor(m)}, {"attn_mask": torch.from_numpy(m)}
    elif case == "float":
        m = rng.standard_normal((2, 1, lq, 5))
        kwargs, t_kwargs = {"attn_mask": Tensor(m)}, {"attn_mask": torch.from_numpy(m)}
    else:
        kwargs = t_kwargs = {"scale": 0.7}
    ours = [Tensor(a.copy(), requires_grad=True) for a in (q, k, v)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = F.scaled_dot_product_attention(*ours, **kwargs)
    out_t = torch.nn.functional.scaled_dot_product_attention(*theirs, **t_kwargs)
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=1e-12)
    g = rng.standard_normal(out.shape)
    out.backward(Tensor(g))
    out_t.backward(torch.from_numpy(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-12)


def test_grouped_query_attention_shares_key_heads():
    rng = np.random.default_rng(15)
    q, k, v = rng.standard_normal((2, 4, 5, 3)), rng.standard_normal((2, 2, 5, 3)), rng.standard_normal((2, 2, 5, 3))
    out = F.scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), enable_gqa=True)
    want = _reference(q, np.repeat(k, 2, axis=1), np.repeat(v, 2, axis=1))
    np.testing.assert_allclose(out.numpy(), want, atol=1e-12)
    qt, kt, vt = _rand(1, 4, 3, 2, seed=16), _rand(1, 2, 3, 2, seed=17), _rand(1, 2, 3, 2, seed=18)
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True), (qt, kt, vt))
    with pytest.raises(RuntimeError, match="Number of heads in key and value must divide the number of heads"):
        F.scaled_dot_product_attention(Tensor(q), Tensor(k[:, :1].repeat(3, 1)), Tensor(v[:, :1].repeat(3, 1)),
                                       enable_gqa=True)
    torch = pytest.importorskip("torch")
    tq, tk, tv = (torch.from_numpy(a) for a in (q, k, v))
    want_t = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, enable_gqa=True)
    np.testing.assert_allclose(out.numpy(), want_t.numpy(), atol=1e-12)


# ------------------------------------------------------------- MultiheadAttention's extra keys
@pytest.mark.parametrize("bias_kv, zero_attn", [(True, False), (False, True), (True, True)])
@pytest.mark.parametrize("need_weights", [False, True])
def test_mha_bias_kv_and_zero_attn(bias_kv, zero_attn, need_weights):
    ddp.manual_seed(6)
    mha = nn.MultiheadAttention(8, 2, add_bias_kv=bias_kv, add_zero_attn=zero_attn, dtype=ddp.float64)
    names = list(mha.state_dict())
    assert names[:2] == ["in_proj_weight", "in_proj_bias"] and names[-2:] == ["out_proj.weight", "out_proj.bias"]
    assert ("bias_k" in names) == bias_kv and (mha.bias_k is None) == (not bias_kv)
    q, kv = _rand(4, 2, 8, seed=19), _rand(5, 2, 8, seed=20)
    mask = Tensor(np.random.default_rng(21).standard_normal((4, 5)))
    padding = Tensor(np.array([[0.0] * 4 + [-np.inf], [0.0] * 5]))  # float, like attn_mask
    out, weights = mha(q, kv, kv, attn_mask=mask, key_padding_mask=padding, need_weights=need_weights)
    extra = bias_kv + zero_attn
    assert out.shape == (4, 2, 8)
    if need_weights:
        assert weights.shape == (2, 4, 5 + extra)
        np.testing.assert_allclose(weights.numpy().sum(-1), 1.0, atol=1e-12)
        assert np.all(weights.numpy()[0, :, 4] == 0)  # the padded key
    fn = lambda q, kv, *p: mha(q, kv, kv, attn_mask=mask, key_padding_mask=padding,  # noqa: E731
                               need_weights=need_weights)[0]
    if bias_kv and zero_attn and not need_weights:  # one case: a gradcheck over every parameter is slow
        assert gradcheck(fn, (q, kv, *mha.parameters()))
    torch = pytest.importorskip("torch")
    tm = torch.nn.MultiheadAttention(8, 2, add_bias_kv=bias_kv, add_zero_attn=zero_attn).double()
    assert list(tm.state_dict()) == names
    mha.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    tq, tkv = (torch.tensor(t.numpy(), requires_grad=True) for t in (q, kv))
    out_t, weights_t = tm(tq, tkv, tkv, attn_mask=torch.from_numpy(mask.numpy()),
                          key_padding_mask=torch.from_numpy(padding.numpy()), need_weights=need_weights)
    q.grad = kv.grad = None
    out, weights = mha(q, kv, kv, attn_mask=mask, key_padding_mask=padding, need_weights=need_weights)
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=1e-12)
    if need_weights:
        np.testing.assert_allclose(weights.numpy(), weights_t.detach().numpy(), atol=1e-12)
    out.sum().backward()
    out_t.sum().backward()
    np.testing.assert_allclose(q.grad.numpy(), tq.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(kv.grad.numpy(), tkv.grad.numpy(), atol=1e-12)
    if bias_kv:
        np.testing.assert_allclose(mha.bias_k.grad.numpy(), tm.bias_k.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_a_fully_masked_row_gives_zeros_not_nan(kind):
    """A query that may attend nowhere (left padding, an all-padding sequence): output and gradients 0, as
    PyTorch 2.x; a NaN there would spread to every position of the next layer."""
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 4)), rng.standard_normal((2, 4, 5))
    allowed = np.array([[True, True, False, False], [False, False, False, False], [True, False, True, True]])
    mask = allowed if kind == "bool" else np.where(allowed, 0.0, -np.inf)
    ts = [ddp.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = F.scaled_dot_product_attention(*ts, attn_mask=ddp.tensor(mask))
    assert not np.isnan(out.detach().numpy()).any() and not out.detach().numpy()[:, 1].any()
    out.sum().backward()
    assert all(not np.isnan(t.grad.numpy()).any() for t in ts)
    torch = pytest.importorskip("torch")
    rs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    ref = torch.nn.functional.scaled_dot_product_attention(*rs, attn_mask=torch.tensor(mask))
    ref.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), atol=1e-12)
    for t, r in zip(ts, rs):
        np.testing.assert_allclose(t.grad.numpy(), r.grad.numpy(), atol=1e-12)
