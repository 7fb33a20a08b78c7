"""nn.utils fusion (conv/linear + eval BatchNorm), skip_init, and nn.init's dirac_, sparse_ and deprecated
aliases; against torch where installed."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.nn import init
from ddp.nn.utils import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights, skip_init


def _np(t):
    return np.array(t.detach().numpy())


def _bn_stats(bn, seed):
    rng = np.random.default_rng(seed)
    n = bn.num_features
    bn.running_mean._data[...] = rng.standard_normal(n)
    bn.running_var._data[...] = rng.uniform(0.5, 2.0, n)
    if bn.weight is not None:
        bn.weight._data[...] = rng.uniform(0.5, 1.5, n)
        bn.bias._data[...] = rng.standard_normal(n)
    return bn


@pytest.mark.parametrize("conv, bn, shape, transpose", [
    (lambda: nn.Conv2d(3, 4, 3, padding=1), lambda: nn.BatchNorm2d(4), (2, 3, 5, 5), False),
    (lambda: nn.Conv1d(3, 4, 2, bias=False), lambda: nn.BatchNorm1d(4, affine=False), (2, 3, 6), False),
    (lambda: nn.ConvTranspose2d(3, 4, 2, stride=2), lambda: nn.BatchNorm2d(4), (2, 3, 3, 3), True),
])
def test_fused_conv_equals_conv_then_bn(conv, bn, shape, transpose):
    conv, bn = conv().double().eval(), _bn_stats(bn().double(), 0).eval()
    x = ddp.randn(*shape, dtype=ddp.float64)
    fused = fuse_conv_bn_eval(conv, bn, transpose=transpose)
    np.testing.assert_allclose(_np(fused(x)), _np(bn(conv(x))), rtol=1e-10, atol=1e-12)
    assert fused is not conv and isinstance(fused.weight, nn.Parameter) and isinstance(fused.bias, nn.Parameter)


def test_fused_linear_equals_linear_then_bn():
    lin, bn = nn.Linear(5, 3).double().eval(), _bn_stats(nn.BatchNorm1d(3).double(), 1).eval()
    x = ddp.randn(4, 5, dtype=ddp.float64)
    np.testing.assert_allclose(_np(fuse_linear_bn_eval(lin, bn)(x)), _np(bn(lin(x))), rtol=1e-10, atol=1e-12)


def test_fuse_weights_match_torch():
    torch = pytest.importorskip("torch")
    conv, bn = nn.Conv2d(3, 4, 3), _bn_stats(nn.BatchNorm2d(4), 2)
    t = [torch.from_numpy(_np(v)) for v in (conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.weight,
                                            bn.bias)]
    t[0], t[1] = torch.nn.Parameter(t[0]), torch.nn.Parameter(t[1])
    got = fuse_conv_bn_weights(conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
    want = torch.nn.utils.fuse_conv_bn_weights(t[0], t[1], t[2], t[3], bn.eps, t[4], t[5])
    for g, w in zip(got, want):
        assert g.dtype == ddp.float32 and g.requires_grad == w.requires_grad
        np.testing.assert_allclose(_np(g), _np(w), rtol=1e-5, atol=1e-6)
    got = fuse_conv_bn_weights(conv.weight, None, bn.running_mean, bn.running_var, bn.eps, None, None)
    want = torch.nn.utils.fuse_conv_bn_weights(t[0], None, t[2], t[3], bn.eps, None, None)
    for g, w in zip(got, want):
        np.testing.assert_allclose(_np(g), _np(w), rtol=1e-5, atol=1e-6)
    lin, bn1 = nn.Linear(5, 4), _bn_stats(nn.BatchNorm1d(4), 3)
    t = [torch.from_numpy(_np(v)) for v in (lin.weight, lin.bias, bn1.running_mean, bn1.running_var, bn1.weight,
                                             bn1.bias)]
    got = fuse_linear_bn_weights(lin.weight, lin.bias, bn1.running_mean, bn1.running_var, bn1.eps, bn1.weight,
                                 bn1.bias)
    want = torch.nn.utils.fuse_linear_bn_weights(t[0], t[1], t[2], t[3], bn1.eps, t[4], t[5])
    for g, w in zip(got, want):
        np.testing.assert_allclose(_np(g), _np(w), rtol=1e-5, atol=1e-6)


def test_fusion_errors():
    with pytest.raises(AssertionError, match="eval mode"):
        fuse_conv_bn_eval(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4).eval())
    with pytest.raises(AssertionError, match="no running statistics"):
        fuse_conv_bn_eval(nn.Conv2d(3, 4, 3).eval(), nn.BatchNorm2d(4, track_running_stats=False).eval())
    with pytest.raises(AssertionError, match="num_features"):
        fuse_linear_bn_eval(nn.Linear(3, 4).eval(), nn.BatchNorm1d(3).eval())
    fuse_linear_bn_eval(nn.Linear(3, 4).eval(), nn.BatchNorm1d(1).eval())  # one feature broadcasts


def test_skip_init_leaves_values_alone():
    state = ddp.get_rng_state()
    fc = skip_init(nn.Linear, 3, 2)
    assert (ddp.get_rng_state().numpy() == state.numpy()).all()  # nothing was drawn
    assert fc.weight.shape == (2, 3) and fc.bias.shape == (2,)
    assert init.kaiming_uniform_(fc.weight) is fc.weight  # initialisers work again afterwards
    assert np.abs(_np(fc.weight)).max() > 0
    with pytest.raises(RuntimeError, match="expects a Module class"):
        skip_init(int)

    class NoDevice(nn.Module):
        def __init__(self, n):
            super().__init__()

    with pytest.raises(RuntimeError, match="no 'device' argument"):
        skip_init(NoDevice, 3)


def test_dirac_matches_torch():
    torch = pytest.importorskip("torch")
    for shape, groups in [((4, 2, 3), 1), ((4, 2, 3), 2), ((6, 3, 3, 3), 3), ((2, 2, 1, 3, 3), 1)]:
        got = init.dirac_(ddp.empty(*shape), groups)
        want = torch.nn.init.dirac_(torch.empty(*shape), groups)
        np.testing.assert_array_equal(_np(got), want.numpy())
    x = ddp.randn(1, 2, 5)
    conv = nn.Conv1d(2, 2, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    np.testing.assert_allclose(_np(conv(x)), _np(x), atol=1e-6)  # the identity convolution
    for shape, groups in [((4, 3), 1), ((5, 2, 3), 2)]:
        with pytest.raises(ValueError):
            init.dirac_(ddp.empty(*shape), groups)
        with pytest.raises(ValueError):
            torch.nn.init.dirac_(torch.empty(*shape), groups)


def test_sparse_zeros_a_fraction_of_each_column():
    ddp.manual_seed(0)
    w = init.sparse_(ddp.empty(10, 6), sparsity=0.3, std=0.5)
    zeros = (_np(w) == 0).sum(axis=0)
    assert (zeros == math.ceil(0.3 * 10)).all()
    assert 0.1 < _np(w)[_np(w) != 0].std() < 1.5
    with pytest.raises(ValueError, match="2 dimensions"):
        init.sparse_(ddp.empty(2, 3, 4), 0.5)


@pytest.mark.parametrize("name, args", [
    ("uniform", ()), ("normal", ()), ("constant", (0.5,)), ("xavier_uniform", ()), ("xavier_normal", ()),
    ("kaiming_uniform", ()), ("kaiming_normal", ()), ("orthogonal", ()), ("sparse", (0.5,)), ("eye", ()),
])
def test_deprecated_aliases_warn_and_work(name, args):
    t = ddp.zeros(4, 3)
    with pytest.warns(FutureWarning, match=f"nn.init.{name} is deprecated"):
        out = getattr(init, name)(t, *args)
    assert out is t
    if name != "sparse":
        assert np.abs(_np(t)).sum() > 0
    with pytest.warns(FutureWarning):
        init.dirac(ddp.zeros(2, 2, 3))
