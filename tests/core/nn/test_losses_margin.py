"""MultiMarginLoss, MultiLabelMarginLoss and TripletMarginWithDistanceLoss: numpy references, float64
gradchecks (samples kept off the hinges' kinks), torch parity of values and gradients, modules and errors."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from tests.core.op_helpers import against_torch, gradcheck

REDUCTIONS = ["mean", "sum", "none"]


def _off_kinks(shape, margins, seed):
    """Scores whose hinge arguments margin - x[a] + x[b] all stay 0.05 away from zero."""
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        x = rng.standard_normal(shape)
        z = np.asarray(margins)[..., None, None] - x[..., :, None] + x[..., None, :]
        if np.all(np.abs(z) > 0.05):
            return x
    raise AssertionError("no sample off the kinks")


def _multi_margin_reference(x, t, p, margin, w):
    n, c = x.shape
    z = np.maximum(0, margin - x[np.arange(n), t][:, None] + x) ** p
    z[np.arange(n), t] = 0
    if w is not None:
        z = z * w[t][:, None]
    return z.sum(1) / c


@pytest.mark.parametrize("p,margin,weighted", [(1, 1.0, False), (2, 0.5, True), (1, 0.7, True)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin_loss(p, margin, weighted, reduction):
    torch = pytest.importorskip("torch")
    x = _off_kinks((5, 4), margin, seed=1)
    t = np.array([0, 3, 1, 1, 2])
    w = np.random.default_rng(2).uniform(0.5, 2, 4) if weighted else None
    expected = _multi_margin_reference(x, t, p, margin, w)
    expected = {"mean": expected.mean(), "sum": expected.sum(), "none": expected}[reduction]
    ours = F.multi_margin_loss(ddp.tensor(x), ddp.tensor(t), p, margin, None if w is None else ddp.tensor(w),
                               reduction=reduction)
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12)
    wt = None if w is None else torch.tensor(w)
    fn = lambda a: F.multi_margin_loss(a, ddp.tensor(t), p, margin, None if w is None else ddp.tensor(w),  # noqa: E731
                                       reduction=reduction)
    assert gradcheck(fn, x)
    against_torch(fn, lambda a: torch.nn.functional.multi_margin_loss(a, torch.tensor(t), p, margin, wt,
                                                                      reduction=reduction), x)


def test_multi_margin_single_sample_module_and_errors():
    torch = pytest.importorskip("torch")
    x = _off_kinks((4,), 1.0, seed=3)
    for reduction in REDUCTIONS:
        ours = F.multi_margin_loss(ddp.tensor(x), ddp.tensor(2), reduction=reduction)
        theirs = torch.nn.functional.multi_margin_loss(torch.tensor(x), torch.tensor(2), reduction=reduction)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    m = nn.MultiMarginLoss(p=2, weight=ddp.ones(4))
    assert list(m.state_dict()) == ["weight"] and isinstance(m, nn.modules.loss._WeightedLoss)
    x32 = ddp.randn(3, 4)
    assert m(x32, ddp.tensor([0, 1, 2])).dtype == np.float32
    with pytest.raises(ValueError, match="p must be 1 or 2"):
        F.multi_margin_loss(x32, ddp.tensor([0, 1, 2]), p=3)
    with pytest.raises(ValueError, match="p must be 1 or 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(RuntimeError, match="classes in"):
        F.multi_margin_loss(x32, ddp.tensor([0, 1, 4]))
    with pytest.raises(RuntimeError, match="target of shape"):
        F.multi_margin_loss(x32, ddp.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="weight"):
        F.multi_margin_loss(x32, ddp.tensor([0, 1, 2]), weight=ddp.ones(3))
    with pytest.raises(RuntimeError, match="input"):
        F.multi_margin_loss(ddp.randn(2, 3, 4), ddp.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="class indices"):
        F.multi_margin_loss(x32, ddp.tensor([0.0, 1.0, 2.0]))


def _multilabel_reference(x, y):
    n, c = x.shape
    out = np.zeros(n)
    for r in range(n):  # a plain loop: the reference is written the slow, obvious way
        listed = []
        for v in y[r]:
            if v < 0:
                break
            listed.append(v)
        others = [i for i in range(c) if i not in listed]
        out[r] = sum(max(0.0, 1 - (x[r, j] - x[r, i])) for j in listed for i in others) / c
    return out


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss(reduction):
    torch = pytest.importorskip("torch")
    x = _off_kinks((4, 5), 1.0, seed=4)
    y = np.array([[3, 0, -1, 1, 7], [0, 1, 2, 3, 4], [-1, 0, 0, 0, 0], [2, 2, -1, 4, -1]])  # a repeat counts twice
    y[0, 4] = 1
    expected = _multilabel_reference(x, y)
    expected = {"mean": expected.mean(), "sum": expected.sum(), "none": expected}[reduction]
    ours = F.multilabel_margin_loss(ddp.tensor(x), ddp.tensor(y), reduction=reduction)
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12)
    fn = lambda a: F.multilabel_margin_loss(a, ddp.tensor(y), reduction=reduction)  # noqa: E731
    assert gradcheck(fn, x)
    against_torch(fn, lambda a: torch.nn.functional.multilabel_margin_loss(a, torch.tensor(y),
                                                                           reduction=reduction), x)


def test_multilabel_margin_single_sample_module_and_errors():
    torch = pytest.importorskip("torch")
    x, y = _off_kinks((4,), 1.0, seed=5), np.array([3, 0, -1, 1])
    for reduction in REDUCTIONS:
        ours = F.multilabel_margin_loss(ddp.tensor(x), ddp.tensor(y), reduction=reduction)
        theirs = torch.nn.functional.multilabel_margin_loss(torch.tensor(x), torch.tensor(y), reduction=reduction)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    assert nn.MultiLabelMarginLoss(reduction="sum")(ddp.randn(2, 4), ddp.tensor([[1, -1, 0, 0]] * 2)).shape == ()
    with pytest.raises(RuntimeError, match=r"\[0, 4\) or -1"):
        F.multilabel_margin_loss(ddp.randn(3, 4), ddp.tensor([[4, 0, -1, 1]] * 3))
    with pytest.raises(RuntimeError, match=r"\[0, 4\) or -1"):
        F.multilabel_margin_loss(ddp.randn(3, 4), ddp.tensor([[0, -2, 1, 1]] * 3))
    with pytest.raises(RuntimeError, match="target of shape"):
        F.multilabel_margin_loss(ddp.randn(3, 4), ddp.tensor([[0, -1, 1, 1]] * 2))


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_triplet_margin_with_distance_loss(swap, reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    a, p, n = (rng.standard_normal((5, 3)) for _ in range(3))

    def ours(dist):
        return lambda x, y, z: F.triplet_margin_with_distance_loss(x, y, z, distance_function=dist, margin=0.4,
                                                                   swap=swap, reduction=reduction)

    def theirs(dist):
        return lambda x, y, z: torch.nn.functional.triplet_margin_with_distance_loss(
            x, y, z, distance_function=dist, margin=0.4, swap=swap, reduction=reduction)

    against_torch(ours(None), theirs(None), a, p, n)
    assert gradcheck(ours(None), a, p, n)
    cos_ours = lambda x, y: 1 - F.cosine_similarity(x, y)  # noqa: E731
    cos_theirs = lambda x, y: 1 - torch.nn.functional.cosine_similarity(x, y)  # noqa: E731
    against_torch(ours(cos_ours), theirs(cos_theirs), a, p, n)
    expected = np.maximum(0.4 + np.linalg.norm(a - p + 1e-6, axis=1) - np.linalg.norm(a - n + 1e-6, axis=1), 0)
    if not swap:
        got = ours(None)(*(ddp.tensor(v) for v in (a, p, n)))
        np.testing.assert_allclose(got.numpy(), {"mean": expected.mean(), "sum": expected.sum(),
                                                 "none": expected}[reduction], rtol=1e-12)


def test_triplet_with_distance_module_and_errors():
    m = nn.TripletMarginWithDistanceLoss()
    assert isinstance(m.distance_function, nn.PairwiseDistance)
    assert "(distance_function): PairwiseDistance()" in repr(m)
    assert nn.modules.loss.TripletMarginWithDistanceLoss is nn.TripletMarginWithDistanceLoss
    x = ddp.randn(4, 3)
    assert m(x, ddp.randn(4, 3), ddp.randn(4, 3)).dtype == np.float32
    custom = nn.TripletMarginWithDistanceLoss(distance_function=lambda u, v: (u - v).abs().sum(-1), margin=2.0)
    np.testing.assert_allclose(custom(x, x, x).item(), 2.0)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        nn.TripletMarginWithDistanceLoss(margin=0)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_with_distance_loss(x, x, x, margin=-1)
    with pytest.raises(RuntimeError, match="same number of dims"):
        F.triplet_margin_with_distance_loss(x, x, x[0])
    with pytest.raises(ValueError, match="reduction"):
        F.triplet_margin_with_distance_loss(x, x, x, reduction="x")
