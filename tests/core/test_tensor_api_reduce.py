"""Reductions, running reductions, orderings and norms of the Tensor API: float64 gradient checks, numpy
references, dtypes and errors, and torch's results where it is installed."""
import math

import numpy as np
import pytest

import ddp
import ddp.core.linalg as linalg
from op_helpers import apart, forward32, gradcheck, sample

# name: (fn(module, x) for ddp and torch alike, numpy reference, shape)
DIFFERENTIABLE = {
    "prod_all": (lambda m, x: m.prod(x), lambda x: np.prod(x), (2, 3)),
    "prod_dim": (lambda m, x: x.prod(1), lambda x: np.prod(x, 1), (2, 3)),
    "prod_keepdim": (lambda m, x: x.prod(0, keepdim=True), lambda x: np.prod(x, 0, keepdims=True), (3, 2)),
    "cumsum": (lambda m, x: m.cumsum(x, 1), lambda x: np.cumsum(x, 1), (2, 4)),
    "cumsum_neg_dim": (lambda m, x: x.cumsum(-2), lambda x: np.cumsum(x, 0), (3, 2)),
    "cumprod": (lambda m, x: m.cumprod(x, 0), lambda x: np.cumprod(x, 0), (4, 2)),
    "amax_tuple": (lambda m, x: x.amax(dim=(0, 2)), lambda x: np.max(x, (0, 2)), (2, 3, 2)),
    "amin_keepdim": (lambda m, x: m.amin(x, 1, keepdim=True), lambda x: np.min(x, 1, keepdims=True), (2, 3)),
    "amax_all": (lambda m, x: x.amax(), lambda x: np.max(x), (2, 3)),
    "norm_all": (lambda m, x: x.norm(), lambda x: np.sqrt((x * x).sum()), (2, 3)),
    "norm_p1_dim": (lambda m, x: x.norm(p=1, dim=1), lambda x: np.abs(x).sum(1), (2, 3)),
    "norm_p3_keepdim": (lambda m, x: m.norm(x, p=3, dim=0, keepdim=True),
                        lambda x: (np.abs(x) ** 3).sum(0, keepdims=True) ** (1 / 3), (2, 3)),
    "norm_inf": (lambda m, x: x.norm(p=float("inf"), dim=1), lambda x: np.abs(x).max(1), (2, 3)),
    "vector_norm": (lambda m, x: m.linalg.vector_norm(x, ord=2, dim=(0, 1)), lambda x: np.sqrt((x * x).sum()), (2, 3)),
    "vector_norm_neg_inf": (lambda m, x: m.linalg.vector_norm(x, ord=-math.inf, dim=0), lambda x: np.abs(x).min(0),
                            (3, 2)),
    "linalg_norm": (lambda m, x: m.linalg.norm(x), lambda x: np.sqrt((x * x).sum()), (2, 3)),
    "matrix_norm_1": (lambda m, x: m.linalg.norm(x, ord=1), lambda x: np.abs(x).sum(0).max(), (2, 3)),
    "matrix_norm_inf": (lambda m, x: m.linalg.norm(x, ord=math.inf), lambda x: np.abs(x).sum(1).max(), (2, 3)),
    "matrix_norm_fro": (lambda m, x: m.linalg.matrix_norm(x), lambda x: np.sqrt((x * x).sum((-2, -1))), (2, 2, 3)),
    "matrix_norm_2": (lambda m, x: m.linalg.matrix_norm(x, 2), lambda x: np.linalg.norm(x, 2, (-2, -1)), (2, 4, 3)),
    "matrix_norm_neg2": (lambda m, x: m.linalg.matrix_norm(x, -2, dim=(0, 2), keepdim=True),
                         lambda x: np.linalg.norm(x, -2, (0, 2), keepdims=True), (3, 2, 4)),
    "matrix_norm_nuc": (lambda m, x: m.linalg.norm(x, "nuc"), lambda x: np.linalg.norm(x, "nuc"), (3, 2)),
    "norm_nuc": (lambda m, x: m.norm(x, p="nuc"), lambda x: np.linalg.norm(x, "nuc"), (2, 3)),
    "std_correction": (lambda m, x: x.std(1, correction=0), lambda x: np.std(x, 1), (2, 3)),
    "var_unbiased_positional": (lambda m, x: x.var(0, False), lambda x: np.var(x, 0), (3, 2)),
    "mean_tuple": (lambda m, x: x.mean((0, 1)), lambda x: np.mean(x, (0, 1)), (2, 3)),
    "sort_values": (lambda m, x: x.sort(dim=1).values, lambda x: np.sort(x, 1), (2, 4)),
    "sort_descending": (lambda m, x: m.sort(x, 0, descending=True)[0], lambda x: -np.sort(-x, 0), (3, 2)),
    "topk_values": (lambda m, x: x.topk(2).values, lambda x: -np.sort(-x, -1)[..., :2], (2, 4)),
    "topk_smallest": (lambda m, x: m.topk(x, 2, dim=0, largest=False)[0], lambda x: np.sort(x, 0)[:2], (3, 2)),
    "logsumexp_tuple": (lambda m, x: m.logsumexp(x, 1), lambda x: np.log(np.exp(x).sum(1)), (2, 3)),
}


