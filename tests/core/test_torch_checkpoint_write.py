"""ddp.save(obj, f, format="torch") writes PyTorch's torch.save archive: PyTorch's torch.load reads it (with
weights_only=True), a ddp model's weights load into the same PyTorch model and compute the same outputs,
and ddp.load reads it back exactly, with or without PyTorch installed."""
import io
import zipfile

import numpy as np
import pytest

import ddp


def _trained():
    ddp.manual_seed(0)
    model = ddp.nn.Sequential(ddp.nn.Linear(3, 4), ddp.nn.BatchNorm1d(4), ddp.nn.Linear(4, 2))
    opt = ddp.optim.Adam(model.parameters(), lr=0.1)
    model(ddp.randn(5, 3)).sum().backward()
    opt.step()
    return model, opt


def _checkpoint(model, opt):
    return {"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3, "dtype": ddp.float16,
            "size": ddp.Size([2, 3]), "device": ddp.device("cpu"), "tied": [model[0].weight, model[0].weight],
            "half": ddp.ones(2, dtype=ddp.float16), "complex": ddp.tensor([1 + 2j]), "mask": ddp.tensor([True]),
            "ints": ddp.arange(3), "note": ("a", 1.5, None), "param": model[2].weight}


def test_pytorch_loads_it_with_weights_only(tmp_path):
    torch = pytest.importorskip("torch")
    model, opt = _trained()
    ddp.save(_checkpoint(model, opt), tmp_path / "ck.pt", format="torch")
    got = torch.load(tmp_path / "ck.pt", weights_only=True)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    theirs.load_state_dict(got["model"])
    x = np.random.RandomState(0).randn(5, 3).astype(np.float32)
    model.eval(), theirs.eval()
    np.testing.assert_allclose(theirs(torch.tensor(x)).detach().numpy(), model(ddp.tensor(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)
    torch.optim.Adam(theirs.parameters(), lr=0.1).load_state_dict(got["optim"])
    assert got["epoch"] == 3 and got["dtype"] is torch.float16 and got["size"] == torch.Size([2, 3])
    assert got["device"] == torch.device("cpu") and got["note"] == ("a", 1.5, None)
    assert got["tied"][0].data_ptr() == got["tied"][1].data_ptr()  # one storage, as the tensors shared one
    assert got["half"].dtype is torch.float16 and got["complex"].tolist() == [1 + 2j]
    assert got["mask"].tolist() == [True] and got["ints"].dtype is torch.int64
    assert isinstance(got["param"], torch.nn.Parameter) and got["param"].requires_grad


def test_ddp_reads_it_back_exactly():
    model, opt = _trained()
    buffer = io.BytesIO()
    ddp.save(_checkpoint(model, opt), buffer, format="torch")
    buffer.seek(0)
    got = ddp.load(buffer)
    for (name, a), b in zip(got["model"].items(), model.state_dict().values()):
        assert a.dtype == b.dtype and np.array_equal(a.numpy(), b.numpy()), name
    assert got["dtype"] is ddp.float16 and type(got["size"]) is ddp.Size and got["ints"].tolist() == [0, 1, 2]
    assert got["optim"]["state"][0]["step"].item() == 1.0 and got["note"] == ("a", 1.5, None)
    assert isinstance(got["param"], ddp.nn.Parameter) and got["param"].requires_grad


def test_records_are_aligned_as_pytorch_aligns_them():
    buffer = io.BytesIO()
    ddp.save({"w": ddp.ones(3, 5), "b": ddp.zeros(7)}, buffer, format="torch")
    with zipfile.ZipFile(buffer) as zf:
        names = zf.namelist()
        assert "archive/data.pkl" in names and "archive/byteorder" in names and "archive/version" in names
        for info in zf.infolist():
            if "/data/" in info.filename:
                start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
                assert start % 64 == 0, info.filename


def test_bad_format_and_dtype_refuse():
    with pytest.raises(ValueError, match="format must be 'ddp' or 'torch'"):
        ddp.save({}, io.BytesIO(), format="onnx")
    with pytest.raises(TypeError, match="PyTorch has no storage for dtype"):
        ddp.save({"u": ddp.ones(2, dtype=ddp.uint16)}, io.BytesIO(), format="torch")
