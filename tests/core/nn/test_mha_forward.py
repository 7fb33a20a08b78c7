"""F.multi_head_attention_forward: outputs, weights and every gradient equal to torch's across its options
(packed or separate projections, bias_k/bias_v, add_zero_attn, bool and float masks, need_weights,
average_attn_weights, is_causal, static_k/static_v, unbatched), dropout and training, agreement with
nn.MultiheadAttention, a float64 gradcheck, and errors with torch's types."""
import itertools
import warnings

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from tests.core.op_helpers import gradcheck

L, S, N, E, H = 4, 5, 3, 8, 2


def _weights(rng, kdim, vdim, bias_kv):
    w = dict(in_proj_weight=rng.standard_normal((3 * E, E)), in_proj_bias=rng.standard_normal(3 * E),
             out_proj_weight=rng.standard_normal((E, E)), out_proj_bias=rng.standard_normal(E),
             q_proj_weight=rng.standard_normal((E, E)), k_proj_weight=rng.standard_normal((E, kdim)),
             v_proj_weight=rng.standard_normal((E, vdim)))
    if bias_kv:
        w.update(bias_k=rng.standard_normal((1, 1, E)), bias_v=rng.standard_normal((1, 1, E)))
    return w


def _masks(rng, batched, kpm, attn, as_bool, causal):
    n = N if batched else 1
    masks = {}
    if kpm:
        m = rng.random((n, S)) < 0.3
        m[:, 0] = False  # every query keeps a visible key
        m = m if batched else m[0]
        masks["key_padding_mask"] = m if as_bool else np.where(m, -1e9, 0.0)
    if attn:
        shape = (L, S) if attn == 2 else (n * H, L, S)
        m = np.broadcast_to(np.triu(np.ones((L, S), bool), 1) if causal else rng.random(shape) < 0.3, shape).copy()
        m[..., 0] = False
        masks["attn_mask"] = m if as_bool else np.where(m, -np.inf, 0.0) + 0.1 * rng.standard_normal(shape)
    return masks


def _run(lib, tensor, inputs, weights, masks, separate, add_zero_attn, **kwargs):
    """multi_head_attention_forward of `lib` (ddp.nn.functional or torch's) on leaves made by `tensor`."""
    w = {k: weights[k] for k in weights}
    if separate:
        w["in_proj_weight"] = None
    else:
        w.pop("q_proj_weight"), w.pop("k_proj_weight"), w.pop("v_proj_weight")
    m = {k: tensor(v, False) for k, v in masks.items()}
    return lib.multi_head_attention_forward(
        *inputs, E, H, w.pop("in_proj_weight"), w.pop("in_proj_bias"), w.pop("bias_k", None),
        w.pop("bias_v", None), add_zero_attn, kwargs.pop("dropout_p", 0.0), w.pop("out_proj_weight"),
        w.pop("out_proj_bias"), use_separate_proj_weight=separate, **w, **m, **kwargs)


def _compare(torch, batched, separate, bias_kv, zero, kpm, attn, need_weights, average, as_bool, causal, seed=0):
    rng = np.random.default_rng(seed)
    kdim, vdim = (6, 7) if separate else (E, E)
    lead = (N,) if batched else ()
    arrays = [rng.standard_normal((L,) + lead + (E,)), rng.standard_normal((S,) + lead + (kdim,)),
              rng.standard_normal((S,) + lead + (vdim,))]
    weights = _weights(rng, kdim, vdim, bias_kv)
    masks = _masks(rng, batched, kpm, attn, as_bool, causal)
    results = []
    for lib, make in ((F, lambda a, g=True: ddp.tensor(a, requires_grad=g)),
                      (torch.nn.functional, lambda a, g=True: torch.tensor(a, requires_grad=g))):
        inputs = [make(a) for a in arrays]
        leaves = {k: make(v) for k, v in weights.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's mismatched-mask-types deprecation warning
            out, w = _run(lib, make, inputs, leaves, masks, separate, zero, need_weights=need_weights,
                          average_attn_weights=average, is_causal=causal)
        out.backward(make(np.random.default_rng(9).standard_normal(tuple(out.shape)), False))
        grads = [t.grad for t in inputs + list(leaves.values())]
        results.append((out, w, grads))
    (out, w, grads), (tout, tw, tgrads) = results
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-9, atol=1e-11)
    assert (w is None) == (tw is None)
    if w is not None:
        assert tuple(w.shape) == tuple(tw.shape)
        np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-9, atol=1e-12)
    for g, tg in zip(grads, tgrads):
        if tg is None:
            assert g is None or not g.numpy().any()
        else:
            np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("batched, separate, bias_kv, zero", list(itertools.product((True, False), repeat=4)))
