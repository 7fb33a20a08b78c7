"""isin, bincount, unravel_index and combinations: values and dtypes against numpy and torch, the gradient of
combinations, and errors."""
import itertools

import numpy as np
import pytest

import ddp
from op_helpers import against_torch, gradcheck, sample


# ----------------------------------------------------------------------------------------------- isin
@pytest.mark.parametrize("elements, test_elements", [([[1, 2], [3, 4]], [2, 3]), ([[1, 2], [3, 4]], 2), (3, [2, 3]),
                                                     ([1.0, 2.0], [2, 3]), ([1.0, float("nan")], [float("nan")]),
                                                     (2, [[2], [3]]), ([], [1])], ids=str)
@pytest.mark.parametrize("invert", [False, True])
def test_isin_matches_numpy_and_torch(elements, test_elements, invert):
    wrap = lambda v: ddp.tensor(v) if isinstance(v, list) else v  # noqa: E731
    if not isinstance(elements, list) and not isinstance(test_elements, list):
        pytest.skip("two numbers")
    out = ddp.isin(wrap(elements), wrap(test_elements), invert=invert)
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out.numpy(), np.isin(elements, test_elements, invert=invert))
    torch = pytest.importorskip("torch")
    twrap = lambda v: torch.tensor(v) if isinstance(v, list) else v  # noqa: E731
    expected = torch.isin(twrap(elements), twrap(test_elements), invert=invert)
    assert out.shape == tuple(expected.shape) and out.tolist() == expected.tolist()


def test_isin_assume_unique_and_errors():
    assert ddp.isin(ddp.tensor([1, 2]), ddp.tensor([[2], [3]]), assume_unique=True).tolist() == [False, True]
    with pytest.raises(TypeError, match="isin: expected elements or test_elements to be a tensor"):
        ddp.isin(2, 3)


# ------------------------------------------------------------------------------------------- bincount
@pytest.mark.parametrize("weights", [None, np.float32, np.float64, np.int64, np.int32, np.float16, np.bool_])
@pytest.mark.parametrize("values, minlength", [([0, 1, 1, 4], 0), ([0, 1, 1, 4], 7), ([], 0), ([], 3), ([2], 1)],
                         ids=str)
def test_bincount_values_and_dtypes(values, minlength, weights):
    x = np.array(values, dtype=np.int64)
    w = None if weights is None else (np.arange(len(values)) % 3 + 0.5 * (weights != np.bool_)).astype(weights)
    out = ddp.bincount(ddp.tensor(x), None if w is None else ddp.tensor(w), minlength)
    np.testing.assert_allclose(out.numpy(), np.bincount(x, w, minlength))
    torch = pytest.importorskip("torch")
    expected = torch.bincount(torch.tensor(x), None if w is None else torch.tensor(w), minlength)
    assert out.dtype.name == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)


def test_bincount_method_input_dtypes_and_errors():
    assert ddp.tensor([0, 1, 1], dtype=ddp.uint8).bincount().tolist() == [1, 2]
    assert ddp.tensor([0, 2], dtype=ddp.int32).bincount(minlength=4).dtype == np.int64
    assert not ddp.bincount(ddp.tensor([0, 1]), ddp.tensor([1.0, 2.0], requires_grad=True)).requires_grad
    with pytest.raises(RuntimeError, match="bincount: input must be 1-D with non-negative values"):
        ddp.bincount(ddp.tensor([0, -1]))
    with pytest.raises(RuntimeError, match=r"bincount: input must be 1-D .* got shape \(1, 2\)"):
        ddp.bincount(ddp.tensor([[0, 1]]))
    for bad in (ddp.tensor([0.0, 1.0]), ddp.tensor([True, False])):
        with pytest.raises(NotImplementedError, match="bincount: input must have an integer dtype"):
            ddp.bincount(bad)
    with pytest.raises(RuntimeError, match="bincount: minlength must be non-negative, got -1"):
        ddp.bincount(ddp.tensor([0, 1]), minlength=-1)
    with pytest.raises(RuntimeError, match="bincount: weights must be 1-D with input's length 2"):
        ddp.bincount(ddp.tensor([0, 1]), ddp.tensor([1.0]))


