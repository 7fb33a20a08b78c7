"""nansum and nanmean (functions and methods): numpy's nansum/nanmean as references over dims, keepdim and
dtype, gradients (float64 checks off NaN, 0 at NaN positions), all-NaN slices, errors, and torch."""
import warnings

import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, sample

NAN = np.nan


def _with_nans(shape, seed=0):
    x = sample(shape, seed=seed)
    if x.ndim:
        x.reshape(-1)[:: 3] = NAN
    return x


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape, dim", [((), None), ((5,), 0), ((3, 4), None), ((3, 4), 1), ((2, 3, 4), (0, 2)),
                                        ((2, 3, 4), ()), ((0, 3), 0)], ids=str)
def test_matches_numpy(shape, dim, keepdim):
    x = _with_nans(shape)
    axis = None if dim == () else dim
    for name in ["nansum", "nanmean"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy's 'Mean of empty slice'
            expected = getattr(np, name)(x, axis=axis, keepdims=keepdim)
        for out in [getattr(ddp, name)(ddp.tensor(x), dim, keepdim), getattr(ddp.tensor(x), name)(dim, keepdim)]:
            assert out.shape == np.shape(expected) and out.dtype == np.float64
            np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
def test_gradcheck_without_nans(dim):
    assert gradcheck(lambda x: ddp.nansum(x, dim) ** 2, sample((3, 4)))
    assert gradcheck(lambda x: ddp.nanmean(x, dim, keepdim=True) ** 2, sample((3, 4)))


def test_gradient_is_zero_at_nan_positions():
    x = ddp.tensor([[1.0, NAN, 3.0], [NAN, NAN, 2.0]], dtype=ddp.float64, requires_grad=True)
    ddp.nansum(x).backward()
    assert x.grad.tolist() == [[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    x.grad = None
    w = ddp.tensor([2.0, 3.0], dtype=ddp.float64)
    (ddp.nanmean(x, 1) * w).sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 1.0], [0.0, 0.0, 3.0]]


def test_all_nan_slices_float32_and_dtypes():
    x = ddp.tensor([[NAN, NAN], [1.0, 2.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean = ddp.nanmean(x, 1)
        (mean * ddp.tensor([0.0, 1.0])).sum().backward()  # the NaN entry carries weight 0, so no NaN flows back
    assert mean.dtype == np.float32 and np.isnan(mean.numpy()[0]) and mean.numpy()[1] == 1.5
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [[0.0, 0.0], [0.5, 0.5]]
    assert ddp.nansum(ddp.tensor([NAN])).item() == 0.0 and ddp.nansum(x).dtype == np.float32
    assert ddp.nansum(ddp.tensor([1, 2])).dtype == np.int64 and ddp.nansum(ddp.tensor([True, True])).item() == 2
    assert ddp.nansum(x, dtype=ddp.float64).dtype == np.float64
    assert ddp.nanmean(x, dtype=ddp.float64).dtype == np.float64


def test_errors():
    with pytest.raises(RuntimeError, match="floating point"):
        ddp.nanmean(ddp.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="floating point"):
        ddp.nanmean(ddp.tensor([1, 2]), dtype=ddp.float32)
    with pytest.raises(IndexError, match="out of range"):
        ddp.nansum(ddp.zeros(2, 3), 2)
    with pytest.raises(IndexError, match="out of range"):
        ddp.nanmean(ddp.zeros(2, 3), 2)


def test_matches_torch():
    torch = pytest.importorskip("torch")
    x = _with_nans((3, 4, 2), seed=5)
    x[1] = NAN  # an all-NaN slice along dims 1 and 2
    for name in ["nansum", "nanmean"]:
        for kwargs in [{}, {"dim": 1}, {"dim": (1, 2), "keepdim": True}, {"dim": -1}]:
            ours, theirs = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
            a, b = getattr(ddp, name)(ours, **kwargs), getattr(torch, name)(theirs, **kwargs)
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, equal_nan=True)
            weight = np.where(np.isnan(b.detach().numpy()), 0.0, 1.0)
            (a * ddp.tensor(weight)).sum().backward()
            (b * torch.tensor(weight)).sum().backward()
            # torch's nanmean (nansum / count) sends 0 / 0 = NaN back into an all-NaN slice; ddp keeps 0 there,
            # the gradient of a mean that does not depend on those elements
            theirs_grad = np.nan_to_num(theirs.grad.numpy(), nan=0.0)
            np.testing.assert_allclose(ours.grad.numpy(), theirs_grad, rtol=1e-12)
            assert not np.isnan(ours.grad.numpy()).any()
    assert ddp.nansum(ddp.tensor([1, 2])).dtype.name == str(torch.nansum(torch.tensor([1, 2])).dtype)[6:]
    with pytest.raises(RuntimeError):
        torch.nanmean(torch.tensor([1, 2]))
