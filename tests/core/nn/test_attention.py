"""MultiheadAttention and scaled_dot_product_attention: names and init, gradcheck with masks, PyTorch parity
(outputs, weights and every gradient, after loading torch's state dict), and error messages."""
import math

import numpy as np
import pytest

import ddp
from ddp.core.gradcheck import gradcheck
from ddp.core.nn.attention import MultiheadAttention
from ddp.core.nn.functional_attention import scaled_dot_product_attention
from ddp.core.tensor import Tensor

E, H, L, S, N = 8, 2, 3, 4, 2


def _rand(*shape, seed=0, grad=True):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=grad)


def _bool_mask(shape, seed):
    mask = np.random.default_rng(seed).random(shape) < 0.4
    mask[..., 0] = False  # every query keeps at least one key
    return mask


# ----------------------------------------------------------------------------------- parameters
def test_parameter_names_and_init():
    ddp.manual_seed(0)
    m = MultiheadAttention(E, H)
    assert list(m.state_dict()) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert m.in_proj_weight.shape == (3 * E, E) and m.head_dim == E // H
    bound = math.sqrt(6 / (E + 3 * E))  # xavier_uniform_ of (3E, E)
    assert bound * 0.8 < np.abs(m.in_proj_weight.numpy()).max() <= bound
    assert not m.in_proj_bias.numpy().any() and not m.out_proj.bias.numpy().any()
    assert np.abs(m.out_proj.weight.numpy()).max() <= 1 / math.sqrt(E)
    separate = MultiheadAttention(E, H, kdim=5, vdim=6, bias=False)
    assert list(separate.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"]
    assert separate.k_proj_weight.shape == (E, 5) and separate.v_proj_weight.shape == (E, 6)
    assert separate.in_proj_weight is None and separate.out_proj.bias is None


# -------------------------------------------------------------------------------------- gradcheck
@pytest.mark.parametrize("kdim", [None, 5])
def test_mha_gradcheck_with_masks(kdim):
    ddp.manual_seed(1)
    m = MultiheadAttention(E, H, kdim=kdim, vdim=kdim, dtype=ddp.float64)
    k_features = kdim or E
    q, k, v = _rand(L, N, E, seed=1), _rand(S, N, k_features, seed=2), _rand(S, N, k_features, seed=3)
    attn_mask = Tensor(_bool_mask((L, S), 4))
    padding = _rand(N, S, seed=5, grad=False)  # a float key_padding_mask is added

    def fn(q, k, v, *params):
        return m(q, k, v, key_padding_mask=padding, attn_mask=attn_mask, average_attn_weights=False)

    assert gradcheck(fn, (q, k, v, *m.parameters()))


def test_mha_self_attention_gradcheck():
    ddp.manual_seed(2)
    m = MultiheadAttention(E, H, batch_first=True, dtype=ddp.float64)
    x = _rand(N, L, E, seed=6)
    assert gradcheck(lambda x, *params: m(x, x, x, attn_mask=_rand(N * H, L, L, seed=7, grad=False)),
                     (x, *m.parameters()))


@pytest.mark.parametrize("kwargs", [{}, {"is_causal": True}, {"scale": 0.7}])
def test_sdpa_gradcheck(kwargs):
    q, k, v = _rand(2, 3, 4, seed=1), _rand(2, 5, 4, seed=2), _rand(2, 5, 6, seed=3)
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, **kwargs), (q, k, v))
    mask = _rand(3, 5, seed=4)  # a float mask is differentiable too
    assert gradcheck(lambda q, k, v, mask: scaled_dot_product_attention(q, k, v, attn_mask=mask), (q, k, v, mask))


# ------------------------------------------------------------------------------------ vs PyTorch
def _torch_mha(**kwargs):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(E, H, **kwargs).double()
    m = MultiheadAttention(E, H, dtype=ddp.float64, **kwargs)
    assert list(m.state_dict()) == list(tm.state_dict())
    m.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    return torch, tm, m


def _leaf(t):
    return Tensor(t.detach().numpy().copy(), requires_grad=t.requires_grad)


MASKS = {
    "none": lambda torch: {},
    "bool": lambda torch: {"attn_mask": torch.from_numpy(_bool_mask((L, S), 1))},
    "float": lambda torch: {"attn_mask": torch.randn(L, S, dtype=torch.float64)},
    "padding": lambda torch: {"key_padding_mask": torch.from_numpy(_bool_mask((N, S), 2))},
    "3d+padding": lambda torch: {"attn_mask": torch.randn(N * H, L, S, dtype=torch.float64),
                                 "key_padding_mask": torch.randn(N, S, dtype=torch.float64)},
}


