"""conv2d and Conv2d: numpy reference forward, float64 gradient checks, PyTorch comparison, init, errors."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn.functional as F
from ddp.core.ops import conv as conv_ops
from ddp.nn import Conv2d

# (input shape, weight shape, keyword arguments): strides, paddings, dilations and groups, mixed
CASES = [
    ((2, 3, 6, 5), (4, 3, 3, 3), {}),
    ((2, 3, 7, 6), (2, 3, 3, 2), {"stride": 2}),
    ((1, 2, 5, 5), (3, 2, 3, 3), {"padding": 1}),
    ((2, 2, 9, 8), (2, 2, 3, 2), {"stride": (2, 3), "padding": (2, 1), "dilation": (2, 1)}),
    ((1, 2, 6, 7), (2, 2, 2, 3), {"padding": "same", "dilation": 2}),  # odd total: extra pad at the end
    ((2, 2, 5, 4), (2, 2, 2, 2), {"padding": "valid"}),
    ((2, 4, 5, 5), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
    ((1, 4, 6, 6), (4, 1, 3, 3), {"groups": 4, "stride": 2, "dilation": 2, "padding": 2}),  # depthwise
]


def padding_of(kwargs, w_shape):
    """(top, bottom, left, right) as PyTorch defines it for the keyword arguments of a case."""
    p = kwargs.get("padding", 0)
    d = kwargs.get("dilation", 1)
    d = (d, d) if isinstance(d, int) else d
    if p == "valid":
        return (0, 0, 0, 0)
    if p == "same":
        th, tw = d[0] * (w_shape[2] - 1), d[1] * (w_shape[3] - 1)
        return (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    p = (p, p) if isinstance(p, int) else p
    return (p[0], p[0], p[1], p[1])


def reference_conv(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Naive conv2d: a loop over output positions, each a sum over the window (test oracle only)."""
    s = (stride, stride) if isinstance(stride, int) else stride
    d = (dilation, dilation) if isinstance(dilation, int) else dilation
    top, bottom, left, right = padding_of({"padding": padding, "dilation": d}, w.shape)
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    n, c, hp, wp = xp.shape
    oc, cg, kh, kw = w.shape
    oh = (hp - d[0] * (kh - 1) - 1) // s[0] + 1
    ow = (wp - d[1] * (kw - 1) - 1) // s[1] + 1
    out = np.zeros((n, oc, oh, ow), dtype=x.dtype)
    per_group = oc // groups
    for o in range(oc):
        g = o // per_group
        for i in range(oh):
            for j in range(ow):
                window = xp[:, g * cg:(g + 1) * cg, i * s[0]:i * s[0] + d[0] * (kh - 1) + 1:d[0],
                            j * s[1]:j * s[1] + d[1] * (kw - 1) + 1:d[1]]
                out[:, o, i, j] = (window * w[o]).sum(axis=(1, 2, 3))
    if b is not None:
        out += b[:, None, None]
    return out


