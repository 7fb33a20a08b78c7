"""Transformer layers, stacks and the full model: state-dict keys, float64 gradchecks, a numpy reference of
the encoder layer, PyTorch parity (outputs and every gradient after loading torch's state dict) over masks,
batch_first, norm_first and activations, and error messages."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from ddp.core.gradcheck import gradcheck
from ddp.core.tensor import Tensor


def _rand(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def _encoder_layer(**kwargs):
    return nn.TransformerEncoderLayer(8, 2, dim_feedforward=12, dropout=0.0, dtype=ddp.float64, **kwargs)


def _decoder_layer(**kwargs):
    return nn.TransformerDecoderLayer(8, 2, dim_feedforward=12, dropout=0.0, dtype=ddp.float64, **kwargs)


# ---------------------------------------------------------------------------------- structure
def test_submodule_names_follow_torch():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=12)
    assert list(layer.state_dict()) == [
        "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
        "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
        "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"]
    stack = nn.TransformerEncoder(layer, num_layers=3, enable_nested_tensor=False)
    assert len(stack.layers) == 3 and "layers.2.norm2.bias" in stack.state_dict()
    assert stack.layers[0].linear1.weight is not stack.layers[1].linear1.weight  # deep copies
    np.testing.assert_array_equal(stack.layers[0].linear1.weight.numpy(), stack.layers[1].linear1.weight.numpy())
    assert "multihead_attn.in_proj_weight" in nn.TransformerDecoderLayer(8, 2).state_dict()
    assert "norm3.weight" in nn.TransformerDecoderLayer(8, 2).state_dict()
    no_bias = nn.TransformerEncoderLayer(8, 2, bias=False).state_dict()
    assert not any(k.endswith("bias") for k in no_bias)


def test_transformer_init_and_square_subsequent_mask():
    ddp.manual_seed(0)
    model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=12)
    keys = list(model.state_dict())
    assert "encoder.norm.weight" in keys and "decoder.layers.0.multihead_attn.out_proj.weight" in keys
    w = model.encoder.layers[0].linear1.weight.numpy()
    bound = math.sqrt(6 / (8 + 12))  # xavier_uniform_ on every matrix
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    assert mask.dtype == np.float32
    want = np.array([[0, -np.inf, -np.inf, -np.inf], [0, 0, -np.inf, -np.inf], [0, 0, 0, -np.inf], [0, 0, 0, 0]])
    np.testing.assert_array_equal(mask.numpy(), want)


# ------------------------------------------------------------------------------------ gradcheck
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_gradcheck_with_masks(norm_first):
    ddp.manual_seed(1)
    layer = _encoder_layer(activation="gelu", norm_first=norm_first)
    x = _rand(3, 2, 8, seed=1)
    mask = Tensor(np.array([[0.0, -1.0, 0.5], [0.2, 0.0, -0.3], [0.1, 0.4, 0.0]]))
    padding = Tensor(np.array([[False, False, True], [False, False, False]]))
    fn = lambda x, *params: layer(x, src_mask=mask, src_key_padding_mask=padding)  # noqa: E731
    assert gradcheck(fn, (x, *layer.parameters()))


def test_decoder_layer_gradcheck_with_causal_mask():
    ddp.manual_seed(2)
    layer = _decoder_layer(activation="gelu", batch_first=True)
    tgt, memory = _rand(2, 3, 8, seed=2), _rand(2, 4, 8, seed=3)
    causal = nn.Transformer.generate_square_subsequent_mask(3, dtype=ddp.float64)
    memory_padding = Tensor(np.array([[False, False, False, True], [False, False, False, False]]))
    fn = lambda t, m, *p: layer(t, m, tgt_mask=causal, memory_key_padding_mask=memory_padding)  # noqa: E731
    assert gradcheck(fn, (tgt, memory, *layer.parameters()))


# ----------------------------------------------------------------------------- numpy reference
def _layer_norm(x, w, b, eps=1e-5):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _numpy_encoder_layer(layer, x, mask):
    """Post-norm encoder layer on (S, N, E) in numpy, from the layer's own weights."""
    p = {k: v.numpy() for k, v in layer.state_dict().items()}
    s, n, e = x.shape
    heads, d = 2, e // 2
    qkv = x @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]
    q, k, v = (t.reshape(s, n, heads, d).transpose(1, 2, 0, 3) for t in np.split(qkv, 3, axis=-1))
    scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + mask
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    attn = (weights @ v).transpose(2, 0, 1, 3).reshape(s, n, e)
    attn = attn @ p["self_attn.out_proj.weight"].T + p["self_attn.out_proj.bias"]
    h = _layer_norm(x + attn, p["norm1.weight"], p["norm1.bias"])
    ff = np.maximum(h @ p["linear1.weight"].T + p["linear1.bias"], 0) @ p["linear2.weight"].T + p["linear2.bias"]
    return _layer_norm(h + ff, p["norm2.weight"], p["norm2.bias"])


