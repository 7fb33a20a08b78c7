"""More losses and distances: smooth L1 / Huber, KL divergence, soft margins, Poisson and Gaussian NLL, the
embedding losses, cosine similarity and pairwise distance. Numpy references, float64 gradchecks, torch
parity of values and of every input's gradient, torch's errors."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F

gradcheck = ddp.autograd.gradcheck
REDUCTIONS = ["mean", "sum", "none"]


def _signs(shape, seed):
    return np.random.default_rng(seed).choice([-1.0, 1.0], shape)


def _off_kink(d, kink, gap=0.1):
    """d moved at least `gap` away from +-kink (and from 0), keeping its sign."""
    a = np.abs(d)
    for k in (0.0, kink):
        a = np.where(np.abs(a - k) < gap, k + gap + np.abs(a - k), a)
    return np.sign(d + (d == 0)) * a


def _case(name, seed=0):
    """(ddp fn, torch fn name, arrays, which arrays are differentiable) for loss `name` (float64 arrays)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 3))
    if name == "smooth_l1":
        y = rng.standard_normal((4, 3))
        y = x - _off_kink(x - y, 0.5)
        return dict(kw=dict(beta=0.5)), [x, y], [True, True]
    if name == "huber":
        y = rng.standard_normal((4, 3))
        y = x - _off_kink(x - y, 0.7)
        return dict(kw=dict(delta=0.7)), [x, y], [True, True]
    if name == "kl_div":
        p = rng.dirichlet(np.ones(3), 4)
        return dict(kw=dict()), [np.log(rng.dirichlet(np.ones(3), 4)), p], [True, True]
    if name == "kl_div_log":
        p = np.log(rng.dirichlet(np.ones(3), 4))
        return dict(kw=dict(log_target=True), fn="kl_div"), [np.log(rng.dirichlet(np.ones(3), 4)), p], [True, True]
    if name == "soft_margin":
        return dict(kw=dict()), [x, _signs((4, 3), seed)], [True, False]
    if name == "multilabel_soft_margin":
        return dict(kw=dict(), weight=rng.uniform(0.5, 2, 3)), [x, rng.integers(0, 2, (4, 3)) * 1.0], [True, False]
    if name == "poisson_nll":
        return dict(kw=dict()), [x, rng.poisson(2.0, (4, 3)) * 1.0], [True, False]
    if name == "poisson_nll_full":
        rate = rng.uniform(0.5, 3, (4, 3))
        return (dict(kw=dict(log_input=False, full=True), fn="poisson_nll"),
                [rate, rng.poisson(2.0, (4, 3)) * 1.0], [True, False])
    if name == "gaussian_nll":
        return dict(kw=dict(full=True)), [x, rng.standard_normal((4, 3)), rng.uniform(0.5, 2, (4, 1))], [True] * 3
    if name == "hinge_embedding":
        d = _off_kink(rng.uniform(0.0, 2.0, (4, 3)), 1.0)
        return dict(kw=dict(margin=1.0)), [np.abs(d), _signs((4, 3), seed)], [True, False]
    if name == "margin_ranking":
        a, b = rng.standard_normal(6), rng.standard_normal(6)
        t = _signs(6, seed)
        b = a + t * _off_kink(b - a + 0.2 * t, 0.2) - 0.2 * t  # keep -t (a - b) + 0.2 off 0
        return dict(kw=dict(margin=0.2)), [a, b, t], [True, True, False]
    if name == "cosine_embedding":
        return (dict(kw=dict(margin=0.1)), [x, rng.standard_normal((4, 3)), _signs(4, seed)], [True, True, False])
    if name == "triplet_margin":
        return (dict(kw=dict(margin=0.5, swap=True)),
                [x, rng.standard_normal((4, 3)), rng.standard_normal((4, 3))], [True, True, True])
    raise KeyError(name)


NAMES = ["smooth_l1", "huber", "kl_div", "kl_div_log", "soft_margin", "multilabel_soft_margin", "poisson_nll",
         "poisson_nll_full", "gaussian_nll", "hinge_embedding", "margin_ranking", "cosine_embedding",
         "triplet_margin"]


