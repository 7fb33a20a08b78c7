"""max/avg/adaptive pooling: naive numpy references, float64 gradient checks, ties and NaN, torch, errors."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn.functional as F
from ddp.nn import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

# keyword arguments shared by max and avg pooling (dilation only for max)
WINDOWS = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"kernel_size": (3, 2), "stride": 1, "padding": (1, 0)},
    {"kernel_size": 2, "stride": (1, 2), "padding": 1, "ceil_mode": True},
]
DILATED = [{"kernel_size": 2, "dilation": 2}, {"kernel_size": (3, 2), "dilation": (2, 1), "padding": 1,
                                                "ceil_mode": True, "stride": 2}]


def distinct(shape, seed=0):
    """float64 values at least 0.1 apart: no ties, so max pooling is differentiable at the sample."""
    rng = np.random.default_rng(seed)
    return (rng.permutation(math.prod(shape)) * 0.1 - 5.0).reshape(shape)


def geometry(size, k, s, p, d, ceil_mode):
    """PyTorch's output length, as a formula written independently of the code under test."""
    span = d * (k - 1) + 1
    n = (size + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
    return n - 1 if ceil_mode and (n - 1) * s >= size + p else n


def pairs(kwargs):
    k = kwargs["kernel_size"]
    k = (k, k) if isinstance(k, int) else k
    s = kwargs.get("stride", k)
    s = (s, s) if isinstance(s, int) else s
    p = kwargs.get("padding", 0)
    p = (p, p) if isinstance(p, int) else p
    d = kwargs.get("dilation", 1)
    d = (d, d) if isinstance(d, int) else d
    return k, s, p, d


def reference_pool(x, kwargs, kind, count_include_pad=True):
    """Naive pooling: a loop over output positions, each reducing its clipped window (test oracle only)."""
    (kh, kw), s, p, d = pairs(kwargs)
    n, c, h, w = x.shape
    oh = geometry(h, kh, s[0], p[0], d[0], kwargs.get("ceil_mode", False))
    ow = geometry(w, kw, s[1], p[1], d[1], kwargs.get("ceil_mode", False))
    out = np.zeros((n, c, oh, ow), dtype=x.dtype)
    index = np.zeros((n, c, oh, ow), dtype=np.int64)
    for i in range(oh):
        for j in range(ow):
            rows = [i * s[0] - p[0] + a * d[0] for a in range(kh)]
            cols = [j * s[1] - p[1] + b * d[1] for b in range(kw)]
            inside = [(r, q) for r in rows for q in cols if 0 <= r < h and 0 <= q < w]
            values = np.stack([x[:, :, r, q] for r, q in inside], axis=-1)
            if kind == "max":
                first = values.argmax(axis=-1)
                out[:, :, i, j] = values.max(axis=-1)
                index[:, :, i, j] = np.array([r * w + q for r, q in inside])[first]
            else:  # the divisor counts padding, but not what lies past the padded input (ceil_mode)
                r0, c0 = i * s[0] - p[0], j * s[1] - p[1]
                padded = (min(r0 + kh, h + p[0]) - r0) * (min(c0 + kw, w + p[1]) - c0)
                out[:, :, i, j] = values.sum(axis=-1) / (padded if count_include_pad else len(inside))
    return out, index


def adaptive_reference(x, out_hw):
    n, c, h, w = x.shape
    out = np.zeros((n, c) + out_hw, dtype=x.dtype)
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            r0, r1 = i * h // out_hw[0], -(-(i + 1) * h // out_hw[0])
            c0, c1 = j * w // out_hw[1], -(-(j + 1) * w // out_hw[1])
            out[:, :, i, j] = x[:, :, r0:r1, c0:c1].mean(axis=(2, 3))
    return out


def leaf(a):
    return ddp.tensor(a, dtype=a.dtype, requires_grad=True)


# ------------------------------------------------------------------------------------------ max pool
@pytest.mark.parametrize("kwargs", WINDOWS + DILATED)
def test_max_pool_forward_and_indices_match_the_reference(kwargs):
    x = distinct((2, 3, 7, 8)).astype(np.float32)
    out, indices = F.max_pool2d(ddp.tensor(x), return_indices=True, **kwargs)
    expected, expected_index = reference_pool(x, kwargs, "max")
    assert out.dtype == np.float32 and indices.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(indices.numpy(), expected_index)


@pytest.mark.parametrize("kwargs", WINDOWS + DILATED)
def test_max_pool_gradient_matches_finite_differences(kwargs):
    x = leaf(distinct((2, 2, 6, 7), seed=1))
    assert ddp.autograd.gradcheck(lambda t: F.max_pool2d(t, **kwargs), (x,))


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    x = ddp.zeros(1, 1, 4, 4, requires_grad=True)  # every window is a tie (as after a ReLU)
    F.max_pool2d(x, 2).sum().backward()
    expected = np.zeros((4, 4), dtype=np.float32)
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], expected)
    y = np.zeros((1, 1, 4, 4), dtype=np.float32)
    y[0, 0, 1, 1] = 1.0  # the maximum of four overlapping windows: their gradients accumulate there
    y = ddp.tensor(y, requires_grad=True)
    F.max_pool2d(y, 2, stride=1).sum().backward()
    expected = np.zeros((4, 4), dtype=np.float32)
    expected[:3, :3] = 1  # tied windows: their first (top-left) element
    expected[1, 1], expected[0, 0], expected[0, 1], expected[1, 0] = 4, 0, 0, 0
    np.testing.assert_array_equal(y.grad.numpy()[0, 0], expected)


