"""F.unfold / F.fold and nn.Unfold / nn.Fold: a per-tap numpy reference, the adjoint identity, float64
gradchecks, float32 in and out, unbatched and empty inputs, reprs, errors, and torch parity."""
import sys
from pathlib import Path

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/core, for op_helpers
from op_helpers import forward32, gradcheck, sample  # noqa: E402


def _pairs(kw):
    return {k: v if isinstance(v, tuple) else (v, v) for k, v in kw.items()}


def ref_unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Column (c, i, j) of block (r, s) is xpad[c, r*sh + i*dh, s*sw + j*dw]; one slice per kernel tap."""
    p = _pairs(dict(k=kernel_size, d=dilation, p=padding, s=stride))
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = p["k"], p["d"], p["p"], p["s"]
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i, j] = xp[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw]
    return out.reshape(n, c * kh * kw, oh * ow)


def ref_fold(cols, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Each column entry added back at the pixel ref_unfold read it from (overlaps sum)."""
    p = _pairs(dict(o=output_size, k=kernel_size, d=dilation, p=padding, s=stride))
    (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = p["o"], p["k"], p["d"], p["p"], p["s"]
    n = cols.shape[0]
    oh, ow = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    blocks = cols.reshape(n, -1, kh, kw, oh, ow)
    out = np.zeros((n, blocks.shape[1], h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw] += blocks[:, :, i, j]
    return out[:, :, ph:ph + h, pw:pw + w]


CASES = [  # (input shape, keyword arguments)
    ((2, 3, 5, 6), {"kernel_size": 2}),
    ((2, 2, 7, 8), {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)}),
    ((1, 3, 6, 6), {"kernel_size": 3, "stride": 3}),  # blocks that tile the image
    ((2, 1, 5, 7), {"kernel_size": (3, 2), "stride": 2, "padding": (0, 2)}),  # rows left over at the bottom
    ((1, 2, 4, 4), {"kernel_size": 1}),
]


@pytest.mark.parametrize("shape, kw", CASES)
def test_unfold_and_fold_match_the_numpy_reference(shape, kw):
    x = sample(shape)
    cols = F.unfold(ddp.tensor(x), **kw)
    np.testing.assert_allclose(cols.numpy(), ref_unfold(x, **kw), rtol=0, atol=0)
    c = sample(tuple(cols.shape), seed=1)
    np.testing.assert_allclose(F.fold(ddp.tensor(c), shape[2:], **kw).numpy(), ref_fold(c, shape[2:], **kw),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, kw", CASES)
def test_fold_is_the_adjoint_of_unfold(shape, kw):
    x = sample(shape)
    cols = F.unfold(ddp.tensor(x), **kw).numpy()
    c = sample(cols.shape, seed=1)
    folded = F.fold(ddp.tensor(c), shape[2:], **kw).numpy()
    assert np.isclose((cols * c).sum(), (x * folded).sum(), rtol=1e-12)


def test_fold_of_unfold_counts_the_blocks_over_each_pixel():
    ones = ddp.ones(1, 1, 4, 4, dtype=ddp.float64)
    counts = F.fold(F.unfold(ones, 2), 4, 2).numpy()[0, 0]
    np.testing.assert_array_equal(counts, [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


@pytest.mark.parametrize("shape, kw", CASES[:4])
def test_gradients_match_finite_differences(shape, kw):
    x = sample(shape)
    assert gradcheck(lambda t: F.unfold(t, **kw), x)
    length = ref_unfold(x, **kw).shape
    assert gradcheck(lambda t: F.fold(t, shape[2:], **kw), sample(length, seed=2))


def test_float32_stays_float32():
    x = sample((2, 3, 5, 5))
    forward32(lambda t: F.unfold(t, 3, padding=1), lambda a: ref_unfold(a, 3, padding=1), x)
    c = sample((2, 12, 16), seed=1)
    forward32(lambda t: F.fold(t, 5, 2), lambda a: ref_fold(a, 5, 2), c)


def test_unbatched_and_empty_batches():
    x = sample((3, 5, 6))
    cols = F.unfold(ddp.tensor(x), 2)
    assert cols.shape == (12, 20)
    np.testing.assert_array_equal(cols.numpy(), ref_unfold(x[None], 2)[0])
    assert F.fold(cols, (5, 6), 2).shape == (3, 5, 6)
    empty = ddp.zeros(0, 3, 5, 6, requires_grad=True)
    out = F.unfold(empty, 2)
    assert out.shape == (0, 12, 20)
    out.sum().backward()
    assert empty.grad.shape == (0, 3, 5, 6)
    assert F.fold(ddp.zeros(0, 12, 20), (5, 6), 2).shape == (0, 3, 5, 6)


def test_modules_forward_and_repr():
    unfold, fold = nn.Unfold(kernel_size=2, stride=2), nn.Fold(output_size=(4, 6), kernel_size=2, stride=2)
    x = ddp.randn(2, 3, 4, 6)
    cols = unfold(x)
    assert cols.shape == (2, 12, 6)
    np.testing.assert_array_equal(fold(cols).numpy(), x.numpy())  # non-overlapping blocks: fold undoes unfold
    assert repr(unfold) == "Unfold(kernel_size=2, dilation=1, padding=0, stride=2)"
    assert repr(fold) == "Fold(output_size=(4, 6), kernel_size=2, dilation=1, padding=0, stride=2)"
    assert list(unfold.parameters()) == [] and list(fold.state_dict()) == []


@pytest.mark.parametrize("call, error, match", [
    (lambda: F.unfold(ddp.randn(3, 4), 2), RuntimeError, "expected a 3-D"),
    (lambda: F.unfold(ddp.randn(1, 2, 3, 4, 5), 2), RuntimeError, r"got shape \(1, 2, 3, 4, 5\)"),
    (lambda: F.unfold(ddp.randn(2, 0, 5, 5), 2), RuntimeError, "non-zero sizes"),
    (lambda: F.unfold(ddp.ones(1, 1, 4, 4, dtype=ddp.int64), 2), NotImplementedError, "floating point"),
    (lambda: F.unfold(ddp.randn(1, 1, 4, 4), 5), RuntimeError, "no sliding block fits"),
    (lambda: F.unfold(ddp.randn(1, 1, 4, 4), 0), RuntimeError, "kernel_size must be at least 1"),
    (lambda: F.unfold(ddp.randn(1, 1, 4, 4), 2, stride=0), RuntimeError, "stride must be at least 1"),
    (lambda: F.unfold(ddp.randn(1, 1, 4, 4), 2, dilation=0), RuntimeError, "dilation must be at least 1"),
    (lambda: F.unfold(ddp.randn(1, 1, 4, 4), 2, padding=-1), RuntimeError, "padding must be at least 0"),
    (lambda: F.unfold(ddp.randn(1, 1, 4, 4), (2, 2, 2)), RuntimeError, "kernel_size must be one int or a pair \\(2 values\\), got 3"),
    (lambda: F.unfold(ddp.randn(1, 1, 4, 4), 2.0), TypeError, "kernel_size must be an int"),
    (lambda: F.fold(ddp.randn(2, 12, 20), (5, 7), 2), RuntimeError, r"4 \* 6 = 24 sliding blocks, but dim 2 "
                                                                     r"of the input has 20"),
    (lambda: F.fold(ddp.randn(2, 11, 20), (5, 6), 2), RuntimeError, "must be a multiple of the kernel's kh \\* kw"),
    (lambda: F.fold(ddp.randn(2, 12, 20, 1), (5, 6), 2), RuntimeError, "expected a 2-D"),
    (lambda: F.fold(ddp.randn(2, 0, 20), (5, 6), 2), RuntimeError, "non-zero sizes"),
    (lambda: F.fold(ddp.randn(2, 12, 20), (5,), 2), RuntimeError, "output_size must be one int or a pair"),
    (lambda: F.fold(ddp.randn(2, 12, 20), (1, 1), 2), RuntimeError, r"0 \* 0 = 0 sliding blocks"),
    (lambda: F.fold(ddp.ones(1, 4, 1, dtype=ddp.int64), 2, 2), NotImplementedError, "floating point"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("shape, kw", CASES)
def test_matches_torch_values_and_gradients(shape, kw):
    torch = pytest.importorskip("torch")
    x = sample(shape)
    ours, theirs = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    a, b = F.unfold(ours, **kw), torch.nn.functional.unfold(theirs, **kw)
    np.testing.assert_array_equal(a.numpy(), b.detach().numpy())
    g = sample(tuple(a.shape), seed=3)
    a.backward(ddp.tensor(g))
    b.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-12)

    c = sample(tuple(a.shape), seed=4)
    ours, theirs = ddp.tensor(c, requires_grad=True), torch.tensor(c, requires_grad=True)
    a = nn.Fold(shape[2:], **kw)(ours)
    b = torch.nn.Fold(shape[2:], **kw)(theirs)
    np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = sample(shape, seed=5)
    a.backward(ddp.tensor(g))
    b.backward(torch.tensor(g))
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


def test_module_reprs_match_torch():
    torch = pytest.importorskip("torch")
    assert repr(nn.Unfold((2, 3), padding=1)) == repr(torch.nn.Unfold((2, 3), padding=1))
    assert repr(nn.Fold(4, (2, 3), stride=2)) == repr(torch.nn.Fold(4, (2, 3), stride=2))
