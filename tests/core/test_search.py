"""searchsorted and bucketize: 1-D and N-D boundaries against a numpy row-by-row reference, both sides,
ties, NaN and infinities, sorter, int32/int64 results, no gradient, errors, and torch where installed."""
import numpy as np
import pytest

import ddp

SEQ = np.array([1.0, 3.0, 3.0, 5.0, 7.0])
VALUES = np.array([[0.0, 1.0, 3.0, 4.0], [5.0, 7.0, 8.0, 3.0]])


def _reference(seq, values, side):
    """np.searchsorted one row at a time (the test may loop; the op does not)."""
    if seq.ndim == 1:
        return np.searchsorted(seq, values, side=side)
    n = int(np.prod(seq.shape[:-1]))
    rows = [np.searchsorted(s, v, side=side) for s, v in zip(seq.reshape(n, seq.shape[-1]),
                                                             values.reshape(n, values.shape[-1]))]
    return np.array(rows, dtype=np.int64).reshape(values.shape)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("vshape", [(), (4,), (2, 4), (0,)], ids=str)
def test_1d_sequence(vshape, side):
    values = np.random.default_rng(0).integers(0, 9, vshape).astype(np.float64)
    out = ddp.searchsorted(ddp.tensor(SEQ), ddp.tensor(values), side=side)
    assert out.dtype == np.int64 and out.shape == values.shape and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), np.searchsorted(SEQ, values, side=side))


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("shape, nvalues", [((2, 5), 4), ((3, 2, 6), 7), ((2, 1), 3), ((2, 0), 3), ((2, 4), 0)],
                         ids=str)
def test_nd_sequence_searches_row_by_row(shape, nvalues, side):
    rng = np.random.default_rng(len(shape) + nvalues)
    seq = np.sort(rng.integers(0, 6, shape), axis=-1).astype(np.float32)  # with ties
    values = rng.integers(-1, 8, shape[:-1] + (nvalues,)).astype(np.float32)
    out = ddp.searchsorted(ddp.tensor(seq), ddp.tensor(values), side=side)
    assert out.dtype == np.int64 and out.shape == values.shape
    np.testing.assert_array_equal(out.numpy(), _reference(seq, values, side))


def test_right_flag_out_int32_and_scalars():
    s, v = ddp.tensor(SEQ), ddp.tensor(VALUES)
    assert ddp.searchsorted(s, v, right=True).tolist() == np.searchsorted(SEQ, VALUES, side="right").tolist()
    assert ddp.searchsorted(s, v, side="right", right=True).tolist() == ddp.searchsorted(s, v, right=True).tolist()
    assert ddp.searchsorted(s, v, out_int32=True).dtype == np.int32
    out = ddp.searchsorted(s, 3.0)
    assert out.shape == () and out.item() == 1 and out.dtype == np.int64
    s64 = ddp.tensor([0.1, 0.2, 0.3], dtype=ddp.float64)  # a Python 0.1 is the float64 0.1
    assert ddp.searchsorted(s64, 0.1).item() == 0 and ddp.searchsorted(s64, 0.1, right=True).item() == 1


def test_nan_and_infinities_sort_last_and_first():
    s = ddp.tensor([1.0, 2.0, 3.0])
    v = ddp.tensor([np.nan, -np.inf, np.inf, 2.0])
    assert ddp.searchsorted(s, v).tolist() == [3, 0, 3, 1]
    rows = ddp.searchsorted(ddp.tensor([[1.0, 2.0, 3.0]] * 2), ddp.tensor([[np.nan, -np.inf], [np.inf, 2.0]]))
    assert rows.tolist() == [[3, 0], [3, 1]]


def test_integer_and_mixed_dtypes():
    assert ddp.searchsorted(ddp.tensor([1, 3, 5]), ddp.tensor([1.0, 4.0])).tolist() == [0, 2]
    assert ddp.searchsorted(ddp.tensor([1.0, 3.0, 5.0]), ddp.tensor([1, 4])).tolist() == [0, 2]
    assert ddp.searchsorted(ddp.tensor([[1, 3], [2, 4]]), ddp.tensor([[3], [3]])).tolist() == [[1], [1]]


def test_sorter():
    unsorted = np.array([[9.0, 1.0, 5.0, 3.0, 7.0], [2.0, 8.0, 4.0, 6.0, 0.0]])
    order = np.argsort(unsorted, axis=-1)
    values = np.array([[3.0, 6.0], [4.0, 9.0]])
    out = ddp.searchsorted(ddp.tensor(unsorted), ddp.tensor(values), sorter=ddp.tensor(order))
    np.testing.assert_array_equal(out.numpy(), _reference(np.sort(unsorted, axis=-1), values, "left"))
    flat = ddp.searchsorted(ddp.tensor(unsorted[0]), ddp.tensor(values[0]), sorter=ddp.tensor(order[0]), right=True)
    assert flat.tolist() == np.searchsorted(unsorted[0], values[0], side="right", sorter=order[0]).tolist()