def test_max_pool_nan_wins_its_window():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = x[0, 0, 3, 3] = np.nan
    out, indices = F.max_pool2d(ddp.tensor(x), 2, return_indices=True)
    assert np.isnan(out.numpy()[0, 0, 0, 0]) and np.isnan(out.numpy()[0, 0, 1, 1])
    assert indices.numpy()[0, 0, 0, 0] == 1 and indices.numpy()[0, 0, 1, 1] == 15
    assert out.numpy()[0, 0, 0, 1] == 7


def test_max_pool_infinities_of_both_signs_are_not_mistaken_for_nan():
    """Forward finds a NaN by summing the maxima; inf + -inf is NaN too, and must still give exact results."""
    x = distinct((1, 2, 4, 4)).astype(np.float32)
    x[0, 0, 0, 1], x[0, 1, 3, 2] = np.inf, -np.inf
    x[0, 1, 2:, 2:] = -np.inf  # a whole window of -inf: its maximum is -inf, at the window's first element
    out, indices = F.max_pool2d(ddp.tensor(x), 2, return_indices=True)
    expected, expected_index = reference_pool(x, {"kernel_size": 2}, "max")
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(indices.numpy(), expected_index)


def test_max_pool_unbatched_input_and_float32_gradient():
    x = ddp.tensor(distinct((3, 6, 6)).astype(np.float32), requires_grad=True)
    out = F.max_pool2d(x, 2)
    out.sum().backward()
    assert out.shape == (3, 3, 3) and out.dtype == x.grad.dtype == np.float32
    assert x.grad.numpy().sum() == 27


# ------------------------------------------------------------------------------------------ avg pool
@pytest.mark.parametrize("kwargs", WINDOWS)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool_forward_matches_the_reference(kwargs, count_include_pad):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 8)).astype(np.float32)
    out = F.avg_pool2d(ddp.tensor(x), count_include_pad=count_include_pad, **kwargs)
    expected, _ = reference_pool(x, kwargs, "avg", count_include_pad)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", WINDOWS)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool_gradient_matches_finite_differences(kwargs, count_include_pad):
    x = leaf(np.random.default_rng(1).standard_normal((2, 2, 6, 7)))
    assert ddp.autograd.gradcheck(lambda t: F.avg_pool2d(t, count_include_pad=count_include_pad, **kwargs), (x,))


def test_avg_pool_divisor_override():
    x = ddp.ones(1, 1, 4, 4)
    np.testing.assert_array_equal(F.avg_pool2d(x, 2, divisor_override=2).numpy(), np.full((1, 1, 2, 2), 2.0))


# ------------------------------------------------------------------------------------------ adaptive
@pytest.mark.parametrize("size, output_size", [
    ((6, 8), 1), ((6, 8), (3, 4)), ((7, 5), (3, 2)), ((7, 5), (5, None)), ((4, 4), 6), ((5, 7), (5, 7)),
])
def test_adaptive_avg_pool_matches_the_reference_and_finite_differences(size, output_size):
    x = np.random.default_rng(0).standard_normal((2, 3) + size)
    out = F.adaptive_avg_pool2d(ddp.tensor(x.astype(np.float32)), output_size)
    sizes = (output_size, output_size) if isinstance(output_size, int) else output_size
    out_hw = tuple(s if s is not None else size[i] for i, s in enumerate(sizes))
    assert out.dtype == np.float32 and out.shape == (2, 3) + out_hw
    np.testing.assert_allclose(out.numpy(), adaptive_reference(x, out_hw), rtol=1e-5, atol=1e-6)
    assert ddp.autograd.gradcheck(lambda t: F.adaptive_avg_pool2d(t, output_size), (leaf(x[:1, :2]),))


