"""CTCLoss / F.ctc_loss: a brute-force reference over every alignment, float64 gradchecks of the exact
gradient, torch parity of values and of gradients through log_softmax (and the documented difference of
torch's gradient taken directly), target layouts, lengths, zero_infinity, and errors."""
import itertools

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F

REDUCTIONS = ["none", "sum", "mean"]
# T, N, C = 8, 4, 5; sample 1 has a repeated label, sample 3 an empty target, sample 2 a short input
TARGETS = np.array([[1, 2, 2, 0], [1, 0, 0, 0], [3, 3, 1, 4], [2, 4, 0, 0]])
INPUT_LENGTHS, TARGET_LENGTHS = np.array([8, 5, 7, 6]), np.array([3, 1, 4, 0])


def _log_softmax(z, axis=-1):
    z = z - z.max(axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis, keepdims=True))


def _brute_force(log_probs, target, blank=0):
    """-log of the summed probability of every frame labelling that collapses to `target`."""
    steps, classes = log_probs.shape
    total = 0.0
    for path in itertools.product(range(classes), repeat=steps):
        merged = [c for k, c in enumerate(path) if k == 0 or c != path[k - 1]]
        if [c for c in merged if c != blank] == list(target):
            total += np.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
    return -np.log(total)


def test_matches_a_sum_over_every_alignment():
    rng = np.random.default_rng(0)
    lp = _log_softmax(rng.standard_normal((5, 2, 3)))
    targets = np.array([[1, 1], [2, 1]])
    for blank, lengths in ((0, [2, 2]), (0, [1, 2])):
        ours = F.ctc_loss(ddp.tensor(lp), ddp.tensor(targets), (5, 5), lengths, blank=blank, reduction="none")
        expected = [_brute_force(lp[:, n], targets[n, :lengths[n]], blank) for n in range(2)]
        np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12)
    targets = np.array([[1, 0], [2, 1]])  # blank 2: label 2 is now the blank, labels 0 and 1 the classes
    ours = F.ctc_loss(ddp.tensor(lp), ddp.tensor([[1, 0], [0, 1]]), (4, 5), (2, 2), blank=2, reduction="none")
    expected = [_brute_force(lp[:4, 0], [1, 0], 2), _brute_force(lp[:, 1], [0, 1], 2)]
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradcheck_of_the_exact_gradient(reduction):
    lp = np.random.default_rng(1).standard_normal((8, 4, 5))  # any values: the loss is smooth in log_probs

    def fn(a):
        return F.ctc_loss(a, ddp.tensor(TARGETS), ddp.tensor(INPUT_LENGTHS), ddp.tensor(TARGET_LENGTHS),
                          reduction=reduction)

    assert ddp.autograd.gradcheck(fn, (ddp.tensor(lp, requires_grad=True),))


