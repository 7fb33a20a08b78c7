"""Losses: numpy references, float64 gradchecks, torch parity of values and gradients, argument errors."""
import itertools

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F

gradcheck = ddp.autograd.gradcheck
rng = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]


def targets(shape, n_classes, ignore=None):
    t = rng.integers(0, n_classes, size=shape)
    if ignore is not None:
        t[rng.random(shape) < 0.3] = ignore
        t.flat[0], t.flat[-1] = 0, ignore  # at least one real and one ignored target
    return t


def torch_loss_parity(fn, tfn, x, *args, targs=None, rtol=1e-5, atol=1e-6):
    """Compare fn(x, *args) with tfn(xt, *targs) and their input gradients (for a random upstream grad)."""
    torch = pytest.importorskip("torch")
    xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = fn(xd, *args), tfn(xt, *(targs if targs is not None else args))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=rtol, atol=atol)
    assert out.dtype == np.float32 and tuple(out.shape) == tuple(tout.shape)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------------------------- cross entropy
def test_cross_entropy_numpy_reference():
    x = rng.standard_normal((5, 4)).astype(np.float32)
    t = targets(5, 4)
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    nll = -logp[np.arange(5), t]
    np.testing.assert_allclose(F.cross_entropy(ddp.tensor(x), ddp.tensor(t)).item(), nll.mean(), rtol=1e-6)
    np.testing.assert_allclose(F.cross_entropy(ddp.tensor(x), ddp.tensor(t), reduction="none").numpy(), nll, rtol=1e-6)
    w = np.array([1.0, 2.0, 0.5, 3.0], np.float32)
    np.testing.assert_allclose(F.cross_entropy(ddp.tensor(x), ddp.tensor(t), weight=ddp.tensor(w)).item(),
                               (w[t] * nll).sum() / w[t].sum(), rtol=1e-6)
    big = np.array([[1000.0, 0.0, -1000.0]], np.float32)  # stable for huge logits
    assert np.isfinite(F.cross_entropy(ddp.tensor(big), ddp.tensor([2])).item())


CE_CASES = list(itertools.product(
    [(6, 5), (3, 4, 2, 3)], REDUCTIONS, [False, True], [None, 1], [0.0, 0.2]))


@pytest.mark.parametrize("shape, reduction, weighted, ignore, smoothing", CE_CASES)
def test_cross_entropy_torch(shape, reduction, weighted, ignore, smoothing):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(shape).astype(np.float32) * 2
    t = targets((shape[0],) + shape[2:], shape[1], ignore)
    ignore_index = -100 if ignore is None else ignore
    w = rng.uniform(0.5, 2, shape[1]).astype(np.float32) if weighted else None
    kwargs = dict(ignore_index=ignore_index, reduction=reduction, label_smoothing=smoothing)
    torch_loss_parity(
        lambda xd: F.cross_entropy(xd, ddp.tensor(t), weight=None if w is None else ddp.tensor(w), **kwargs),
        lambda xt: torch.nn.functional.cross_entropy(xt, torch.tensor(t), weight=None if w is None else torch.tensor(w), **kwargs),
        x,
    )


@pytest.mark.parametrize("reduction, smoothing", [("mean", 0.0), ("mean", 0.3), ("none", 0.1), ("sum", 0.0)])
def test_cross_entropy_gradcheck(reduction, smoothing):
    x = ddp.tensor(rng.standard_normal((4, 3, 2)), dtype=ddp.float64, requires_grad=True)
    t = ddp.tensor(targets((4, 2), 3, ignore=2))
    w = ddp.tensor([0.5, 1.5, 2.0], dtype=ddp.float64)
    assert gradcheck(lambda x: F.cross_entropy(x, t, weight=w, ignore_index=2, reduction=reduction,
                                               label_smoothing=smoothing), (x,))
    assert gradcheck(lambda x: F.cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing), (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_gradcheck_unweighted_with_ignored_rows(reduction):
    """The usual call's lean path (no weights, no smoothing) with some targets ignored, 2-D and 4-D."""
    for shape in ((6, 4), (2, 4, 3, 1)):
        x = ddp.tensor(rng.standard_normal(shape), dtype=ddp.float64, requires_grad=True)
        t = ddp.tensor(targets((shape[0],) + shape[2:], shape[1], ignore=1))
        assert gradcheck(lambda x: F.cross_entropy(x, t, ignore_index=1, reduction=reduction), (x,))


def test_cross_entropy_probability_targets():
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 5, 3)).astype(np.float32)
    p = rng.random((4, 5, 3)).astype(np.float32)
    p /= p.sum(1, keepdims=True)
    w = rng.uniform(0.5, 2, 5).astype(np.float32)
    for reduction, smoothing in [("mean", 0.0), ("sum", 0.1), ("none", 0.0)]:
        torch_loss_parity(
            lambda xd: F.cross_entropy(xd, ddp.tensor(p), weight=ddp.tensor(w), reduction=reduction, label_smoothing=smoothing),
            lambda xt: torch.nn.functional.cross_entropy(xt, torch.tensor(p), weight=torch.tensor(w), reduction=reduction,
                                                         label_smoothing=smoothing),
            x,
        )
    x64 = ddp.tensor(x, dtype=ddp.float64, requires_grad=True)
    p64 = ddp.tensor(p, dtype=ddp.float64, requires_grad=True)
    assert gradcheck(lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1), (x64, p64))