def test_no_gradient():
    x = ddp.tensor([3.0, 6.0], requires_grad=True)
    assert not ddp.searchsorted(ddp.tensor(SEQ), x).requires_grad
    assert not ddp.bucketize(x, ddp.tensor(SEQ)).requires_grad


def test_searchsorted_errors():
    s, v = ddp.tensor(SEQ), ddp.tensor(VALUES)
    cases = [
        (lambda: ddp.searchsorted(s, v, side="foo"), "side must be"),
        (lambda: ddp.searchsorted(s, v, side="left", right=True), "opposites"),
        (lambda: ddp.searchsorted(ddp.tensor(1.0), v), "at least one dimension"),
        (lambda: ddp.searchsorted(ddp.zeros(2, 5), 4.0), "needs a 1-D sorted sequence"),
        (lambda: ddp.searchsorted(ddp.zeros(2, 5), ddp.zeros(2)), "leading dims must match"),
        (lambda: ddp.searchsorted(ddp.zeros(2, 5), ddp.zeros(3, 2)), "leading dims must match"),
        (lambda: ddp.searchsorted(s, v, sorter=ddp.arange(5).to(ddp.int32)), "long dtype"),
        (lambda: ddp.searchsorted(s, v, sorter=ddp.arange(3)), "same size"),
        (lambda: ddp.searchsorted(s, v, sorter=ddp.tensor([0, 1, 2, 3, 5])), "out of range"),
        (lambda: ddp.searchsorted(s, v, sorter=ddp.tensor([0, 1, 2, 3, -1])), "out of range"),
    ]
    for fn, message in cases:
        with pytest.raises(RuntimeError, match=message):
            fn()


@pytest.mark.parametrize("right", [False, True])
def test_bucketize(right):
    x = np.array([[0.5, 1.0, 3.0], [6.0, 7.0, 9.0]])
    out = ddp.bucketize(ddp.tensor(x), ddp.tensor(SEQ), right=right)
    assert out.dtype == np.int64 and out.shape == x.shape
    np.testing.assert_array_equal(out.numpy(), np.searchsorted(SEQ, x, side="right" if right else "left"))
    assert ddp.bucketize(4.0, ddp.tensor(SEQ)).shape == ()
    assert ddp.bucketize(ddp.tensor(x), ddp.tensor(SEQ), out_int32=True).dtype == np.int32
    with pytest.raises(RuntimeError, match="1 dimension"):
        ddp.bucketize(ddp.tensor(x), ddp.zeros(2, 3))
    with pytest.raises(RuntimeError, match="1 dimension"):
        ddp.bucketize(ddp.tensor(x), ddp.tensor(2.0))


def test_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    seq = np.sort(rng.integers(0, 8, (3, 2, 10)), axis=-1).astype(np.float32)
    values = rng.integers(-1, 9, (3, 2, 6)).astype(np.float32)
    values[0, 0, :3] = [np.nan, np.inf, -np.inf]
    for kwargs in [{}, {"right": True}, {"side": "right"}, {"out_int32": True}]:
        for s, v in [(seq, values), (seq[0, 0], values)]:
            ours = ddp.searchsorted(ddp.tensor(s), ddp.tensor(v), **kwargs)
            theirs = torch.searchsorted(torch.tensor(s), torch.tensor(v), **kwargs)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
            assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
        a = ddp.bucketize(ddp.tensor(values), ddp.tensor(seq[0, 0]), right=kwargs.get("right", False))
        b = torch.bucketize(torch.tensor(values), torch.tensor(seq[0, 0]), right=kwargs.get("right", False))
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    unsorted = rng.standard_normal((2, 7))
    order = np.argsort(unsorted, axis=-1)
    v = rng.standard_normal((2, 4))
    np.testing.assert_array_equal(
        ddp.searchsorted(ddp.tensor(unsorted), ddp.tensor(v), sorter=ddp.tensor(order)).numpy(),
        torch.searchsorted(torch.tensor(unsorted), torch.tensor(v), sorter=torch.tensor(order)).numpy())
    assert ddp.searchsorted(ddp.tensor(SEQ), 3.0).item() == torch.searchsorted(torch.tensor(SEQ), 3.0).item()
    for fn in [lambda m: m.searchsorted(m.zeros(2, 5), m.zeros(3, 2)),
               lambda m: m.searchsorted(m.zeros(5), m.zeros(2), side="up"),
               lambda m: m.bucketize(m.zeros(2), m.zeros(2, 2))]:
        with pytest.raises(RuntimeError):
            fn(torch)
        with pytest.raises(RuntimeError):
            fn(ddp)
