"""interpolate / Upsample (nearest, nearest-exact, linear, bilinear, bicubic), PixelShuffle / PixelUnshuffle and
AdaptiveMaxPool2d: per-pixel numpy references, float64 gradchecks, errors, reprs and torch parity."""
import math

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.nn.functional as F

rng = np.random.default_rng(0)


def leaf(a):
    return ddp.tensor(np.asarray(a, dtype=np.float64), dtype=ddp.float64, requires_grad=True)


def ref_source(dst, size, out, mode, align_corners, scale):
    """Source coordinate of output pixel `dst` along one axis, one pixel at a time (PyTorch's formulas)."""
    if mode == "nearest":
        return min(math.floor(dst * scale), size - 1)
    if mode == "nearest-exact":
        return min(math.floor((dst + 0.5) * scale), size - 1)
    if align_corners:
        return dst * (size - 1) / (out - 1) if out > 1 else 0.0
    src = (dst + 0.5) * scale - 0.5
    return src if mode == "bicubic" else max(src, 0.0)  # cubic sources may lie left of pixel 0


def keys_kernel(d, a=-0.75):
    """The cubic convolution kernel PyTorch's bicubic mode uses, at distance d."""
    d = abs(d)
    if d <= 1:
        return ((a + 2) * d - (a + 3)) * d * d + 1
    return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a if d < 2 else 0.0


def ref_axis(x, axis, out, mode, align_corners, scale):
    """Resample one axis of x by a loop over output pixels."""
    size = x.shape[axis]
    pieces = []
    for dst in range(out):
        src = ref_source(dst, size, out, mode, align_corners, scale)
        if mode.startswith("nearest"):
            pieces.append(np.take(x, src, axis=axis))
        elif mode == "bicubic":  # pixels floor(src) - 1 .. floor(src) + 2, read clamped into the image
            i0 = min(int(math.floor(src)), size - 1)
            t = min(max(src - i0, 0.0), 1.0)
            pieces.append(sum(keys_kernel(t - k) * np.take(x, min(max(i0 + k, 0), size - 1), axis=axis)
                              for k in (-1, 0, 1, 2)))
        else:
            i0 = min(int(math.floor(src)), size - 1)
            i1, frac = min(i0 + 1, size - 1), src - i0
            pieces.append((1 - frac) * np.take(x, i0, axis=axis) + frac * np.take(x, i1, axis=axis))
    return np.stack(pieces, axis=axis)


def ref_interpolate(x, size=None, scale_factor=None, mode="nearest", align_corners=None,
                    recompute_scale_factor=None):
    spatial = x.ndim - 2
    if size is not None:
        out = (size,) * spatial if isinstance(size, int) else tuple(size)
        scales = [i / o for i, o in zip(x.shape[2:], out)]
    else:
        factors = (scale_factor,) * spatial if not isinstance(scale_factor, tuple) else scale_factor
        out = tuple(math.floor(i * f) for i, f in zip(x.shape[2:], factors))
        scales = [i / o if recompute_scale_factor else 1 / f for i, o, f in zip(x.shape[2:], out, factors)]
    for k in range(spatial):
        x = ref_axis(x, 2 + k, out[k], mode, bool(align_corners), scales[k])
    return x


CASES = [  # (input shape, keyword arguments)
    ((2, 3, 4, 5), {"scale_factor": 2}),
    ((1, 2, 5, 7), {"size": (3, 4)}),
    ((1, 2, 5, 7), {"size": (8, 11), "mode": "nearest-exact"}),
    ((2, 2, 4, 5), {"scale_factor": 2, "mode": "bilinear"}),
    ((1, 3, 5, 4), {"scale_factor": (1.5, 2.5), "mode": "bilinear"}),
    ((1, 2, 6, 7), {"size": (4, 3), "mode": "bilinear"}),
    ((1, 2, 4, 5), {"size": (7, 9), "mode": "bilinear", "align_corners": True}),
    ((2, 3, 6), {"scale_factor": 3, "mode": "linear"}),
    ((2, 3, 6), {"size": 4, "mode": "linear", "align_corners": True}),
    ((2, 3, 6), {"size": 11}),
    ((2, 2, 4, 5), {"scale_factor": 3, "mode": "bicubic"}),
    ((1, 2, 6, 7), {"size": (3, 4), "mode": "bicubic"}),  # shrinking: sources in the middle of pixels
    ((1, 3, 5, 4), {"scale_factor": (1.5, 2.5), "mode": "bicubic", "align_corners": False}),
    ((1, 2, 4, 5), {"size": (7, 9), "mode": "bicubic", "align_corners": True}),
    ((1, 1, 2, 1), {"size": (5, 3), "mode": "bicubic"}),  # every tap outside a one- or two-pixel image
    ((1, 1, 3, 4), {"scale_factor": 2.3, "mode": "bicubic", "recompute_scale_factor": True}),
]


