"""unique and unique_consecutive: numpy references, dtypes, empty inputs, the method forms, autograd and errors,
and torch's results where it is installed."""
import numpy as np
import pytest

import ddp

X = np.array([3, 1, 2, 1, 3, 3])
M = np.array([[2, 1, 2, 1], [3, 0, 3, 0], [2, 1, 2, 5]])  # columns 0 and 2 equal; rows all different
NAN = float("nan")


def _arrays(result):
    return [t.numpy() for t in (result if isinstance(result, tuple) else (result,))]


# ------------------------------------------------------------------------------------------ numpy references
@pytest.mark.parametrize("inverse", [False, True])
@pytest.mark.parametrize("counts", [False, True])
def test_flags_choose_the_outputs(inverse, counts):
    got = ddp.unique(ddp.tensor(X), return_inverse=inverse, return_counts=counts)
    values, inv, cnt = np.unique(X, return_inverse=True, return_counts=True)
    want = [values] + [inv] * inverse + [cnt] * counts
    assert isinstance(got, tuple) == (inverse or counts)
    assert [a.tolist() for a in _arrays(got)] == [w.tolist() for w in want]
    assert all(a.dtype == np.int64 for a in _arrays(got)[1:])


def test_inverse_has_the_input_shape_and_rebuilds_it():
    x = np.random.default_rng(0).integers(0, 5, (3, 4, 2))
    values, inverse, counts = ddp.unique(ddp.tensor(x), return_inverse=True, return_counts=True)
    assert inverse.shape == x.shape
    np.testing.assert_array_equal(values.numpy()[inverse.numpy()], x)
    np.testing.assert_array_equal(counts.numpy(), np.bincount(inverse.numpy().ravel()))
    assert values.tolist() == np.unique(x).tolist()


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_dim_compares_slices_in_lexicographic_order(dim):
    values, inverse, counts = ddp.unique(ddp.tensor(M), dim=dim, return_inverse=True, return_counts=True)
    want, inv, cnt = np.unique(M, axis=dim, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.numpy(), want)
    assert inverse.tolist() == inv.ravel().tolist() and inverse.shape == (M.shape[dim],)
    assert counts.tolist() == cnt.tolist()


def test_dim_on_3d_rebuilds_the_input():
    x = np.random.default_rng(1).integers(0, 2, (2, 5, 3))
    values, inverse = ddp.unique(ddp.tensor(x), dim=1, return_inverse=True)
    np.testing.assert_array_equal(values.numpy(), np.unique(x, axis=1))
    np.testing.assert_array_equal(values.numpy()[:, inverse.numpy()], x)


def test_sorted_false_still_sorts_as_torch_does_on_cpu():
    x = ddp.tensor(np.random.default_rng(2).integers(0, 50, 200))
    assert ddp.equal(ddp.unique(x, sorted=False), ddp.unique(x))
    assert ddp.equal(ddp.unique(ddp.tensor(M), sorted=False, dim=1), ddp.unique(ddp.tensor(M), dim=1))


def test_unique_consecutive_collapses_runs_only():
    x = ddp.tensor([1, 1, 2, 2, 3, 1, 1, 2])
    assert ddp.unique_consecutive(x).tolist() == [1, 2, 3, 1, 2]
    values, inverse, counts = ddp.unique_consecutive(x, return_inverse=True, return_counts=True)
    assert inverse.tolist() == [0, 0, 1, 1, 2, 3, 3, 4] and counts.tolist() == [2, 2, 1, 2, 1]
    assert ddp.unique_consecutive(x, return_counts=True)[1].tolist() == [2, 2, 1, 2, 1]
    grid = ddp.tensor([[1, 1, 2, 1], [0, 0, 3, 0]])
    values, inverse, counts = ddp.unique_consecutive(grid, dim=1, return_inverse=True, return_counts=True)
    assert values.tolist() == [[1, 2, 1], [0, 3, 0]] and inverse.tolist() == [0, 0, 1, 2]
    assert counts.tolist() == [2, 1, 1]
    inverse = ddp.unique_consecutive(grid, return_inverse=True)[1]
    assert inverse.shape == (2, 4) and inverse.tolist() == [[0, 0, 1, 2], [3, 3, 4, 5]]


@pytest.mark.parametrize("dtype", [ddp.bool, ddp.uint8, ddp.int8, ddp.int32, ddp.int64, ddp.float16, ddp.float32,
                                   ddp.float64])