def test_projections_and_extra_keys_match_torch(batched, separate, bias_kv, zero):
    torch = pytest.importorskip("torch")
    for need_weights, average in ((True, True), (True, False), (False, True)):
        _compare(torch, batched, separate, bias_kv, zero, True, 2, need_weights, average, True, False)


@pytest.mark.parametrize("kpm, attn, as_bool, causal", [
    (False, None, True, False), (True, None, True, False), (True, None, False, False), (False, 2, True, False),
    (False, 3, False, False), (True, 3, True, False), (True, 2, False, False), (False, 2, True, True),
    (True, 2, True, True), (False, 3, False, True),
])
@pytest.mark.parametrize("need_weights", [True, False])
def test_masks_match_torch(kpm, attn, as_bool, causal, need_weights):
    torch = pytest.importorskip("torch")
    for batched in (True, False):
        _compare(torch, batched, False, False, False, kpm, attn, need_weights, True, as_bool, causal, seed=1)


@pytest.mark.parametrize("need_weights", [True, False])
def test_static_keys_and_values_match_torch(need_weights):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    q, k, v = rng.standard_normal((L, N, E)), rng.standard_normal((S, N, E)), rng.standard_normal((S, N, E))
    w = _weights(rng, E, E, False)
    sk, sv = rng.standard_normal((N * H, 6, E // H)), rng.standard_normal((N * H, 6, E // H))
    kpm = rng.random((N, 6)) < 0.3  # add_zero_attn appends a seventh key
    kpm[:, 0] = False
    outs = []
    for lib, make in ((F, ddp.tensor), (torch.nn.functional, torch.tensor)):
        leaves = [make(a) for a in (q, k, v)]
        statics = [make(a, requires_grad=True) for a in (sk, sv)]
        out, weights = lib.multi_head_attention_forward(
            *leaves, E, H, make(w["in_proj_weight"]), make(w["in_proj_bias"]), None, None, True, 0.0,
            make(w["out_proj_weight"]), make(w["out_proj_bias"]), key_padding_mask=make(kpm),
            need_weights=need_weights, static_k=statics[0], static_v=statics[1])
        out.sum().backward()
        outs.append((out, weights, [s.grad for s in statics]))
    (out, weights, grads), (tout, tweights, tgrads) = outs
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-9, atol=1e-12)
    if need_weights:
        assert tuple(weights.shape) == (N, L, 7)
        np.testing.assert_allclose(weights.detach().numpy(), tweights.detach().numpy(), rtol=1e-9, atol=1e-12)
    for g, tg in zip(grads, tgrads):
        np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-8, atol=1e-11)


def _module_args(mha, x):
    return (x, x, x, mha.embed_dim, mha.num_heads, mha.in_proj_weight, mha.in_proj_bias, mha.bias_k, mha.bias_v,
            mha.add_zero_attn, mha.dropout, mha.out_proj.weight, mha.out_proj.bias)