@pytest.mark.parametrize("shape, kwargs", CASES)
def test_interpolate_matches_a_per_pixel_reference_and_gradchecks(shape, kwargs):
    x = rng.standard_normal(shape)
    out = F.interpolate(ddp.tensor(x.astype(np.float32)), **kwargs)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), ref_interpolate(x, **kwargs), rtol=1e-5, atol=1e-6)
    assert ddp.autograd.gradcheck(lambda x: F.interpolate(x, **kwargs), (leaf(x),))


def test_pixel_shuffle_round_trip_reference_and_gradcheck():
    x = rng.standard_normal((2, 3, 8, 2, 3))  # extra leading dims are allowed
    y = F.pixel_shuffle(ddp.tensor(x), 2)
    assert y.shape == (2, 3, 2, 4, 6)
    # output pixel (h*r + i, w*r + j) of channel c is input channel c*r*r + i*r + j at (h, w)
    np.testing.assert_array_equal(y.numpy()[1, 2, 1, 2 * 1 + 1, 2 * 2 + 0], x[1, 2, 1 * 4 + 1 * 2 + 0, 1, 2])
    np.testing.assert_array_equal(F.pixel_unshuffle(y, 2).numpy(), x)
    assert ddp.autograd.gradcheck(lambda t: F.pixel_shuffle(t, 2), (leaf(x[0]),))
    assert ddp.autograd.gradcheck(lambda t: F.pixel_unshuffle(t, 3), (leaf(rng.standard_normal((2, 6, 3))),))


