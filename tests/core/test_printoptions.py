"""set_printoptions: precision, profiles, scientific notation and elision change how tensors print, as in
PyTorch; every test puts the default back."""
import numpy as np
import pytest

import ddp


@pytest.fixture(autouse=True)
def default_options():
    yield
    ddp.set_printoptions(profile="default")


X = [1.23456, 2.5]


def test_precision_and_profiles():
    ddp.set_printoptions(precision=2)
    assert repr(ddp.tensor(X)) == "tensor([1.23, 2.50])"
    ddp.set_printoptions(profile="short")
    assert repr(ddp.tensor(X)) == "tensor([1.23, 2.50])"
    ddp.set_printoptions(profile="default")
    assert repr(ddp.tensor(X)) == "tensor([1.2346, 2.5000])"


def test_scientific_notation_on_and_back_to_automatic():
    ddp.set_printoptions(sci_mode=True)
    assert repr(ddp.tensor(X)) == "tensor([1.2346e+00, 2.5000e+00])"
    ddp.set_printoptions(precision=4)  # a call without sci_mode sets it back to automatic, as PyTorch
    assert repr(ddp.tensor(X)) == "tensor([1.2346, 2.5000])"
    assert repr(ddp.tensor([1, 2])) == "tensor([1, 2])"  # integers are never scientific


def test_threshold_and_edgeitems_elide_the_middle():
    ddp.set_printoptions(threshold=5, edgeitems=1)
    assert repr(ddp.arange(10.0)).replace("  ", " ") == "tensor([0., ..., 9.])"
    ddp.set_printoptions(profile="full")
    assert "..." not in repr(ddp.arange(2000))


def test_an_unknown_profile_changes_nothing_as_in_pytorch():
    ddp.set_printoptions(profile="nonsense")
    assert repr(ddp.tensor(X)) == "tensor([1.2346, 2.5000])"


def test_matches_torch():
    torch = pytest.importorskip("torch")
    for kwargs in (dict(precision=2), dict(sci_mode=True), dict(profile="short"), dict(precision=6)):
        torch.set_printoptions(**kwargs)
        ddp.set_printoptions(**kwargs)
        try:
            assert repr(ddp.tensor(X)) == repr(torch.tensor(X)), kwargs
        finally:
            torch.set_printoptions(profile="default")
            ddp.set_printoptions(profile="default")


# PyTorch's layout rule for rule (printing.tensor_repr): widths from the nonzero finite values, integral
# floats, scientific notation, bools, summaries, wrapping, complex values, the dtype suffix.
INF, NAN = float("inf"), float("nan")
LAYOUTS = [
    ("float32", [1.0, 2.0, 3.0]), ("float32", [1.5, 2.25, -3.0]), ("float32", [0.0, -INF]), ("float32", [-0.0, 1.0]),
    ("float32", [0.0, 0.0]), ("float32", [1e-5, 1.0]), ("float32", [1e9, 1.0]), ("float32", [123456.7, 0.5]),
    ("float32", [NAN, 1.5, INF]), ("float32", 3.5), ("float32", np.arange(2000.0)), ("float32", np.arange(1001.0) / 7),
    ("float32", np.ones((30, 30))), ("float32", np.arange(24.0).reshape(2, 3, 4)),
    ("float32", np.arange(60.0).reshape(3, 4, 5) / 3), ("float32", np.arange(40.0).reshape(2, 20) * 1000.123),
    ("float32", np.arange(5000.0).reshape(50, 100)), ("float32", np.ones((2, 0))), ("float32", []),
    ("bool", [True, True]), ("bool", [True, False]), ("bool", [[True], [False]]), ("int64", [-100, 2, 30000]),
    ("int64", np.arange(1200)), ("int32", [1, 2]), ("float64", [1.0, 2.5]), ("float16", [1.0, 2.5, 1000.0]),
    ("complex64", [1 + 2j, -0.5 - 1j]), ("complex64", [1j, 3.0]), ("complex128", [1.5 + 2j]), ("uint8", [0, 255]),
]
OPTIONS = [{}, {"precision": 2}, {"sci_mode": True}, {"sci_mode": False}, {"threshold": 5, "edgeitems": 2},
           {"linewidth": 40}]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_layout_matches_pytorch(options):
    torch = pytest.importorskip("torch")
    try:
        ddp.set_printoptions(**options)
        torch.set_printoptions(**options)
        for dtype, data in LAYOUTS:
            values = np.asarray(data).tolist()
            ours = repr(ddp.tensor(values, dtype=getattr(ddp, dtype)))
            theirs = repr(torch.tensor(values, dtype=getattr(torch, dtype))).replace("torch.", "ddp.")
            assert ours == theirs, (dtype, data)
        assert repr(ddp.ones(40, requires_grad=True)) == \
            repr(torch.ones(40, requires_grad=True)).replace("torch.", "ddp.")
    finally:
        ddp.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


@pytest.mark.parametrize("op", ["max", "min", "sort", "topk", "kthvalue", "median", "mode", "cummax", "aminmax"])
def test_result_tuples_print_as_pytorchs(op):
    torch = pytest.importorskip("torch")
    calls = {"max": lambda lib, x: x.max(1), "min": lambda lib, x: x.min(0), "sort": lambda lib, x: x.sort(1),
             "topk": lambda lib, x: lib.topk(x, 1), "kthvalue": lambda lib, x: x.kthvalue(1, 1),
             "median": lambda lib, x: x.median(1), "mode": lambda lib, x: x.mode(1),
             "cummax": lambda lib, x: x.cummax(1), "aminmax": lambda lib, x: lib.aminmax(x)}
    values = [[1.0, 3.0], [2.0, 0.0]]
    ours, theirs = calls[op](ddp, ddp.tensor(values)), calls[op](torch, torch.tensor(values))
    assert repr(ours) == repr(theirs).replace("torch.", "ddp.")
    assert type(ours).__name__ == op and type(ours).__module__ == "ddp.return_types"
