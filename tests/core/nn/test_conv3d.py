"""Conv3d / ConvTranspose3d (functional and modules) and the 3-D padding layers: torch parity of values and of
every input's gradient, float64 gradchecks, state dicts and reprs, float32 kept, and errors."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from tests.core.op_helpers import against_torch, gradcheck

CONV_CASES = [dict(), dict(stride=2, padding=1), dict(padding="same", dilation=(1, 2, 1)), dict(padding="valid"),
              dict(stride=(1, 2, 3), dilation=2, padding=(0, 1, 2)), dict(groups=2, padding=1)]


@pytest.mark.parametrize("kwargs", CONV_CASES)
def test_conv3d_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    groups = kwargs.get("groups", 1)
    x, w, b = (rng.standard_normal(s) for s in ((2, 4, 5, 6, 7), (6, 4 // groups, 3, 2, 3), (6,)))
    against_torch(lambda a, v, c: F.conv3d(a, v, c, **kwargs),
                  lambda a, v, c: torch.nn.functional.conv3d(a, v, c, **kwargs), x, w, b)
    small = (x[:1, :, :, :4, :5], w[:2], b[:2])
    assert gradcheck(lambda a, v, c: F.conv3d(a, v, c, **kwargs), *small)


TRANSPOSED_CASES = [dict(), dict(stride=2, padding=1, output_padding=1), dict(stride=(1, 2, 3), dilation=2),
                    dict(groups=2, stride=2), dict(stride=2, dilation=3, output_padding=(0, 2, 1))]


@pytest.mark.parametrize("kwargs", TRANSPOSED_CASES)
def test_conv_transpose3d_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    groups = kwargs.get("groups", 1)
    x, w, b = (rng.standard_normal(s) for s in ((2, 4, 3, 4, 3), (4, 3, 3, 2, 3), (3 * groups,)))
    against_torch(lambda a, v, c: F.conv_transpose3d(a, v, c, **kwargs),
                  lambda a, v, c: torch.nn.functional.conv_transpose3d(a, v, c, **kwargs), x, w, b)
    assert gradcheck(lambda a, v, c: F.conv_transpose3d(a, v, c, **kwargs), x[:1, :, :2, :3, :2], w, b)


def test_unbatched_no_bias_float32():
    torch = pytest.importorskip("torch")
    x, w = ddp.randn(2, 4, 5, 6), ddp.randn(3, 2, 3, 3, 3)
    y = F.conv3d(x, w, padding=1)
    assert y.shape == (3, 4, 5, 6) and y.dtype == np.float32
    expected = torch.nn.functional.conv3d(torch.tensor(x.numpy()), torch.tensor(w.numpy()), padding=1)
    np.testing.assert_allclose(y.numpy(), expected.numpy(), rtol=1e-4, atol=1e-5)
    wt = ddp.randn(2, 3, 2, 2, 2)
    assert F.conv_transpose3d(x, wt, stride=2).shape == (3, 8, 10, 12)


@pytest.mark.parametrize("args,kwargs", [
    ((2, 4, 3), {}), ((2, 4, 3), dict(stride=2, padding=1, groups=2, bias=False)),
    ((2, 4, (1, 3, 3)), dict(padding="same", padding_mode="reflect")),
    ((2, 4, 3), dict(padding=1, padding_mode="circular", dilation=2)),
    ((2, 4, 3), dict(padding=(1, 0, 1), padding_mode="replicate")),
])
def test_conv3d_module_matches_torch(args, kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Conv3d(*args, **kwargs), torch.nn.Conv3d(*args, **kwargs)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.weight.shape == tuple(theirs.weight.shape) and ours.weight.dtype == np.float32
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((2, 2, 5, 6, 7)).astype(np.float32)
    y, yt = ours(ddp.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    bound = 1 / np.sqrt(ours.weight[0].numel())  # kaiming_uniform(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert np.abs(ours.weight.detach().numpy()).max() <= bound


def test_conv_transpose3d_module_and_output_size():
    torch = pytest.importorskip("torch")
    ours, theirs = (lib.ConvTranspose3d(4, 2, 3, stride=2, padding=1) for lib in (nn, torch.nn))
    assert repr(ours) == repr(theirs)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((2, 4, 3, 4, 5)).astype(np.float32)
    for size in (None, (6, 8, 10), (2, 2, 5, 7, 9)):
        y, yt = ours(ddp.tensor(x), output_size=size), theirs(torch.tensor(x), output_size=size)
        assert y.shape == tuple(yt.shape)
        np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="valid sizes"):
        ours(ddp.tensor(x), output_size=(7, 8, 10))
    assert nn.modules.conv.Conv3d is nn.Conv3d and isinstance(ours, nn.modules.conv._ConvNd)


def test_conv3d_errors():
    x = ddp.randn(1, 4, 5, 5, 5)
    with pytest.raises(RuntimeError, match="input has 4 channels but weight expects 2"):
        F.conv3d(x, ddp.randn(3, 2, 3, 3, 3))
    with pytest.raises(RuntimeError, match="5-D"):
        F.conv3d(x, ddp.randn(3, 4, 3, 3))
    with pytest.raises(RuntimeError, match="4-D .unbatched. or 5-D"):
        F.conv3d(ddp.randn(4, 5, 5), ddp.randn(3, 4, 3, 3, 3))
    with pytest.raises(RuntimeError, match="strided"):
        F.conv3d(x, ddp.randn(3, 4, 3, 3, 3), stride=2, padding="same")
    with pytest.raises(RuntimeError, match="can't be greater"):
        F.conv3d(x, ddp.randn(3, 4, 6, 3, 3))
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        F.conv_transpose3d(x, ddp.randn(4, 2, 3, 3, 3), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="groups"):
        nn.Conv3d(4, 6, 3, groups=4)
    with pytest.raises(TypeError, match="tuple of 3"):
        nn.Conv3d(4, 6, (3, 3))


PAD_LAYERS = ["ZeroPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d"]


@pytest.mark.parametrize("name", PAD_LAYERS)
@pytest.mark.parametrize("padding", [1, (1, 0, 2, 1, 0, 2)])
def test_padding_3d_layers_match_torch(name, padding):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(padding), getattr(torch.nn, name)(padding)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(4).standard_normal((2, 2, 3, 4, 5))
    against_torch(ours, theirs, x)
    against_torch(ours, theirs, x[0])  # unbatched (C, D, H, W)
    assert getattr(nn.modules.padding, name) is getattr(nn, name)


def test_constant_pad_3d():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.ConstantPad3d((1, 2, 0, 1, 2, 0), 3.5), torch.nn.ConstantPad3d((1, 2, 0, 1, 2, 0), 3.5)
    assert repr(ours) == repr(theirs)
    against_torch(ours, theirs, np.random.default_rng(5).standard_normal((1, 2, 3, 4, 5)))
    with pytest.raises(ValueError, match="6 ints"):
        nn.ZeroPad3d((1, 1))