# ----------------------------------------------------------------------------------------- vs torch
@pytest.mark.parametrize("kind, kwargs", [("max", k) for k in WINDOWS + DILATED] + [("avg", k) for k in WINDOWS] +
                         [("avg_nopad", k) for k in WINDOWS] + [("adaptive", {"output_size": o})
                                                                for o in (1, (3, 5), (4, None))])
def test_matches_torch_forward_and_backward(kind, kwargs):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((2, 3, 7, 9)).astype(np.float32)
    name = {"max": "max_pool2d", "avg": "avg_pool2d", "avg_nopad": "avg_pool2d", "adaptive": "adaptive_avg_pool2d"}
    extra = {"count_include_pad": False} if kind == "avg_nopad" else {}
    ours, theirs = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = getattr(F, name[kind])(ours, **kwargs, **extra)
    expected = getattr(torch.nn.functional, name[kind])(theirs, **kwargs, **extra)
    g = np.random.default_rng(3).standard_normal(tuple(expected.shape)).astype(np.float32)
    out.backward(ddp.tensor(g))
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_max_pool_ties_and_indices_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).integers(0, 3, (2, 2, 6, 6)).astype(np.float32)  # many ties
    # the first two tile the (padded) input exactly, so backward writes every element without a zero fill
    for kwargs in ({"kernel_size": 2}, {"kernel_size": 2, "padding": 1}, {"kernel_size": 3, "stride": 1, "padding": 1}):
        ours, theirs = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, idx = F.max_pool2d(ours, return_indices=True, **kwargs)
        expected, expected_idx = torch.nn.functional.max_pool2d(theirs, return_indices=True, **kwargs)
        out.sum().backward()
        expected.sum().backward()
        np.testing.assert_array_equal(idx.numpy(), expected_idx.numpy())
        np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


# ------------------------------------------------------------------------------------------- modules
def test_modules_match_the_functional_forms_and_torch_reprs():
    x = ddp.tensor(distinct((2, 3, 8, 8)).astype(np.float32))
    cases = [(MaxPool2d(3, 2, 1, ceil_mode=True), F.max_pool2d(x, 3, 2, 1, ceil_mode=True)),
             (AvgPool2d(2, count_include_pad=False), F.avg_pool2d(x, 2, count_include_pad=False)),
             (AdaptiveAvgPool2d((1, None)), F.adaptive_avg_pool2d(x, (1, None)))]
    for module, expected in cases:
        np.testing.assert_array_equal(module(x).numpy(), expected.numpy())
        assert list(module.parameters()) == [] and module.state_dict() == {}
    out, indices = MaxPool2d(2, return_indices=True)(x)
    assert out.shape == indices.shape == (2, 3, 4, 4)
    torch = pytest.importorskip("torch")
    for ours, theirs in [(MaxPool2d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)),
                         (MaxPool2d((2, 3)), torch.nn.MaxPool2d((2, 3))),
                         (AvgPool2d(2), torch.nn.AvgPool2d(2)),
                         (AdaptiveAvgPool2d((1, None)), torch.nn.AdaptiveAvgPool2d((1, None)))]:
        assert repr(ours) == repr(theirs)


# -------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("call, error, message", [
    (lambda x: F.max_pool2d(x, 2, padding=2), RuntimeError, r"pad should be at most half of effective kernel size"),
    (lambda x: F.avg_pool2d(x, 3, padding=2), RuntimeError, r"avg_pool2d: pad should be at most half"),
    (lambda x: F.max_pool2d(x, 9), RuntimeError, r"max_pool2d: input of shape \(1, 2, 5, 5\) is too small"),
    (lambda x: F.max_pool2d(x[0, 0], 2), RuntimeError, r"expected a 3-D \(unbatched\) or 4-D .* shape \(5, 5\)"),
    (lambda x: F.max_pool2d(x, 0), RuntimeError, r"kernel_size must be at least 1"),
    (lambda x: F.avg_pool2d(x, 2, stride=(1, 1, 1)), TypeError, r"stride must be an int or a pair"),
    (lambda x: F.avg_pool2d(x, 2, divisor_override=0), RuntimeError, r"divisor_override must not be zero"),
    (lambda x: F.adaptive_avg_pool2d(x, 0), RuntimeError, r"output_size must hold positive ints"),
    (lambda x: F.adaptive_avg_pool2d(x, (1, 2, 3)), RuntimeError, r"output_size must be an int or a pair"),
    (lambda x: F.max_pool2d(ddp.zeros(1, 1, 4, 4, dtype=ddp.int64), 2), TypeError, r"floating point input"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(ddp.zeros(1, 2, 5, 5))