def test_cross_entropy_unbatched_and_all_ignored():
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(4).astype(np.float32)
    for reduction in REDUCTIONS:
        torch_loss_parity(lambda xd: F.cross_entropy(xd, ddp.tensor(2), reduction=reduction),
                          lambda xt: torch.nn.functional.cross_entropy(xt, torch.tensor(2), reduction=reduction), x)
    out = F.cross_entropy(ddp.randn(2, 3), ddp.tensor([-100, -100]))
    assert np.isnan(out.item())  # 0 / 0, as PyTorch


def test_cross_entropy_errors_name_shapes():
    x = ddp.randn(4, 3)
    with pytest.raises(RuntimeError, match=r"float32.*\(4,\)"):
        F.cross_entropy(x, ddp.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match=r"target of shape \(4,\).*\(4, 3\).*\(3,\)"):
        F.cross_entropy(x, ddp.tensor([0, 1, 2]))
    with pytest.raises(IndexError, match=r"target 3 is out of bounds for 3 classes"):
        F.cross_entropy(x, ddp.tensor([0, 1, 3, 1]))
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(x, ddp.tensor([0, -1, 2, 1]))
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(x, ddp.tensor([0, 1, 2, 1]), reduction="avg")
    with pytest.raises(RuntimeError, match="label_smoothing"):
        F.cross_entropy(x, ddp.tensor([0, 1, 2, 1]), label_smoothing=1.5)
    with pytest.raises(RuntimeError, match=r"weight has shape \(2,\)"):
        F.cross_entropy(x, ddp.tensor([0, 1, 2, 1]), weight=ddp.ones(2))
    with pytest.raises(ValueError, match="reduction"):
        nn.CrossEntropyLoss(reduction="bad")


def test_cross_entropy_module_and_weight_buffer():
    torch = pytest.importorskip("torch")
    w = np.array([1.0, 2.0, 3.0], np.float32)
    loss, tloss = nn.CrossEntropyLoss(weight=ddp.tensor(w), label_smoothing=0.1), torch.nn.CrossEntropyLoss(
        weight=torch.tensor(w), label_smoothing=0.1)
    assert list(loss.state_dict()) == list(tloss.state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    x, t = rng.standard_normal((5, 3)).astype(np.float32), targets(5, 3)
    torch_loss_parity(lambda xd: loss(xd, ddp.tensor(t)), lambda xt: tloss(xt, torch.tensor(t)), x)


# ---------------------------------------------------------------------------------------------- NLL
@pytest.mark.parametrize("reduction, weighted", list(itertools.product(REDUCTIONS, [False, True])))
def test_nll_loss_torch_and_gradcheck(reduction, weighted):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 3, 2)).astype(np.float32)
    t = targets((4, 2), 3, ignore=1)
    w = rng.uniform(0.5, 2, 3).astype(np.float32) if weighted else None
    torch_loss_parity(
        lambda xd: nn.NLLLoss(None if w is None else ddp.tensor(w), ignore_index=1, reduction=reduction)(xd, ddp.tensor(t)),
        lambda xt: torch.nn.NLLLoss(None if w is None else torch.tensor(w), ignore_index=1, reduction=reduction)(xt, torch.tensor(t)),
        x,
    )
    x64 = ddp.tensor(x, dtype=ddp.float64, requires_grad=True)
    assert gradcheck(lambda a: F.nll_loss(a, ddp.tensor(t), ignore_index=1, reduction=reduction), (x64,))


def test_nll_of_log_softmax_equals_cross_entropy():
    x, t = ddp.randn(6, 4), ddp.tensor(targets(6, 4))
    np.testing.assert_allclose(F.nll_loss(F.log_softmax(x, 1), t).item(), F.cross_entropy(x, t).item(), rtol=1e-6)


