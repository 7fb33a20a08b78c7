"""Conv1d and ConvTranspose2d (and their F forms): naive numpy references, float64 gradchecks, the adjoint
identity with conv2d, module shapes/reprs/init, errors, and torch parity of outputs and gradients."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F

rng = np.random.default_rng(0)


def leaf(a):
    return ddp.tensor(np.asarray(a, dtype=np.float64), dtype=ddp.float64, requires_grad=True)


def ref_conv1d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Direct sum over the kernel taps: out[n, o, l] = sum_c,k x[n, c, l*s + k*d - p] w[o, c, k]."""
    n, c, length = x.shape
    oc, cg, k = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    ol = (length + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    out = np.zeros((n, oc, ol))
    og = oc // groups
    for g in range(groups):
        for t in range(k):
            taps = xp[:, g * cg:(g + 1) * cg, t * dilation:t * dilation + stride * (ol - 1) + 1:stride]
            out[:, g * og:(g + 1) * og] += np.einsum("ncl,oc->nol", taps, w[g * og:(g + 1) * og, :, t])
    return out if b is None else out + b[:, None]


def ref_conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Scatter: input pixel (i, j) adds x[n, c, i, j] w[c, o, ki, kj] at (i*s - p + ki*d, j*s - p + kj*d)."""
    s, p, op, d = (v if isinstance(v, tuple) else (v, v) for v in (stride, padding, output_padding, dilation))
    n, c, h, wd = x.shape
    _, og, kh, kw = w.shape
    cg = c // groups
    full = np.zeros((n, og * groups, (h - 1) * s[0] + d[0] * (kh - 1) + 1 + op[0],
                     (wd - 1) * s[1] + d[1] * (kw - 1) + 1 + op[1]))
    for g in range(groups):
        xs, ws = x[:, g * cg:(g + 1) * cg], w[g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                rows = slice(i * d[0], i * d[0] + (h - 1) * s[0] + 1, s[0])
                cols = slice(j * d[1], j * d[1] + (wd - 1) * s[1] + 1, s[1])
                full[:, g * og:(g + 1) * og, rows, cols] += np.einsum("nchw,co->nohw", xs, ws[:, :, i, j])
    oh = (h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op[0] + 1
    ow = (wd - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op[1] + 1
    out = full[:, :, p[0]:p[0] + oh, p[1]:p[1] + ow]
    return out if b is None else out + b[:, None, None]


CONV1D = [  # (input shape, weight shape, keyword arguments)
    ((2, 3, 9), (4, 3, 3), {}),
    ((2, 4, 11), (6, 2, 3), {"stride": 2, "padding": 1, "groups": 2}),
    ((1, 2, 10), (3, 2, 2), {"dilation": 3, "padding": (2,)}),
    ((2, 4, 7), (4, 1, 3), {"groups": 4, "padding": 1}),  # depthwise
]

TRANSPOSE = [
    ((2, 3, 4, 5), (3, 2, 3, 3), {}),
    ((2, 4, 3, 3), (4, 3, 4, 4), {"stride": 2, "padding": 1}),
    ((1, 4, 3, 4), (4, 1, 3, 2), {"stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2), "groups": 2}),
    ((2, 2, 4, 3), (2, 3, 2, 3), {"dilation": 2, "padding": 1}),
    ((1, 2, 3, 3), (2, 2, 3, 3), {"stride": 1, "dilation": 2, "output_padding": 1}),  # op < dilation
    ((1, 6, 3, 3), (6, 1, 3, 3), {"stride": 2, "groups": 6, "output_padding": 1}),
]


@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV1D)
def test_conv1d_matches_reference_and_gradchecks(x_shape, w_shape, kwargs):
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    out = F.conv1d(ddp.tensor(x.astype(np.float32)), ddp.tensor(w.astype(np.float32)),
                   ddp.tensor(b.astype(np.float32)), **kwargs)
    assert out.dtype == np.float32
    flat = {k: (v[0] if isinstance(v, tuple) else v) for k, v in kwargs.items()}
    np.testing.assert_allclose(out.numpy(), ref_conv1d(x, w, b, **flat), rtol=1e-4, atol=1e-5)
    assert ddp.autograd.gradcheck(lambda x, w, b: F.conv1d(x, w, b, **kwargs), (leaf(x), leaf(w), leaf(b)))


@pytest.mark.parametrize("x_shape, w_shape, kwargs", TRANSPOSE)
def test_conv_transpose2d_matches_reference_and_gradchecks(x_shape, w_shape, kwargs):
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[1] * kwargs.get("groups", 1))
    out = F.conv_transpose2d(ddp.tensor(x.astype(np.float32)), ddp.tensor(w.astype(np.float32)),
                             ddp.tensor(b.astype(np.float32)), **kwargs)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), ref_conv_transpose2d(x, w, b, **kwargs), rtol=1e-4, atol=1e-5)
    assert ddp.autograd.gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, **kwargs),
                                  (leaf(x), leaf(w), leaf(b)))
    assert ddp.autograd.gradcheck(lambda x: F.conv_transpose2d(x, ddp.tensor(w), **kwargs), (leaf(x),))


def test_conv_transpose1d_matches_the_2d_reference_and_gradchecks():
    x, w, b = rng.standard_normal((2, 4, 5)), rng.standard_normal((4, 3, 3)), rng.standard_normal(6)
    kwargs = {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2, "dilation": 1}
    out = F.conv_transpose1d(ddp.tensor(x), ddp.tensor(w), ddp.tensor(b), **kwargs)
    ref = ref_conv_transpose2d(x[:, :, None], w[:, :, None], b, stride=(1, 2), padding=(0, 1),
                               output_padding=(0, 1), groups=2)[:, :, 0]
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-10)
    assert ddp.autograd.gradcheck(lambda x, w, b: F.conv_transpose1d(x, w, b, **kwargs), (leaf(x), leaf(w), leaf(b)))
    assert nn.ConvTranspose1d(4, 6, 3, stride=2)(ddp.randn(1, 4, 5), output_size=[12]).shape == (1, 6, 12)


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    # <conv2d(y, w), x> == <y, conv_transpose2d(x, w)> for every y, x: the defining property
    w = rng.standard_normal((4, 3, 3, 3))
    y = rng.standard_normal((2, 3, 9, 8))
    conv = F.conv2d(ddp.tensor(y), ddp.tensor(w), stride=2, padding=1, dilation=1)
    x = rng.standard_normal(conv.shape)
    back = F.conv_transpose2d(ddp.tensor(x), ddp.tensor(w), stride=2, padding=1, output_padding=(0, 1))
    assert back.shape == y.shape
    np.testing.assert_allclose((conv.numpy() * x).sum(), (y * back.numpy()).sum(), rtol=1e-10)


def test_unbatched_inputs():
    w = ddp.randn(4, 3, 3)
    x = ddp.randn(3, 10)
    np.testing.assert_allclose(F.conv1d(x, w).numpy(), F.conv1d(x.unsqueeze(0), w).numpy()[0], rtol=1e-6)
    wt, xt = ddp.randn(3, 2, 3, 3), ddp.randn(3, 4, 4)
    np.testing.assert_allclose(F.conv_transpose2d(xt, wt, stride=2).numpy(),
                               F.conv_transpose2d(xt.unsqueeze(0), wt, stride=2).numpy()[0], rtol=1e-6)


def test_modules_shapes_init_and_output_size():
    ddp.manual_seed(0)
    m = nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1)
    assert m.weight.shape == (16, 8, 4, 4) and m.bias.shape == (8,)
    bound = 1 / math.sqrt(8 * 16)  # PyTorch's fan_in of the (in, out/groups, kH, kW) layout
    assert np.abs(m.weight.numpy()).max() <= bound and np.abs(m.bias.numpy()).max() <= bound
    assert m(ddp.randn(2, 16, 7, 7)).shape == (2, 8, 14, 14)
    up = nn.ConvTranspose2d(4, 6, 3, stride=2)
    assert up(ddp.randn(1, 4, 5, 5), output_size=(12, 12)).shape == (1, 6, 12, 12)
    assert up(ddp.randn(1, 4, 5, 5), output_size=(1, 6, 11, 12)).shape == (1, 6, 11, 12)
    c1 = nn.Conv1d(4, 6, 3, padding="same", groups=2, bias=False)
    assert c1.weight.shape == (6, 2, 3) and c1.bias is None and c1(ddp.randn(2, 4, 9)).shape == (2, 6, 9)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.conv1d(ddp.randn(1, 4, 5, 5), ddp.randn(4, 4, 3)), RuntimeError, r"conv1d: expected a 2-D.*3-D"),
    (lambda: F.conv1d(ddp.randn(1, 4, 5), ddp.randn(4, 3, 3)), RuntimeError, "input has 4 channels but weight expects 3"),
    (lambda: F.conv1d(ddp.randn(1, 4, 5), ddp.randn(4, 4, 3), stride=(1, 2)), TypeError, "stride must be an int or a 1-tuple"),
    (lambda: F.conv1d(ddp.randn(1, 4, 9), ddp.randn(4, 4, 3), stride=2, padding="same"), RuntimeError, "strided"),
    (lambda: F.conv_transpose2d(ddp.randn(1, 5, 5, 5), ddp.randn(4, 3, 3, 3)), RuntimeError,
     "input has 5 channels but weight expects 4"),
    (lambda: F.conv_transpose2d(ddp.randn(1, 4, 5, 5), ddp.randn(4, 3, 3, 3), output_padding=1), RuntimeError,
     "output padding must be smaller than either stride or dilation"),
    (lambda: F.conv_transpose2d(ddp.randn(1, 4, 2, 2), ddp.randn(4, 3, 3, 3), padding=3), RuntimeError,
     "too small"),
    (lambda: F.conv_transpose2d(ddp.randn(1, 4, 5, 5), ddp.randn(4, 3, 3, 3), ddp.randn(4)), RuntimeError,
     r"bias must have shape \(3,\)"),
    (lambda: nn.ConvTranspose2d(4, 6, 3, stride=2)(ddp.randn(1, 4, 5, 5), output_size=(13, 13)), ValueError,
     "valid sizes range from 11 to 12"),
    (lambda: nn.Conv1d(4, 6, 3, groups=4), ValueError, "groups=4 must be positive and divide"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


MODULES = [  # (name, arguments, keyword arguments, input shape)
    ("Conv1d", (3, 6, 3), {}, (2, 3, 10)),
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 2, "dilation": 2, "groups": 2, "bias": False}, (2, 4, 12)),
    ("Conv1d", (3, 4, 4), {"padding": "same"}, (3, 9)),
    ("ConvTranspose2d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 4, 5, 5)),
    ("ConvTranspose2d", (4, 6, 3), {"groups": 2, "dilation": 2}, (2, 4, 4, 3)),
    ("ConvTranspose2d", (3, 2, (2, 3)), {"stride": (2, 1), "bias": False}, (3, 4, 5)),
    ("Conv2d", (4, 6, 3), {"groups": 2, "dilation": 2, "padding": 2, "stride": 2}, (2, 4, 9, 9)),
    ("ConvTranspose1d", (4, 6, 4), {"stride": 2, "padding": 1}, (2, 4, 7)),
    ("ConvTranspose1d", (4, 2, 3), {"stride": 3, "output_padding": 2, "groups": 2, "dilation": 2}, (4, 5)),
]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("name, args, kwargs, shape", MODULES)
def test_modules_match_torch(name, args, kwargs, shape):
    torch = pytest.importorskip("torch")
    m, tm = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(m) == repr(tm)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = rng.standard_normal(shape).astype(np.float32)
    xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(xd), tm(xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-4, atol=1e-5)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    for (k, p), (_, tp) in zip(m.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-4, err_msg=k)
