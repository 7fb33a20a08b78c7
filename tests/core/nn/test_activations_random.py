"""rrelu / RReLU, the in-place activations (relu_, elu_, ...), gumbel_softmax and pdist: numpy references,
float64 gradchecks, torch parity where torch's random streams do not matter, and torch's errors."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from tests.core.op_helpers import against_torch, gradcheck, sample


# ------------------------------------------------------------------------------------------ rrelu
def test_rrelu_training_draws_slopes_in_range_and_backprops_them():
    ddp.manual_seed(3)
    x = ddp.tensor(sample((200,), seed=1), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    y.sum().backward()
    xs, ys, slope = x.detach().numpy(), y.detach().numpy(), x.grad.numpy()
    neg = xs < 0
    assert np.all((slope[neg] >= 0.1) & (slope[neg] <= 0.3)) and np.all(slope[~neg] == 1)
    np.testing.assert_allclose(ys, xs * slope)
    assert len(np.unique(slope[neg])) == neg.sum()  # one draw per element
    ddp.manual_seed(3)
    np.testing.assert_array_equal(F.rrelu(x.detach(), 0.1, 0.3, training=True).numpy(), ys)  # repeatable


def test_rrelu_gradcheck_with_fixed_noise():
    def fn(a):
        ddp.manual_seed(0)
        return F.rrelu(a, training=True)

    assert gradcheck(fn, sample((3, 5), seed=2))


def test_rrelu_eval_is_leaky_relu_with_the_mean_slope():
    x = sample((4, 5), seed=4)
    against_torch(lambda a: F.rrelu(a, 0.2, 0.4), lambda a: pytest.importorskip("torch").nn.functional.rrelu(
        a, 0.2, 0.4, training=False), x)
    np.testing.assert_allclose(F.rrelu(ddp.tensor(x), 0.2, 0.4).numpy(), np.where(x > 0, x, 0.3 * x))


def test_rrelu_module_modes_repr_and_errors():
    m = nn.RReLU(0.1, 0.3)
    x = ddp.tensor(-np.ones(50, dtype=np.float32))
    assert m.training and len(np.unique(m(x).numpy())) > 1
    m.eval()
    np.testing.assert_allclose(m(x).numpy(), -0.2 * np.ones(50), rtol=1e-6)
    assert m(x).dtype == np.float32
    assert repr(nn.RReLU()) == "RReLU(lower=0.125, upper=0.3333333333333333)"
    assert repr(nn.RReLU(0.1, 0.3, inplace=True)) == "RReLU(lower=0.1, upper=0.3, inplace=True)"
    assert nn.modules.activation.RReLU is nn.RReLU
    with pytest.raises(RuntimeError, match="lower bound"):
        F.rrelu(x, 0.5, 0.2, training=True)
    with pytest.raises(NotImplementedError, match="floating point"):
        F.rrelu(ddp.tensor([1, 2]), training=True)


def test_rrelu_in_place():
    x = ddp.tensor([1.0, -2.0, 3.0])
    assert F.rrelu_(x, 0.25, 0.25, training=True) is x
    np.testing.assert_allclose(x.numpy(), [1.0, -0.5, 3.0])
    y = ddp.tensor([-4.0])
    assert F.rrelu(y, 0.5, 0.5, inplace=True) is y and y.item() == -2.0


# ------------------------------------------------------------------------------- in-place activations
INPLACE = [("relu_", (), {}), ("elu_", (0.7,), {}), ("leaky_relu_", (0.2,), {}), ("hardtanh_", (-0.5, 0.8), {}),
           ("selu_", (), {}), ("celu_", (1.3,), {}), ("threshold_", (0.3, -1.0), {})]


@pytest.mark.parametrize("name,args,kwargs", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_forms_write_into_the_input_and_match_torch(name, args, kwargs):
    torch = pytest.importorskip("torch")
    x = sample((4, 5), seed=5, avoid=(0.0, -0.5, 0.8, 0.3))
    ours = ddp.tensor(x)
    result = getattr(F, name)(ours, *args, **kwargs)
    assert result is ours
    theirs = torch.tensor(x)
    getattr(torch.nn.functional, name)(theirs, *args, **kwargs)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    # under autograd: a non-leaf takes the op's place in the graph
    leaf, tleaf = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = leaf * 2, tleaf * 2
    getattr(F, name)(y, *args, **kwargs)
    getattr(torch.nn.functional, name)(ty, *args, **kwargs)
    y.sum().backward()
    ty.sum().backward()
    # rtol 1e-7: torch's own celu and celu_ gradients differ by ~1e-8 (one from x, one from the output)
    np.testing.assert_allclose(leaf.grad.numpy(), tleaf.grad.numpy(), rtol=1e-7)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        getattr(F, name)(ddp.tensor(x, requires_grad=True), *args, **kwargs)


# ----------------------------------------------------------------------------------- gumbel_softmax
def _gumbel_reference(logits, tau, seed):
    """The softmax of (logits + g) / tau, g = -log(e) for exponential samples e drawn as PyTorch draws them."""
    ddp.manual_seed(seed)
    g = -np.log(ddp.empty(logits.shape, dtype=ddp.float64).exponential_().numpy())
    z = (logits + g) / tau
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_gumbel_softmax_soft_sample_matches_the_draws():
    logits = sample((4, 6), seed=6)
    ddp.manual_seed(11)
    y = F.gumbel_softmax(ddp.tensor(logits), tau=0.7)
    np.testing.assert_allclose(y.numpy(), _gumbel_reference(logits, 0.7, 11), rtol=1e-12)

    def fn(a):
        ddp.manual_seed(11)
        return F.gumbel_softmax(a, tau=0.7)

    assert gradcheck(fn, logits)


def test_gumbel_softmax_hard_is_one_hot_with_straight_through_gradients():
    logits = sample((5, 4), seed=7)
    w = np.random.default_rng(1).standard_normal((5, 4))
    grads = []
    for hard in (True, False):
        x = ddp.tensor(logits, requires_grad=True)
        ddp.manual_seed(2)
        y = F.gumbel_softmax(x, tau=0.5, hard=hard)
        (y * ddp.tensor(w)).sum().backward()
        grads.append(x.grad.numpy())
        if hard:
            soft = _gumbel_reference(logits, 0.5, 2)
            np.testing.assert_array_equal(y.detach().numpy(), np.eye(4)[soft.argmax(-1)])
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
    ddp.manual_seed(2)
    y0 = F.gumbel_softmax(ddp.tensor(logits.T.copy()), hard=True, dim=0)
    np.testing.assert_array_equal(y0.numpy().sum(0), np.ones(5))
    assert F.gumbel_softmax(ddp.randn(3, 4), hard=True).dtype == np.float32


# -------------------------------------------------------------------------------------------- pdist
def _pdist_reference(x, p):
    i, j = np.triu_indices(len(x), 1)
    a = np.abs(x[i] - x[j])
    if p == math.inf:
        return a.max(-1, initial=0)
    if p == 0:
        return (a != 0).sum(-1).astype(x.dtype)
    return (a ** p).sum(-1) ** (1 / p)


@pytest.mark.parametrize("p", [0.0, 1.0, 1.5, 2.0, 3.0, math.inf])
def test_pdist_values_and_gradients(p):
    torch = pytest.importorskip("torch")
    x = sample((6, 3), seed=8)
    np.testing.assert_allclose(F.pdist(ddp.tensor(x), p).numpy(), _pdist_reference(x, p), rtol=1e-12)
    assert gradcheck(lambda a: F.pdist(a, p), x)
    against_torch(lambda a: F.pdist(a, p), lambda a: torch.pdist(a, p), x)


def test_pdist_zero_distances_and_sizes_match_torch():
    torch = pytest.importorskip("torch")
    x = sample((4, 3), seed=9)
    x[2] = x[0]  # a zero distance, whose gradient torch takes as 0
    x[3, 1] = x[1, 1]  # a zero difference in one coordinate
    for p in (0.5, 1.0, 2.0, 3.0, math.inf):
        against_torch(lambda a: F.pdist(a, p), lambda a: torch.pdist(a, p), x)
    assert F.pdist(ddp.randn(1, 3)).shape == (0,) and F.pdist(ddp.randn(0, 3)).shape == (0,)
    y = F.pdist(ddp.randn(5, 2))
    assert y.shape == (10,) and y.dtype == np.float32


def test_pdist_errors():
    with pytest.raises(RuntimeError, match="2-D"):
        F.pdist(ddp.randn(2, 3, 4))
    with pytest.raises(RuntimeError, match="non-negative"):
        F.pdist(ddp.randn(3, 4), -1)
    with pytest.raises(RuntimeError, match="floating point"):
        F.pdist(ddp.tensor([[1, 2], [3, 4]]))