def ref_adaptive_max(x, oh, ow):
    n, c, h, w = x.shape
    out, idx = np.zeros((n, c, oh, ow)), np.zeros((n, c, oh, ow), dtype=np.int64)
    for i in range(oh):
        for j in range(ow):
            r0, r1 = i * h // oh, -(-(i + 1) * h // oh)
            c0, c1 = j * w // ow, -(-(j + 1) * w // ow)
            win = x[:, :, r0:r1, c0:c1].reshape(n, c, -1)
            k = win.argmax(axis=2)  # the first maximum
            out[:, :, i, j] = win.max(axis=2)
            idx[:, :, i, j] = (r0 + k // (c1 - c0)) * w + c0 + k % (c1 - c0)
    return out, idx


@pytest.mark.parametrize("shape, size", [((2, 3, 5, 7), (2, 3)), ((1, 2, 6, 6), 3), ((1, 1, 4, 9), (None, 4)),
                                         ((2, 7, 5), (3, 2))])
def test_adaptive_max_pool2d_reference_indices_and_gradcheck(shape, size):
    x = rng.permutation(np.prod(shape)).reshape(shape) / 10.0  # distinct values: no ties
    out, idx = F.adaptive_max_pool2d(ddp.tensor(x), size, return_indices=True)
    x4 = x if x.ndim == 4 else x[None]
    oh, ow = (size, size) if isinstance(size, int) else size
    oh, ow = oh or x4.shape[2], ow or x4.shape[3]
    ref, ref_idx = ref_adaptive_max(x4, oh, ow)
    np.testing.assert_array_equal(out.numpy(), ref if x.ndim == 4 else ref[0])
    np.testing.assert_array_equal(idx.numpy(), ref_idx if x.ndim == 4 else ref_idx[0])
    assert idx.dtype == np.int64
    assert ddp.autograd.gradcheck(lambda t: F.adaptive_max_pool2d(t, size), (leaf(x),))


def test_adaptive_max_pool2d_gradient_goes_to_the_first_maximum_of_overlapping_windows():
    x = leaf(np.array([[[[1.0, 5.0, 2.0], [0.0, 5.0, 1.0]]]]))
    F.adaptive_max_pool2d(x, (1, 2)).sum().backward()  # windows [0, 2) and [1, 3) share column 1
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0, 2, 0], [0, 0, 0]]]])


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.interpolate(ddp.randn(1, 2, 5, 5), size=3, scale_factor=2), ValueError, "only one of size or scale"),
    (lambda: F.interpolate(ddp.randn(1, 2, 5, 5)), ValueError, "either size or scale_factor"),
    (lambda: F.interpolate(ddp.randn(1, 2, 5, 5), scale_factor=2, align_corners=True), ValueError,
     "align_corners option can only be set with the interpolating modes"),
    (lambda: F.interpolate(ddp.randn(1, 2, 5), scale_factor=2, mode="bilinear"), NotImplementedError,
     "Got 3D input, but bilinear mode needs 4D input"),
    (lambda: F.interpolate(ddp.randn(1, 2, 5), scale_factor=2, mode="bicubic"), NotImplementedError,
     "Got 3D input, but bicubic mode needs 4D input"),
    (lambda: F.interpolate(ddp.randn(1, 2, 5, 5), scale_factor=2, mode="trilinear"), NotImplementedError,
     "Got 4D input, but trilinear mode needs 5D input"),
    (lambda: F.interpolate(ddp.randn(1, 2, 5, 5), size=(3,)), ValueError, "same number of spatial dimensions"),
    (lambda: F.interpolate(ddp.randn(1, 2, 5, 5), size=(0, 3)), RuntimeError, "should be greater than 0"),
    (lambda: F.pixel_shuffle(ddp.randn(1, 5, 2, 2), 2), RuntimeError, r"input.size\(-3\)=5 is not divisible by 4"),
    (lambda: F.pixel_unshuffle(ddp.randn(1, 1, 3, 4), 2), RuntimeError, r"height .* input.size\(-2\)=3"),
    (lambda: F.pixel_shuffle(ddp.randn(4, 2), 2), RuntimeError, "at least 3 dimensions"),
    (lambda: F.adaptive_max_pool2d(ddp.randn(1, 2, 4, 4), (1, 2, 3)), RuntimeError, "output_size must be an int or a pair"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


MODULES = [  # (name, keyword arguments, input shape)
    ("Upsample", {"scale_factor": 2}, (2, 3, 4, 5)),
    ("Upsample", {"size": (7, 3), "mode": "bilinear"}, (1, 2, 4, 5)),
    ("Upsample", {"scale_factor": (2, 3), "mode": "bilinear", "align_corners": True}, (1, 2, 3, 4)),
    ("Upsample", {"scale_factor": 2.5, "mode": "linear"}, (2, 3, 5)),
    ("Upsample", {"size": (3, 2), "mode": "area"}, (2, 3, 7, 5)),
    ("Upsample", {"scale_factor": 0.5, "mode": "area"}, (2, 3, 8)),
    ("UpsamplingNearest2d", {"scale_factor": 3}, (1, 2, 3, 3)),
    ("UpsamplingBilinear2d", {"size": 6}, (1, 2, 3, 4)),
    ("Upsample", {"scale_factor": 3, "mode": "bicubic"}, (2, 3, 4, 5)),
    ("Upsample", {"size": (3, 7), "mode": "bicubic", "align_corners": True}, (1, 2, 6, 4)),
    ("PixelShuffle", {"upscale_factor": 2}, (2, 8, 3, 4)),
    ("PixelUnshuffle", {"downscale_factor": 3}, (2, 2, 6, 9)),
    ("AdaptiveMaxPool2d", {"output_size": 3}, (2, 3, 7, 8)),
    ("AdaptiveMaxPool2d", {"output_size": (2, None)}, (2, 3, 5, 4)),
]


@pytest.mark.parametrize("name, kwargs, shape", MODULES)
def test_modules_match_torch(name, kwargs, shape):
    torch = pytest.importorskip("torch")
    m, tm = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(m) == repr(tm)
    x = rng.standard_normal(shape).astype(np.float32)
    xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(xd), tm(xt)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", [{"scale_factor": 2}, {"scale_factor": 1 / 3}, {"size": (1, 1)},
                                    {"size": (5, 12), "align_corners": True}, {"scale_factor": (0.6, 1.7)},
                                    {"scale_factor": 2.5, "recompute_scale_factor": True}])