def test_encoder_layer_matches_a_numpy_reference():
    ddp.manual_seed(3)
    layer = _encoder_layer()
    x = np.random.default_rng(4).standard_normal((5, 2, 8))
    mask = nn.Transformer.generate_square_subsequent_mask(5, dtype=ddp.float64)
    out = layer(Tensor(x), src_mask=mask)
    np.testing.assert_allclose(out.numpy(), _numpy_encoder_layer(layer, x, mask.numpy()), atol=1e-12)
    # a bool mask (True = may not attend) means the same as its -inf float form
    bool_mask = Tensor(np.isneginf(mask.numpy()))
    np.testing.assert_allclose(layer(Tensor(x), src_mask=bool_mask).numpy(), out.numpy(), atol=1e-12)


def test_dropout_only_in_training_and_unbatched_input():
    ddp.manual_seed(4)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=12, dropout=0.5)
    x = ddp.randn(4, 8)
    layer.eval()
    a = layer(x)
    assert a.shape == (4, 8)
    np.testing.assert_array_equal(a.numpy(), layer(x).numpy())
    np.testing.assert_allclose(layer(x.unsqueeze(1)).numpy()[:, 0], a.numpy(), rtol=1e-5, atol=1e-6)
    layer.train()
    assert not np.allclose(layer(x).numpy(), a.numpy())


# ------------------------------------------------------------------------------------ vs PyTorch
def _load(m, tm):
    assert list(m.state_dict()) == list(tm.state_dict())
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})


def _compare(m, tm, pairs, outs):
    torch = pytest.importorskip("torch")
    for ours, theirs in outs:
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), atol=1e-10)
    weights = [np.random.default_rng(k).standard_normal(tuple(o.shape)) for k, (o, _) in enumerate(outs)]
    sum((t * torch.from_numpy(w)).sum() for (_, t), w in zip(outs, weights)).backward()
    sum((o * Tensor(w)).sum() for (o, _), w in zip(outs, weights)).backward()
    theirs = dict(tm.named_parameters())
    for name, p in m.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs[name].grad.numpy(), atol=1e-10, err_msg=name)
    for ours, theirs_t in pairs:
        np.testing.assert_allclose(ours.grad.numpy(), theirs_t.grad.numpy(), atol=1e-10)


def _pair(*shape, seed):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(seed).standard_normal(shape)
    return Tensor(a.copy(), requires_grad=True), torch.tensor(a, requires_grad=True)


ENCODER_CASES = [
    dict(kwargs={}, masks="none"),
    dict(kwargs=dict(norm_first=True, activation="gelu"), masks="causal_float"),
    dict(kwargs=dict(batch_first=True), masks="bool_and_padding"),
    dict(kwargs=dict(batch_first=True, norm_first=True, activation="callable"), masks="float_padding"),
]


def _masks(torch, kind, s, n):
    rng = np.random.default_rng(9)
    src_mask = padding = None
    if kind == "causal_float":
        src_mask = np.triu(np.full((s, s), -np.inf), 1)
    elif kind == "bool_and_padding":
        src_mask = np.triu(np.ones((s, s), dtype=bool), 1)
        padding = np.zeros((n, s), dtype=bool)
        padding[0, -2:] = True
    elif kind == "float_padding":
        src_mask = rng.standard_normal((s, s))
        padding = np.where(np.arange(s) >= s - 1, -np.inf, 0.0) * np.ones((n, 1))
    as_torch = [None if m is None else torch.from_numpy(m) for m in (src_mask, padding)]
    as_ddp = [None if m is None else Tensor(m) for m in (src_mask, padding)]
    return as_ddp, as_torch


@pytest.mark.parametrize("case", ENCODER_CASES, ids=lambda c: c["masks"])
def test_encoder_matches_torch(case):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    kwargs = dict(case["kwargs"])
    t_kwargs = dict(kwargs)
    if kwargs.get("activation") == "callable":
        kwargs["activation"], t_kwargs["activation"] = nn.GELU(approximate="tanh"), torch.nn.GELU(approximate="tanh")
    tl = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=12, dropout=0.0, **t_kwargs).double()
    tm = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(8).double(), enable_nested_tensor=False)
    m = nn.TransformerEncoder(_encoder_layer(**kwargs), 2, norm=nn.LayerNorm(8, dtype=ddp.float64))
    _load(m, tm)
    s, n = 5, 3
    x, xt = _pair(*((n, s, 8) if kwargs.get("batch_first") else (s, n, 8)), seed=1)
    (mask, padding), (mask_t, padding_t) = _masks(torch, case["masks"], s, n)
    out_t = tm(xt, mask=mask_t, src_key_padding_mask=padding_t)
    out = m(x, mask=mask, src_key_padding_mask=padding)
    _compare(m, tm, [(x, xt)], [(out, out_t)])