@pytest.mark.parametrize("masks", list(MASKS))
@pytest.mark.parametrize("kwargs", [{}, {"batch_first": True}, {"kdim": 5, "vdim": 6}, {"bias": False}])
@pytest.mark.parametrize("average", [True, False])
def test_mha_matches_torch(masks, kwargs, average):
    torch, tm, m = _torch_mha(**kwargs)
    seq_first = not kwargs.get("batch_first")
    shape = lambda length, features: (length, N, features) if seq_first else (N, length, features)  # noqa: E731
    q = torch.randn(*shape(L, E), dtype=torch.float64, requires_grad=True)
    k = torch.randn(*shape(S, kwargs.get("kdim", E)), dtype=torch.float64, requires_grad=True)
    v = torch.randn(*shape(S, kwargs.get("vdim", E)), dtype=torch.float64, requires_grad=True)
    mask_args = MASKS[masks](torch)
    out_t, w_t = tm(q, k, v, average_attn_weights=average, **mask_args)
    ours = [_leaf(t) for t in (q, k, v)]
    out, w = m(*ours, average_attn_weights=average, **{name: Tensor(t.numpy()) for name, t in mask_args.items()})
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(w.numpy(), w_t.detach().numpy(), atol=1e-12)
    go, gw = torch.randn(*out_t.shape, dtype=torch.float64), torch.randn(*w_t.shape, dtype=torch.float64)
    ((out_t * go).sum() + (w_t * gw).sum()).backward()
    ((out * Tensor(go.numpy())).sum() + (w * Tensor(gw.numpy())).sum()).backward()
    for name, p in m.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), dict(tm.named_parameters())[name].grad.numpy(), atol=1e-12,
                                   err_msg=name)
    for a, b in zip(ours, (q, k, v)):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("unbatched", [False, True])
def test_mha_self_attention_and_unbatched_match_torch(unbatched):
    torch, tm, m = _torch_mha()
    x = torch.randn(*((L, E) if unbatched else (L, N, E)), dtype=torch.float64, requires_grad=True)
    mask = torch.from_numpy(_bool_mask((L, L), 3))
    padding = torch.from_numpy(_bool_mask((L,) if unbatched else (N, L), 4))
    out_t, w_t = tm(x, x, x, attn_mask=mask, key_padding_mask=padding)
    ours = _leaf(x)
    out, w = m(ours, ours, ours, attn_mask=Tensor(mask.numpy()), key_padding_mask=Tensor(padding.numpy()))
    assert out.shape == tuple(out_t.shape) and w.shape == tuple(w_t.shape)
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(w.numpy(), w_t.detach().numpy(), atol=1e-12)
    out_t.pow(2).sum().backward()
    (out * out).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), x.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(m.in_proj_weight.grad.numpy(), tm.in_proj_weight.grad.numpy(), atol=1e-12)


def test_need_weights_false_and_float32():
    ddp.manual_seed(3)
    m = MultiheadAttention(E, H)
    x = ddp.randn(L, N, E)
    out, w = m(x, x, x, need_weights=False)
    assert w is None and out.dtype == np.float32 and out.shape == (L, N, E)


def test_is_causal_hint_uses_the_given_mask():
    ddp.manual_seed(4)
    m = MultiheadAttention(E, H)
    x = ddp.randn(L, N, E)
    causal = Tensor(np.triu(np.ones((L, L), dtype=bool), 1))
    a, _ = m(x, x, x, attn_mask=causal, is_causal=True)
    b, _ = m(x, x, x, attn_mask=causal)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(x, x, x, is_causal=True)


def test_dropout_only_in_training():
    ddp.manual_seed(5)
    m = MultiheadAttention(E, H, dropout=0.5)
    x = ddp.randn(L, N, E)
    m.eval()
    a, b = m(x, x, x)[0], m(x, x, x)[0]
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    m.train()
    assert not np.allclose(m(x, x, x)[0].numpy(), a.numpy())


SDPA_CASES = {
    "plain": lambda torch: {},
    "causal": lambda torch: {"is_causal": True},
    "bool": lambda torch: {"attn_mask": torch.from_numpy(~_bool_mask((5, 6), 6))},
    "float broadcast": lambda torch: {"attn_mask": torch.randn(3, 5, 6, dtype=torch.float64)},
    "scale": lambda torch: {"scale": 0.3},
}


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch(case):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    q = torch.randn(2, 3, 5, 4, dtype=torch.float64, requires_grad=True)
    k = torch.randn(2, 3, 6, 4, dtype=torch.float64, requires_grad=True)
    v = torch.randn(1, 3, 6, 7, dtype=torch.float64, requires_grad=True)  # batch dims broadcast
    kwargs = SDPA_CASES[case](torch)
    out_t = torch.nn.functional.scaled_dot_product_attention(q, k, v, **kwargs)
    ours = [_leaf(t) for t in (q, k, v)]
    out = scaled_dot_product_attention(*ours, **{a: Tensor(b.numpy()) if isinstance(b, torch.Tensor) else b
                                                  for a, b in kwargs.items()})
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), atol=1e-12)
    g = torch.randn(*out_t.shape, dtype=torch.float64)
    (out_t * g).sum().backward()
    (out * Tensor(g.numpy())).sum().backward()
    for a, b in zip(ours, (q, k, v)):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-12)