def _both(logits, targets, input_lengths, target_lengths, **kwargs):
    """Loss and logits gradient (the loss times fixed weights) of ddp and torch, log_softmax applied."""
    torch = pytest.importorskip("torch")
    x, xt = ddp.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    ours = F.ctc_loss(F.log_softmax(x, -1), targets, input_lengths, target_lengths, **kwargs)
    as_torch = [torch.tensor(np.asarray(v)) if isinstance(v, np.ndarray) else v
                for v in (targets, input_lengths, target_lengths)]
    theirs = torch.nn.functional.ctc_loss(xt.log_softmax(-1), *as_torch, **kwargs)
    w = np.random.default_rng(2).standard_normal(tuple(ours.shape))
    (ours * ddp.tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    return ours.detach().numpy(), theirs.detach().numpy(), x.grad.numpy(), xt.grad.numpy()


def _assert_same(ours, theirs, gx, gt, rtol=1e-10):
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(gx, gt, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_matches_torch_padded_and_concatenated(reduction):
    logits = np.random.default_rng(3).standard_normal((8, 4, 5))
    _assert_same(*_both(logits, TARGETS, INPUT_LENGTHS, TARGET_LENGTHS, reduction=reduction))
    concatenated = np.concatenate([TARGETS[n, :TARGET_LENGTHS[n]] for n in range(4)])
    _assert_same(*_both(logits, concatenated, tuple(INPUT_LENGTHS), list(TARGET_LENGTHS), reduction=reduction))
    _assert_same(*_both(logits, np.minimum(TARGETS + 1, 4), INPUT_LENGTHS, TARGET_LENGTHS, reduction=reduction))
    _assert_same(*_both(logits, np.where(TARGETS == 4, 0, TARGETS), INPUT_LENGTHS, TARGET_LENGTHS, blank=4,
                        reduction=reduction))


def test_unbatched_matches_torch():
    torch = pytest.importorskip("torch")
    logits = np.random.default_rng(4).standard_normal((7, 5))
    for reduction in REDUCTIONS:
        _assert_same(*_both(logits, np.array([1, 3, 3]), torch.tensor(7), torch.tensor(3), reduction=reduction))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the test's own sum of +-inf losses
def test_impossible_targets_inf_or_zeroed():
    logits = np.random.default_rng(5).standard_normal((4, 3, 4))
    targets, lengths = np.array([[1, 1, 1]] * 3), np.array([4, 4, 4])  # 1, 1, 1 needs 5 frames
    ours, theirs, gx, gt = _both(logits, targets, lengths, np.array([3, 3, 3]), reduction="none")
    assert np.all(np.isinf(ours)) and np.all(np.isinf(theirs)) and np.all(np.isnan(gx) == np.isnan(gt))
    targets[0] = [1, 2, 3]  # one possible sample among impossible ones
    for reduction in REDUCTIONS:
        _assert_same(*_both(logits, targets, lengths, np.array([3, 3, 3]), reduction=reduction,
                            zero_infinity=True))


def test_direct_gradient_differs_from_torch_by_the_softmax_term():
    """Deliberate: torch's gradient with respect to log_probs adds exp(log_probs) (it assumes a log_softmax
    before it); ours is the true derivative, which gradcheck confirms above."""
    torch = pytest.importorskip("torch")
    lp = _log_softmax(np.random.default_rng(6).standard_normal((8, 4, 5)))
    x, xt = ddp.tensor(lp, requires_grad=True), torch.tensor(lp, requires_grad=True)
    args = (TARGETS, INPUT_LENGTHS, TARGET_LENGTHS)
    F.ctc_loss(x, *(ddp.tensor(a) for a in args), reduction="sum").backward()
    torch.nn.functional.ctc_loss(xt, *(torch.tensor(a) for a in args), reduction="sum").backward()
    live = (np.arange(8)[:, None] < INPUT_LENGTHS)[:, :, None]
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy() - np.exp(lp) * live, atol=1e-12)


def test_float32_module_and_lengths_edge_cases():
    lp = F.log_softmax(ddp.randn(6, 2, 4), -1)
    loss = nn.CTCLoss(blank=0)(lp, ddp.tensor([[1, 2], [3, 0]]), (6, 4), (2, 1))
    assert loss.dtype == np.float32 and loss.shape == ()
    assert nn.CTCLoss(reduction="none")(lp, ddp.tensor([[1, 2], [3, 0]]), (6, 4), (2, 1)).shape == (2,)
    assert isinstance(nn.CTCLoss(), nn.modules.loss._Loss) and nn.modules.loss.CTCLoss is nn.CTCLoss
    lp64 = F.log_softmax(ddp.tensor(np.random.default_rng(7).standard_normal((5, 2, 3))), -1)
    empty = F.ctc_loss(lp64, ddp.tensor([[1], [2]]), (5, 5), (0, 1), reduction="none")  # an empty target
    np.testing.assert_allclose(empty.numpy()[0], -lp64.numpy()[:, 0, 0].sum(), rtol=1e-12)
    mean = F.ctc_loss(lp64, ddp.tensor([[1], [2]]), (5, 5), (0, 1))  # divides by max(length, 1)
    np.testing.assert_allclose(mean.item(), empty.numpy().mean(), rtol=1e-12)


def test_errors():
    lp = F.log_softmax(ddp.randn(6, 3, 4), -1)
    targets, il, tl = ddp.tensor([[1, 2, 2], [1, 0, 0], [3, 3, 1]]), ddp.tensor([6, 5, 4]), ddp.tensor([3, 1, 2])
    with pytest.raises(RuntimeError, match="at most the 6 frames"):
        F.ctc_loss(lp, targets, ddp.tensor([7, 5, 4]), tl)
    with pytest.raises(RuntimeError, match="do not fit target_lengths"):
        F.ctc_loss(lp, targets, il, ddp.tensor([4, 1, 1]))
    with pytest.raises(RuntimeError, match="one entry per sample"):
        F.ctc_loss(lp, targets, il[:2], tl)
    with pytest.raises(RuntimeError, match="blank must be a class"):
        F.ctc_loss(lp, targets, il, tl, blank=4)
    with pytest.raises(RuntimeError, match="integral"):
        F.ctc_loss(lp, targets, ddp.tensor([6.0, 5.0, 4.0]), tl)
    with pytest.raises(RuntimeError, match="must not be negative"):
        F.ctc_loss(lp, targets, ddp.tensor([-1, 5, 4]), tl)
    with pytest.raises(RuntimeError, match="classes in"):
        F.ctc_loss(lp, ddp.tensor([[1, 2, 5], [1, 0, 0], [3, 3, 1]]), il, tl)
    with pytest.raises(RuntimeError, match="shorter than the sum"):
        F.ctc_loss(lp, ddp.tensor([1, 2]), il, tl)
    with pytest.raises(ValueError, match="reduction"):
        F.ctc_loss(lp, targets, il, tl, reduction="x")
    with pytest.raises(RuntimeError, match="log_probs"):
        F.ctc_loss(ddp.randn(6), targets, il, tl)
