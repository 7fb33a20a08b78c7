"""Layers: float64 gradcheck, numpy forward references, and torch parity of outputs, gradients and buffers."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn as nn
gradcheck = ddp.autograd.gradcheck

rng = np.random.default_rng(0)


def t64(*shape, low=None):
    a = rng.standard_normal(shape)
    if low is not None:
        a = np.where(np.abs(a) < low, a + np.sign(a) * low, a)  # keep samples off kinks
    return ddp.tensor(a, dtype=ddp.float64, requires_grad=True)


def check_module_grad(module, *shape, low=None):
    module.double()
    x = t64(*shape, low=low)
    assert gradcheck(lambda *args: module(x), (x, *module.parameters()))


def torch_parity(module, tmodule, x, grad_seed=1, atol=1e-5):
    """Copy torch's state into `module` (the keys must match one-to-one), run forward and backward on both,
    and compare outputs, input and parameter gradients, and the state afterwards."""
    torch = pytest.importorskip("torch")
    assert list(module.state_dict()) == list(tmodule.state_dict())
    module.load_state_dict({k: v.detach().numpy() for k, v in tmodule.state_dict().items()})
    xd = ddp.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    out, tout = module(xd), tmodule(xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=atol)
    assert out.dtype == np.float32
    g = np.random.default_rng(grad_seed).standard_normal(out.shape).astype(np.float32)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=atol)
    tparams = dict(tmodule.named_parameters())
    for name, p in module.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tparams[name].grad.numpy(), rtol=1e-4, atol=atol, err_msg=name)
    tstate = tmodule.state_dict()
    for name, v in module.state_dict().items():
        np.testing.assert_allclose(v.numpy(), tstate[name].numpy(), rtol=1e-5, atol=1e-6, err_msg=name)
    return out


# ---------------------------------------------------------------------------------------------- Linear
def test_linear_forward_reference_and_grad():
    fc = nn.Linear(4, 3)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(fc(ddp.tensor(x)).numpy(), x @ fc.weight.numpy().T + fc.bias.numpy(), rtol=1e-5)
    check_module_grad(nn.Linear(4, 3), 2, 4)
    check_module_grad(nn.Linear(3, 2, bias=False), 2, 5, 3)


def test_linear_default_init_distribution():
    ddp.manual_seed(0)
    fc = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = fc.weight.numpy(), fc.bias.numpy()
    assert w.dtype == np.float32 and w.shape == (300, 400) and b.shape == (300,)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound  # U(-k, k) has std k / sqrt(3)
    assert abs(w.mean()) < 0.01 * bound
    ddp.manual_seed(0)
    np.testing.assert_array_equal(nn.Linear(400, 300).weight.numpy(), w)  # reproducible from the seed


def test_linear_torch():
    torch = pytest.importorskip("torch")
    torch_parity(nn.Linear(6, 4), torch.nn.Linear(6, 4), rng.standard_normal((3, 2, 6)).astype(np.float32))


def test_linear_errors():
    with pytest.raises(RuntimeError, match=r"\(2, 5\).*\(3, 4\)"):
        nn.Linear(4, 3)(ddp.randn(2, 5))


# ---------------------------------------------------------------------------------------- activations
ACTIVATIONS = [
    (lambda: nn.ReLU(), lambda x: np.maximum(x, 0), "ReLU", {}),
    (lambda: nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x), "LeakyReLU", {"negative_slope": 0.2}),
    (lambda: nn.GELU(), None, "GELU", {}),
    (lambda: nn.GELU("tanh"), lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
     "GELU", {"approximate": "tanh"}),
    (lambda: nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x)), "Sigmoid", {}),
    (lambda: nn.Tanh(), np.tanh, "Tanh", {}),
    (lambda: nn.SiLU(), lambda x: x / (1 + np.exp(-x)), "SiLU", {}),
    (lambda: nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True), "Softmax", {"dim": 1}),
    (lambda: nn.LogSoftmax(dim=-1), lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)), "LogSoftmax", {"dim": -1}),
]


@pytest.mark.parametrize("make, reference, torch_name, kwargs", ACTIVATIONS, ids=lambda v: v if isinstance(v, str) else "")
def test_activation(make, reference, torch_name, kwargs):
    x = rng.standard_normal((4, 5)).astype(np.float32)
    out = make()(ddp.tensor(x))
    assert out.dtype == np.float32 and out.shape == (4, 5)
    if reference is not None:
        np.testing.assert_allclose(out.numpy(), reference(x.astype(np.float64)), rtol=1e-5, atol=1e-6)
    check_module_grad(make(), 3, 4, low=0.05)
    torch = pytest.importorskip("torch")
    torch_parity(make(), getattr(torch.nn, torch_name)(**kwargs), x * 3)


def test_gelu_matches_torch_to_1e6_over_a_wide_range():
    torch = pytest.importorskip("torch")
    x = np.linspace(-12, 12, 20001, dtype=np.float32)
    for approximate in ("none", "tanh"):
        got = nn.functional.gelu(ddp.tensor(x), approximate=approximate).numpy()
        want = torch.nn.functional.gelu(torch.tensor(x), approximate=approximate).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_flatten_unflatten_identity():
    x = ddp.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)
    assert nn.Identity(54, unused=1)(x) is x
    check_module_grad(nn.Flatten(), 2, 2, 3)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"


# -------------------------------------------------------------------------------------------- Dropout
def test_dropout_train_scales_and_masks_and_eval_is_identity():
    ddp.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = ddp.ones(200, 500, requires_grad=True)
    y = drop(x)
    kept = y.numpy() != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())  # d/dx is the same scaled mask
    drop.eval()
    assert drop(x) is x
    assert not nn.Dropout(1.0)(x).numpy().any()
    ddp.manual_seed(0)
    np.testing.assert_array_equal(nn.Dropout(0.25)(ddp.ones(200, 500)).numpy(), y.numpy())  # seeded
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout_gradcheck_with_fixed_mask():
    x = t64(3, 4)
    seed = 3

    def fn(x):
        ddp.manual_seed(seed)
        return nn.functional.dropout(x, 0.5)

    assert gradcheck(fn, (x,))


# ---------------------------------------------------------------------------------------- BatchNorm
def bn_reference(x, weight, bias, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight.reshape(shape) + bias.reshape(shape)


@pytest.mark.parametrize("cls, shape", [(nn.BatchNorm1d, (4, 3)), (nn.BatchNorm1d, (4, 3, 5)), (nn.BatchNorm2d, (3, 2, 4, 5))])
def test_batchnorm_forward_reference_and_grad(cls, shape):
    bn = cls(shape[1])
    nn.init.normal_(bn.weight)
    nn.init.normal_(bn.bias)
    x = rng.standard_normal(shape).astype(np.float32) * 2 + 1
    out = bn(ddp.tensor(x))
    np.testing.assert_allclose(out.numpy(), bn_reference(x, bn.weight.numpy(), bn.bias.numpy()), rtol=1e-4, atol=1e-5)
    n = x.size // shape[1]
    axes = (0,) + tuple(range(2, x.ndim))
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.1 * x.mean(axes), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * x.var(axes) * n / (n - 1), rtol=1e-5)
    assert bn.num_batches_tracked.item() == 1 and bn.num_batches_tracked.dtype == np.int64
    check_module_grad(cls(shape[1]), *shape)
    check_module_grad(cls(shape[1]).eval(), *shape)
    check_module_grad(cls(shape[1], affine=False), *shape)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_running_stats_and_eval_match_torch_over_steps(momentum):
    torch = pytest.importorskip("torch")
    bn, tbn = nn.BatchNorm2d(3, momentum=momentum), torch.nn.BatchNorm2d(3, momentum=momentum)
    with torch.no_grad():
        tbn.weight.uniform_(0.5, 1.5)
        tbn.bias.uniform_(-1, 1)
    bn.load_state_dict({k: v.numpy() for k, v in tbn.state_dict().items()})
    for step in range(4):
        x = (rng.standard_normal((4, 3, 5, 5)) * (step + 1) + step).astype(np.float32)
        torch_parity(bn, tbn, x, grad_seed=step)  # compares running_mean/var and num_batches_tracked too
        bn.zero_grad()
        tbn.zero_grad()
    bn.eval(), tbn.eval()
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    out = torch_parity(bn, tbn, x)
    rm, rv = bn.running_mean.numpy(), bn.running_var.numpy()
    np.testing.assert_allclose(out.numpy(), (x - rm[:, None, None]) / np.sqrt(rv[:, None, None] + 1e-5)
                               * bn.weight.numpy()[:, None, None] + bn.bias.numpy()[:, None, None], rtol=1e-4, atol=1e-5)
    assert bn.num_batches_tracked.item() == 4  # eval does not count


def test_batchnorm1d_torch_and_no_running_stats():
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((6, 4, 3)).astype(np.float32)
    torch_parity(nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4), x)
    bn, tbn = nn.BatchNorm1d(4, track_running_stats=False), torch.nn.BatchNorm1d(4, track_running_stats=False)
    assert list(bn.state_dict()) == ["weight", "bias"]
    torch_parity(bn.eval(), tbn.eval(), x)  # batch statistics even in eval
    torch_parity(nn.BatchNorm1d(4, affine=False), torch.nn.BatchNorm1d(4, affine=False), x[:, :, 0])


def test_batchnorm_errors_and_old_checkpoint():
    with pytest.raises(ValueError, match="4D input"):
        nn.BatchNorm2d(3)(ddp.randn(2, 3, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(ddp.randn(1, 3))
    with pytest.raises(RuntimeError, match=r"\(3,\)"):
        nn.functional.batch_norm(ddp.randn(2, 4), ddp.zeros(3), ddp.ones(3))
    bn = nn.BatchNorm1d(2)
    sd = {k: v for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
    assert bn.load_state_dict(sd).missing_keys == []


# ---------------------------------------------------------------------------------------- LayerNorm
@pytest.mark.parametrize("shape, normalized", [((4, 6), 6), ((2, 3, 4), (3, 4))])
def test_layernorm_reference_grad_and_torch(shape, normalized):
    ln = nn.LayerNorm(normalized)
    nn.init.normal_(ln.weight)
    nn.init.normal_(ln.bias)
    x = rng.standard_normal(shape).astype(np.float32)
    axes = tuple(range(x.ndim - ln.weight.ndim, x.ndim))
    ref = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + 1e-5) * ln.weight.numpy() + ln.bias.numpy()
    np.testing.assert_allclose(ln(ddp.tensor(x)).numpy(), ref, rtol=1e-4, atol=1e-5)
    check_module_grad(nn.LayerNorm(normalized), *shape)
    check_module_grad(nn.LayerNorm(normalized, elementwise_affine=False), *shape)
    torch = pytest.importorskip("torch")
    tln = torch.nn.LayerNorm(normalized)
    with torch.no_grad():
        tln.weight.normal_()
        tln.bias.normal_()
    torch_parity(nn.LayerNorm(normalized), tln, x)
    torch_parity(nn.LayerNorm(normalized, bias=False), torch.nn.LayerNorm(normalized, bias=False), x)
    with pytest.raises(RuntimeError, match="normalized_shape"):
        nn.LayerNorm(5)(ddp.randn(2, 4))


# ---------------------------------------------------------------------------------------- Embedding
def test_embedding_lookup_grad_padding_and_torch():
    ddp.manual_seed(0)
    emb = nn.Embedding(1000, 50)
    w = emb.weight.numpy()
    assert abs(w.std() - 1) < 0.02 and abs(w.mean()) < 0.02 and w.dtype == np.float32  # N(0, 1)
    idx = np.array([[1, 2, 1], [0, 3, 3]])
    emb = nn.Embedding(5, 3, padding_idx=3)
    assert not emb.weight.numpy()[3].any()
    out = emb(ddp.tensor(idx))
    np.testing.assert_array_equal(out.numpy(), emb.weight.numpy()[idx])
    torch = pytest.importorskip("torch")
    temb = torch.nn.Embedding(5, 3, padding_idx=3)
    emb = nn.Embedding(5, 3, padding_idx=3)
    emb.load_state_dict({k: v.numpy() for k, v in temb.state_dict().items()})
    out, tout = emb(ddp.tensor(idx)), temb(torch.tensor(idx))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy())
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(emb.weight.grad.numpy(), temb.weight.grad.numpy(), rtol=1e-6)
    assert repr(emb) == repr(temb)
    with pytest.raises(IndexError, match="out of range"):
        emb(ddp.tensor([5]))
    with pytest.raises(RuntimeError, match="integer"):
        emb(ddp.tensor([1.0]))
    pre = nn.Embedding.from_pretrained(ddp.ones(2, 3))
    assert not pre.weight.requires_grad


def test_embedding_gradcheck():
    emb = nn.Embedding(4, 3).double()
    idx = ddp.tensor([[0, 2], [2, 2]])
    assert gradcheck(lambda w: emb(idx), (emb.weight,))
