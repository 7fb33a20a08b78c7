"""Reductions and the softmax family: numpy forward, float64 gradient checks over dims and keepdim."""
import numpy as np
import pytest

import ddp
from op_helpers import forward32, gradcheck, sample

# (shape, dim) cases; dim None reduces everything
DIMS = [((), None), ((4,), None), ((4,), 0), ((2, 3), None), ((2, 3), 0), ((2, 3), 1), ((2, 3), -1),
        ((2, 3, 4), (0, 2)), ((2, 3, 4), 1)]
AXIS_DIMS = [((), 0), ((4,), 0), ((2, 3), 0), ((2, 3), -1), ((2, 3, 4), 1)]


def distinct(shape, seed=0):
    """Samples with no ties (for max/min): a shuffled ramp with steps of 0.3."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(np.arange(n) * 0.3 - 1.0).reshape(shape)


def _np_dim(dim):
    return tuple(dim) if isinstance(dim, (tuple, list)) else dim


REDUCE = {
    "sum": (lambda x, d, k: x.sum(d, keepdim=k), lambda a, d, k: a.sum(axis=_np_dim(d), keepdims=k)),
    "fn_sum": (lambda x, d, k: ddp.sum(x, dim=d, keepdim=k), lambda a, d, k: a.sum(axis=_np_dim(d), keepdims=k)),
    "mean": (lambda x, d, k: x.mean(d, keepdim=k), lambda a, d, k: a.mean(axis=_np_dim(d), keepdims=k)),
    "var": (lambda x, d, k: x.var(d, keepdim=k), lambda a, d, k: a.var(axis=_np_dim(d), ddof=1, keepdims=k)),
    "var_biased": (lambda x, d, k: x.var(d, unbiased=False, keepdim=k),
                   lambda a, d, k: a.var(axis=_np_dim(d), keepdims=k)),
    "std": (lambda x, d, k: x.std(d, keepdim=k), lambda a, d, k: a.std(axis=_np_dim(d), ddof=1, keepdims=k)),
    "std_correction0": (lambda x, d, k: ddp.std(x, d, keepdim=k, correction=0),
                        lambda a, d, k: a.std(axis=_np_dim(d), keepdims=k)),
}


def _big_enough(name, shape, dim):
    """var with correction 1 needs two elements per reduced slice; std has a kink at zero variance."""
    if not name.startswith(("var", "std")) or name.endswith("biased"):
        return True
    n = np.prod(shape) if dim is None else np.prod([shape[d] for d in np.atleast_1d(dim)])
    return n >= 2


CASES = [(n, s, d, k) for n in REDUCE for s, d in DIMS for k in (False, True) if _big_enough(n, s, d)]


@pytest.mark.parametrize("name,shape,dim,keepdim", CASES, ids=str)
def test_reduce_grad(name, shape, dim, keepdim):
    fn = REDUCE[name][0]
    assert gradcheck(lambda x: fn(x, dim, keepdim), sample(shape))


@pytest.mark.parametrize("name,shape,dim,keepdim", CASES, ids=str)
def test_reduce_forward(name, shape, dim, keepdim):
    fn, ref = REDUCE[name]
    forward32(lambda x: fn(x, dim, keepdim), lambda a: ref(a, dim, keepdim), sample(shape))


EXTREME_DIMS = [((), None), ((5,), None), ((2, 3), None), ((5,), 0), ((2, 3), 0), ((2, 3), -1), ((2, 3, 4), 1)]


@pytest.mark.parametrize("largest", [True, False], ids=["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape,dim", EXTREME_DIMS, ids=str)
def test_max_min(shape, dim, keepdim, largest):
    x = distinct(shape)
    name = "max" if largest else "min"
    if dim is None:
        fn, ref = (lambda t: getattr(t, name)()), getattr(np, name)
    else:
        fn = lambda t: getattr(t, name)(dim, keepdim=keepdim).values  # noqa: E731
        ref = lambda a: getattr(np, name)(a, axis=dim, keepdims=keepdim)  # noqa: E731
        out = getattr(ddp, name)(ddp.tensor(x), dim=dim, keepdim=keepdim)
        arg = (np.argmax if largest else np.argmin)(x, axis=dim, keepdims=keepdim)
        assert out.indices.dtype == np.int64
        np.testing.assert_array_equal(out.indices.numpy(), arg)
        np.testing.assert_array_equal(out[1].numpy(), arg)  # a (values, indices) tuple too
    assert gradcheck(fn, x)
    forward32(fn, ref, x)


def test_max_over_all_splits_ties_evenly():
    x = ddp.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]


def test_max_with_dim_sends_the_gradient_to_one_index():
    x = ddp.tensor([[3.0, 3.0, 1.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    values.sum().backward()
    assert x.grad.numpy().sum() == 1.0 and x.grad[0, indices.item()].item() == 1.0


def test_max_of_two_tensors_is_elementwise():
    a, b = ddp.tensor([1.0, 5.0]), ddp.tensor([2.0, 4.0])
    assert ddp.max(a, b).tolist() == [2.0, 5.0] and ddp.min(a, b).tolist() == [1.0, 4.0]


@pytest.mark.parametrize("fn", ["argmax", "argmin"])
@pytest.mark.parametrize("shape,dim,keepdim", [((5,), None, False), ((2, 3), None, False), ((2, 3), 1, False),
                                               ((2, 3), 0, True), ((2, 3, 4), -1, False)], ids=str)
def test_argmax_argmin(fn, shape, dim, keepdim):
    x = distinct(shape)
    out = getattr(ddp.tensor(x), fn)(dim, keepdim=keepdim) if dim is not None else getattr(ddp, fn)(ddp.tensor(x))
    ref = getattr(np, fn)(x) if dim is None else getattr(np, fn)(x, axis=dim, keepdims=keepdim)
    assert out.dtype == np.int64 and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), ref)


def _np_logsumexp(a, dim, keepdim=False):
    m = a.max(axis=dim, keepdims=True)
    out = m + np.log(np.exp(a - m).sum(axis=dim, keepdims=True))
    return out if keepdim else out.squeeze(dim)


def _np_softmax(a, dim):
    e = np.exp(a - a.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


SOFT = {
    "softmax": (lambda x, d: ddp.softmax(x, d), _np_softmax),
    "softmax_method": (lambda x, d: x.softmax(dim=d), _np_softmax),
    "log_softmax": (lambda x, d: ddp.log_softmax(x, d), lambda a, d: np.log(_np_softmax(a, d))),
    "logsumexp": (lambda x, d: ddp.logsumexp(x, d), _np_logsumexp),
    "logsumexp_keepdim": (lambda x, d: x.logsumexp(d, keepdim=True), lambda a, d: _np_logsumexp(a, d, True)),
}


@pytest.mark.parametrize("shape,dim", AXIS_DIMS, ids=str)
@pytest.mark.parametrize("name", SOFT)
def test_softmax_family(name, shape, dim):
    fn, ref = SOFT[name]
    assert gradcheck(lambda x: fn(x, dim), sample(shape))
    forward32(lambda x: fn(x, dim), lambda a: ref(a, dim), sample(shape))


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_is_stable_for_large_logits(name):
    x = ddp.tensor([[1000.0, 0.0, -1000.0]], requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        out = SOFT[name][0](x, 1)
        out.sum().backward()
    assert np.all(np.isfinite(out.numpy())) and np.all(np.isfinite(x.grad.numpy()))


def test_logsumexp_of_all_minus_infinity_is_minus_infinity():
    out = ddp.logsumexp(ddp.tensor([[-np.inf, -np.inf]]), 1)
    assert out.tolist() == [-np.inf]


def test_sum_with_dtype_and_of_bools():
    assert ddp.tensor([True, False, True]).sum().item() == 2
    assert ddp.tensor([1, 2]).sum(dtype=ddp.float32).dtype == np.float32


def test_mean_of_integers_raises():
    with pytest.raises(RuntimeError, match="mean"):
        ddp.tensor([1, 2]).mean()


def test_all_any():
    x = ddp.tensor([[True, False], [True, True]])
    assert not ddp.all(x).item() and ddp.any(x).item()
    assert ddp.all(x, dim=1).tolist() == [False, True]


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64", "bool"])
def test_sum_of_small_integers_and_bools_is_int64_as_in_torch(dtype):
    x = ddp.ones(2, 3, dtype=getattr(ddp, dtype))
    assert ddp.sum(x).dtype == np.int64 and x.sum(1).dtype == np.int64 and int(ddp.sum(x)) == 6
    big = ddp.full((300,), 255, dtype=ddp.uint8)  # and the sum does not wrap at the uint8 limit
    assert int(big.sum()) == 300 * 255


# ----------------------------------------------------------------------- var/std rounding, as PyTorch
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("correction", [0, 1])
def test_var_std_of_float32_accumulate_in_float64_and_round_once(name, dim, correction):
    """PyTorch's CPU kernels accumulate float32 variances in float64 (and take the square root there): a float32
    var, then a float32 sqrt, is an ulp off for about a third of the inputs."""
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((6, 40)) * 0.3 - 4.0).astype(np.float32)  # a large mean: float32 sums lose digits
    out = getattr(ddp.tensor(x), name)(dim=dim, correction=correction)
    wide = x.astype(np.float64)
    want = wide.var(axis=dim, ddof=correction)
    want = (np.sqrt(want) if name == "std" else want).astype(np.float32)
    assert out.dtype == ddp.float32
    np.testing.assert_array_equal(out.numpy(), want)
    torch = pytest.importorskip("torch")
    if dim is not None:  # over all elements PyTorch takes the mean in float32 first: an ulp apart at times
        np.testing.assert_array_equal(out.numpy(), getattr(torch.tensor(x), name)(dim=dim, correction=correction))


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_without_degrees_of_freedom_warn_as_torch_and_give_nan_or_inf(name):
    with pytest.warns(UserWarning, match=rf"{name}\(\): degrees of freedom is <= 0"):
        assert np.isnan(getattr(ddp.tensor([1.0]), name)().item())
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert np.isinf(getattr(ddp.tensor([1.0, 2.0]), name)(correction=3).item())
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert np.isnan(getattr(ddp.zeros(0), name)().item())


def test_std_gradient_of_float32_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).standard_normal((3, 5)).astype(np.float32)
    ours, theirs = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours.std(dim=1).sum().backward()
    theirs.std(dim=1).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_a_fully_masked_row_is_nan_without_a_numpy_warning(name, recwarn):
    x = ddp.tensor([[float("-inf")] * 3, [0.0, 1.0, 2.0]], requires_grad=True)
    out = getattr(ddp.nn.functional, name)(x, dim=1)
    assert np.isnan(out.numpy()[0]).all() and np.isfinite(out.numpy()[1]).all()
    out[1].sum().backward()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