def draw(*shapes, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


@pytest.mark.parametrize("x_shape, w_shape, kwargs", CASES)
def test_forward_matches_a_naive_reference_in_float32(x_shape, w_shape, kwargs):
    x, w, b = draw(x_shape, w_shape, (w_shape[0],), dtype=np.float32)
    out = F.conv2d(ddp.from_numpy(x), ddp.from_numpy(w), ddp.from_numpy(b), **kwargs)
    expected = reference_conv(x, w, b, **kwargs)
    assert out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("x_shape, w_shape, kwargs", CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_gradients_match_finite_differences(x_shape, w_shape, kwargs, bias):
    arrays = draw(x_shape, w_shape, (w_shape[0],), seed=1)
    inputs = [ddp.tensor(a, dtype=ddp.float64, requires_grad=True) for a in arrays[:3 if bias else 2]]
    assert ddp.autograd.gradcheck(lambda *t: F.conv2d(*t, **kwargs), tuple(inputs))


def test_input_that_needs_no_gradient_skips_col2im(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("col2im ran for an input that needs no gradient")

    monkeypatch.setattr(conv_ops, "col2im", fail)
    monkeypatch.setattr(conv_ops, "col2im_wide", fail)
    monkeypatch.setattr(conv_ops, "input_grad", fail)
    x, w, b = draw((2, 1, 8, 8), (3, 1, 3, 3), (3,))
    x = ddp.tensor(x)
    w, b = ddp.tensor(w, requires_grad=True), ddp.tensor(b, requires_grad=True)
    for stride in (1, 2):
        w.grad = b.grad = None
        F.conv2d(x, w, b, stride=stride, padding=1).sum().backward()
        assert x.grad is None and w.grad.shape == w.shape and b.grad.shape == b.shape
    assert ddp.autograd.gradcheck(lambda w, b: F.conv2d(x, w, b, padding=1), (w.double().detach().requires_grad_(),
                                                                               b.double().detach().requires_grad_()))


def test_float32_stays_float32_in_forward_and_backward():
    x, w, b = (ddp.tensor(a, requires_grad=True) for a in draw((2, 2, 6, 6), (3, 2, 3, 3), (3,), dtype=np.float32))
    out = F.conv2d(x, w, b, padding=1)
    out.sum().backward()
    assert out.dtype == np.float32
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_unbatched_input_gets_and_loses_a_batch_dimension():
    x, w, b = draw((2, 5, 5), (3, 2, 3, 3), (3,))
    out = F.conv2d(ddp.tensor(x), ddp.tensor(w), ddp.tensor(b), padding=1)
    assert out.shape == (3, 5, 5)
    np.testing.assert_allclose(out.numpy(), reference_conv(x[None], w, b, padding=1)[0], rtol=1e-10)


@pytest.mark.parametrize("x_shape, w_shape, kwargs", CASES)
def test_matches_torch_forward_and_backward(x_shape, w_shape, kwargs):
    torch = pytest.importorskip("torch")
    x, w, b, g = draw(x_shape, w_shape, (w_shape[0],), (1,), seed=2, dtype=np.float32)
    ours = [ddp.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out, expected = F.conv2d(*ours, **kwargs), torch.nn.functional.conv2d(*theirs, **kwargs)
    g = np.random.default_rng(3).standard_normal(tuple(expected.shape)).astype(np.float32)
    out.backward(ddp.tensor(g))
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-4, atol=1e-5)
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("x_shape, w_shape, kwargs, error, message", [
    ((1, 3, 8, 8), (2, 1, 3, 3), {}, RuntimeError,
     r"conv2d: input has 3 channels but weight expects 1 \(weight shape \(2, 1, 3, 3\)"),
    ((1, 4, 8, 8), (3, 2, 3, 3), {"groups": 2}, RuntimeError, r"groups=2 must divide out_channels=3"),
    ((1, 4, 8, 8), (6, 2, 3, 3), {"groups": 3}, RuntimeError, r"input has 4 channels but weight expects 6"),
    ((1, 1, 4, 4), (1, 1, 5, 5), {}, RuntimeError,
     r"kernel size \(5, 5\) .* greater than the padded input size \(4, 4\)"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"dilation": 2}, RuntimeError, r"dilated \(5, 5\)"),
    ((8, 8), (1, 1, 3, 3), {}, RuntimeError, r"conv2d: expected a 3-D \(unbatched\) or 4-D .* got shape \(8, 8\)"),
    ((1, 1, 8, 8), (1, 3, 3), {}, RuntimeError, r"weight must be 4-D"),
    ((1, 1, 8, 8), (1, 1, 3, 3), {"padding": "same", "stride": 2}, RuntimeError, r"not supported for strided"),
    ((1, 1, 8, 8), (1, 1, 3, 3), {"padding": "full"}, RuntimeError, r"padding must be 'valid', 'same'"),
    ((1, 1, 8, 8), (1, 1, 3, 3), {"stride": 0}, RuntimeError, r"stride must be at least 1"),
    ((1, 1, 8, 8), (1, 1, 3, 3), {"padding": -1}, RuntimeError, r"padding must be at least 0"),
    ((1, 1, 8, 8), (1, 1, 3, 3), {"stride": (1, 2, 3)}, TypeError, r"stride must be an int or a pair"),
])
def test_bad_arguments_raise_clear_errors(x_shape, w_shape, kwargs, error, message):
    x, w = draw(x_shape, w_shape, dtype=np.float32)
    with pytest.raises(error, match=message):
        F.conv2d(ddp.tensor(x), ddp.tensor(w), **kwargs)


def test_bias_shape_and_dtype_mismatches_raise():
    x, w = (ddp.tensor(a) for a in draw((1, 2, 5, 5), (3, 2, 3, 3), dtype=np.float32))
    with pytest.raises(RuntimeError, match=r"bias must have shape \(3,\)"):
        F.conv2d(x, w, ddp.zeros(2))
    with pytest.raises(TypeError, match=r"input dtype ddp.float32 and weight dtype ddp.float64"):
        F.conv2d(x, w.double())


# ------------------------------------------------------------------------------------------- module
@pytest.mark.parametrize("args, kwargs", [
    ((1, 10, 5), {}),
    ((4, 6, (3, 2)), {"stride": 2, "padding": 1, "bias": False}),
    ((4, 6, 3), {"padding": "same", "dilation": 2, "groups": 2}),
    ((3, 3, 3), {"padding": "valid", "groups": 3}),
])
def test_module_names_shapes_and_repr_match_torch(args, kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = Conv2d(*args, **kwargs), torch.nn.Conv2d(*args, **kwargs)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: ddp.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, args[0], 7, 7)).astype(np.float32)
    np.testing.assert_allclose(ours(ddp.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)


def test_module_default_init_is_uniform_with_bound_one_over_sqrt_fan_in():
    ddp.manual_seed(0)
    conv = Conv2d(8, 64, 3, groups=2)
    bound = 1 / math.sqrt(4 * 3 * 3)
    w, b = conv.weight.numpy(), conv.bias.numpy()
    assert w.shape == (64, 4, 3, 3) and b.shape == (64,) and w.dtype == b.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound  # uniform, not a narrower distribution
    assert conv.weight.requires_grad and conv.bias.requires_grad


def test_module_forward_equals_the_functional_form_and_keeps_parameters_as_leaves():
    conv = Conv2d(2, 3, 3, stride=2, padding=1)
    x = ddp.randn(2, 2, 9, 9)
    out = conv(x)
    np.testing.assert_array_equal(out.numpy(), F.conv2d(x, conv.weight, conv.bias, 2, 1).numpy())
    out.sum().backward()
    assert conv.weight.grad.shape == conv.weight.shape and conv.bias.grad.shape == (3,)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"padding_mode": "mirror"}, ValueError, r"padding_mode must be one of"),
    ({"groups": 3}, ValueError, r"groups=3 must be positive and divide in_channels=4"),
    ({"padding": "same", "stride": 2}, ValueError, r"not supported for strided"),
])
def test_module_bad_arguments_raise(kwargs, error, message):
    with pytest.raises(error, match=message):
        Conv2d(4, 6, 3, **kwargs)


