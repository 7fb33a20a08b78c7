"""Fractional max pooling (F.fractional_max_pool2d/3d, their _with_indices names, nn.FractionalMaxPool2d/3d):
values and indices equal to torch's given the same _random_samples (float32 and float64, NaNs, overlapping
windows), gradients against torch and central differences, modules, and errors with torch's types."""
import warnings

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
from tests.core.op_helpers import against_torch, gradcheck


def _distinct(shape, seed=0):
    """Values 0.1 apart in a random order: every window has one maximum, kept off ties."""
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n) * 0.1 - n * 0.05).reshape(shape)


def _samples(n, c, d, dtype=np.float64, seed=1):
    return np.random.default_rng(seed).random((n, c, d)).astype(dtype)


CASES = [  # (spatial dims, input shape, kernel_size, output_size)
    (2, (2, 3, 9, 11), 2, (5, 6)),
    (2, (1, 2, 7, 7), (3, 2), (4, 6)),      # kernel 3 > step: overlapping windows share maxima
    (2, (2, 2, 10, 6), 3, (8, 4)),
    (2, (1, 1, 5, 5), 1, 1),
    (2, (3, 7, 8), 2, 4),                   # unbatched
    (3, (1, 2, 6, 7, 8), 2, (3, 4, 5)),
    (3, (2, 1, 5, 6, 5), (2, 3, 1), (3, 2, 4)),
    (3, (2, 5, 6, 7), 2, 3),                # unbatched
]


def _call(lib, d, x, kernel, out, samples, **kwargs):
    return getattr(lib, f"fractional_max_pool{d}d")(x, kernel, out, _random_samples=samples, **kwargs)


