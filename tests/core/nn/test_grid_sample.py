"""affine_grid and grid_sample (spatial transformers): the identity grid gives the image back, values and
gradients match PyTorch for every mode, padding and corner convention, and finite differences agree."""
import warnings

import numpy as np
import pytest

import ddp
import ddp.nn.functional as F

RNG = np.random.default_rng(0)
IMAGE = RNG.standard_normal((2, 3, 5, 6))
GRID = RNG.uniform(-1.3, 1.3, (2, 4, 7, 2))  # some points outside the image
MODES = [(m, p, a) for m in ("bilinear", "nearest", "bicubic") for p in ("zeros", "border", "reflection")
         for a in (False, True)]


@pytest.mark.parametrize("align_corners", [False, True])
def test_the_identity_grid_gives_the_image_back(align_corners):
    image = ddp.tensor(IMAGE.astype(np.float32))
    grid = F.affine_grid(ddp.eye(2, 3).expand(2, 2, 3), image.shape, align_corners=align_corners)
    assert grid.shape == (2, 5, 6, 2) and grid.dtype == np.float32
    out = F.grid_sample(image, grid, align_corners=align_corners)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), IMAGE, rtol=1e-5, atol=1e-5)


def test_points_outside_read_zeros_the_border_or_the_mirror():
    image = ddp.arange(4.0).reshape(1, 1, 1, 4)
    grid = ddp.tensor([[[[-1.5, 0.0], [1.5, 0.0]]]])  # left of the first pixel centre's edge, right of the last
    read = {p: F.grid_sample(image, grid, mode="nearest", padding_mode=p, align_corners=True).numpy().ravel()
            for p in ("zeros", "border", "reflection")}
    assert read["zeros"].tolist() == [0.0, 0.0]
    assert read["border"].tolist() == [0.0, 3.0]
    assert read["reflection"].tolist() == [1.0, 2.0]  # x = -0.75 -> 0.75 and x = 3.75 -> 2.25, then rounded


def test_gradcheck_bilinear():
    image = ddp.tensor(IMAGE[:1, :2], requires_grad=True)
    grid = ddp.tensor(GRID[:1, :2, :3] * 0.9 + 0.013, requires_grad=True)  # away from pixel-exact kinks
    for padding in ("zeros", "border", "reflection"):
        assert ddp.autograd.gradcheck(lambda a, g: F.grid_sample(a, g, padding_mode=padding, align_corners=False),
                                      (image, grid))
    theta = ddp.tensor(RNG.standard_normal((1, 2, 3)), requires_grad=True)
    assert ddp.autograd.gradcheck(lambda t: F.affine_grid(t, (1, 2, 3, 4), align_corners=True), (theta,))


def test_gradcheck_bicubic():
    """Keys' kernel is continuously differentiable, so finite differences agree anywhere; twice too."""
    image = ddp.tensor(IMAGE[:1, :2], requires_grad=True)
    grid = ddp.tensor(GRID[:1, :2, :3] * 0.9 + 0.013, requires_grad=True)
    for padding in ("zeros", "border", "reflection"):
        for align in (False, True):
            fn = lambda a, g: F.grid_sample(a, g, mode="bicubic", padding_mode=padding, align_corners=align)  # noqa: E731
            assert ddp.autograd.gradcheck(fn, (image, grid))
    assert ddp.autograd.gradgradcheck(
        lambda a, g: F.grid_sample(a, g, mode="bicubic", align_corners=False) ** 2, (image, grid))