def test_bicubic_matches_torch_values_and_gradients(dtype, kwargs):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3, 6, 7)).astype(dtype)
    xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = F.interpolate(xd, mode="bicubic", **kwargs)
    tout = torch.nn.functional.interpolate(xt, mode="bicubic", **kwargs)
    assert out.dtype == dtype and out.shape == tuple(tout.shape)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=tol, atol=tol)
    g = rng.standard_normal(out.shape).astype(dtype)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)


def test_adaptive_max_pool2d_indices_match_torch():
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3, 7, 5)).astype(np.float32)
    out, idx = nn.AdaptiveMaxPool2d((3, 2), return_indices=True)(ddp.tensor(x))
    tout, tidx = torch.nn.AdaptiveMaxPool2d((3, 2), return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(out.numpy(), tout.numpy())
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())


# ----------------------------------------------------------------------- 5-D inputs and antialiasing
CASES_5D = [  # (input shape, keyword arguments): the per-pixel reference resamples one axis after another
    ((1, 2, 2, 3, 2), {"scale_factor": 2}),
    ((1, 1, 4, 3, 5), {"size": (2, 5, 3), "mode": "nearest-exact"}),
    ((1, 2, 3, 2, 2), {"scale_factor": (1.5, 0.5, 2), "mode": "trilinear"}),
    ((1, 1, 3, 2, 4), {"size": (4, 3, 2), "mode": "trilinear", "align_corners": True}),
    ((2, 1, 2, 3, 3), {"scale_factor": 1.7, "mode": "trilinear", "recompute_scale_factor": True}),
]


@pytest.mark.parametrize("shape, kwargs", CASES_5D)
def test_interpolate_5d_matches_a_per_voxel_reference_and_gradchecks(shape, kwargs):
    x = rng.standard_normal(shape)
    out = F.interpolate(ddp.tensor(x.astype(np.float32)), **kwargs)
    np.testing.assert_allclose(out.numpy(), ref_interpolate(x, **kwargs), rtol=1e-5, atol=1e-6)
    assert ddp.autograd.gradcheck(lambda x: F.interpolate(x, **kwargs), (leaf(x),))


AA_KERNELS = {  # PIL's filters, which PyTorch's antialiased modes use, with their half-widths
    "bilinear": (1, lambda d: max(1 - d, 0.0)),
    "bicubic": (2, lambda d: keys_kernel(d, a=-0.5)),
    "lanczos": (3, lambda d: np.sinc(d) * np.sinc(d / 3) if d < 3 else 0.0),
}


def ref_antialias(x, out, mode, align_corners=False):
    """Antialiased resampling of the last two axes, one output pixel at a time: output pixel i is centred at
    c = scale (i + 0.5); input pixel j weighs kernel(|j + 0.5 - c| / max(scale, 1)), normalised."""
    kernel = AA_KERNELS[mode][1]
    for axis, o in zip((2, 3), out):
        n = x.shape[axis]
        if o == n:
            continue
        scale = ((n - 1) / (o - 1) if o > 1 else 0.0) if align_corners else n / o
        pieces = []
        for i in range(o):
            c = scale * (i + 0.5)
            w = np.array([kernel(abs(j + 0.5 - c) / max(scale, 1.0)) for j in range(n)])
            pieces.append(np.tensordot(w / w.sum(), np.moveaxis(x, axis, 0), axes=1))
        x = np.stack(pieces, axis=axis)
    return x


AA_CASES = [  # (input shape, output size, mode, align_corners)
    ((1, 2, 9, 7), (3, 2), "bilinear", False),
    ((2, 1, 8, 8), (3, 5), "bicubic", False),
    ((1, 1, 4, 6), (9, 2), "bicubic", False),  # enlarging rows: a = -0.5, renormalised at the borders
    ((1, 1, 7, 5), (4, 3), "bilinear", True),
    ((1, 2, 11, 6), (4, 6), "lanczos", False),  # an axis left as it is
]