def test_dtypes(dtype):
    x = ddp.tensor(X % 2 if dtype == ddp.bool else X).to(dtype)
    for result in (ddp.unique(x, return_inverse=True, return_counts=True),
                   ddp.unique_consecutive(x, return_inverse=True, return_counts=True),
                   ddp.unique(x.reshape(2, 3), dim=1, return_inverse=True, return_counts=True)):
        values, inverse, counts = result
        assert values.dtype == dtype and inverse.dtype == ddp.int64 and counts.dtype == ddp.int64
    values, counts = ddp.unique(x, return_counts=True)
    want, cnt = np.unique(x.numpy(), return_counts=True)
    np.testing.assert_array_equal(values.numpy(), want)
    assert counts.tolist() == cnt.tolist()


def test_nan_is_never_equal_to_itself():
    # PyTorch: every NaN is its own value, sorted after +inf in the order the NaNs appear
    x = ddp.tensor([3.0, NAN, 1.0, NAN, float("inf"), 1.0])
    values, inverse, counts = ddp.unique(x, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.numpy(), [1.0, 3.0, float("inf"), NAN, NAN])
    assert inverse.tolist() == [1, 3, 0, 4, 2, 0] and counts.tolist() == [2, 1, 1, 1, 1]
    assert ddp.unique_consecutive(ddp.tensor([NAN, NAN, 2.0]), return_counts=True)[1].tolist() == [1, 1, 1]
    rows = ddp.unique(ddp.tensor([[1.0, NAN], [1.0, NAN], [0.0, 1.0]]), dim=0, return_counts=True)
    np.testing.assert_array_equal(rows[0].numpy(), [[0.0, 1.0], [1.0, NAN], [1.0, NAN]])
    assert rows[1].tolist() == [1, 1, 1]


def test_signed_zeros_are_equal_and_the_first_one_stays():
    assert str(ddp.unique(ddp.tensor([-0.0, 0.0, 1.0]))[0].item()) == "-0.0"
    assert str(ddp.unique(ddp.tensor([0.0, -0.0, 1.0]))[0].item()) == "0.0"


def test_empty_inputs():
    values, inverse, counts = ddp.unique(ddp.zeros(0, 2), return_inverse=True, return_counts=True)
    assert values.shape == (0,) and inverse.shape == (0, 2) and counts.shape == (0,)
    assert values.dtype == ddp.float32 and inverse.dtype == ddp.int64
    values, inverse, counts = ddp.unique(ddp.zeros(0, 3), dim=0, return_inverse=True, return_counts=True)
    assert values.shape == (0, 3) and inverse.shape == (0,) and counts.shape == (0,)
    values, inverse, counts = ddp.unique_consecutive(ddp.zeros(3, 0), dim=1, return_inverse=True,
                                                     return_counts=True)
    assert values.shape == (3, 0) and inverse.shape == (0,) and counts.shape == (0,)
    assert ddp.unique_consecutive(ddp.tensor([])).shape == (0,)


def test_zero_dim_input():
    values, inverse, counts = ddp.unique(ddp.tensor(5), return_inverse=True, return_counts=True)
    assert values.shape == (1,) and inverse.shape == () and inverse.item() == 0 and counts.tolist() == [1]


def test_method_forms_match_the_functions():
    x = ddp.tensor(M)
    assert ddp.equal(x.unique(), ddp.unique(x))
    for a, b in zip(x.unique(True, True, True, 1), ddp.unique(x, dim=1, return_inverse=True, return_counts=True)):
        assert ddp.equal(a, b)
    for a, b in zip(x.unique_consecutive(True, True, 0), ddp.unique_consecutive(x, True, True, 0)):
        assert ddp.equal(a, b)
    assert ddp.unique([3, 1, 3]).tolist() == [1, 3]  # Python data, as the other ddp ops take it


def test_no_derivative_as_in_torch():
    # PyTorch records unique in the graph (the output requires grad) but has no derivative for it
    x = ddp.tensor([1.0, 2.0, 2.0], requires_grad=True)
    for fn in (ddp.unique, ddp.unique_consecutive):
        values, inverse, counts = fn(x, return_inverse=True, return_counts=True)
        assert values.requires_grad and not inverse.requires_grad and not counts.requires_grad
        with pytest.raises(NotImplementedError, match=f"{fn.__name__} has no derivative"):
            values.sum().backward()
    with ddp.no_grad():
        assert not ddp.unique(x).requires_grad
    assert not ddp.unique(x.detach()).requires_grad


