"""`ddp.load` reads the archives PyTorch's `torch.save` writes: a state dict trained with PyTorch loads into
the same ddp model (every dtype, views into one storage, 0-d and empty tensors, nested containers), a
parameter stays a parameter, and a whole pickled PyTorch Module is refused with a message naming the way out.
The first test builds such an archive by hand, so it runs without torch."""
import io
import pickle
import zipfile

import numpy as np
import pytest

import ddp
import ddp.nn as nn


def _archive(pickled, storages, prefix="archive"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(f"{prefix}/data.pkl", pickled)
        zf.writestr(f"{prefix}/byteorder", "little")
        for key, data in storages.items():
            zf.writestr(f"{prefix}/data/{key}", data)
        zf.writestr(f"{prefix}/version", "3\n")
    buffer.seek(0)
    return buffer


def _global(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _tensor_pickle(storage_type, key, numel, offset, size, stride):
    """Protocol-0 opcodes for torch._utils._rebuild_tensor_v2(<storage>, offset, size, stride, False, {})."""
    ints = lambda values: b"(" + b"".join(b"I%d\n" % v for v in values) + b"t"  # noqa: E731
    storage = b"(V" + b"storage\n" + _global("torch", storage_type) + b"V" + key.encode() + b"\nVcpu\nI%d\nt" % numel
    return (_global("torch._utils", "_rebuild_tensor_v2") + b"(" + storage + b"Q" + b"I%d\n" % offset
            + ints(size) + ints(stride) + b"I00\n" + _global("collections", "OrderedDict") + b")R" + b"tR")


def test_a_hand_built_torch_archive_loads_without_torch():
    values = np.arange(12, dtype=np.float32)
    pickled = (b"}" + b"Vweight\n" + _tensor_pickle("FloatStorage", "0", 12, 1, (2, 3), (1, 2))  # a strided view
               + b"s" + b"Vsteps\n" + _tensor_pickle("LongStorage", "1", 1, 0, (), ()) + b"s.")
    out = ddp.load(_archive(pickled, {"0": values.tobytes(), "1": np.array([7], "<i8").tobytes()}))
    expected = np.lib.stride_tricks.as_strided(values[1:], (2, 3), (4, 8))
    assert isinstance(out["weight"], ddp.Tensor) and out["weight"].dtype == ddp.float32
    np.testing.assert_array_equal(out["weight"].numpy(), expected)
    assert out["steps"].shape == () and out["steps"].item() == 7 and out["steps"].dtype == ddp.int64


def test_a_corrupt_or_foreign_torch_archive_is_refused():
    overrun = _tensor_pickle("FloatStorage", "0", 4, 2, (3,), (1,)) + b"."
    with pytest.raises(RuntimeError, match="truncated or corrupt.*overruns its storage"):
        ddp.load(_archive(overrun, {"0": np.zeros(4, np.float32).tobytes()}))
    sneaky = _global("os", "system") + b"(Vecho hi\ntR."
    with pytest.raises(pickle.UnpicklingError, match="os.system"):
        ddp.load(_archive(sneaky, {}))


def test_state_dict_of_every_dtype_matches_torch(tmp_path):
    torch = pytest.importorskip("torch")
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    data = {
        "f32": torch.randn(3, 4), "f64": torch.randn(2, dtype=torch.float64), "f16": torch.randn(5).half(),
        "i64": torch.tensor([-3, 2**40]), "i32": torch.tensor([1, -2], dtype=torch.int32),
        "i16": torch.tensor([3], dtype=torch.int16), "i8": torch.tensor([-5], dtype=torch.int8),
        "u8": torch.tensor([250], dtype=torch.uint8), "bool": torch.tensor([True, False]),
        "c64": torch.tensor([1 + 2j], dtype=torch.complex64), "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 3),
        "view_t": base.t(), "view_cols": base[:, 1::2], "view_row": base[2],
    }
    path = tmp_path / "data.pth"
    torch.save(data, path)
    ours = ddp.load(path)
    assert list(ours) == list(data)
    for key, theirs in data.items():
        assert str(ours[key].dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], key
        assert tuple(ours[key].shape) == tuple(theirs.shape), key
        np.testing.assert_array_equal(ours[key].numpy(), theirs.numpy(), err_msg=key)
    bf16 = torch.tensor([1.5, -2.25, 3e38], dtype=torch.bfloat16)
    torch.save({"w": bf16}, path)
    np.testing.assert_array_equal(ddp.load(path)["w"].numpy(), bf16.float().numpy())  # read as float32


def test_a_pytorch_trained_model_loads_into_the_ddp_model(tmp_path):
    torch = pytest.importorskip("torch")

    def build(m):
        return m.nn.Sequential(m.nn.Conv2d(1, 3, 3), m.nn.BatchNorm2d(3), m.nn.ReLU(), m.nn.Flatten(),
                               m.nn.Linear(12, 2))

    theirs = build(torch)
    theirs(torch.randn(4, 1, 4, 4))  # moves the batch-norm statistics
    theirs.eval()
    checkpoint = {"epoch": 3, "model": theirs.state_dict(), "best": (0.5, [1, None]), "names": {0: "a"}}
    torch.save(checkpoint, tmp_path / "ckpt.pth")
    with open(tmp_path / "ckpt.pth", "rb") as f:  # a file object, as scripts open it
        loaded = ddp.load(f, map_location="cpu")
    assert loaded["epoch"] == 3 and loaded["best"] == (0.5, [1, None]) and loaded["names"] == {0: "a"}
    ours = build(ddp)
    assert repr(ours.load_state_dict(loaded["model"])) == "<All keys matched successfully>"
    ours.eval()
    x = np.random.default_rng(0).standard_normal((2, 1, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(ours(ddp.from_numpy(x)).detach().numpy(),
                               theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_parameters_stay_parameters_and_whole_modules_are_refused(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save([torch.nn.Parameter(torch.ones(2))], tmp_path / "p.pth")
    (p,) = ddp.load(tmp_path / "p.pth")
    assert isinstance(p, nn.Parameter) and p.requires_grad and p.tolist() == [1.0, 1.0]
    torch.save(torch.nn.Linear(2, 2), tmp_path / "model.pth")
    for weights_only in (True, False):
        with pytest.raises(pickle.UnpicklingError, match=r"torch\.nn\.modules\.linear\.Linear.*state_dict\(\)"):
            ddp.load(tmp_path / "model.pth", weights_only=weights_only)
