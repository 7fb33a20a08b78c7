"""Tensor methods as training code calls them: in-place forms, new_* factories, formatting and conversions,
sampling methods, and that the methods are real attributes of the class."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, sample

# name: (in-place call, out-of-place reference as a numpy function of x)
INPLACE = {
    "exp_": (lambda t: t.exp_(), np.exp),
    "log_": (lambda t: t.abs_().log_(), lambda x: np.log(np.abs(x))),
    "sqrt_": (lambda t: t.abs_().sqrt_(), lambda x: np.sqrt(np.abs(x))),
    "neg_": (lambda t: t.neg_(), np.negative),
    "relu_": (lambda t: t.relu_(), lambda x: np.maximum(x, 0)),
    "sigmoid_": (lambda t: t.sigmoid_(), lambda x: 1 / (1 + np.exp(-x))),
    "tanh_": (lambda t: t.tanh_(), np.tanh),
    "pow_": (lambda t: t.pow_(2), np.square),
    "clamp_": (lambda t: t.clamp_(-0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5)),
    "clamp_min_": (lambda t: t.clamp_min_(0.1), lambda x: np.maximum(x, 0.1)),
    "masked_fill_": (lambda t: t.masked_fill_(t > 0, 0.0), lambda x: np.where(x > 0, 0, x)),
    "add_alpha": (lambda t: t.add_(ddp.ones(3), alpha=2), lambda x: x + 2),
    "mul_": (lambda t: t.mul_(3), lambda x: x * 3),
    "lerp_": (lambda t: t.lerp_(ddp.zeros(3), 0.25), lambda x: 0.75 * x),
    "addcmul_": (lambda t: t.addcmul_(ddp.ones(3), ddp.full((3,), 2.0), value=0.5), lambda x: x + 1),
    "addcdiv_": (lambda t: t.addcdiv_(ddp.ones(3), ddp.full((3,), 2.0), value=-1), lambda x: x - 0.5),
    "floor_": (lambda t: t.floor_(), np.floor),
    "round_": (lambda t: t.round_(), np.round),
    "reciprocal_": (lambda t: t.reciprocal_(), np.reciprocal),
    "erf_": (lambda t: t.erf_(), lambda x: np.array([__import__("math").erf(v) for v in x])),
    "fill_": (lambda t: t.fill_(2.5), lambda x: np.full_like(x, 2.5)),
    "zero_": (lambda t: t.zero_(), np.zeros_like),
    "copy_": (lambda t: t.copy_(ddp.tensor([1.0, 2.0, 3.0])), lambda x: np.array([1.0, 2.0, 3.0])),
    "scatter_": (lambda t: t.scatter_(0, ddp.tensor([2, 0]), ddp.tensor([7.0, 8.0])),
                 lambda x: np.array([8.0, x[1], 7.0])),
    "scatter_add_": (lambda t: t.scatter_add_(0, ddp.tensor([1, 1]), ddp.ones(2)), lambda x: x + [0, 2, 0]),
    "index_fill_": (lambda t: t.index_fill_(0, ddp.tensor([1]), -1.0), lambda x: np.array([x[0], -1.0, x[2]])),
    "index_add_": (lambda t: t.index_add_(0, ddp.tensor([0, 0]), ddp.ones(2)), lambda x: x + [2, 0, 0]),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_writes_into_the_tensor(name):
    call, ref = INPLACE[name]
    x = np.array([0.7, -1.3, 2.2], dtype=np.float32)
    t = ddp.tensor(x)
    before = t._version
    out = call(t)
    assert out is t and t.dtype == np.float32 and t._version > before
    np.testing.assert_allclose(t.numpy(), ref(x.astype(np.float64)), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["exp_", "tanh_", "pow_", "masked_fill_", "addcmul_", "scatter_", "index_fill_"])
def test_inplace_on_a_non_leaf_is_differentiated(name):
    call, _ = INPLACE[name]

    def fn(x):
        y = x * 1.0
        return call(y)

    assert gradcheck(fn, sample((3,), seed=2))


def test_inplace_on_a_leaf_that_requires_grad_raises():
    x = ddp.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.exp_()
    with ddp.no_grad():
        x.mul_(2).clamp_max_(1.5)
    assert x.tolist() == [1.5, 1.5, 1.5]


def test_inplace_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.array([0.7, -1.3, 2.2], dtype=np.float32)
    for name in ("exp_", "neg_", "relu_", "sigmoid_", "tanh_", "pow_", "clamp_", "floor_", "reciprocal_", "erf_"):
        ours = INPLACE[name][0](ddp.tensor(x)).numpy()
        theirs = getattr(torch.tensor(x), name)(*{"pow_": (2,), "clamp_": (-0.5, 0.5)}.get(name, ())).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7, err_msg=name)


def test_new_factories_take_this_tensors_dtype():
    x = ddp.ones(2, dtype=ddp.float64)
    assert x.new_zeros(2, 3).dtype == np.float64 and tuple(x.new_zeros((2, 3)).shape) == (2, 3)
    assert x.new_ones(4).tolist() == [1.0] * 4 and x.new_empty(2).shape == (2,)
    full = x.new_full((2,), 7)
    assert full.dtype == np.float64 and full.tolist() == [7.0, 7.0]
    t = ddp.ones(1, dtype=ddp.int32).new_tensor([1.7, 2.2])
    assert t.dtype == np.int32 and t.tolist() == [1, 2]
    assert x.new_tensor([1, 2], dtype=ddp.float32).dtype == np.float32
    assert x.new_zeros(2, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError):
        x.new_ones(2, dtype=ddp.int64, requires_grad=True)


def test_format_specs_as_torch():
    loss = ddp.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235" and f"{loss:>8.2f}" == "    0.12" and f"{ddp.tensor(3):d}" == "3"
    assert f"{ddp.tensor([1.0, 2.0])}" == repr(ddp.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        f"{ddp.tensor([1.0]):.2f}"


def test_format_matches_torch():
    torch = pytest.importorskip("torch")
    for value, spec in ((0.123456, ".4f"), (12345.678, ".3e"), (2.5, "g"), (7, "05d")):
        assert format(ddp.tensor(value), spec) == format(torch.tensor(value), spec)


def test_item_tolist_numpy():
    x = ddp.tensor([[1.5, 2.0]])
    assert x.tolist() == [[1.5, 2.0]] and x[0, 1].item() == 2.0 and isinstance(x.sum().item(), float)
    assert isinstance(ddp.tensor([3]).item(), int)
    assert x.numpy() is x.numpy() and x.numpy().dtype == np.float32
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        x.item()


def test_view_dtype_type_as_and_aliases():
    x = ddp.tensor([1.0, -2.0])
    bits = x.view(ddp.int32)
    assert bits.dtype == np.int32 and bits.tolist() == np.array([1.0, -2.0], np.float32).view(np.int32).tolist()
    assert x.view(2, 1).shape == (2, 1) and x.view(-1).shape == (2,)
    assert ddp.tensor([1, 2]).type_as(x).dtype == np.float32
    m = ddp.ones(2, 3, 1)
    assert m.squeeze((0, 2)).shape == (2, 3) and m.swapaxes(0, 1).shape == (3, 2, 1)
    assert m.swapdims(0, 2).shape == (1, 3, 2) and m.mT.shape == (2, 1, 3)


def test_where_and_softmax_methods():
    x = ddp.tensor([[1.0, -2.0], [0.5, 3.0]])
    assert x.where(x > 0, 0.0).tolist() == [[1.0, 0.0], [0.5, 3.0]]
    np.testing.assert_allclose(x.softmax(-1).sum(-1).numpy(), [1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(x.log_softmax(dim=1).exp().numpy(), x.softmax(1).numpy(), rtol=1e-6)


def test_bernoulli_and_multinomial_draw_from_the_generator():
    ddp.manual_seed(0)
    p = ddp.full((20000,), 0.3)
    draws = ddp.bernoulli(p)
    assert draws.dtype == np.float32 and set(np.unique(draws.numpy())) <= {0.0, 1.0}
    assert abs(draws.mean().item() - 0.3) < 0.02
    ddp.manual_seed(1)
    a = p.bernoulli()
    ddp.manual_seed(1)
    assert ddp.equal(a, p.bernoulli())
    assert abs(ddp.zeros(20000).bernoulli_(0.8).mean().item() - 0.8) < 0.02
    with pytest.raises(RuntimeError, match="bernoulli: Expected p_in >= 0"):
        ddp.bernoulli(ddp.tensor([1.5]))

    weights = ddp.tensor([[0.0, 1.0, 3.0], [1.0, 1.0, 0.0]])
    picks = ddp.multinomial(weights, 4000, replacement=True)
    assert picks.dtype == np.int64 and tuple(picks.shape) == (2, 4000)
    counts = np.stack([np.bincount(r, minlength=3) for r in picks.numpy()]) / 4000
    np.testing.assert_allclose(counts, [[0.0, 0.25, 0.75], [0.5, 0.5, 0.0]], atol=0.03)
    once = weights.multinomial(2)
    assert sorted(once[1].tolist()) == [0, 1] and 0 not in once[0].tolist()
    assert ddp.multinomial(ddp.tensor([0.2, 0.8]), 1).shape == (1,)
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size\\(-1\\) samples without"):
        ddp.multinomial(ddp.tensor([0.5, 0.5]), 3)
    with pytest.raises(RuntimeError, match="probability tensor contains either `inf`, `nan` or element < 0"):
        ddp.multinomial(ddp.tensor([-0.5, 0.5]), 1)


def test_multinomial_without_replacement_follows_the_weights():
    ddp.manual_seed(3)
    first = ddp.multinomial(ddp.tensor([1.0, 2.0, 7.0]).expand(6000, 3).contiguous(), 1)[:, 0].numpy()
    np.testing.assert_allclose(np.bincount(first, minlength=3) / 6000, [0.1, 0.2, 0.7], atol=0.03)


def test_methods_are_defined_on_the_class():
    import inspect

    for name in ("exp", "sum", "topk", "scatter_add_", "new_zeros", "__add__", "__format__", "norm", "flip"):
        assert inspect.isfunction(getattr(ddp.Tensor, name)), name
        assert any(name in vars(cls) for cls in ddp.Tensor.__mro__[:-1])  # a def of Tensor or a base


def test_a_training_snippet_as_pytorch_writes_it():
    ddp.manual_seed(0)
    x = ddp.randn(16, 4)
    w = ddp.zeros(4, 1, requires_grad=True)
    y = (x @ ddp.tensor([[1.0], [-2.0], [0.5], [3.0]])).squeeze(-1)
    for _ in range(50):
        loss = ((x @ w).squeeze(-1) - y).pow(2).mean()
        loss.backward()
        with ddp.no_grad():
            w.sub_(w.grad, alpha=0.1)
            w.grad.zero_()
    assert f"{loss:.4f}" == f"{loss.item():.4f}" and loss.item() < 1e-2
    assert w.detach().flatten().tolist() == pytest.approx([1.0, -2.0, 0.5, 3.0], abs=0.1)


BRIEF_METHODS = """
narrow new_zeros new_ones new_full new_empty new_tensor norm log1p expm1 erf tril triu multinomial bernoulli normal_
uniform_ fill_ zero_ add_ sub_ mul_ div_ clamp_ copy_ masked_fill_ exp_ log_ sqrt_ abs_ neg_ relu_ sigmoid_ tanh_ pow_
scatter_ index_fill_ topk sort argsort cumsum cumprod gather scatter scatter_add scatter_add_ index_select masked_fill
masked_select nonzero repeat repeat_interleave flip roll chunk split unbind bmm baddbmm addmm outer diag allclose
isclose isfinite isnan isinf logical_and logical_or logical_xor logical_not eq ne lt le gt ge tolist item numpy argmax
argmin max min std var prod mean sum abs sign floor ceil round trunc frac reciprocal lerp where clamp square exp2 log2
log10 sinh cosh asin acos atan atan2 softmax log_softmax unflatten view type_as expand squeeze amax amin swapaxes
""".split()


@pytest.mark.parametrize("name", BRIEF_METHODS)
def test_method_exists_as_in_torch(name):
    assert callable(getattr(ddp.Tensor, name)), name
    torch = pytest.importorskip("torch")
    assert callable(getattr(torch.Tensor, name)), name


def test_exponential_and_draws_from_a_given_generator():
    ddp.manual_seed(0)
    x = ddp.empty(50000).exponential_(2.0)
    assert x.dtype == np.float32 and abs(x.mean().item() - 0.5) < 0.02 and x.min().item() >= 0
    probs = ddp.full((64,), 0.5)
    first = ddp.bernoulli(probs, generator=ddp.Generator().manual_seed(5))
    assert ddp.equal(first, ddp.bernoulli(probs, generator=ddp.Generator().manual_seed(5)))
    picks = [ddp.multinomial(ddp.ones(8), 3, generator=ddp.Generator().manual_seed(2)).tolist() for _ in range(2)]
    assert picks[0] == picks[1] and len(set(picks[0])) == 3


def test_stride_counts_elements_as_torch():
    x = ddp.zeros(2, 3, 4)
    assert x.stride() == (12, 4, 1) and x.stride(1) == 4 and x.transpose(0, 2).stride() == (1, 4, 12)
    torch = pytest.importorskip("torch")
    assert x.transpose(0, 2).stride() == torch.zeros(2, 3, 4).transpose(0, 2).stride()