@pytest.mark.parametrize("fn", [ddp.unique, ddp.unique_consecutive])
def test_bad_dims(fn):
    with pytest.raises(IndexError, match=rf"{fn.__name__}: Dimension out of range .*\[-2, 1\], but got 2\)"):
        fn(ddp.zeros(2, 3), dim=2)
    with pytest.raises(IndexError, match="got -3"):
        fn(ddp.zeros(2, 3), dim=-3)
    with pytest.raises(IndexError, match="Dimension specified as 0 but tensor has no dimensions"):
        fn(ddp.tensor(1.0), dim=0)
    with pytest.raises(TypeError, match="dim must be an int, got float"):
        fn(ddp.zeros(2, 3), dim=1.0)
    with pytest.raises(RuntimeError, match=r"every dim other than dim 0 must be non-empty, got shape \(3, 0\)"):
        fn(ddp.zeros(3, 0), dim=0)
    with pytest.raises(RuntimeError, match=r"got shape \(0, 0\)"):
        fn(ddp.zeros(0, 0), dim=1)


# ---------------------------------------------------------------------------------------------- torch
# name: (fn(module, x) for ddp and torch alike, input data, dtype name)
TORCH_CASES = {
    "plain": (lambda m, x: m.unique(x), X, "int64"),
    "all_flags": (lambda m, x: m.unique(x, return_inverse=True, return_counts=True), X, "int64"),
    "positional": (lambda m, x: m.unique(x, True, True, True, None), X, "int64"),
    "unsorted": (lambda m, x: m.unique(x, sorted=False, return_inverse=True, return_counts=True), X, "int64"),
    "counts_only": (lambda m, x: m.unique(x, return_counts=True), M, "float32"),
    "inverse_2d": (lambda m, x: m.unique(x, return_inverse=True), M, "int32"),
    "dim0": (lambda m, x: m.unique(x, dim=0, return_inverse=True, return_counts=True), M, "int64"),
    "dim1": (lambda m, x: m.unique(x, dim=1, return_inverse=True, return_counts=True), M, "float64"),
    "dim_negative": (lambda m, x: m.unique(x, dim=-1, sorted=False, return_counts=True), M, "int8"),
    "dim_1d": (lambda m, x: m.unique(x, dim=0, return_inverse=True), X, "int64"),
    "dim_3d": (lambda m, x: m.unique(x, dim=1, return_inverse=True, return_counts=True),
               np.random.default_rng(3).integers(0, 2, (2, 6, 3)), "int64"),
    "bool": (lambda m, x: m.unique(x, return_inverse=True, return_counts=True), X % 2, "bool"),
    "bool_dim": (lambda m, x: m.unique(x, dim=0, return_inverse=True), M % 2, "bool"),
    "uint8": (lambda m, x: m.unique(x, return_counts=True), X, "uint8"),
    "float16": (lambda m, x: m.unique(x, return_inverse=True), X / 4, "float16"),
    "random_floats": (lambda m, x: m.unique(x, return_inverse=True, return_counts=True),
                      np.random.default_rng(4).integers(0, 20, 300) / 8, "float32"),
    "nan": (lambda m, x: m.unique(x, return_inverse=True, return_counts=True),
            np.array([3.0, NAN, 1.0, NAN, np.inf, 1.0, -np.inf]), "float32"),
    "nan_rows_apart": (lambda m, x: m.unique(x, dim=0, return_inverse=True, return_counts=True),
                       np.array([[1.0, NAN], [1.0, NAN], [0.0, 1.0]]), "float64"),
    "signed_zero_first": (lambda m, x: m.unique(x), np.array([-0.0, 0.0, 1.0]), "float32"),
    "zero_dim": (lambda m, x: m.unique(x, return_inverse=True, return_counts=True), np.array(5), "int64"),
    "empty": (lambda m, x: m.unique(x, return_inverse=True, return_counts=True), np.zeros((0, 2)), "float32"),
    "empty_dim": (lambda m, x: m.unique(x, dim=0, return_inverse=True, return_counts=True), np.zeros((0, 3)),
                  "float32"),
    "empty_selected_dim": (lambda m, x: m.unique(x, dim=1, return_counts=True), np.zeros((3, 0)), "int64"),
    "consecutive": (lambda m, x: m.unique_consecutive(x), np.array([1, 1, 2, 2, 3, 1, 1, 2]), "int64"),
    "consecutive_flags": (lambda m, x: m.unique_consecutive(x, return_inverse=True, return_counts=True),
                          np.array([[1, 1, 2], [2, 3, 3]]), "float32"),
    "consecutive_positional": (lambda m, x: m.unique_consecutive(x, True, True, 1), M, "int64"),
    "consecutive_dim0": (lambda m, x: m.unique_consecutive(x, dim=0, return_inverse=True, return_counts=True),
                         np.array([[1, 2], [1, 2], [0, 2], [1, 2]]), "int64"),
    "consecutive_nan": (lambda m, x: m.unique_consecutive(x, return_counts=True),
                        np.array([NAN, NAN, 2.0, 2.0]), "float64"),
    "consecutive_bool": (lambda m, x: m.unique_consecutive(x, return_inverse=True), X % 2, "bool"),
    "consecutive_empty": (lambda m, x: m.unique_consecutive(x, return_inverse=True, return_counts=True),
                          np.zeros(0), "float32"),
    "consecutive_zero_dim": (lambda m, x: m.unique_consecutive(x, return_inverse=True), np.array(2.5), "float64"),
    "method": (lambda m, x: x.unique(return_inverse=True, dim=1), M, "int64"),
    "method_consecutive": (lambda m, x: x.unique_consecutive(return_counts=True), X, "int64"),
}


