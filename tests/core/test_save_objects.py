"""Saving whole objects as PyTorch 2.6+: data stays pickle-free, anything else is pickled into the same zip
and refused by `load` unless `weights_only=False` or its classes are allowed."""
import io
import pickle
import zipfile

import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.serialization import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals


class Config:
    def __init__(self, width):
        self.width = width


def _members(buffer):
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        return zf.namelist()


def _saved(obj):
    buffer = io.BytesIO()
    ddp.save(obj, buffer)
    buffer.seek(0)
    return buffer


def test_data_is_saved_without_pickle():
    opt = ddp.optim.Adam(nn.Linear(2, 2).parameters())
    buffer = _saved({"model": nn.Linear(2, 2).state_dict(), "optim": opt.state_dict(), "n": 3, "s": "x"})
    assert "data.pkl" not in _members(buffer)
    assert ddp.load(buffer)["n"] == 3  # weights_only=True (the default) loads data


def test_a_whole_module_is_refused_by_default_and_loads_when_trusted(tmp_path):
    ddp.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    ddp.save(model, tmp_path / "model.pt")
    with zipfile.ZipFile(tmp_path / "model.pt") as zf:
        assert "data.pkl" in zf.namelist() and any(m.startswith("arrays/") for m in zf.namelist())
    with pytest.raises(pickle.UnpicklingError, match=r"(?s)Weights only load failed.*ddp.core.nn.container.Sequential"
                       r".*arbitrary code.*weights_only=False.*add_safe_globals"):
        ddp.load(tmp_path / "model.pt")
    loaded = ddp.load(tmp_path / "model.pt", weights_only=False)
    assert type(loaded) is nn.Sequential and isinstance(loaded[0].weight, nn.Parameter)
    assert loaded[0].weight.requires_grad and loaded[0].weight.grad is None
    x = ddp.randn(5, 3)
    np.testing.assert_array_equal(loaded(x).numpy(), model(x).numpy())
    loaded(x).sum().backward()  # trains like the original
    assert loaded[0].weight.grad.shape == (4, 3)


def test_safe_globals_allow_named_classes():
    buffer = _saved({"config": Config(8), "w": ddp.ones(2)})
    with pytest.raises(pickle.UnpicklingError, match="test_save_objects.Config"):
        ddp.load(buffer)
    buffer.seek(0)
    with safe_globals([Config]):
        loaded = ddp.load(buffer)
    assert loaded["config"].width == 8 and loaded["w"].tolist() == [1.0, 1.0]
    try:
        add_safe_globals([Config])
        assert Config in get_safe_globals()
        buffer.seek(0)
        assert ddp.load(buffer, weights_only=True)["config"].width == 8
    finally:
        clear_safe_globals()
    with pytest.raises(TypeError, match="add_safe_globals: expected a list"):
        add_safe_globals(Config)


def test_pickled_containers_without_classes_load_by_default():
    obj = {"tags": {1, 2}, ddp.tensor(1.0): "tensor key", "scalar": np.float32(1.5)}
    buffer = _saved(obj)
    assert "data.pkl" in _members(buffer)
    loaded = ddp.load(buffer)
    assert loaded["tags"] == {1, 2} and loaded["scalar"] == np.float32(1.5)
    assert [v for k, v in loaded.items() if isinstance(k, ddp.Tensor)] == ["tensor key"]


def test_tensors_shared_inside_a_pickled_object_stay_shared():
    w = ddp.ones(100, 100)
    buffer = _saved([Config(1), w, w.detach()])
    assert sum(m.startswith("arrays/") for m in _members(buffer)) == 1
    _, a, b = ddp.load(buffer, weights_only=False)
    assert a.numpy() is b.numpy()


def test_map_location():
    buffer = _saved({"w": ddp.ones(2)})
    for where in ("cpu", ddp.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage, None):
        buffer.seek(0)
        assert ddp.load(buffer, map_location=where)["w"].tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="ddp runs on the CPU"):
        ddp.load(buffer, map_location="cuda")


def test_unpicklable_objects_raise_pickles_error():
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        ddp.save({"fn": lambda: 1}, io.BytesIO())


def test_same_refusal_as_torch(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.Linear(2, 2), tmp_path / "torch.pt")
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        torch.load(tmp_path / "torch.pt")
    ddp.save(nn.Linear(2, 2), tmp_path / "ddp.pt")
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ddp.load(tmp_path / "ddp.pt")
    for name in ("add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals"):
        assert hasattr(torch.serialization, name) and hasattr(ddp.serialization, name)
