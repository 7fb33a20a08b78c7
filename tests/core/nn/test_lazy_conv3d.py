"""nn.LazyConv3d and nn.LazyConvTranspose3d: placeholders until the first call, then Conv3d /
ConvTranspose3d with torch's shapes, state-dict keys, repr and outputs; loading a checkpoint into one."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn


def _t(torch, x):
    return torch.from_numpy(np.array(x.numpy()))


LAYERS = [  # (ddp class, torch class name, constructor args, input shape, becomes)
    (nn.LazyConv3d, "LazyConv3d", (4, 3), (2, 3, 5, 6, 5), nn.Conv3d),
    (nn.LazyConv3d, "LazyConv3d", (4, 2, 1, 1, 1, 2), (2, 4, 4, 4, 4), nn.Conv3d),  # groups=2, padding 1
    (nn.LazyConv3d, "LazyConv3d", (2, 3), (3, 5, 5, 5), nn.Conv3d),  # unbatched: channels are dim 0
    (nn.LazyConvTranspose3d, "LazyConvTranspose3d", (4, 3, 2), (2, 3, 3, 4, 3), nn.ConvTranspose3d),
    (nn.LazyConvTranspose3d, "LazyConvTranspose3d", (4, 2, 2, 0, 1, 2), (1, 6, 3, 3, 3), nn.ConvTranspose3d),
]


@pytest.mark.parametrize("cls, torch_name, args, shape, becomes", LAYERS)
def test_lazy_3d_layer_matches_torch(cls, torch_name, args, shape, becomes):
    torch = pytest.importorskip("torch")
    m, tm = cls(*args), getattr(torch.nn, torch_name)(*args)
    assert m.has_uninitialized_params()
    assert list(m.state_dict()) == list(tm.state_dict()) and repr(m) == repr(tm)
    x = ddp.randn(*shape)
    out, tout = m(x), tm(_t(torch, x))
    assert type(m) is becomes and not m._forward_pre_hooks and tuple(out.shape) == tuple(tout.shape)
    assert m.in_channels == tm.in_channels and repr(m) == repr(tm)
    for (name, a), (tname, b) in zip(m.state_dict().items(), tm.state_dict().items()):
        assert name == tname and tuple(a.shape) == tuple(b.shape) and a.dtype == np.float32
    with torch.no_grad():
        for name, value in m.state_dict().items():
            tm.state_dict()[name].copy_(_t(torch, value))
    np.testing.assert_allclose(m(x).detach().numpy(), tm(_t(torch, x)).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_default_init_bounds_and_load_state_dict():
    conv = nn.LazyConv3d(5, 2, bias=False)
    conv(ddp.randn(1, 3, 4, 4, 4))
    assert conv.bias is None and conv.weight.shape == (5, 3, 2, 2, 2)
    assert np.abs(conv.weight.numpy()).max() <= 1 / np.sqrt(3 * 8)
    source = nn.ConvTranspose3d(3, 4, 2, dtype=ddp.float64)
    lazy = nn.LazyConvTranspose3d(4, 2, dtype=ddp.float64)
    lazy.load_state_dict(source.state_dict())
    x = ddp.randn(1, 3, 2, 2, 2, dtype=ddp.float64)
    np.testing.assert_array_equal(lazy(x).detach().numpy(), source(x).detach().numpy())
    assert type(lazy) is nn.ConvTranspose3d


def test_errors():
    with pytest.raises(RuntimeError, match="4D \\(unbatched\\) or 5D \\(batched\\)"):
        nn.LazyConv3d(4, 3)(ddp.randn(3, 5, 5))
    with pytest.raises(ValueError, match="not divisible by groups=2"):
        nn.LazyConvTranspose3d(4, 3, groups=2)(ddp.randn(1, 3, 4, 4, 4))