def test_agrees_with_multihead_attention_and_keeps_float32():
    mha = nn.MultiheadAttention(E, H, add_bias_kv=True, add_zero_attn=True)
    x = ddp.randn(L, N, E)
    mask = ddp.tensor(np.triu(np.ones((L, L), bool), 1))
    out, w = F.multi_head_attention_forward(*_module_args(mha, x), attn_mask=mask)
    mout, mw = mha(x, x, x, attn_mask=mask)
    assert out.dtype == w.dtype == np.float32
    np.testing.assert_allclose(out.detach().numpy(), mout.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w.detach().numpy(), mw.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_dropout_only_while_training():
    mha = nn.MultiheadAttention(E, H)
    x = ddp.randn(L, N, E)
    args = list(_module_args(mha, x))
    args[10] = 0.0
    plain, _ = F.multi_head_attention_forward(*args)
    args[10] = 0.5
    for need_weights in (True, False):
        evaluated, _ = F.multi_head_attention_forward(*args, training=False, need_weights=need_weights)
        np.testing.assert_allclose(evaluated.detach().numpy(), plain.detach().numpy(), rtol=1e-5, atol=1e-6)
        dropped, _ = F.multi_head_attention_forward(*args, training=True, need_weights=need_weights)
        assert not np.allclose(dropped.detach().numpy(), plain.detach().numpy())
    args[10] = 1.0  # every weight dropped: only the output bias remains
    for need_weights in (True, False):
        out, _ = F.multi_head_attention_forward(*args, need_weights=need_weights)
        np.testing.assert_allclose(out.detach().numpy(), np.broadcast_to(mha.out_proj.bias.detach().numpy(),
                                                                         (L, N, E)), atol=1e-6)


def test_gradcheck():
    rng = np.random.default_rng(4)
    q, k, v = rng.standard_normal((3, 2, 4)), rng.standard_normal((5, 2, 4)), rng.standard_normal((5, 2, 4))
    w_in, b_in, w_out = rng.standard_normal((12, 4)), rng.standard_normal(12), rng.standard_normal((4, 4))
    bias_k, bias_v = rng.standard_normal((1, 1, 4)), rng.standard_normal((1, 1, 4))
    kpm = ddp.tensor(np.array([[False] * 4 + [True], [False] * 5]))

    def fn(q, k, v, w_in, b_in, w_out, bias_k, bias_v):
        out, w = F.multi_head_attention_forward(q, k, v, 4, 2, w_in, b_in, bias_k, bias_v, True, 0.0, w_out, None,
                                                key_padding_mask=kpm, average_attn_weights=False)
        return out, w
    assert gradcheck(fn, q, k, v, w_in, b_in, w_out, bias_k, bias_v)


def _error_args(**changes):
    rng = np.random.default_rng(5)
    args = dict(query=rng.standard_normal((L, N, E)), key=rng.standard_normal((S, N, E)),
                value=rng.standard_normal((S, N, E)), embed_dim_to_check=E, num_heads=H,
                in_proj_weight=rng.standard_normal((3 * E, E)), in_proj_bias=None, bias_k=None, bias_v=None,
                add_zero_attn=False, dropout_p=0.0, out_proj_weight=rng.standard_normal((E, E)), out_proj_bias=None)
    args.update(changes)
    return args


ERRORS = [
    (dict(query=np.zeros((1, L, N, E))), AssertionError, "unbatched 2D or batched 3D"),
    (dict(key=np.zeros((S, E))), AssertionError, "expected `key` and `value` to be 3-D"),
    (dict(key_padding_mask=np.zeros((N, 1, S), bool)), AssertionError, "`key_padding_mask` to be `None` or 2-D"),
    (dict(attn_mask=np.zeros((1, 1, L, S), bool)), AssertionError, "`attn_mask` to be `None`, 2-D or 3-D"),
    (dict(embed_dim_to_check=6), AssertionError, "was expecting embedding dimension of 6, but got 8"),
    (dict(num_heads=3), AssertionError, "embed_dim 8 not divisible by num_heads 3"),
    (dict(value=np.zeros((S + 1, N, E))), AssertionError, "does not match value shape"),
    (dict(in_proj_weight=None), AssertionError, "in_proj_weight is None"),
    (dict(use_separate_proj_weight=True, q_proj_weight=np.zeros((E, E))), AssertionError, "k_proj_weight is None"),
    (dict(use_separate_proj_weight=True, q_proj_weight=np.zeros((E, E)), k_proj_weight=np.zeros((E, 3)),
          v_proj_weight=np.zeros((E, E))), AssertionError, "expecting key weights shape of"),
    (dict(bias_k=np.zeros((1, 1, E))), AssertionError, "bias_k is set but bias_v is None"),
    (dict(bias_k=np.zeros((1, 1, E)), bias_v=np.zeros((1, 1, E)), static_k=np.zeros((N * H, S, E // H))),
     AssertionError, "bias cannot be added to static key"),
    (dict(static_k=np.zeros((N, S, E // H))), AssertionError, "expecting static_k.size"),
    (dict(key_padding_mask=np.zeros((N, S + 1), bool)), AssertionError, "key_padding_mask shape"),
    (dict(key_padding_mask=np.zeros((N, S), np.int64)), AssertionError, "only bool and floating types"),
    (dict(attn_mask=np.zeros((L, S + 1), bool)), RuntimeError, "The shape of the 2D attn_mask is"),
    (dict(attn_mask=np.zeros((N, L, S), bool)), RuntimeError, "The shape of the 3D attn_mask is"),
    (dict(is_causal=True), RuntimeError, "Need attn_mask if specifying the is_causal hint"),
]


@pytest.mark.parametrize("changes, error, match", ERRORS)
def test_errors_with_torchs_types(changes, error, match):
    args = {k: ddp.tensor(v) if isinstance(v, np.ndarray) else v for k, v in _error_args(**changes).items()}
    with pytest.raises(error, match=match):
        F.multi_head_attention_forward(**args)
    torch = pytest.importorskip("torch")
    targs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in _error_args(**changes).items()}
    with pytest.raises(error):
        torch.nn.functional.multi_head_attention_forward(**targs)
