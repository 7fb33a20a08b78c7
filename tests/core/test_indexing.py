"""x[...] reading (basic and advanced) and x[...] = v writing, forward and gradient."""
import numpy as np
import pytest

import ddp
from op_helpers import forward32, gradcheck, sample

MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])

# name: (index as given to ddp, the same index for numpy); x has shape (3, 4)
INDICES = {
    "int": (1, 1),
    "neg_int": (-1, -1),
    "int_int": ((1, 2), (1, 2)),
    "slice": (slice(1, None), slice(1, None)),
    "step": ((slice(None), slice(None, None, 2)), (slice(None), slice(None, None, 2))),
    "none": ((None, 0), (None, 0)),
    "ellipsis": ((Ellipsis, 1), (Ellipsis, 1)),
    "list": ([2, 0, 2], [2, 0, 2]),
    "tensor": (ddp.tensor([0, 2, 2]), np.array([0, 2, 2])),
    "tensor_2d": (ddp.tensor([[0, 1], [1, 1]]), np.array([[0, 1], [1, 1]])),
    "scalar_tensor": (ddp.tensor(2), 2),
    "pair_of_arrays": (([0, 2, 2], [1, 3, 3]), ([0, 2, 2], [1, 3, 3])),
    "slice_and_array": ((slice(None), [3, 0, 0]), (slice(None), [3, 0, 0])),
    "int_and_array": ((1, [0, 0, 2]), (1, [0, 0, 2])),
    "mask": (ddp.tensor(MASK), MASK),
    "row_mask": (ddp.tensor([True, False, True]), np.array([True, False, True])),
    "mask_list": ([False, True, True], np.array([False, True, True])),
}


@pytest.mark.parametrize("name", INDICES)
def test_getitem(name):
    idx, np_idx = INDICES[name]
    x = sample((3, 4))
    assert gradcheck(lambda t: t[idx], x)
    forward32(lambda t: t[idx], lambda a: a[np_idx], x)


def test_getitem_of_a_scalar_and_iteration():
    x = ddp.tensor(3.0, requires_grad=True)
    assert x[None].shape == (1,) and x[...].item() == 3.0
    rows = list(ddp.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]


def test_repeated_indices_accumulate():
    x = ddp.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_float_index_is_rejected():
    with pytest.raises(IndexError, match="long, int or bool"):
        ddp.ones(3)[ddp.tensor([0.0, 1.0])]


def test_index_out_of_range_names_the_shape():
    with pytest.raises(IndexError, match=r"\(3, 4\)"):
        ddp.ones(3, 4)[5]


# name: (index, value shape) for x[index] = v with x of shape (3, 4)
SETS = {
    "row": (1, (4,)),
    "row_broadcast": (1, (1,)),
    "scalar": ((0, 2), ()),
    "slice": ((slice(None), slice(1, 3)), (3, 2)),
    "column_broadcast": ((slice(None), 0), ()),
    "array": ([0, 2], (2, 4)),
    "mask": (ddp.tensor(MASK), ()),
    "mask_values": (ddp.tensor(MASK), (int(MASK.sum()),)),
}


@pytest.mark.parametrize("name", SETS)
def test_setitem_gradients_flow_to_base_and_value(name):
    idx, vshape = SETS[name]

    def fn(x, v):
        y = x * 1.0  # a non-leaf copy that may be written in place
        y[idx] = v
        return y

    x, v = sample((3, 4)), sample(vshape, seed=3)
    assert gradcheck(fn, x, v)
    expected = x.astype(np.float32).copy()
    expected[idx.numpy() if isinstance(idx, ddp.Tensor) else idx] = v.astype(np.float32)
    forward32(fn, lambda a, b: expected, x, v)


def test_setitem_into_a_plain_tensor_makes_it_part_of_the_graph():
    x = ddp.zeros(3)
    w = ddp.tensor([2.0], requires_grad=True)
    x[1] = w
    assert x.requires_grad and not x.is_leaf
    (x * ddp.tensor([1.0, 5.0, 1.0])).sum().backward()
    assert w.grad.tolist() == [5.0]


def test_setitem_on_a_leaf_that_requires_grad_raises():
    w = ddp.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w[0] = 2.0