@pytest.mark.parametrize("d, shape, kernel, out", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_and_indices_equal_torch(d, shape, kernel, out, dtype):
    torch = pytest.importorskip("torch")
    x = _distinct(shape).astype(dtype)
    n, c = (shape[0], shape[1]) if len(shape) == d + 2 else (1, shape[0])
    u = _samples(n, c, d, dtype)
    y, i = _call(F, d, ddp.tensor(x), kernel, out, ddp.tensor(u), return_indices=True)
    yt, it = _call(torch.nn.functional, d, torch.tensor(x), kernel, out, torch.tensor(u), return_indices=True)
    assert y.dtype == dtype and i.dtype == np.int64
    np.testing.assert_array_equal(y.numpy(), yt.numpy())
    np.testing.assert_array_equal(i.numpy(), it.numpy())


def test_long_axes_in_float32_follow_torchs_rounding():
    """The window starts are computed in the input's dtype, as PyTorch: float32 rounding of (i + u) * alpha
    over a long axis must truncate to the same ints."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        x, u = rng.standard_normal((2, 16, 3, 997)).astype(dtype), rng.random((2, 16, 2)).astype(dtype)
        _, i = F.fractional_max_pool2d(ddp.tensor(x), (2, 3), (2, 613), return_indices=True, _random_samples=ddp.tensor(u))
        _, it = torch.nn.functional.fractional_max_pool2d(torch.tensor(x), (2, 3), (2, 613), return_indices=True,
                                                          _random_samples=torch.tensor(u))
        np.testing.assert_array_equal(i.numpy(), it.numpy())


@pytest.mark.parametrize("d", [2, 3])
def test_nan_wins_its_window_as_in_torch(d):
    torch = pytest.importorskip("torch")
    shape = (2, 2) + (7,) * d
    x = _distinct(shape)
    x.reshape(-1)[::7] = np.nan
    u = _samples(2, 2, d)
    y, i = _call(F, d, ddp.tensor(x), 3, 4, ddp.tensor(u), return_indices=True)
    yt, it = _call(torch.nn.functional, d, torch.tensor(x), 3, 4, torch.tensor(u), return_indices=True)
    np.testing.assert_array_equal(y.numpy(), yt.numpy())
    np.testing.assert_array_equal(i.numpy(), it.numpy())


@pytest.mark.parametrize("d, shape, kernel, out", CASES)
def test_gradients_match_torch(d, shape, kernel, out):
    torch = pytest.importorskip("torch")
    n, c = (shape[0], shape[1]) if len(shape) == d + 2 else (1, shape[0])
    u = _samples(n, c, d)
    against_torch(lambda a: _call(F, d, a, kernel, out, ddp.tensor(u)),
                  lambda a: _call(torch.nn.functional, d, a, kernel, out, torch.tensor(u)), _distinct(shape))


@pytest.mark.parametrize("d, shape, kernel, out", [CASES[1], CASES[4], CASES[5]])
def test_gradcheck(d, shape, kernel, out):
    n, c = (shape[0], shape[1]) if len(shape) == d + 2 else (1, shape[0])
    u = ddp.tensor(_samples(n, c, d))
    assert gradcheck(lambda a: _call(F, d, a, kernel, out, u), _distinct(shape))


def test_overlapping_windows_accumulate_the_gradient():
    x = ddp.tensor(_distinct((1, 1, 5, 5)), requires_grad=True)
    y = F.fractional_max_pool2d(x, 3, 5 - 3 + 1, _random_samples=ddp.tensor(_samples(1, 1, 2)))  # stride 1
    y.sum().backward()
    assert x.grad.numpy().max() > 1 and x.grad.numpy().sum() == y.numel()


def test_float32_stays_float32_and_unbatched_shapes():
    x = ddp.randn(3, 9, 9, requires_grad=True)
    y, i = F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.7), return_indices=True)
    assert y.shape == (3, 4, 6) and i.shape == (3, 4, 6) and y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape
    np.testing.assert_array_equal(np.take_along_axis(x.detach().numpy().reshape(3, -1), i.numpy().reshape(3, -1),
                                                     1).reshape(y.shape), y.detach().numpy())
    assert F.fractional_max_pool3d(ddp.randn(2, 6, 6, 6), 2, output_ratio=0.5).shape == (2, 3, 3, 3)


def test_fresh_samples_come_from_the_default_generator():
    x = ddp.randn(2, 3, 12, 12)
    ddp.manual_seed(5)
    a, ia = F.fractional_max_pool2d(x, 2, 7, return_indices=True)
    ddp.manual_seed(5)
    b, ib = F.fractional_max_pool2d(x, 2, 7, return_indices=True)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    c = nn.FractionalMaxPool2d(2, 7)(x)
    assert c.shape == (2, 3, 7, 7)


def test_with_indices_names_and_unpooling():
    x = ddp.tensor(_distinct((1, 2, 8, 8)))
    u = ddp.tensor(_samples(1, 2, 2))
    y, i = F.fractional_max_pool2d_with_indices(x, 2, 5, _random_samples=u)
    y2, i2 = F.fractional_max_pool2d(x, 2, 5, return_indices=True, _random_samples=u)
    np.testing.assert_array_equal(i.numpy(), i2.numpy())
    restored = F.max_unpool2d(y, i, 4, stride=1, output_size=(8, 8))  # sizes (5 - 1) * 1 + 4 = 8
    kept = restored.numpy() != 0
    np.testing.assert_array_equal(restored.numpy()[kept], x.numpy()[kept])
    x3 = ddp.tensor(_distinct((1, 1, 5, 5, 5)))
    y3, i3 = F.fractional_max_pool3d_with_indices(x3, 2, 3)
    assert y3.shape == i3.shape == (1, 1, 3, 3, 3)


def test_modules_match_torch():
    torch = pytest.importorskip("torch")
    tn = torch.nn
    x = _distinct((2, 3, 9, 10))
    u = _samples(2, 3, 2)
    m = nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.6), return_indices=True, _random_samples=ddp.tensor(u))
    tm = tn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.6), return_indices=True, _random_samples=torch.tensor(u))
    (y, i), (yt, it) = m(ddp.tensor(x)), tm(torch.tensor(x))
    np.testing.assert_array_equal(y.numpy(), yt.numpy())
    np.testing.assert_array_equal(i.numpy(), it.numpy())
    assert repr(m) == repr(tm) and list(m.state_dict()) == list(tm.state_dict()) == ["_random_samples"]
    plain, tplain = nn.FractionalMaxPool3d(2, output_size=3), tn.FractionalMaxPool3d(2, output_size=3)
    assert repr(plain) == repr(tplain) and list(plain.state_dict()) == list(tplain.state_dict()) == []
    assert (plain.kernel_size, plain.output_size, plain.output_ratio) == (tplain.kernel_size, tplain.output_size,
                                                                           tplain.output_ratio)
    x3, u3 = _distinct((1, 2, 6, 7, 8)), _samples(1, 2, 3)
    m3 = nn.FractionalMaxPool3d((2, 2, 3), output_ratio=0.5, _random_samples=ddp.tensor(u3))
    tm3 = tn.FractionalMaxPool3d((2, 2, 3), output_ratio=0.5, _random_samples=torch.tensor(u3))
    np.testing.assert_array_equal(m3(ddp.tensor(x3)).numpy(), tm3(torch.tensor(x3)).numpy())


def test_module_argument_errors():
    with pytest.raises(ValueError, match="either an output size, or a pooling ratio"):
        nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError, match="only one of output_size and output_ratio"):
        nn.FractionalMaxPool2d(2, 3, 0.5)
    for ratio in (1.0, 0, (0.5, 1.5)):
        with pytest.raises(ValueError, match="output_ratio must be between 0 and 1"):
            nn.FractionalMaxPool3d(2, output_ratio=ratio)


@pytest.mark.parametrize("call, error, match", [
    (lambda x: F.fractional_max_pool2d(x, 2), ValueError, "either an output_size or an output_ratio"),
    (lambda x: F.fractional_max_pool2d(x, 2, 7), RuntimeError, "pool height 2 too large relative to input height 7"),
    (lambda x: F.fractional_max_pool2d(x, (1, 3), (7, 6)), RuntimeError, "pool width 3 too large"),
    (lambda x: F.fractional_max_pool2d(x, (2, 3, 4), 3), RuntimeError, "kernel_size must either be"),
    (lambda x: F.fractional_max_pool2d(x, 2, (3, 4, 5)), RuntimeError, "output_size must either be"),
    (lambda x: F.fractional_max_pool2d(x, 2.0, 3), TypeError, "kernel_size"),
    (lambda x: F.fractional_max_pool2d(x, 2, (3.0, 3)), TypeError, "output_size"),
    (lambda x: F.fractional_max_pool2d(x, 2, output_ratio=(0.5,)), ValueError, "output_ratio"),
    (lambda x: F.fractional_max_pool2d(x, 2, 3, _random_samples=ddp.rand(2, 3, 3, dtype=ddp.float64)),
     RuntimeError, r"size\(2\) equals to 2"),
    (lambda x: F.fractional_max_pool2d(x, 2, 3, _random_samples=ddp.rand(1, 3, 2, dtype=ddp.float64)),
     RuntimeError, "no less then input batch size"),
    (lambda x: F.fractional_max_pool2d(x, 2, 3, _random_samples=ddp.rand(2, 4, 2, dtype=ddp.float64)),
     RuntimeError, "input channel size"),
    (lambda x: F.fractional_max_pool2d(x, 2, 3, _random_samples=ddp.rand(2, 3, dtype=ddp.float64)),
     RuntimeError, "3 dimensions"),
    (lambda x: F.fractional_max_pool2d(x, 2, 3, _random_samples=ddp.rand(2, 3, 2)), RuntimeError, "same dtype"),
    (lambda x: F.fractional_max_pool2d(x[:, :0], 2, 3), RuntimeError, "non-zero size for non-batch dimensions"),
    (lambda x: F.fractional_max_pool2d(x[None], 2, 3), RuntimeError, "3-D"),
    (lambda x: F.fractional_max_pool3d(x[0], 2, 3), RuntimeError, "4-D"),
    (lambda x: F.fractional_max_pool3d(x[None], 2, (6, 3, 3)), RuntimeError, "pool time 2 too large"),
])
def test_errors(call, error, match):
    x = ddp.randn(2, 3, 7, 7, dtype=ddp.float64)
    with pytest.raises(error, match=match):
        call(x)


def test_error_types_agree_with_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    cases = [((2, 3, 7, 7), 2, 7, None), ((2, 3, 7, 7), 2, None, None), ((2, 3, 7, 7), (2, 3, 4), 3, None),
             ((1, 2, 6, 7, 8), 2, 5, None), ((2, 3, 7, 7), 2, 3, (1, 3, 2))]
    for shape, kernel, out, samples in cases:
        d = len(shape) - 2
        x = np.zeros(shape)
        u = None if samples is None else np.zeros(samples)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as theirs:
                _call(tf, d, torch.tensor(x), kernel, out, None if u is None else torch.tensor(u))
        with pytest.raises(theirs.type):
            _call(F, d, ddp.tensor(x), kernel, out, None if u is None else ddp.tensor(u))


def test_empty_batch_and_empty_output():
    y = F.fractional_max_pool2d(ddp.randn(0, 3, 7, 7), 2, 3)
    assert y.shape == (0, 3, 3, 3)
    assert F.fractional_max_pool2d(ddp.randn(2, 3, 7, 7), 2, 0).shape == (2, 3, 0, 0)