def _x(name):
    shape = DIFFERENTIABLE[name][2]
    a, _ = apart(shape, ())  # no two samples within 0.1 of each other: no ties in sorts and maxima
    x = sample(shape, seed=7)
    flat = np.sort(np.abs(x).reshape(-1))
    while len(flat) > 1 and np.min(np.diff(flat)) < 0.05:  # distinct |x| too (norms with inf)
        x = x * 1.0 + np.arange(x.size).reshape(shape) * 0.13
        flat = np.sort(np.abs(x).reshape(-1))
    return x


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_grad(name):
    fn = DIFFERENTIABLE[name][0]
    assert gradcheck(lambda x: fn(ddp, x), _x(name))


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_forward_float32(name):
    fn, ref, _ = DIFFERENTIABLE[name]
    forward32(lambda x: fn(ddp, x), ref, _x(name), rtol=2e-5)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    fn = DIFFERENTIABLE[name][0]
    x = _x(name)
    ours, theirs = ddp.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    a, b = fn(ddp, ours), fn(torch, theirs)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(0).standard_normal(b.shape)
    (a * ddp.tensor(w)).sum().backward()
    (b * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_prod_and_cumprod_gradients_with_zeros_are_exact():
    x = np.array([[2.0, 0.0, 3.0, 1.5], [0.0, 0.0, 2.0, -1.0]])
    assert gradcheck(lambda t: t.prod(1), x)
    assert gradcheck(lambda t: t.prod(), x[:1])
    assert gradcheck(lambda t: t.cumprod(1), x)
    t = ddp.tensor(x[0], requires_grad=True)
    t.prod().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [0.0, 9.0, 0.0, 0.0])


def test_integer_reductions_give_int64():
    ints = ddp.tensor([1, 2, 3], dtype=ddp.int32)
    assert ints.prod().dtype == np.int64 and ints.prod().item() == 6
    assert ints.cumsum(0).dtype == np.int64 and ints.cumsum(0).tolist() == [1, 3, 6]
    assert ddp.tensor([True, False, True]).cumsum(0).tolist() == [1, 1, 2]
    assert ddp.tensor([True, True]).sum().dtype == np.int64
    assert ddp.tensor([1, 2]).cumsum(0, dtype=ddp.float32).dtype == np.float32


def test_mean_sum_dtype_and_count_nonzero():
    x = ddp.tensor([1, 2, 4])
    assert x.mean(dtype=ddp.float32).item() == pytest.approx(7 / 3)
    assert x.sum(dtype=ddp.float64).dtype == np.float64
    assert ddp.count_nonzero(ddp.tensor([[0, 1], [2, 0]]), dim=0).tolist() == [1, 1]
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        x.mean()


def test_all_any_with_dim_and_keepdim():
    x = ddp.tensor([[True, False], [True, True]])
    assert x.all(dim=1).tolist() == [False, True] and x.any(0, keepdim=True).tolist() == [[True, True]]
    assert ddp.all(x).item() is False and ddp.any(x).item() is True


def test_max_min_with_dim_return_values_and_indices():
    x = ddp.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    values, indices = x.max(dim=1)
    assert values.tolist() == [5.0, 6.0] and indices.tolist() == [1, 2]
    assert x.min(0, keepdim=True).indices.tolist() == [[0, 1, 0]]
    assert x.argmax(1, keepdim=True).tolist() == [[1], [2]] and x.argmin().item() == 0
    lo, hi = x.aminmax()
    assert lo.item() == 1.0 and hi.item() == 6.0


def test_sort_argsort_topk_indices_and_dtypes():
    x = ddp.tensor([[3.0, 1.0, 2.0], [0.5, 2.5, 1.5]])
    assert x.argsort(dim=1).tolist() == [[1, 2, 0], [0, 2, 1]]
    assert x.argsort(descending=True).dtype == np.int64
    assert ddp.sort(x, descending=True).indices.tolist() == [[0, 2, 1], [1, 2, 0]]
    values, indices = x.topk(1, dim=0)
    assert values.tolist() == [[3.0, 2.5, 2.0]] and indices.tolist() == [[0, 1, 0]]
    ints = ddp.tensor([3, 1, 2], dtype=ddp.uint8)
    assert ints.sort(descending=True).values.tolist() == [3, 2, 1]
    assert ddp.tensor([1, 1, 0, 1]).sort(stable=True, descending=True).indices.tolist() == [0, 1, 3, 2]
    with pytest.raises(RuntimeError, match="topk: selected index k out of range"):
        x.topk(4)


def test_norm_errors():
    with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point"):
        ddp.tensor([1, 2]).norm()
    with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point"):
        linalg.vector_norm(ddp.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: Order 3 not supported"):
        linalg.matrix_norm(ddp.ones(2, 2), ord=3)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        linalg.matrix_norm(ddp.ones(2))


def test_norm_of_zeros_has_zero_gradient_as_torch():
    x = ddp.zeros(3, dtype=ddp.float64, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert ddp.linalg.vector_norm(ddp.tensor([0.0, 2.0, 0.0]), ord=0).item() == 1.0


def test_var_std_overloads():
    x = ddp.tensor([1.0, 2.0, 4.0])
    assert x.var().item() == pytest.approx(np.var([1, 2, 4], ddof=1))
    assert x.var(False).item() == pytest.approx(np.var([1, 2, 4]))
    assert x.std(unbiased=False).item() == pytest.approx(np.std([1, 2, 4]))
    v, m = ddp.var_mean(x, correction=0)
    assert v.item() == pytest.approx(np.var([1, 2, 4])) and m.item() == pytest.approx(7 / 3)
    with pytest.raises(RuntimeError, match="var: expected a floating point tensor"):
        ddp.tensor([1, 2]).var()
