"""cdist: forward against a numpy reference for several p, both computing modes, batch broadcasting, float64
gradient checks (off zero distances), PyTorch's zero gradient at zero distance, dtypes, errors, and torch."""
import math

import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, leaf

PS = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, math.inf]
MODES = ["use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"]


def _reference(x1, x2, p):
    diff = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == 0:
        return (diff != 0).sum(-1).astype(x1.dtype)
    if p == math.inf:
        return diff.max(-1)
    return (diff ** p).sum(-1) ** (1 / p)


def _points(shape, seed):
    """Coordinates on a 0.5-spaced grid plus a small jitter: no two coordinates of different rows are
    within 0.1 (kinks of |.|), and no two rows coincide."""
    rng = np.random.default_rng(seed)
    return rng.integers(-4, 5, shape) * 0.5 + rng.uniform(0.15, 0.35, shape)


@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("shapes", [((3, 2), (4, 2)), ((2, 3, 4), (2, 5, 4)), ((2, 1, 3, 2), (4, 2, 2)),
                                    ((1, 3), (1, 3))], ids=str)
def test_forward_matches_reference(shapes, p):
    x1, x2 = _points(shapes[0], 1), _points(shapes[1], 2)
    expected = _reference(x1, x2, p)
    for mode in MODES:
        out = ddp.cdist(ddp.tensor(x1), ddp.tensor(x2), p=p, compute_mode=mode)
        assert out.shape == expected.shape and out.dtype == np.float64
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("p", [0.5, 1.0, 1.5, 2.0, 3.0, math.inf])
@pytest.mark.parametrize("mode", MODES)
def test_gradcheck(p, mode):
    x1, x2 = _points((2, 3, 2), 3), _points((4, 2), 4)
    if p == math.inf:  # keep the largest coordinate difference of each pair unique (off the max's kink)
        x1, x2 = x1 * np.array([1.0, 3.0]), x2 * np.array([1.0, 3.0])
    assert gradcheck(lambda a, b: ddp.cdist(a, b, p=p, compute_mode=mode), x1, x2)


def test_large_inputs_take_the_matrix_product_and_agree():
    x1, x2 = _points((30, 3), 5), _points((8, 3), 6)
    default = ddp.cdist(ddp.tensor(x1), ddp.tensor(x2))
    direct = ddp.cdist(ddp.tensor(x1), ddp.tensor(x2), compute_mode="donot_use_mm_for_euclid_dist")
    np.testing.assert_allclose(default.numpy(), direct.numpy(), rtol=1e-10)
    assert gradcheck(lambda a, b: ddp.cdist(a, b), x1, x2)


@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("mode", MODES)
def test_gradient_is_zero_at_zero_distance(p, mode):
    a = leaf(np.array([[0.0, 0.0], [1.0, 1.0]]))
    b = leaf(np.array([[0.0, 0.0], [1.0, 1.0]]))
    d = ddp.cdist(a, b, p=p, compute_mode=mode)
    assert d.numpy()[0, 0] == 0 and d.numpy()[1, 1] == 0
    (d * ddp.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=ddp.float64)).sum().backward()  # only the zero distances
    assert a.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]] and b.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_float32_and_empty():
    x1, x2 = leaf(_points((30, 3), 7), np.float32), leaf(_points((5, 3), 8), np.float32)
    for p in [2.0, 1.0, 3.0]:
        x1.grad = x2.grad = None
        out = ddp.cdist(x1, x2, p=p)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.detach().numpy(), _reference(x1.detach().numpy(), x2.detach().numpy(), p),
                                   rtol=1e-4, atol=1e-5)
        out.sum().backward()
        assert x1.grad.dtype == np.float32 and x2.grad.dtype == np.float32
    assert ddp.cdist(ddp.zeros(0, 3), ddp.zeros(2, 3)).shape == (0, 2)
    assert ddp.cdist(ddp.zeros(2, 0), ddp.zeros(3, 0)).tolist() == [[0.0] * 3] * 2


def test_errors():
    cases = [
        (lambda: ddp.cdist(ddp.zeros(3), ddp.zeros(3)), RuntimeError, "at least 2D"),
        (lambda: ddp.cdist(ddp.zeros(2, 3), ddp.zeros(2, 4)), RuntimeError, "same number of columns"),
        (lambda: ddp.cdist(ddp.zeros(2, 3).long(), ddp.zeros(2, 3).long()), RuntimeError, "floating-point"),
        (lambda: ddp.cdist(ddp.zeros(2, 3), ddp.zeros(2, 3), p=-1), RuntimeError, "non-negative"),
        (lambda: ddp.cdist(ddp.zeros(2, 3), ddp.zeros(2, 3).double()), RuntimeError, "same dtype"),
        (lambda: ddp.cdist(ddp.zeros(2, 4, 3), ddp.zeros(3, 2, 3)), RuntimeError, "broadcast"),
        (lambda: ddp.cdist(ddp.zeros(2, 3), ddp.zeros(2, 3), compute_mode="x"), ValueError, "compute_mode"),
    ]
    for fn, error, message in cases:
        with pytest.raises(error, match=message):
            fn()


@pytest.mark.parametrize("p", PS)
def test_matches_torch(p):
    torch = pytest.importorskip("torch")
    x1 = _points((2, 30, 3), 9)
    x2 = _points((1, 6, 3), 10)
    x2[0, 0] = x1[1, 4]  # one pair at zero distance
    for mode in ["use_mm_for_euclid_dist_if_necessary"] + MODES:
        a, b = leaf(x1), leaf(x2)
        ta, tb = torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)
        ours, theirs = ddp.cdist(a, b, p=p, compute_mode=mode), torch.cdist(ta, tb, p=p, compute_mode=mode)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-7)
        weight = np.random.default_rng(0).standard_normal(ours.shape)
        (ours * ddp.tensor(weight)).sum().backward()
        (theirs * torch.tensor(weight)).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-7, atol=1e-6)
        np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-7, atol=1e-6)