@pytest.mark.parametrize("shape, size, mode, align_corners", AA_CASES)
def test_antialias_matches_a_per_pixel_reference_and_gradchecks(shape, size, mode, align_corners):
    x = rng.standard_normal(shape)
    kwargs = dict(size=size, mode=mode, antialias=True, align_corners=align_corners or None)
    out = F.interpolate(ddp.tensor(x), **kwargs)
    np.testing.assert_allclose(out.numpy(), ref_antialias(x, size, mode, align_corners), rtol=1e-10, atol=1e-12)
    assert ddp.autograd.gradcheck(lambda x: F.interpolate(x, **kwargs), (leaf(x),))


def test_antialias_averages_every_pixel_when_shrinking():
    x = np.zeros((1, 1, 1, 12))
    x[..., 1] = 1.0  # a spike that plain bilinear (sampling pixels 2.5 and 8.5) misses
    plain = F.interpolate(ddp.tensor(x), size=(1, 2), mode="bilinear").numpy()
    smooth = F.interpolate(ddp.tensor(x), size=(1, 2), mode="bilinear", antialias=True).numpy()
    assert plain.max() == 0 and smooth[..., 0] > 0 and smooth[..., 1] == 0
    np.testing.assert_allclose(F.interpolate(ddp.ones(1, 1, 12, 9), size=(5, 2), mode="bicubic",  # weights sum to 1
                                             antialias=True).numpy(), 1.0, rtol=1e-6)