@pytest.mark.parametrize("name", TORCH_CASES)
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    fn, data, dtype = TORCH_CASES[name]
    ours = fn(ddp, ddp.tensor(data, dtype=getattr(ddp, dtype)))
    theirs = fn(torch, torch.tensor(data, dtype=getattr(torch, dtype)))
    assert isinstance(ours, tuple) == isinstance(theirs, tuple)
    for a, b in zip(_arrays(ours), [t.numpy() for t in (theirs if isinstance(theirs, tuple) else (theirs,))]):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)  # NaNs equal where both have one
    assert len(_arrays(ours)) == (len(theirs) if isinstance(theirs, tuple) else 1)


def test_nan_slices_along_a_dim_differ_from_torch_in_order_only():
    # Known difference: torch sorts slices with a comparison that NaN makes inconsistent, so the order of
    # slices holding NaN depends on its sort's internals; ddp puts NaN after every number in each position
    # (numpy's lexsort). Both keep every NaN slice distinct, so the slices and counts agree as multisets.
    torch = pytest.importorskip("torch")
    data = np.array([[NAN, 1.0], [0.0, 1.0], [NAN, 0.0], [NAN, 1.0]])
    ours, _, counts = ddp.unique(ddp.tensor(data), dim=0, return_inverse=True, return_counts=True)
    theirs, _, their_counts = torch.unique(torch.tensor(data), dim=0, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(ours.numpy(), [[0.0, 1.0], [NAN, 0.0], [NAN, 1.0], [NAN, 1.0]])
    key = lambda rows: sorted(map(str, rows.tolist()))  # noqa: E731
    assert key(ours.numpy()) == key(theirs.numpy()) and counts.tolist() == their_counts.tolist() == [1] * 4


def test_no_derivative_matches_torch():
    torch = pytest.importorskip("torch")
    for m in (ddp, torch):
        x = m.tensor([1.0, 2.0, 2.0], requires_grad=True)
        for out in (m.unique(x), m.unique(x, dim=0), m.unique_consecutive(x)):
            assert out.requires_grad and out.grad_fn is not None
            with pytest.raises(NotImplementedError, match="has no derivative" if m is ddp else None):
                out.sum().backward()


@pytest.mark.parametrize("call", [
    lambda m: m.unique(m.zeros(2, 3), dim=2),
    lambda m: m.unique_consecutive(m.zeros(2, 3), dim=-3),
    lambda m: m.unique(m.tensor(1.0), dim=0),
    lambda m: m.unique(m.zeros(2, 3), dim=1.0),
    lambda m: m.unique(m.zeros(3, 0), dim=0),
    lambda m: m.unique(m.zeros(0, 0), dim=1),
    lambda m: m.unique_consecutive(m.zeros(2, 0, 0), dim=0),
])
def test_error_types_match_torch(call):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)):
        call(ddp)