@pytest.mark.parametrize("w_shape, kwargs", [((4, 4, 3, 3), {"padding": 1}),
                                            ((4, 2, 3, 3), {"stride": 2, "dilation": 2, "groups": 2})])
@pytest.mark.parametrize("transposed", [False, True])
def test_output_and_gradients_are_the_same_however_the_batch_is_blocked(monkeypatch, w_shape, kwargs, transposed):
    """Forward, input, weight and bias gradients are computed block by block of samples, the weight
    gradient one product per sample or per block: blocks of one sample (BLOCK_BYTES = 1) and of the whole
    batch, and both weight-gradient layouts (SMALL_ROWS), must agree."""
    x, w, _ = draw((3, 4, 7, 7), w_shape, (3, 4, 7, 7), seed=5)
    conv = F.conv_transpose2d if transposed else F.conv2d
    results = []
    for block, small_rows in ((1 << 30, 0), (1, 0), (1 << 30, 1 << 30), (1, 1 << 30)):
        monkeypatch.setattr(conv_ops, "BLOCK_BYTES", block)
        monkeypatch.setattr(conv_ops, "SMALL_ROWS", small_rows)
        xt, wt = ddp.tensor(x, requires_grad=True), ddp.tensor(w, requires_grad=True)
        bt = ddp.tensor(np.arange(w_shape[1] * kwargs.get("groups", 1) if transposed else w_shape[0], dtype=np.float64),
                        requires_grad=True)
        out = conv(xt, wt, bt, **kwargs)
        g = np.random.default_rng(6).standard_normal(out.shape)
        out.backward(ddp.tensor(g))
        results.append([out.numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()])
    for other in results[1:]:
        for whole, one in zip(results[0], other):
            np.testing.assert_allclose(one, whole, rtol=1e-12, atol=1e-12)