def test_bicubic_weights_sum_to_one_and_hit_the_pixels():
    """Keys' kernel: a constant image stays constant inside, and a grid on the pixel centres reads the pixels."""
    image = ddp.tensor(np.full((1, 1, 6, 6), 2.5))
    grid = ddp.tensor(RNG.uniform(-0.6, 0.6, (1, 4, 4, 2)))
    np.testing.assert_allclose(F.grid_sample(image, grid, mode="bicubic", align_corners=True).numpy(), 2.5,
                               atol=1e-12)
    centres = F.affine_grid(ddp.eye(2, 3, dtype=ddp.float64).expand(2, 2, 3), (2, 3, 5, 6), align_corners=True)
    np.testing.assert_allclose(F.grid_sample(ddp.tensor(IMAGE), centres, mode="bicubic",
                                             align_corners=True).numpy(), IMAGE, atol=1e-12)


def test_nearest_passes_no_gradient_to_the_grid():
    image = ddp.tensor(IMAGE, requires_grad=True)
    grid = ddp.tensor(GRID, requires_grad=True)
    F.grid_sample(image, grid, mode="nearest", align_corners=False).sum().backward()
    assert not grid.grad.numpy().any() and image.grad.numpy().any()


def test_align_corners_unset_warns_and_means_false():
    image, grid = ddp.tensor(IMAGE), ddp.tensor(GRID)
    with pytest.warns(UserWarning, match="align_corners is False unless given"):
        out = F.grid_sample(image, grid)
    np.testing.assert_array_equal(out.numpy(), F.grid_sample(image, grid, align_corners=False).numpy())
    with pytest.warns(UserWarning, match="align_corners"):
        F.affine_grid(ddp.eye(2, 3)[None], (1, 1, 2, 2))