# ------------------------------------------------------------------------------------ regression
@pytest.mark.parametrize("name, ref", [("MSELoss", lambda d: d * d), ("L1Loss", np.abs)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_l1(name, ref, reduction):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    y = rng.standard_normal((3, 4)).astype(np.float32)
    out = getattr(nn, name)(reduction=reduction)(ddp.tensor(x), ddp.tensor(y))
    want = ref((x - y).astype(np.float64))
    want = want.mean() if reduction == "mean" else want.sum() if reduction == "sum" else want
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5)
    a = ddp.tensor(x, dtype=ddp.float64, requires_grad=True)
    b = ddp.tensor(y, dtype=ddp.float64, requires_grad=True)
    assert gradcheck(lambda a, b: getattr(nn, name)(reduction=reduction)(a, b), (a, b))
    torch = pytest.importorskip("torch")
    torch_loss_parity(lambda xd: getattr(nn, name)(reduction=reduction)(xd, ddp.tensor(y)),
                      lambda xt: getattr(torch.nn, name)(reduction=reduction)(xt, torch.tensor(y)), x)
    with pytest.raises(RuntimeError, match=r"shapes \(3, 4\), \(3,\) cannot be broadcast"), \
            pytest.warns(UserWarning, match="different to the input size"):
        getattr(nn, name)()(ddp.tensor(x), ddp.zeros(3))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("shapes", [((4, 1), (4,)), ((), (1,)), ((1,), ()), ((2, 3), (3,))])
def test_mse_l1_broadcast_a_target_of_another_shape_with_a_warning(name, shapes):
    """As PyTorch (a critic's (N, 1) values against (N,) returns): the loss broadcasts and warns."""
    x = rng.standard_normal(shapes[0]).astype(np.float64)
    y = rng.standard_normal(shapes[1]).astype(np.float64)
    with pytest.warns(UserWarning, match=r"Using a target size .* different to the input size"):
        out = getattr(F, name)(ddp.tensor(x), ddp.tensor(y), reduction="none")
    want = (x - y) ** 2 if name == "mse_loss" else np.abs(x - y)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-12)
    a = ddp.tensor(x, requires_grad=True)
    with pytest.warns(UserWarning):
        assert gradcheck(lambda a: getattr(F, name)(a, ddp.tensor(y)), (a,))
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning):
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(y))
    with pytest.warns(UserWarning):
        np.testing.assert_allclose(getattr(F, name)(ddp.tensor(x), ddp.tensor(y)).item(), theirs.item(), rtol=1e-12)


# -------------------------------------------------------------------------------------------- BCE
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted, pos_weighted", [(False, False), (True, False), (False, True), (True, True)])
def test_bce_with_logits(reduction, weighted, pos_weighted):
    torch = pytest.importorskip("torch")
    x = (rng.standard_normal((5, 3)) * 3).astype(np.float32)
    y = rng.random((5, 3)).astype(np.float32)
    w = rng.uniform(0.5, 2, (5, 3)).astype(np.float32) if weighted else None
    pw = rng.uniform(0.5, 3, 3).astype(np.float32) if pos_weighted else None

    def mine(xd):
        return nn.BCEWithLogitsLoss(None if w is None else ddp.tensor(w), reduction=reduction,
                                    pos_weight=None if pw is None else ddp.tensor(pw))(xd, ddp.tensor(y))

    def theirs(xt):
        return torch.nn.BCEWithLogitsLoss(None if w is None else torch.tensor(w), reduction=reduction,
                                          pos_weight=None if pw is None else torch.tensor(pw))(xt, torch.tensor(y))

    torch_loss_parity(mine, theirs, x)
    a = ddp.tensor(x, dtype=ddp.float64, requires_grad=True)
    b = ddp.tensor(y, dtype=ddp.float64, requires_grad=True)
    pw64 = None if pw is None else ddp.tensor(pw, dtype=ddp.float64)
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pw64, reduction=reduction), (a, b))


def test_bce_with_logits_stable_and_reference():
    x = np.array([-1000.0, -30.0, 0.0, 2.0, 30.0, 1000.0], np.float32)
    y = np.array([1.0, 0.0, 1.0, 0.5, 1.0, 0.0], np.float32)
    xd = ddp.tensor(x, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(xd, ddp.tensor(y), reduction="none")
    x64 = x.astype(np.float64)
    ref = np.maximum(x64, 0) - x64 * y + np.log1p(np.exp(-np.abs(x64)))
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-6, atol=1e-6)
    out.sum().backward()
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(xd.grad.numpy(), 1 / (1 + np.exp(-x64)) - y, atol=1e-7)


def test_bce_probabilities_torch():
    torch = pytest.importorskip("torch")
    p = rng.uniform(0.05, 0.95, (4, 3)).astype(np.float32)
    y = (rng.random((4, 3)) > 0.5).astype(np.float32)
    for reduction in REDUCTIONS:
        torch_loss_parity(lambda xd: nn.BCELoss(reduction=reduction)(xd, ddp.tensor(y)),
                          lambda xt: torch.nn.BCELoss(reduction=reduction)(xt, torch.tensor(y)), p)
    assert np.isfinite(F.binary_cross_entropy(ddp.tensor([0.0, 1.0]), ddp.tensor([1.0, 0.0])).item())
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ddp.tensor([1.5]), ddp.tensor([1.0]))


def test_bce_gradcheck_and_edges():
    torch = pytest.importorskip("torch")
    p = ddp.tensor(rng.uniform(0.1, 0.9, (3, 2)), dtype=ddp.float64, requires_grad=True)
    y = ddp.tensor(rng.random((3, 2)), dtype=ddp.float64, requires_grad=True)
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b), (p, y))
    edge = np.array([0.0, 1.0, 0.5], np.float32)
    yy = np.array([1.0, 0.0, 1.0], np.float32)
    torch_loss_parity(lambda xd: F.binary_cross_entropy(xd, ddp.tensor(yy), reduction="none"),
                      lambda xt: torch.nn.functional.binary_cross_entropy(xt, torch.tensor(yy), reduction="none"), edge)