# --------------------------------------------------------------------------------------- unravel_index
@pytest.mark.parametrize("indices, shape", [([4, 1, 11], (3, 4)), (5, (3, 4)), ([[1, 2]], (3, 4)), ([-1, 12], (3, 4)),
                                            ([7, 0, 23], (2, 3, 4)), ([3], 5), ([3], [5]), ([0, 5], (1, 6, 1))],
                         ids=str)
def test_unravel_index_matches_torch(indices, shape):
    out = ddp.unravel_index(ddp.tensor(indices), shape)
    assert isinstance(out, tuple) and all(t.dtype == np.int64 for t in out)
    in_range = np.all((np.asarray(indices) >= 0) & (np.asarray(indices) < np.prod(shape)))
    if in_range:
        expected = np.unravel_index(indices, shape)
        for t, e in zip(out, expected):
            np.testing.assert_array_equal(t.numpy(), e)
    torch = pytest.importorskip("torch")
    expected = torch.unravel_index(torch.tensor(indices), shape)
    assert len(out) == len(expected)
    for t, e in zip(out, expected):
        assert t.shape == tuple(e.shape) and t.tolist() == e.tolist()


def test_unravel_index_dtypes_and_errors():
    assert ddp.unravel_index(ddp.tensor([1]), ()) == ()
    assert ddp.unravel_index(ddp.tensor([5], dtype=ddp.int32), (3, 4))[1].dtype == np.int64
    with pytest.raises(TypeError, match="unravel_index: indices must be a tensor, got int"):
        ddp.unravel_index(5, (3, 4))
    for bad in (ddp.tensor([1.0]), ddp.tensor([True])):
        with pytest.raises(TypeError, match="unravel_index: indices must have an integer dtype"):
            ddp.unravel_index(bad, (3, 4))
    for shape in (ddp.tensor([3, 4]), (3.0, 4)):
        with pytest.raises(TypeError, match="unravel_index: shape must be an int or a sequence of ints"):
            ddp.unravel_index(ddp.tensor([1]), shape)
    with pytest.raises(ValueError, match="unravel_index: shape must not have negative sizes"):
        ddp.unravel_index(ddp.tensor([1]), (3, -1))
    with pytest.raises(RuntimeError, match="unravel_index: cannot unravel into a shape with a zero size"):
        ddp.unravel_index(ddp.tensor([0]), (3, 0))


# ---------------------------------------------------------------------------------------- combinations
@pytest.mark.parametrize("n, r, with_replacement", [(3, 2, False), (4, 3, False), (3, 2, True), (2, 4, True),
                                                    (3, 4, False), (3, 1, False), (3, 0, False), (0, 2, False)],
                         ids=str)
def test_combinations_values_gradient_and_torch(n, r, with_replacement):
    x = sample((n,))
    out = ddp.combinations(ddp.tensor(x), r, with_replacement)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    expected = np.array([[x[i] for i in c] for c in pick(range(n), r)]).reshape(-1, r) if r else np.zeros(0)
    np.testing.assert_array_equal(out.numpy(), expected)
    if out.numel():
        assert gradcheck(lambda t: ddp.combinations(t, r, with_replacement), x)
    torch = pytest.importorskip("torch")
    assert out.shape == tuple(torch.combinations(torch.tensor(x), r, with_replacement).shape)
    if out.numel():
        against_torch(lambda t: ddp.combinations(t, r, with_replacement),
                      lambda t: torch.combinations(t, r, with_replacement), x)


def test_combinations_dtypes_and_errors():
    ints = ddp.combinations(ddp.tensor([1, 2, 3]))
    assert ints.dtype == np.int64 and ints.tolist() == [[1, 2], [1, 3], [2, 3]]
    assert ddp.combinations(ddp.tensor([1.0, 2.0], dtype=ddp.float32), 0).dtype == np.float32
    with pytest.raises(RuntimeError, match="combinations: r must be non-negative, got -1"):
        ddp.combinations(ddp.tensor([1, 2, 3]), -1)
    with pytest.raises(RuntimeError, match=r"combinations: expected a 1-D tensor, got shape \(1, 3\)"):
        ddp.combinations(ddp.tensor([[1, 2, 3]]))