@pytest.mark.parametrize("call, error, match", [
    (lambda: F.grid_sample(ddp.tensor(IMAGE), ddp.tensor(GRID), mode="area", align_corners=False), ValueError,
     "mode must be"),
    (lambda: F.grid_sample(ddp.tensor(IMAGE), ddp.tensor(GRID), padding_mode="wrap", align_corners=False),
     ValueError, "padding_mode must be"),
    (lambda: F.grid_sample(ddp.tensor(IMAGE[0]), ddp.tensor(GRID), align_corners=False), ValueError, "4-D input"),
    (lambda: F.grid_sample(ddp.tensor(IMAGE), ddp.tensor(GRID[:1]), align_corners=False), ValueError, "same N"),
    (lambda: F.grid_sample(ddp.tensor(IMAGE), ddp.tensor(GRID.astype(np.float32)), align_corners=False),
     RuntimeError, "one dtype"),
    (lambda: F.affine_grid(ddp.eye(2, 3)[None], (1, 1, 2), align_corners=False), ValueError, r"\(N, C, H, W\)"),
    (lambda: F.affine_grid(ddp.eye(3, 3)[None], (1, 1, 2, 2), align_corners=False), ValueError, r"\(N, 2, 3\)"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("mode, padding, align_corners", MODES)
def test_matches_torch(mode, padding, align_corners):
    torch = pytest.importorskip("torch")
    a, g = ddp.tensor(IMAGE, requires_grad=True), ddp.tensor(GRID, requires_grad=True)
    ta, tg = torch.tensor(IMAGE, requires_grad=True), torch.tensor(GRID, requires_grad=True)
    out = F.grid_sample(a, g, mode=mode, padding_mode=padding, align_corners=align_corners)
    theirs = torch.nn.functional.grid_sample(ta, tg, mode=mode, padding_mode=padding, align_corners=align_corners)
    np.testing.assert_allclose(out.detach().numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    weights = RNG.standard_normal(theirs.shape)
    (out * ddp.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g.grad.numpy(), tg.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_matches_torch(align_corners):
    torch = pytest.importorskip("torch")
    theta = RNG.standard_normal((2, 2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.functional.affine_grid(torch.tensor(theta), (2, 3, 4, 5), align_corners=align_corners)
    ours = F.affine_grid(ddp.tensor(theta), (2, 3, 4, 5), align_corners=align_corners)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------------------------- volumes
def _volume_case(align):
    rs = np.random.RandomState(3)
    volume = rs.randn(2, 2, 3, 4, 5)
    theta = np.eye(3, 4)[None] + 0.25 * rs.randn(2, 3, 4)
    grid = F.affine_grid(ddp.tensor(theta), (2, 2, 2, 3, 4), align_corners=align).numpy() * 1.2  # some outside
    return volume, theta, grid


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
def test_volumes_match_torch(mode, padding, align):
    torch = pytest.importorskip("torch")
    volume, theta, grid = _volume_case(align)
    np.testing.assert_allclose(
        F.affine_grid(ddp.tensor(theta), (2, 2, 2, 3, 4), align_corners=align).numpy(),
        torch.nn.functional.affine_grid(torch.tensor(theta), (2, 2, 2, 3, 4), align_corners=align).numpy(), atol=1e-12)
    x, g = ddp.tensor(volume, requires_grad=True), ddp.tensor(grid, requires_grad=True)
    tx, tg = torch.tensor(volume, requires_grad=True), torch.tensor(grid, requires_grad=True)
    out = F.grid_sample(x, g, mode=mode, padding_mode=padding, align_corners=align)
    want = torch.nn.functional.grid_sample(tx, tg, mode=mode, padding_mode=padding, align_corners=align)
    weights = np.random.RandomState(4).randn(*want.shape)
    (out * ddp.tensor(weights)).sum().backward()
    (want * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(g.grad.numpy(), tg.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
def test_volume_gradients_against_finite_differences(padding):
    volume, theta, grid = _volume_case(False)
    v, g = ddp.tensor(volume, requires_grad=True), ddp.tensor(grid, requires_grad=True)
    assert ddp.autograd.gradcheck(lambda a, b: F.grid_sample(a, b, padding_mode=padding, align_corners=False), (v, g))
    t = ddp.tensor(theta, requires_grad=True)
    assert ddp.autograd.gradcheck(lambda a: F.affine_grid(a, (2, 2, 2, 3, 4), align_corners=True), (t,))


def test_volume_refusals_and_dtype():
    volume = ddp.ones(1, 1, 2, 2, 2)
    with pytest.raises(RuntimeError, match="bicubic interpolation only supports 4D input"):
        F.grid_sample(volume, ddp.zeros(1, 1, 1, 1, 3), mode="bicubic", align_corners=False)
    with pytest.raises(ValueError, match=r"grid \(N, Do, Ho, Wo, 3\)"):
        F.grid_sample(volume, ddp.zeros(1, 1, 1, 2), align_corners=False)
    with pytest.raises(ValueError, match=r"\(N, 3, 4\) tensor"):
        F.affine_grid(ddp.zeros(1, 2, 3), (1, 1, 2, 2, 2), align_corners=False)
    assert F.grid_sample(volume, ddp.zeros(1, 1, 1, 1, 3), align_corners=False).dtype == ddp.float32


def test_affine_grid_points_round_as_pytorchs():
    """PyTorch's base grid is its float32 linspace times (W - 1) / W in two roundings: an identity theta puts
    the points on pixel centres (bilinear's kinks), where the last bit picks each gradient's side. The grid
    below is PyTorch 2.13's; the spatial transformer tutorial's first gradients depend on it."""
    grid = ddp.nn.functional.affine_grid(ddp.eye(2, 3)[None], (1, 1, 1, 3), align_corners=False)
    assert grid[0, 0, :, 0].tolist() == [-0.6666666865348816, 0.0, 0.6666666865348816]
    theta = ddp.tensor([[[1.0, 0, 0], [0, 1, 0]]], requires_grad=True)
    image = (ddp.arange(9.0) ** 2).view(1, 1, 3, 3)
    ddp.nn.functional.grid_sample(image, ddp.nn.functional.affine_grid(theta, (1, 1, 3, 3), align_corners=False),
                                  align_corners=False).sum().backward()
    np.testing.assert_allclose(theta.grad.numpy()[0], [[-138, -12, -31.5], [-12, -154, -67.5]], atol=1e-5)
