"""F.pad's copying modes (reflect, replicate, circular), the padding layers, and Conv padding_mode: numpy
references (np.pad), float64 gradchecks, errors, reprs and torch parity."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F

rng = np.random.default_rng(0)
NUMPY_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def leaf(a):
    return ddp.tensor(np.asarray(a, dtype=np.float64), dtype=ddp.float64, requires_grad=True)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape, widths", [((2, 3, 5), (2, 1)), ((3, 6), (0, 3)), ((2, 2, 4, 5), (1, 2, 3, 0)),
                                           ((2, 3, 4, 4), (3, 3, 1, 1)), ((1, 2, 3, 4, 5), (1, 1, 2, 0, 1, 2))])
def test_pad_matches_numpy_and_gradchecks(mode, shape, widths):
    x = rng.standard_normal(shape)
    numpy_widths = [(0, 0)] * len(shape)
    for i in range(len(widths) // 2):
        numpy_widths[len(shape) - 1 - i] = (widths[2 * i], widths[2 * i + 1])
    out = F.pad(ddp.tensor(x.astype(np.float32)), widths, mode=mode)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), np.pad(x.astype(np.float32), numpy_widths, mode=NUMPY_MODE[mode]))
    assert ddp.autograd.gradcheck(lambda t: F.pad(t, widths, mode=mode), (leaf(x),))


CROPS = [  # (mode, input shape, widths with a negative (cropping) entry)
    ("constant", (2, 3, 4, 5), (-1, 2, 0, -1)), ("constant", (2, 3, 5), (-5, 1)), ("constant", (2, 4), (2, -3)),
    ("reflect", (2, 3, 5), (-3, 2)), ("reflect", (2, 3, 5), (3, -4)), ("reflect", (1, 2, 4, 5), (-1, 2, 2, -1)),
    ("replicate", (2, 3, 5), (-6, 2)), ("replicate", (1, 2, 4, 5), (1, -2, -1, 3)),
    ("replicate", (1, 2, 3, 4, 5), (-1, 1, 1, -1, 0, 2)),
    ("circular", (2, 3, 5), (-3, 2)), ("circular", (2, 3, 5), (2, -1)), ("circular", (1, 2, 4, 5), (-1, 2, 1, -2)),
]


@pytest.mark.parametrize("mode, shape, widths", CROPS)
def test_negative_widths_crop_as_in_torch(mode, shape, widths):
    """A negative width crops: constant and circular crop first, reflect and replicate pad the whole input
    first (so (-3, 2) of [0 1 2 3 4] reflects to [3 4 3 2]); values and gradients as PyTorch's."""
    x = rng.standard_normal(shape)
    assert ddp.autograd.gradcheck(lambda t: F.pad(t, widths, mode=mode), (leaf(x),))
    torch = pytest.importorskip("torch")
    xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = F.pad(xd, widths, mode=mode), torch.nn.functional.pad(xt, widths, mode=mode)
    np.testing.assert_array_equal(out.detach().numpy(), tout.detach().numpy())
    g = rng.standard_normal(out.shape)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)  # sums' order differs


def test_negative_widths_reflect_about_the_whole_input():
    x = ddp.arange(5.0).reshape(1, 1, 5)
    assert F.pad(x, (-3, 2), mode="reflect").flatten().tolist() == [3.0, 4.0, 3.0, 2.0]
    assert F.pad(x, (-4, 1), mode="replicate").flatten().tolist() == [4.0, 4.0]
    assert F.pad(x, (-3, 2), mode="circular").flatten().tolist() == [3.0, 4.0, 3.0, 4.0]
    assert F.pad(x, (-1, -1), value=7.0).flatten().tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.pad(ddp.randn(1, 1, 5), (-6, 2)), RuntimeError, r"cropping \(-6, 2\) removes more than the 5"),
    (lambda: F.pad(ddp.randn(1, 1, 5), (-5, 0), mode="reflect"), RuntimeError, "output size would be 0"),
    (lambda: F.pad(ddp.randn(1, 1, 5), (3, -4), mode="circular"), RuntimeError, "wrapping around more than once"),
    (lambda: F.pad(ddp.randn(3), (1, -1, 1, 1)), RuntimeError, "padding length 4 and input of dimension 1"),
    (lambda: F.pad(ddp.randn(1, 1, 3), (3, 3), mode="reflect"), RuntimeError, "should be less than"),
    (lambda: F.pad(ddp.randn(1, 1, 3), (4, 0), mode="circular"), RuntimeError, "wrapping around more than once"),
    (lambda: F.pad(ddp.randn(1, 1, 3), (1, 1), mode="foo"), NotImplementedError, "Unrecognised padding mode"),
    (lambda: F.pad(ddp.randn(3), (1, 1), mode="reflect"), NotImplementedError, "not supported for 1D input"),
    (lambda: F.pad(ddp.randn(1, 1, 3), (1, 1, 1), mode="reflect"), RuntimeError, "divisible by 2"),
    (lambda: F.pad(ddp.randn(2, 3, 4), (1, 1), mode="replicate", value=2.0), RuntimeError, "doesn't take in value"),
    (lambda: nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect"), ValueError, 'Only "zeros" padding mode'),
    (lambda: nn.ReflectionPad2d((1, 2)), ValueError, "tuple of 4 ints"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


LAYERS = [  # (name, arguments, input shape)
    ("ReflectionPad1d", ((1, 2),), (2, 3, 5)), ("ReflectionPad2d", (1,), (2, 3, 4, 5)),
    ("ReplicationPad1d", (3,), (3, 4)), ("ReplicationPad2d", ((1, 0, 2, 3),), (2, 3, 4, 5)),
    ("CircularPad1d", (2,), (2, 3, 5)), ("CircularPad2d", ((1, 2, 0, 1),), (3, 4, 5)),
    ("ZeroPad1d", (2,), (2, 3, 5)), ("ZeroPad2d", ((1, 0, 2, 3),), (2, 3, 4, 5)),
    ("ConstantPad1d", (1, 0.5), (2, 3, 5)), ("ConstantPad2d", (2, 3.5), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("name, args, shape", LAYERS)
def test_layers_match_torch(name, args, shape):
    torch = pytest.importorskip("torch")
    m, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(m) == repr(tm)
    x = rng.standard_normal(shape).astype(np.float32)
    xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(xd), tm(xt)
    np.testing.assert_array_equal(out.numpy(), tout.detach().numpy())
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name, args, kwargs, shape", [
    ("Conv2d", (2, 4, 3), {"padding": 1, "padding_mode": "reflect"}, (2, 2, 6, 5)),
    ("Conv2d", (2, 4, (3, 2)), {"padding": (1, 2), "padding_mode": "circular", "stride": 2}, (2, 2, 6, 5)),
    ("Conv2d", (2, 4, 4), {"padding": "same", "padding_mode": "replicate"}, (1, 2, 6, 6)),
    ("Conv1d", (3, 2, 3), {"padding": 2, "padding_mode": "reflect", "dilation": 2}, (2, 3, 9)),
])
def test_conv_padding_modes_match_torch(name, args, kwargs, shape):
    torch = pytest.importorskip("torch")
    m, tm = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(m) == repr(tm)
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = rng.standard_normal(shape).astype(np.float32)
    xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(xd), tm(xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-5)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