def _call(lib, name, spec, tensors, reduction):
    """The loss `name` from `lib` (ddp's F or torch's) on `tensors`, with the case's settings."""
    base = spec.get("fn", name)
    fn = getattr(lib, base if base == "kl_div" else base + "_loss")
    kw = dict(spec["kw"], reduction=reduction)
    if "weight" in spec:
        kw["weight"] = type(tensors[0])(spec["weight"]).to(tensors[0].dtype)
    return fn(*tensors, **kw)


pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck(name, reduction):
    spec, arrays, diff = _case(name)
    xs = tuple(ddp.tensor(a, dtype=ddp.float64, requires_grad=d) for a, d in zip(arrays, diff))
    assert gradcheck(lambda *t: _call(F, name, spec, t, reduction), xs)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_torch_parity_values_and_grads(name, reduction):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF
    spec, arrays, diff = _case(name, seed=1)
    arrays = [a.astype(np.float32) for a in arrays]
    xs = [ddp.tensor(a, requires_grad=d) for a, d in zip(arrays, diff)]
    ts = [torch.tensor(a, requires_grad=d) for a, d in zip(arrays, diff)]
    out, tout = _call(F, name, spec, xs, reduction), _call(TF, name, spec, ts, reduction)
    assert out.dtype == ddp.float32 and tuple(out.shape) == tuple(tout.shape)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = np.random.default_rng(2).standard_normal(tuple(out.shape)).astype(np.float32)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    for x, t, d in zip(xs, ts, diff):
        if d:
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_batchmean_torch(log_target):
    torch = pytest.importorskip("torch")
    spec, arrays, _ = _case("kl_div_log" if log_target else "kl_div", seed=3)
    x, t = (a.astype(np.float32) for a in arrays)
    xs, ts = [ddp.tensor(x, requires_grad=True), ddp.tensor(t, requires_grad=True)], [
        torch.tensor(x, requires_grad=True), torch.tensor(t, requires_grad=True)]
    out = F.kl_div(*xs, reduction="batchmean", log_target=log_target)
    tout = torch.nn.functional.kl_div(*ts, reduction="batchmean", log_target=log_target)
    np.testing.assert_allclose(out.item(), tout.item(), rtol=1e-5)
    out.backward()
    tout.backward()
    for a, b in zip(xs, ts):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_class_losses_k_dim_weighted_torch(reduction):
    """Cross entropy with soft targets, weights and smoothing, and NLL with weights and ignore_index, on
    (N, C, d1, d2) inputs."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 4, 3, 2)).astype(np.float32)
    probs = rng.dirichlet(np.ones(4), (2, 3, 2)).transpose(0, 3, 1, 2).astype(np.float32)
    t = rng.integers(0, 4, (2, 3, 2))
    t[0, 0, 0] = 2  # ignored below
    w = rng.uniform(0.5, 2, 4).astype(np.float32)
    cases = [
        (lambda lib, a, T: lib.cross_entropy(a, T(probs), T(w), reduction=reduction, label_smoothing=0.2)),
        (lambda lib, a, T: lib.nll_loss(lib.log_softmax(a, 1), T(t), T(w), ignore_index=2, reduction=reduction)),
        (lambda lib, a, T: lib.cross_entropy(a, T(t), T(w), ignore_index=2, reduction=reduction,
                                             label_smoothing=0.1)),
    ]
    for case in cases:
        a, ta = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, tout = case(F, a, ddp.tensor), case(torch.nn.functional, ta, torch.tensor)
        np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
        out.sum().backward()
        tout.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-4, atol=1e-6)


# -------------------------------------------------------------------------------- numpy references
def test_smooth_l1_and_huber_reference():
    d = np.array([-3.0, -0.4, 0.0, 0.2, 0.9, 2.5], np.float32)
    x, y = ddp.tensor(d), ddp.zeros(6)
    beta = 0.5
    ref = np.where(np.abs(d) < beta, 0.5 * d * d / beta, np.abs(d) - 0.5 * beta)
    np.testing.assert_allclose(F.smooth_l1_loss(x, y, reduction="none", beta=beta).numpy(), ref, rtol=1e-6)
    np.testing.assert_allclose(F.smooth_l1_loss(x, y, beta=0.0).item(), np.abs(d).mean(), rtol=1e-6)  # L1
    np.testing.assert_allclose(F.huber_loss(x, y, delta=beta).item(), (beta * ref).mean(), rtol=1e-6)
    w = np.arange(1, 7, dtype=np.float32)
    np.testing.assert_allclose(F.huber_loss(x, y, reduction="sum", weight=ddp.tensor(w), delta=beta).item(),
                               (w * beta * ref).sum(), rtol=1e-6)
    xd = ddp.tensor(d, requires_grad=True)
    F.smooth_l1_loss(xd, y, reduction="sum", beta=0.0).backward()
    np.testing.assert_array_equal(xd.grad.numpy(), np.sign(d))


def test_kl_div_reference_and_batchmean():
    rng = np.random.default_rng(3)
    q = rng.dirichlet(np.ones(4), 5).astype(np.float32)
    p = rng.dirichlet(np.ones(4), 5).astype(np.float32)
    p[0, 1] = 0.0  # 0 log 0 counts as 0
    terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1)) - np.log(q)), 0.0)
    logq, pt = ddp.tensor(np.log(q)), ddp.tensor(p)
    np.testing.assert_allclose(F.kl_div(logq, pt, reduction="none").numpy(), terms, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(F.kl_div(logq, pt, reduction="batchmean").item(), terms.sum() / 5, rtol=1e-5)
    with pytest.warns(UserWarning, match="batchmean"):
        np.testing.assert_allclose(F.kl_div(logq, pt).item(), terms.mean(), rtol=1e-5)
    same = F.kl_div(logq, ddp.tensor(np.log(np.where(p > 0, p, 1e-30))), reduction="batchmean", log_target=True)
    np.testing.assert_allclose(same.item(), terms.sum() / 5, rtol=1e-4)
    assert nn.KLDivLoss(reduction="batchmean")(logq, pt).item() == pytest.approx(terms.sum() / 5, rel=1e-5)


def test_poisson_and_gaussian_reference():
    x = np.array([0.5, -0.2, 1.3], np.float32)
    t = np.array([0.0, 1.0, 4.0], np.float32)
    ref = np.exp(x) - t * x
    np.testing.assert_allclose(F.poisson_nll_loss(ddp.tensor(x), ddp.tensor(t), reduction="none").numpy(), ref,
                               rtol=1e-6)
    stirling = np.where(t > 1, t * np.log(np.maximum(t, 1)) - t + 0.5 * np.log(2 * np.pi * np.maximum(t, 1)), 0)
    full = F.poisson_nll_loss(ddp.tensor(x), ddp.tensor(t), full=True, reduction="sum").item()
    np.testing.assert_allclose(full, (ref + stirling).sum(), rtol=1e-6)
    var = np.array([0.5, 1e-9, 2.0], np.float32)  # 1e-9 is clamped to eps
    mu = np.zeros(3, np.float32)
    v = np.maximum(var, 1e-6)
    ref = 0.5 * (np.log(v) + (t - mu) ** 2 / v)
    got = F.gaussian_nll_loss(ddp.tensor(mu), ddp.tensor(t), ddp.tensor(var), reduction="none").numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-5)
    assert F.gaussian_nll_loss(ddp.tensor(mu), ddp.tensor(t), 2.0, full=True).item() == pytest.approx(
        (0.5 * (np.log(2.0) + t ** 2 / 2.0) + 0.5 * math.log(2 * math.pi)).mean(), rel=1e-6)


def test_embedding_losses_reference():
    a = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]], np.float32)
    b = np.array([[1.0, 0.0], [-1.0, 1.0], [1.0, 1.0]], np.float32)
    y = np.array([1.0, -1.0, -1.0], np.float32)
    cos = (a * b).sum(1) / np.sqrt((a * a).sum(1) * (b * b).sum(1))
    ref = np.where(y == 1, 1 - cos, np.maximum(cos - 0.1, 0))
    got = F.cosine_embedding_loss(ddp.tensor(a), ddp.tensor(b), ddp.tensor(y), margin=0.1, reduction="none")
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(F.cosine_similarity(ddp.tensor(a), ddp.tensor(b)).numpy(), cos, rtol=1e-6)
    dist = np.sqrt(((a - b + 1e-6) ** 2).sum(1))
    np.testing.assert_allclose(F.pairwise_distance(ddp.tensor(a), ddp.tensor(b)).numpy(), dist, rtol=1e-6)
    np.testing.assert_allclose(nn.PairwiseDistance(p=1.0, keepdim=True)(ddp.tensor(a), ddp.tensor(b)).numpy(),
                               np.abs(a - b + 1e-6).sum(1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(F.normalize(ddp.tensor(a)).numpy(), a / np.linalg.norm(a, axis=1, keepdims=True),
                               rtol=1e-6)
    x1, x2 = np.array([0.3, -0.5, 2.0], np.float32), np.array([0.1, 0.4, 1.0], np.float32)
    got = F.margin_ranking_loss(ddp.tensor(x1), ddp.tensor(x2), ddp.tensor(y), margin=0.2, reduction="none")
    np.testing.assert_allclose(got.numpy(), np.maximum(0, -y * (x1 - x2) + 0.2), rtol=1e-6)
    got = F.hinge_embedding_loss(ddp.tensor(x1), ddp.tensor(y), margin=1.0, reduction="none")
    np.testing.assert_allclose(got.numpy(), np.where(y == 1, x1, np.maximum(0, 1 - x1)), rtol=1e-6)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, math.inf])
def test_pairwise_distance_and_similarity_torch(p):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((5, 4)).astype(np.float32), rng.standard_normal((1, 4)).astype(np.float32)
    for fn, args in ((F.pairwise_distance, dict(p=p)), (F.cosine_similarity, dict(dim=1)),
                     (F.normalize, dict(p=p, dim=1))):
        xa, xb = ddp.tensor(a, requires_grad=True), ddp.tensor(b, requires_grad=True)
        ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        tfn = getattr(torch.nn.functional, fn.__name__)
        if fn is F.normalize:
            out, tout = fn(xa, **args), tfn(ta, **args)
        else:
            out, tout = fn(xa, xb, **args), tfn(ta, tb, **args)
        np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
        out.sum().backward()
        tout.sum().backward()
        np.testing.assert_allclose(xa.grad.numpy(), ta.grad.numpy(), rtol=1e-4, atol=1e-6)
        if fn is not F.normalize:
            np.testing.assert_allclose(xb.grad.numpy(), tb.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("p", [1.0, 3.0])
def test_distance_gradcheck(p):
    rng = np.random.default_rng(5)
    a = ddp.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = ddp.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda u, v: F.pairwise_distance(u, v, p=p), (a, b))
    assert gradcheck(lambda u, v: F.cosine_similarity(u, v, dim=0), (a, b))
    assert gradcheck(lambda u: F.normalize(u, p=p, dim=1), (a,))


# ------------------------------------------------------------------------------------ modules
def test_modules_match_functional_and_hold_options():
    rng = np.random.default_rng(6)
    x = ddp.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    y = ddp.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    assert nn.SmoothL1Loss(beta=0.3)(x, y).item() == pytest.approx(F.smooth_l1_loss(x, y, beta=0.3).item())
    assert nn.HuberLoss(delta=0.3, reduction="sum")(x, y).item() == pytest.approx(
        F.huber_loss(x, y, reduction="sum", delta=0.3).item())
    s = ddp.tensor(np.sign(y.numpy()))
    assert nn.SoftMarginLoss()(x, s).item() == pytest.approx(F.soft_margin_loss(x, s).item())
    w = ddp.tensor([1.0, 2.0, 0.5])
    m = nn.MultiLabelSoftMarginLoss(weight=w)
    assert list(m.state_dict()) == ["weight"]
    assert m(x, (s > 0).float()).item() == pytest.approx(F.multilabel_soft_margin_loss(x, (s > 0).float(), w).item())
    assert nn.PoissonNLLLoss()(x, y.abs()).item() == pytest.approx(F.poisson_nll_loss(x, y.abs()).item())
    var = x.abs() + 0.1
    assert nn.GaussianNLLLoss()(x, y, var).item() == pytest.approx(F.gaussian_nll_loss(x, y, var).item())
    assert nn.HingeEmbeddingLoss(margin=2.0)(x.abs(), s).item() == pytest.approx(
        F.hinge_embedding_loss(x.abs(), s, margin=2.0).item())
    t = ddp.tensor([1.0, -1.0, 1.0, -1.0])
    assert nn.CosineEmbeddingLoss(margin=0.2)(x, y, t).item() == pytest.approx(
        F.cosine_embedding_loss(x, y, t, margin=0.2).item())
    assert nn.MarginRankingLoss(margin=0.1)(x[:, 0], y[:, 0], t).item() == pytest.approx(
        F.margin_ranking_loss(x[:, 0], y[:, 0], t, margin=0.1).item())
    assert nn.TripletMarginLoss(margin=0.5, p=1.0)(x, y, -y).item() == pytest.approx(
        F.triplet_margin_loss(x, y, -y, margin=0.5, p=1.0).item())
    np.testing.assert_allclose(nn.CosineSimilarity(dim=0)(x, y).numpy(), F.cosine_similarity(x, y, dim=0).numpy())


def test_legacy_size_average_and_reduce():
    x, y = ddp.tensor([1.0, 2.0]), ddp.tensor([0.0, 0.0])
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert F.smooth_l1_loss(x, y, False).item() == pytest.approx(0.5 + 1.5)
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert tuple(nn.MSELoss(reduce=False)(x, y).shape) == (2,)
    with pytest.raises(TypeError, match="reduction="):
        nn.BCEWithLogitsLoss(None, "sum")  # ddp's old positional order: reduction is not size_average


# ------------------------------------------------------------------------------------- errors
def test_errors_name_the_op():
    x = ddp.randn(4, 3)
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        F.huber_loss(x, x, delta=0.0)
    with pytest.raises(ValueError, match=r"huber_loss: weights and input must have the same size"):
        F.huber_loss(x, x, weight=ddp.ones(3))
    with pytest.raises(RuntimeError, match=r"smooth_l1_loss: shapes \(4, 3\), \(2,\)"):
        with pytest.warns(UserWarning, match="different to the input size"):
            F.smooth_l1_loss(x, ddp.randn(2))
    with pytest.raises(ValueError, match="kl_div: reduction must be"):
        F.kl_div(x, x, reduction="bad")
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.KLDivLoss(reduction="bad")
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(x, x, ddp.ones(4, 2))
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(x, x, -ddp.ones(4, 3))
    with pytest.raises(RuntimeError, match="multi-target not supported"):
        F.cosine_embedding_loss(x, x, ddp.ones(4, 1))
    with pytest.raises(RuntimeError, match="1D target tensor expects 2D input tensors"):
        F.cosine_embedding_loss(ddp.randn(4, 3, 2), ddp.randn(4, 3, 2), ddp.ones(4))
    with pytest.raises(RuntimeError, match="margin_ranking_loss: all input tensors should have the same dim"):
        F.margin_ranking_loss(ddp.randn(4), ddp.randn(4), ddp.ones(4, 1))
    with pytest.raises(RuntimeError, match="anchor 2D, positive 2D, and negative 1D"):
        F.triplet_margin_loss(x, x, ddp.randn(3))
    with pytest.raises(RuntimeError, match="cosine_similarity: shapes"):
        F.cosine_similarity(x, ddp.randn(2), dim=-1)
    with pytest.raises(IndexError, match="normalize: Dimension out of range"):
        F.normalize(x, dim=2)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_binary_and_huber_losses_torch(reduction):
    """BCE / BCE-with-logits with a per-class weight broadcast over (N, C), pos_weight, and Huber's weight."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    x = (rng.standard_normal((4, 3)) * 2).astype(np.float32)
    p = rng.uniform(0.05, 0.95, (4, 3)).astype(np.float32)
    y = rng.random((4, 3)).astype(np.float32)
    w = rng.uniform(0.5, 2, 3).astype(np.float32)
    pw = rng.uniform(0.5, 3, 3).astype(np.float32)
    cases = [
        (lambda lib, a, T: lib.binary_cross_entropy(a, T(y), T(w), reduction=reduction), p),
        (lambda lib, a, T: lib.binary_cross_entropy_with_logits(a, T(y), T(w), reduction=reduction,
                                                                 pos_weight=T(pw)), x),
        (lambda lib, a, T: lib.huber_loss(a, T(y), reduction=reduction, delta=0.5, weight=T(w * y)), x),
    ]
    for case, data in cases:
        a, ta = ddp.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        out, tout = case(F, a, ddp.tensor), case(torch.nn.functional, ta, torch.tensor)
        np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
        out.sum().backward()
        tout.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-4, atol=1e-6)
