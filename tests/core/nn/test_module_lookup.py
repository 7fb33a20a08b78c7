"""get_submodule, get_parameter, get_buffer and set_submodule: dotted paths into a module tree, with
PyTorch's results and errors (hard-coded, and against PyTorch where installed)."""
import pytest

import ddp


def _model(nn):
    return nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))


CALLS = [
    lambda m: m.get_parameter("0.nope"), lambda m: m.get_parameter("1.running_mean"),
    lambda m: m.get_buffer("0.weight"), lambda m: m.get_parameter("2.weight"), lambda m: m.get_submodule("0.x"),
    lambda m: m.set_submodule("", m[0]), lambda m: m.set_submodule("0", 3),
    lambda m: m.set_submodule("7", m[0], strict=True), lambda m: m.set_submodule("0.weight", m[1]),
]


def _outcome(call, model):
    try:
        call(model)
    except Exception as e:  # noqa: BLE001 - the comparison is of the error itself
        return type(e).__name__, str(e)
    return "ok", None


def test_lookups_and_replacement():
    m = _model(ddp.nn)
    assert m.get_parameter("0.weight") is m[0].weight and m.get_buffer("1.running_mean") is m[1].running_mean
    assert m.get_submodule("") is m and m.get_submodule("1") is m[1]
    relu = ddp.nn.ReLU()
    m.set_submodule("1", relu)
    m.set_submodule("0.extra", ddp.nn.Tanh())  # a new child of an existing parent
    assert m[1] is relu and isinstance(m[0].extra, ddp.nn.Tanh)
    with pytest.raises(AttributeError, match="`running_mean` is not an nn.Parameter"):
        _model(ddp.nn).get_parameter("1.running_mean")
    with pytest.raises(AttributeError, match="Sequential has no attribute `2`"):
        _model(ddp.nn).get_parameter("2.weight")


@pytest.mark.parametrize("call", CALLS)
def test_errors_match_torch(call):
    torch = pytest.importorskip("torch")
    assert _outcome(call, _model(ddp.nn)) == _outcome(call, _model(torch.nn))
