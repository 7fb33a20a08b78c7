"""The *_with_indices pooling names, max unpooling, LP pooling and the deprecated upsample_nearest /
upsample_bilinear: torch parity of values, indices and gradients, float64 gradchecks, modules and errors."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from tests.core.op_helpers import against_torch, gradcheck


def _distinct(shape, seed=0):
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n) * 0.1 - n * 0.05).reshape(shape)


@pytest.mark.parametrize("name,shape,args", [
    ("max_pool1d_with_indices", (2, 3, 9), (3, 2, 1)), ("max_pool2d_with_indices", (2, 3, 6, 7), (3, 2, 1)),
    ("max_pool3d_with_indices", (1, 2, 4, 5, 6), (2,)), ("adaptive_max_pool1d_with_indices", (2, 3, 9), (4,)),
    ("adaptive_max_pool2d_with_indices", (2, 3, 6, 7), ((4, 3),)),
    ("adaptive_max_pool3d_with_indices", (1, 2, 4, 5, 6), (2,)),
])
def test_with_indices_always_return_indices(name, shape, args):
    torch = pytest.importorskip("torch")
    x = _distinct(shape)
    y, i = getattr(F, name)(ddp.tensor(x), *args)
    yt, it = getattr(torch.nn.functional, name)(torch.tensor(x), *args)
    np.testing.assert_array_equal(y.numpy(), yt.numpy())
    np.testing.assert_array_equal(i.numpy(), it.numpy())
    tf = torch.nn.functional
    against_torch(lambda a: getattr(F, name)(a, *args)[0], lambda a: getattr(tf, name)(a, *args)[0], x)


@pytest.mark.parametrize("dims,shape,kwargs", [
    (1, (2, 3, 8), dict(kernel_size=2)), (1, (2, 3, 9), dict(kernel_size=3, stride=2, padding=1)),
    (2, (2, 3, 6, 6), dict(kernel_size=2)), (2, (2, 2, 7, 5), dict(kernel_size=3, stride=2, padding=1)),
    (3, (1, 2, 4, 6, 4), dict(kernel_size=2)), (3, (1, 2, 5, 5, 5), dict(kernel_size=3, stride=2, padding=1)),
])
def test_max_unpool_matches_torch(dims, shape, kwargs):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = _distinct(shape)
    pool, unpool = f"max_pool{dims}d", f"max_unpool{dims}d"
    y, i = getattr(F, pool)(ddp.tensor(x), return_indices=True, **kwargs)
    yt, it = getattr(tf, pool)(torch.tensor(x), return_indices=True, **kwargs)
    sizes = [None, tuple(shape[2:]), tuple(shape)]
    for output_size in sizes:
        ours = getattr(F, unpool)(y, i, output_size=output_size, **kwargs)
        theirs = getattr(tf, unpool)(yt, it, output_size=output_size, **kwargs)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    against_torch(lambda a: getattr(F, unpool)(a, i, output_size=shape, **kwargs),
                  lambda a: getattr(tf, unpool)(a, it, output_size=shape, **kwargs), y.numpy())
    flat = i.numpy().reshape(i.shape[0] * i.shape[1], -1)
    if all(len(np.unique(row)) == len(row) for row in flat):  # a repeated index writes only once (as torch)
        assert gradcheck(lambda a: getattr(F, unpool)(a, i, **kwargs), y.numpy())


def test_max_unpool_unbatched_modules_and_errors():
    torch = pytest.importorskip("torch")
    x = ddp.randn(3, 4, 4)
    y, i = F.max_pool2d(x, 2, return_indices=True)
    out = nn.MaxUnpool2d(2)(y, i)
    assert out.shape == (3, 4, 4) and out.dtype == np.float32
    tn = torch.nn
    expected = tn.MaxUnpool2d(2)(torch.tensor(y.numpy()), torch.tensor(i.numpy()))
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    for ours, theirs in [(nn.MaxUnpool1d(2), tn.MaxUnpool1d(2)), (nn.MaxUnpool2d(2), tn.MaxUnpool2d(2)),
                         (nn.MaxUnpool3d(2, 1, 0), tn.MaxUnpool3d(2, 1, 0))]:
        assert repr(ours) == repr(theirs)
    y, i = F.max_pool2d(ddp.randn(1, 1, 4, 4), 2, return_indices=True)
    with pytest.raises(ValueError, match="between 2 and 6"):
        F.max_unpool2d(y, i, 2, output_size=(6, 6))
    with pytest.raises(ValueError, match="2 or 4 entries"):
        F.max_unpool2d(y, i, 2, output_size=(5,))
    with pytest.raises(RuntimeError, match="invalid max index"):
        F.max_unpool2d(y, i + 20, 2)
    with pytest.raises(RuntimeError, match="int64"):
        F.max_unpool2d(y, i.float(), 2)
    with pytest.raises(RuntimeError, match="input's shape"):
        F.max_unpool2d(y, i[..., :1], 2)
    with pytest.raises(RuntimeError, match="2-D .unbatched. or 3-D"):
        F.max_unpool1d(y, i, 2)
    assert nn.modules.pooling.MaxUnpool2d is nn.MaxUnpool2d


@pytest.mark.parametrize("dims,shape,args", [
    (1, (2, 3, 9), (2, 3)), (1, (2, 3, 10), (1.5, 3, 2, True)), (2, (2, 2, 6, 7), (2, 2)),
    (2, (2, 2, 7, 7), (3, (3, 2), 2, True)), (3, (1, 2, 4, 5, 6), (2, 2)), (3, (1, 2, 5, 5, 5), (1.5, 3, 2)),
])
def test_lp_pool_matches_torch(dims, shape, args):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).uniform(0.5, 2.0, shape)  # positive: x^p is real for every p
    name = f"lp_pool{dims}d"
    tf = torch.nn.functional
    against_torch(lambda a: getattr(F, name)(a, *args), lambda a: getattr(tf, name)(a, *args), x)
    assert gradcheck(lambda a: getattr(F, name)(a, *args), x[:1, :1])


def test_lp_pool_modules():
    torch = pytest.importorskip("torch")
    x = ddp.rand(2, 3, 6, 6) + 0.5
    tn = torch.nn
    for ours, theirs in [(nn.LPPool2d(2, 3, 2, True), tn.LPPool2d(2, 3, 2, True)),
                         (nn.LPPool1d(2, 3), tn.LPPool1d(2, 3)), (nn.LPPool3d(1.5, 2), tn.LPPool3d(1.5, 2))]:
        assert repr(ours) == repr(theirs)
    y = nn.LPPool2d(2, 2)(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), torch.nn.LPPool2d(2, 2)(torch.tensor(x.numpy())).numpy(), rtol=1e-5)
    assert nn.modules.pooling.LPPool3d is nn.LPPool3d


def test_upsample_nearest_and_bilinear_are_deprecated_interpolate():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 4))
    with pytest.warns(UserWarning, match="upsample_nearest is deprecated"):
        y = F.upsample_nearest(ddp.tensor(x), scale_factor=2)
    tf = torch.nn.functional
    np.testing.assert_array_equal(y.numpy(), tf.interpolate(torch.tensor(x), scale_factor=2).numpy())
    with pytest.warns(UserWarning, match="upsample_bilinear is deprecated"):
        y = F.upsample_bilinear(ddp.tensor(x), size=(5, 7))
    expected = tf.interpolate(torch.tensor(x), size=(5, 7), mode="bilinear", align_corners=True)
    np.testing.assert_allclose(y.numpy(), expected.numpy(), rtol=1e-12)