# ------------------------------------------------------------------------------------------ errors
def test_mha_errors():
    with pytest.raises(ValueError, match="embed_dim must be divisible by num_heads, got embed_dim=8 and num_heads=3"):
        MultiheadAttention(8, 3)
    m = MultiheadAttention(E, H)
    x = ddp.randn(L, N, E)
    with pytest.raises(ValueError, match="was expecting embedding dimension of 8, but got 6"):
        m(ddp.randn(L, N, 6), x, x)
    with pytest.raises(ValueError, match="query should be unbatched 2D or batched 3D tensor but received 4-D"):
        m(ddp.randn(1, L, N, E), x, x)
    with pytest.raises(ValueError, match="expected `key` and `value` to be 3-D but found 2-D and 3-D"):
        m(x, ddp.randn(S, E), x)
    with pytest.raises(ValueError, match="do not match value's"):
        m(x, ddp.randn(S, N, E), ddp.randn(S + 1, N, E))
    with pytest.raises(RuntimeError, match=r"The shape of the 2D attn_mask is \(3, 4\), but should be \(3, 3\)"):
        m(x, x, x, attn_mask=Tensor(np.zeros((3, 4), dtype=bool)))
    with pytest.raises(RuntimeError, match=r"expecting key_padding_mask shape of \(2, 3\), but got \(3, 2\)"):
        m(x, x, x, key_padding_mask=Tensor(np.zeros((3, 2), dtype=bool)))
    with pytest.raises(TypeError, match="only bool and floating types of attn_mask are supported, got ddp.int64"):
        m(x, x, x, attn_mask=Tensor(np.zeros((L, L), dtype=np.int64)))


def test_sdpa_mask_and_is_causal_both_apply():
    """PyTorch 2.13's CPU kernel takes both (it raised in older releases): the causal mask folds into the given
    one, bool (and) or float (added)."""
    rng = np.random.default_rng(0)
    q, k, v = (Tensor(rng.standard_normal(s).astype(np.float32)) for s in ((2, 4, 3), (2, 5, 3), (2, 5, 3)))
    allowed = rng.random((4, 5)) > 0.3
    causal = np.tril(np.ones((4, 5), dtype=bool))
    both = scaled_dot_product_attention(q, k, v, attn_mask=Tensor(allowed), is_causal=True)
    want = scaled_dot_product_attention(q, k, v, attn_mask=Tensor(allowed & causal))
    np.testing.assert_allclose(both.numpy(), want.numpy(), rtol=1e-6)
    bias = rng.standard_normal((4, 5)).astype(np.float32)
    both = scaled_dot_product_attention(q, k, v, attn_mask=Tensor(bias), is_causal=True)
    want = scaled_dot_product_attention(q, k, v, attn_mask=Tensor(np.where(causal, bias, -np.inf)))
    np.testing.assert_allclose(both.numpy(), want.numpy(), rtol=1e-6)


def test_sdpa_errors():
    q = ddp.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="query and key must have the same number of features"):
        scaled_dot_product_attention(q, ddp.randn(2, 3, 5), q)
    with pytest.raises(RuntimeError, match=r"attn_mask of shape \(4, 4\) cannot be broadcast"):
        scaled_dot_product_attention(q, q, q, attn_mask=ddp.zeros(4, 4))
    with pytest.raises(TypeError, match="same dtype"):
        scaled_dot_product_attention(q, q, q.double())
    with pytest.raises(ValueError, match="at least 2 dims"):
        scaled_dot_product_attention(ddp.randn(4), q, q)


def test_repr_and_out_proj_class_match_torch():
    """PyTorch prints MultiheadAttention by its child alone, and its out_proj is a Linear subclass: code that
    initialises `type(m) is nn.Linear` layers leaves it alone in both."""
    mha = MultiheadAttention(4, 2)
    assert isinstance(mha.out_proj, ddp.nn.Linear) and type(mha.out_proj) is not ddp.nn.Linear
    assert ddp.nn.modules.linear.NonDynamicallyQuantizableLinear is type(mha.out_proj)
    torch = pytest.importorskip("torch")
    theirs = torch.nn.MultiheadAttention(4, 2, bias=False, batch_first=True)
    assert repr(MultiheadAttention(4, 2, bias=False, batch_first=True)) == repr(theirs)
    assert repr(mha) == repr(torch.nn.MultiheadAttention(4, 2))
