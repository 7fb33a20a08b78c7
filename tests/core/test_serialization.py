"""ddp.save / ddp.load: round trips, exactness, atomic writes, and refusal of foreign or damaged files."""
import io
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import ddp
from ddp.core import serialization
from ddp.core.tensor import Tensor
from ddp.optim import Adam


def _model_state(rng):
    return OrderedDict([
        ("fc1.weight", Tensor(rng.standard_normal((4, 3)).astype(np.float32))),
        ("fc1.bias", Tensor(rng.standard_normal(4).astype(np.float32))),
        ("bn.num_batches_tracked", Tensor(np.array(2**62 + 1, np.int64))),
    ])


def _trained_adam(rng, steps=3):
    params = [Tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in [(4, 3), (3,)]]
    opt = Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.01}], amsgrad=True, weight_decay=0.1)
    for _ in range(steps):
        for p in params:
            p.grad = Tensor(rng.standard_normal(p.shape).astype(np.float32))
        opt.step()
    return params, opt


def _assert_same(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, Tensor):
        assert a.dtype == b.dtype and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and np.shape(a) == np.shape(b)
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _assert_same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b and repr(a) == repr(b)


def test_round_trip_of_model_and_optimizer_state(tmp_path):
    rng = np.random.default_rng(0)
    _, opt = _trained_adam(rng)
    checkpoint = {"model": _model_state(rng), "optim": opt.state_dict(), "epoch": 7, "name": "run-é"}
    ddp.save(checkpoint, tmp_path / "ckpt.ddp")
    loaded = ddp.load(tmp_path / "ckpt.ddp")
    _assert_same(checkpoint, loaded)
    assert isinstance(loaded["model"], OrderedDict) and list(loaded["optim"]["state"]) == [0, 1]
    assert loaded["optim"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert int(loaded["model"]["bn.num_batches_tracked"].item()) == 2**62 + 1


def test_values_survive_exactly(tmp_path):
    specials = np.array([np.nan, np.inf, -np.inf, -0.0, np.finfo(np.float32).tiny, 1e-45], np.float32)
    obj = {
        "specials": specials, "int64": np.array([-(2**63), 2**63 - 1], np.int64), "bool": np.array([True, False]),
        "f64": np.array([np.pi]), "f16": np.ones(2, np.float16), "u8": np.arange(5, dtype=np.uint8),
        "empty": np.zeros((0, 3), np.float32), "scalar0d": np.array(3.5, np.float32), "npscalar": np.float32(1.25),
        "transposed": np.arange(12, dtype=np.float32).reshape(3, 4).T, "strided": np.arange(10)[::3],
        "numbers": [0, -1, 2**80, 1.5, float("nan"), float("-inf"), True, None], "empty_containers": [[], {}, ()],
        "keys": {3: "int", 2.5: "float", None: "none", (1, "a"): "tuple", True: "bool"},
        "text": "unicode ✓ \n \"quoted\"",
    }
    buffer = io.BytesIO()
    ddp.save(obj, buffer)
    buffer.seek(0)
    loaded = ddp.load(buffer, map_location="cpu")
    _assert_same(obj, loaded)
    assert np.signbit(loaded["specials"][3]) and loaded["transposed"].flags.writeable


def test_shared_arrays_are_stored_once_and_stay_shared(tmp_path):
    weight = Tensor(np.ones((100, 100), np.float32), requires_grad=True)
    ddp.save({"encoder": weight, "decoder": weight.detach()}, tmp_path / "tied.ddp")
    assert os.path.getsize(tmp_path / "tied.ddp") < 1.5 * weight.numpy().nbytes
    loaded = ddp.load(tmp_path / "tied.ddp")
    assert loaded["encoder"].numpy() is loaded["decoder"].numpy()
    assert loaded["encoder"].requires_grad and not loaded["decoder"].requires_grad


def test_training_resumes_identically_through_a_checkpoint(tmp_path):
    straight, opt = _trained_adam(np.random.default_rng(1), steps=6)
    rng = np.random.default_rng(1)
    params, opt = _trained_adam(rng, steps=3)
    ddp.save({"params": params, "optim": opt.state_dict()}, tmp_path / "ckpt.ddp")
    loaded = ddp.load(tmp_path / "ckpt.ddp")
    resumed = [Tensor(t.numpy(), requires_grad=True) for t in loaded["params"]]
    fresh = Adam([{"params": resumed[:1]}, {"params": resumed[1:]}], amsgrad=True)
    fresh.load_state_dict(loaded["optim"])
    for _ in range(3):
        for p in resumed:
            p.grad = Tensor(rng.standard_normal(p.shape).astype(np.float32))
        fresh.step()
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_file_objects_and_unseekable_streams():
    buffer = io.BytesIO(b"prefix")
    buffer.seek(0, io.SEEK_END)
    ddp.save([Tensor(np.arange(3, dtype=np.float32))], buffer)

    class Unseekable:
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def read(self, n=-1):
            return self.data.read(n)

    loaded = ddp.load(Unseekable(buffer.getvalue()[len(b"prefix"):]))
    np.testing.assert_array_equal(loaded[0].numpy(), [0, 1, 2])


def test_object_arrays_are_refused_with_their_place():
    with pytest.raises(TypeError, match=r"dtype object at obj\['a'\]"):
        ddp.save({"a": np.array([None, 1], dtype=object)}, io.BytesIO())
    # other objects (a set, a Tensor as a key) are pickled, as PyTorch does: tests/core/test_save_objects.py


# ------------------------------------------------------------------------------------------ atomicity
def test_a_failed_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.ddp"
    ddp.save({"version": 1, "w": np.zeros(1000, np.float32)}, path)
    before = path.read_bytes()
    real_write = np.lib.format.write_array
    calls = []

    def failing_write(fp, array, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            fp.write(b"\x00" * 100)
            raise OSError("disk full")
        return real_write(fp, array, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing_write)
    with pytest.raises(OSError, match="disk full"):
        ddp.save({"version": 2, "w": np.ones(1000, np.float32), "b": np.ones(10, np.float32)}, path)
    assert path.read_bytes() == before and ddp.load(path)["version"] == 1
    assert sorted(os.listdir(tmp_path)) == ["ckpt.ddp"]  # no temporary file left behind


def test_save_replaces_an_existing_file(tmp_path):
    path = tmp_path / "ckpt.ddp"
    ddp.save({"version": 1}, str(path))
    ddp.save({"version": 2}, str(path))
    assert ddp.load(str(path)) == {"version": 2}


# -------------------------------------------------------------------------------- foreign and damaged
def _checkpoint_bytes():
    buffer = io.BytesIO()
    ddp.save({"w": np.arange(1000, dtype=np.float32), "n": 3}, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("keep", [0, 2, 40, 0.5, -10])
def test_truncated_files_are_reported(tmp_path, keep):
    data = _checkpoint_bytes()
    keep = int(len(data) * keep) if isinstance(keep, float) else keep
    (tmp_path / "cut.ddp").write_bytes(data[:keep])
    with pytest.raises(RuntimeError, match=r"cut.ddp' is truncated or corrupt"):
        ddp.load(tmp_path / "cut.ddp")


def test_corrupted_array_bytes_fail_the_checksum(tmp_path):
    data = bytearray(_checkpoint_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "bad.ddp").write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="is truncated or corrupt: BadZipFile: Bad CRC-32"):
        ddp.load(tmp_path / "bad.ddp")


def test_random_bytes_are_not_a_checkpoint(tmp_path):
    (tmp_path / "noise.bin").write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(RuntimeError, match=r"noise.bin' is not a ddp checkpoint \(bad magic"):
        ddp.load(tmp_path / "noise.bin")


def test_other_zip_archives_are_not_checkpoints(tmp_path):
    np.savez(tmp_path / "arrays.npz", a=np.ones(3))
    with pytest.raises(RuntimeError, match=r"is not a ddp checkpoint \(bad magic: a zip archive without"):
        ddp.load(tmp_path / "arrays.npz")


class _Exploit:
    """Unpickling this would create the marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_is_refused_and_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "evil.pt").write_bytes(pickle.dumps({"w": _Exploit(marker)}))
    with pytest.raises(RuntimeError, match=r"is not a ddp checkpoint \(bad magic b'\\x80"):
        ddp.load(tmp_path / "evil.pt")
    assert not marker.exists()


def test_a_pickled_array_inside_a_checkpoint_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    data = io.BytesIO(_checkpoint_bytes())
    evil = io.BytesIO()
    np.lib.format.write_array(evil, np.array([_Exploit(marker)], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(tmp_path / "evil.ddp", "w") as dst:
        manifest = src.read(serialization.MANIFEST).replace(b'"<f4"', b'"|O"').replace(b"[1000]", b"[1]")
        dst.writestr(serialization.MANIFEST, manifest)
        dst.writestr("arrays/0.npy", evil.getvalue())
    with pytest.raises(RuntimeError, match="is truncated or corrupt: ValueError: Object arrays cannot be loaded"):
        ddp.load(tmp_path / "evil.ddp")
    assert not marker.exists()


def test_a_manifest_that_disagrees_with_the_arrays_is_corrupt(tmp_path):
    data = io.BytesIO(_checkpoint_bytes())
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(tmp_path / "odd.ddp", "w") as dst:
        for name in src.namelist():
            payload = src.read(name)
            dst.writestr(name, payload.replace(b"[1000]", b"[999]") if name == serialization.MANIFEST else payload)
    with pytest.raises(RuntimeError, match=r"but the manifest says <f4 \[999\]"):
        ddp.load(tmp_path / "odd.ddp")


def test_a_newer_format_version_is_named():
    data = io.BytesIO(_checkpoint_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            payload = src.read(name)
            dst.writestr(name, payload.replace(b'"version": 1', b'"version": 9'))
    out.seek(0)
    with pytest.raises(RuntimeError, match="checkpoint of version 9; this ddp reads version 1"):
        ddp.load(out)


def test_dtypes_devices_sizes_and_complex_numbers_are_data(tmp_path):
    """Configs in checkpoints hold them; they load with weights_only=True, from ddp's files and PyTorch's."""
    obj = {"dtype": ddp.float32, "index": ddp.int64, "device": ddp.device("cpu"), "shape": ddp.Size([2, 3]),
           "z": 1 + 2j, "pair": (1, 2)}
    ddp.save(obj, tmp_path / "a.ddp")
    back = ddp.load(tmp_path / "a.ddp", weights_only=True)
    assert back == obj and isinstance(back["shape"], ddp.Size) and back["dtype"] is ddp.float32
    torch = pytest.importorskip("torch")
    torch.save({"dtype": torch.float32, "index": torch.int64, "device": torch.device("cpu"),
                "shape": torch.Size([2, 3]), "z": 1 + 2j}, tmp_path / "t.pt")
    theirs = ddp.load(tmp_path / "t.pt", weights_only=True)
    assert theirs == {k: v for k, v in obj.items() if k != "pair"} and isinstance(theirs["shape"], ddp.Size)