@pytest.mark.parametrize("kwargs", [{}, dict(batch_first=True, norm_first=True, activation="gelu")])
def test_decoder_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    torch.manual_seed(1)
    tl = torch.nn.TransformerDecoderLayer(8, 2, dim_feedforward=12, dropout=0.0, **kwargs).double()
    tm = torch.nn.TransformerDecoder(tl, 2)
    m = nn.TransformerDecoder(_decoder_layer(**kwargs), 2)
    _load(m, tm)
    t, s, n = 4, 5, 2
    first = kwargs.get("batch_first")
    tgt, tgt_t = _pair(*((n, t, 8) if first else (t, n, 8)), seed=2)
    mem, mem_t = _pair(*((n, s, 8) if first else (s, n, 8)), seed=3)
    causal = np.triu(np.ones((t, t), dtype=bool), 1)
    memory_mask = np.random.default_rng(4).standard_normal((t, s))
    tgt_padding = np.array([[False] * t, [False] * (t - 1) + [True]])
    out_t = tm(tgt_t, mem_t, tgt_mask=torch.from_numpy(causal), memory_mask=torch.from_numpy(memory_mask),
               tgt_key_padding_mask=torch.from_numpy(tgt_padding))
    out = m(tgt, mem, tgt_mask=Tensor(causal), memory_mask=Tensor(memory_mask),
            tgt_key_padding_mask=Tensor(tgt_padding))
    _compare(m, tm, [(tgt, tgt_t), (mem, mem_t)], [(out, out_t)])


@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_torch(batch_first):
    torch = pytest.importorskip("torch")
    torch.manual_seed(2)
    kwargs = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=12, dropout=0.0,
                  batch_first=batch_first)
    tm = torch.nn.Transformer(**kwargs).double()
    m = nn.Transformer(dtype=ddp.float64, **kwargs)
    _load(m, tm)
    src, src_t = _pair(*((2, 5, 8) if batch_first else (5, 2, 8)), seed=5)
    tgt, tgt_t = _pair(*((2, 4, 8) if batch_first else (4, 2, 8)), seed=6)
    src_padding = np.array([[False] * 5, [False] * 3 + [True] * 2])
    tgt_mask_t = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    out_t = tm(src_t, tgt_t, tgt_mask=tgt_mask_t, src_key_padding_mask=torch.from_numpy(src_padding),
               memory_key_padding_mask=torch.from_numpy(src_padding))
    out = m(src, tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4, dtype=ddp.float64),
            src_key_padding_mask=Tensor(src_padding), memory_key_padding_mask=Tensor(src_padding))
    _compare(m, tm, [(src, src_t), (tgt, tgt_t)], [(out, out_t)])


def test_float32_encoder_in_eval_matches_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(3)
    tl = torch.nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True)
    tm = torch.nn.TransformerEncoder(tl, 2, enable_nested_tensor=False).eval()
    m = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True), 2).eval()
    _load(m, tm)
    x = np.random.default_rng(7).standard_normal((3, 6, 16)).astype(np.float32)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(6)
    with torch.no_grad():
        want = tm(torch.from_numpy(x), mask=mask, is_causal=True).numpy()
    out = m(Tensor(x), mask=nn.Transformer.generate_square_subsequent_mask(6), is_causal=True)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------------------- errors
def test_errors():
    with pytest.raises(RuntimeError, match="TransformerEncoderLayer: activation should be relu/gelu, not swish"):
        nn.TransformerEncoderLayer(8, 2, activation="swish")
    with pytest.raises(ValueError, match="embed_dim must be divisible by num_heads"):
        nn.TransformerEncoderLayer(8, 3)
    with pytest.raises(ValueError, match="TransformerDecoderLayer: dropout must be in"):
        nn.TransformerDecoderLayer(8, 2, dropout=2.0)
    with pytest.raises(TypeError, match="TransformerEncoder: encoder_layer must be a Module, got int"):
        nn.TransformerEncoder(3, 2)
    model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=12)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(ddp.randn(5, 2, 8), ddp.randn(4, 3, 8))
    with pytest.raises(RuntimeError, match=r"the feature number of src and tgt must be equal to d_model \(8\)"):
        model(ddp.randn(5, 2, 8), ddp.randn(4, 2, 6))
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=12)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        layer(ddp.randn(5, 2, 8), is_causal=True)


def test_is_causal_is_detected_from_the_mask():
    from ddp.core.nn.transformer import _is_causal

    float_mask = nn.Transformer.generate_square_subsequent_mask(4)
    assert _is_causal(float_mask, None, 4)
    assert _is_causal(Tensor(np.triu(np.ones((4, 4), dtype=bool), 1)), None, 4)
    assert not _is_causal(Tensor(np.zeros((4, 4))), None, 4)
    assert not _is_causal(None, None, 4) and _is_causal(None, True, 4)
    # F.gelu as a callable activation is accepted as it is
    assert nn.TransformerEncoderLayer(8, 2, activation=F.gelu).activation is F.gelu