TORCH_CASES = [  # (input shape, keyword arguments) compared with torch, values and gradients
    ((1, 2, 3, 4, 2), {"scale_factor": 2, "mode": "nearest"}),
    ((1, 2, 5, 3, 4), {"size": (3, 5, 2), "mode": "nearest-exact"}),
    ((2, 1, 3, 4, 5), {"scale_factor": (0.7, 1.5, 2.0), "mode": "trilinear"}),
    ((1, 2, 3, 2, 4), {"size": (5, 1, 3), "mode": "trilinear", "align_corners": True}),
    ((1, 2, 5, 4, 6), {"size": (2, 3, 4), "mode": "area"}),
    ((1, 1, 4, 4, 4), {"scale_factor": 0.5, "mode": "area"}),
    ((1, 2, 4, 6), {"scale_factor": 1.2, "mode": "bilinear"}),  # 4 -> 4 rows: PyTorch copies them as they are
    ((1, 2, 5), {"scale_factor": 1.2, "mode": "linear"}),
    ((1, 2, 16, 13), {"size": (5, 4), "mode": "bilinear", "antialias": True}),
    ((2, 1, 9, 10), {"scale_factor": 0.4, "mode": "bicubic", "antialias": True}),
    ((1, 1, 6, 5), {"scale_factor": (0.45, 2.3), "mode": "bicubic", "antialias": True, "align_corners": True}),
    ((1, 1, 12, 7), {"scale_factor": 0.3, "mode": "bilinear", "antialias": True, "recompute_scale_factor": True}),
    ((1, 2, 10, 11), {"size": (4, 15), "mode": "lanczos", "antialias": True}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, kwargs", TORCH_CASES)
def test_new_modes_match_torch_values_and_gradients(shape, kwargs, dtype):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(shape).astype(dtype)
    xd, xt = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = F.interpolate(xd, **kwargs), torch.nn.functional.interpolate(xt, **kwargs)
    assert out.dtype == dtype and out.shape == tuple(tout.shape)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=tol, atol=tol)
    g = rng.standard_normal(out.shape).astype(dtype)
    out.backward(ddp.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("shape", [(1, 1, 7), (1, 1, 3, 7), (1, 1, 2, 3, 7)])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("scale_factor", [1.2, 2.1, 0.6, 3])
def test_nearest_indices_match_torch_for_every_rank(shape, mode, scale_factor):
    # PyTorch's 4-D 'nearest' copies when out == in and halves indices when out == 2 in; its 3-D and 5-D
    # kernels compute floor(dst * scale) throughout (their backward uses the shortcuts: see interpolate)
    torch = pytest.importorskip("torch")
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    out = F.interpolate(ddp.tensor(x), scale_factor=scale_factor, mode=mode)
    tout = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=scale_factor, mode=mode)
    np.testing.assert_array_equal(out.numpy(), tout.numpy())


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.interpolate(ddp.randn(1, 2, 3, 3, 3), scale_factor=2, mode="bilinear"), NotImplementedError,
     "Got 5D input, but bilinear mode needs 4D input"),
    (lambda: F.interpolate(ddp.randn(1, 2, 3, 3, 3), scale_factor=2, mode="bicubic"), NotImplementedError,
     "Got 5D input, but bicubic mode needs 4D input"),  # (PyTorch: its general "Only 3D, 4D and 5D" message)
    (lambda: F.interpolate(ddp.randn(2, 3), size=2), NotImplementedError, r"Only 3D, 4D and 5D .*got 2D"),
    (lambda: F.interpolate(ddp.randn(1, 2, 3, 3, 3), scale_factor=2, mode="linear"), NotImplementedError,
     "Got 5D input, but linear mode needs 3D input"),
    (lambda: F.interpolate(ddp.randn(1, 2, 4, 4, 4), size=2, mode="trilinear", antialias=True), ValueError,
     "Anti-alias option is restricted to bilinear, bicubic, and lanczos"),
    (lambda: F.interpolate(ddp.randn(1, 2, 4, 4), size=2, mode="nearest", antialias=True), ValueError,
     "Anti-alias option"),
    (lambda: F.interpolate(ddp.randn(1, 2, 4, 4), size=2, mode="lanczos"), ValueError, "requires antialias=True"),
    (lambda: F.interpolate(ddp.randn(1, 2, 4, 4), size=2, mode="lanczos", antialias=True, align_corners=True),
     ValueError, "does not support align_corners=True"),
    (lambda: F.interpolate(ddp.randn(1, 2, 4, 4), size=2, recompute_scale_factor=True), ValueError,
     "recompute_scale_factor is not meaningful with an explicit size"),
    (lambda: F.interpolate(ddp.randn(1, 2, 4, 4), size=(2.0, 3)), TypeError, "expected size to be one of int"),
    (lambda: F.interpolate(ddp.randn(1, 2, 4, 4, 4), size=(2, 3)), ValueError, "same number of spatial"),
    (lambda: F.interpolate(ddp.randn(1, 2, 4, 4, 4), size=(2, 0, 3), mode="trilinear"), RuntimeError,
     "should be greater than 0"),
])
def test_errors_of_5d_and_antialias(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_errors_match_torch_types():
    torch = pytest.importorskip("torch")
    cases = [((1, 2, 3, 3, 3), dict(scale_factor=2, mode="bilinear")), ((1, 2, 4, 4), dict(size=2, antialias=True)),
             ((1, 2, 4, 4), dict(size=2, mode="lanczos")), ((1, 2, 4, 4), dict(size=(2.0, 3)))]
    for shape, kwargs in cases:
        with pytest.raises(Exception) as ours:
            F.interpolate(ddp.zeros(*shape), **kwargs)
        with pytest.raises(Exception) as theirs:
            torch.nn.functional.interpolate(torch.zeros(*shape), **kwargs)
        assert ours.type is theirs.type, kwargs


@pytest.mark.parametrize("kwargs, shape", [({"scale_factor": 2, "mode": "trilinear"}, (1, 2, 2, 3, 2)),
                                           ({"size": (3, 2, 4)}, (1, 1, 2, 3, 2)),
                                           ({"scale_factor": (1, 2, 0.5), "mode": "nearest-exact"}, (1, 2, 2, 2, 4))])
def test_upsample_5d_matches_torch(kwargs, shape):
    torch = pytest.importorskip("torch")
    m, tm = nn.Upsample(**kwargs), torch.nn.Upsample(**kwargs)
    assert repr(m) == repr(tm)
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(m(ddp.tensor(x)).numpy(), tm(torch.tensor(x)).numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", ["nearest", "trilinear", "area"])
def test_an_empty_5d_batch_resamples_and_backpropagates(mode):
    x = ddp.zeros(0, 2, 3, 4, 2, requires_grad=True)
    y = F.interpolate(x, size=(2, 5, 3), mode=mode)
    y.sum().backward()
    assert y.shape == (0, 2, 2, 5, 3) and x.grad.shape == x.shape