def test_setitem_without_grad_writes_in_place():
    x = ddp.zeros(2, 3)
    x[0] = 1.0
    x[:, 2] = ddp.tensor([7.0, 8.0])
    x[x > 7.5] = -1.0
    assert x.tolist() == [[1.0, 1.0, 7.0], [0.0, 0.0, -1.0]]
    with ddp.no_grad():
        w = ddp.ones(2, requires_grad=True)
        w[0] = 3.0
    assert w.tolist() == [3.0, 1.0] and w.is_leaf


def test_setitem_value_may_carry_leading_size_one_dims():
    x = ddp.zeros(3)
    x[1] = ddp.tensor([2.0])
    assert x.tolist() == [0.0, 2.0, 0.0]
    v = ddp.tensor([[2.0]], requires_grad=True)
    y = ddp.zeros(3) * 1.0
    y[2] = v
    (y * 3).sum().backward()
    assert v.grad.shape == (1, 1) and v.grad.item() == 3.0


SEQUENCE_INDICES = {
    "slice and int": lambda lib: [slice(None), 1],
    "slice and mask": lambda lib: [slice(None), lib.tensor([True, False, True])],
    "two lists": lambda lib: [[0, 1], [1, 2]],
    "tensor alone": lambda lib: [lib.tensor([0, 2])],
    "None and int": lambda lib: [None, 1],
    "plain ints": lambda lib: [0, 2],
}


@pytest.mark.parametrize("name", sorted(SEQUENCE_INDICES))
def test_a_short_list_of_indices_indexes_several_dims_as_pytorch(name):
    """PyTorch reads `t[[slice(None), mask]]` as `t[slice(None), mask]` (with a deprecation warning), and a
    list of ints as one index; pruning and older code rely on it."""
    results = []
    libs = [ddp]
    try:
        import torch
        libs.append(torch)
    except ImportError:
        pass
    for lib in libs:
        x = lib.arange(9).view(3, 3)
        got = x[SEQUENCE_INDICES[name](lib)]
        y = lib.zeros(3, 3)
        y[SEQUENCE_INDICES[name](lib)] = 1
        results.append((got.tolist(), y.tolist()))
    assert all(r == results[0] for r in results)
    if name == "plain ints":
        assert results[0][0] == [[0, 1, 2], [6, 7, 8]]
    if name == "slice and int":
        assert results[0][0] == [1, 4, 7]


# Integers are applied before integer arrays and masks, as PyTorch does (numpy would move the array's dims first)
MIXED = {
    "int_slice_list": lambda lib: (0, slice(None), [1, 2]),
    "int_slice_slice_list": lambda lib: (0, slice(1, 3), [1, 2]),
    "int_none_slice_list": lambda lib: (0, None, slice(None), [1]),
    "int_ellipsis_list": lambda lib: (0, Ellipsis, [1, 2]),
    "list_slice_int": lambda lib: ([2, 0], slice(None), 3),
    "scalar_tensor_slice_list": lambda lib: (lib.tensor(1), slice(None), lib.tensor([[1], [4]])),
    "int_slice_mask": lambda lib: (2, slice(None), lib.tensor([True, False, True, False, False])),
    "slice_int_list": lambda lib: (slice(None), 1, [0, 4]),
}


@pytest.mark.parametrize("name", MIXED)
def test_integers_before_arrays_as_pytorch(name):
    torch = pytest.importorskip("torch")
    values = np.arange(60.0).reshape(3, 4, 5)
    ours, theirs = ddp.tensor(values), torch.tensor(values)
    got, want = ours[MIXED[name](ddp)], theirs[MIXED[name](torch)]
    assert got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    ours[MIXED[name](ddp)] = ddp.tensor(-want.numpy())  # a value of the read's shape fits the write
    theirs[MIXED[name](torch)] = -want
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    x = sample((3, 4, 5))
    assert gradcheck(lambda t: t[MIXED[name](ddp)], x)
    assert gradcheck(lambda t, v: _written(t, MIXED[name](ddp), v), x, sample(tuple(want.shape)))


def _written(t, idx, v):
    out = t * 2
    out[idx] = v * 3
    return out
