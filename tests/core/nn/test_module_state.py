"""Module state dicts as PyTorch's: metadata and versions, extra state, the four state-dict hooks, subclasses that
override _load_from_state_dict with PyTorch's signature, missing/unexpected keys, to_empty, and ddp.save keeping
the metadata. Each scenario runs on ddp and, where installed, on PyTorch, and must give the same answer."""
import warnings

import numpy as np
import pytest

import ddp
from tests.core.op_helpers import each_library


def _net(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3), lib.nn.Sequential(lib.nn.Linear(3, 1)))


@each_library
def test_metadata_holds_each_modules_version(lib):
    sd = _net(lib).state_dict()
    assert dict(sd._metadata) == {"": {"version": 1}, "0": {"version": 1}, "1": {"version": 2}, "2": {"version": 1},
                                  "2.0": {"version": 1}}
    assert list(sd) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                        "1.num_batches_tracked", "2.0.weight", "2.0.bias"]


def _counter(lib):
    class Counter(lib.nn.Module):
        """A module with extra state: a step count and a name saved beside its weight."""

        def __init__(self):
            super().__init__()
            self.weight = lib.nn.Parameter(lib.zeros(2))
            self.steps, self.tag = 0, "fresh"

        def get_extra_state(self):
            return {"steps": self.steps, "tag": self.tag}

        def set_extra_state(self, state):
            self.steps, self.tag = state["steps"], state["tag"]

    return Counter


@each_library
def test_extra_state_is_saved_and_restored(lib, tmp_path):
    Counter = _counter(lib)
    a = lib.nn.Sequential(Counter())
    a[0].steps, a[0].tag = 7, "trained"
    sd = a.state_dict()
    assert list(sd) == ["0.weight", "0._extra_state"] and sd["0._extra_state"] == {"steps": 7, "tag": "trained"}
    b = lib.nn.Sequential(Counter())
    assert str(b.load_state_dict(sd)) == "<All keys matched successfully>"
    assert (b[0].steps, b[0].tag) == (7, "trained")
    path = tmp_path / "ckpt"
    lib.save(sd, path)
    c = lib.nn.Sequential(Counter())
    c.load_state_dict(lib.load(path))
    assert (c[0].steps, c[0].tag) == (7, "trained")


@each_library
def test_extra_state_keys_missing_and_unexpected(lib):
    Counter = _counter(lib)
    model = lib.nn.Sequential(Counter())
    result = model.load_state_dict({"0.weight": lib.ones(2)}, strict=False)
    assert result.missing_keys == ["0._extra_state"] and result.unexpected_keys == []
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "0._extra_state"'):
        model.load_state_dict({"0.weight": lib.ones(2)})
    plain = lib.nn.Sequential(lib.nn.Linear(1, 1, bias=False))
    result = plain.load_state_dict({"0.weight": lib.ones(1, 1), "0._extra_state": 3}, strict=False)
    assert result.unexpected_keys == ["0._extra_state"]


@each_library
def test_missing_and_unexpected_keys_in_pytorchs_order(lib):
    net = _net(lib)
    sd = dict(net.state_dict())
    del sd["1.running_var"], sd["2.0.bias"]
    sd.update({"stray": lib.ones(1), "0.extra": lib.ones(1), "3.weight": lib.ones(1), "2.0.more.x": lib.ones(1)})
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["1.running_var", "2.0.bias"]
    assert result.unexpected_keys == ["stray", "3.weight", "0.extra", "2.0.more.x"]
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    assert str(info.value).startswith("Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in "
                                      'state_dict: "1.running_var", "2.0.bias". \n\tUnexpected key(s) in state_dict:')


@each_library
def test_state_dict_hooks(lib):
    calls = []
    net = _net(lib)
    net[2].register_state_dict_pre_hook(lambda m, prefix, keep_vars: calls.append(("pre", prefix, keep_vars)))

    def post(module, sd, prefix, local_metadata):
        calls.append(("post", prefix, dict(local_metadata), len(sd)))
        sd[prefix + "note"] = "added"

    handle = net[2].register_state_dict_post_hook(post)
    sd = net.state_dict(keep_vars=True)
    assert calls == [("pre", "2.", True), ("post", "2.", {"version": 1}, 9)]
    assert list(sd)[-1] == "2.note" and sd["2.note"] == "added"
    handle.remove()
    assert "2.note" not in net.state_dict()
    net.register_state_dict_post_hook(lambda *args: {})
    with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
        net.state_dict()


@each_library
def test_the_private_state_dict_hook_may_return_a_new_dict(lib):
    net = lib.nn.Linear(2, 2)
    net._register_state_dict_hook(lambda m, sd, prefix, meta: {k.upper(): v for k, v in sd.items()})
    assert list(net.state_dict()) == ["WEIGHT", "BIAS"]


@each_library
def test_load_state_dict_hooks_convert_an_old_layout(lib):
    calls = []
    new = lib.nn.Sequential(lib.nn.Linear(2, 2))
    old_sd = {"0.w": lib.ones(2, 2), "0.b": lib.zeros(2)}

    def rename(module, sd, prefix, local_metadata, strict, missing, unexpected, errors):
        calls.append(("pre", prefix, sorted(sd), strict))
        for old, current in (("w", "weight"), ("b", "bias")):
            if prefix + old in sd:
                sd[prefix + current] = sd.pop(prefix + old)

    new[0].register_load_state_dict_pre_hook(rename)
    new.register_load_state_dict_post_hook(lambda m, keys: calls.append(("post", list(keys.missing_keys))))
    assert str(new.load_state_dict(old_sd)) == "<All keys matched successfully>"
    assert np.array_equal(new[0].weight.detach().numpy(), np.ones((2, 2), np.float32))
    assert calls == [("pre", "0.", ["0.b", "0.w"], True), ("post", [])]
    assert sorted(old_sd) == ["0.b", "0.w"]  # the caller's dict is untouched: the hook edits a copy


@each_library
def test_a_post_hook_may_forgive_keys_but_not_return(lib):
    net = lib.nn.Linear(2, 2)
    net.register_load_state_dict_post_hook(lambda m, keys: keys.missing_keys.clear())
    assert net.load_state_dict({"weight": lib.zeros(2, 2)}).missing_keys == []  # strict, yet no error
    other = lib.nn.Linear(2, 2)
    other.register_load_state_dict_post_hook(lambda m, keys: keys)
    with pytest.raises(AssertionError, match="not expected to return new values"):
        other.load_state_dict(other.state_dict())


def _versioned(lib):
    class Scale(lib.nn.Module):
        """Layout 2 renamed the parameter "factor" to "scale": its _load_from_state_dict (PyTorch's signature)
        converts a version-1 checkpoint."""

        _version = 2

        def __init__(self):
            super().__init__()
            self.scale = lib.nn.Parameter(lib.ones(3))

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                  error_msgs):
            if local_metadata.get("version", 1) < 2 and prefix + "factor" in state_dict:
                state_dict[prefix + "scale"] = state_dict.pop(prefix + "factor")
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                          unexpected_keys, error_msgs)

    return Scale


@each_library
def test_a_subclass_converts_older_checkpoints_by_version(lib):
    Scale = _versioned(lib)
    model = lib.nn.Sequential(Scale())
    old = {"0.factor": lib.full((3,), 2.0)}
    old = type(model.state_dict())(old)
    old._metadata = {"0": {"version": 1}}
    model.load_state_dict(old)
    assert model[0].scale.detach().numpy().tolist() == [2.0, 2.0, 2.0]
    current = model.state_dict()
    assert current._metadata["0"] == {"version": 2}
    with pytest.raises(RuntimeError, match='Unexpected key.*"0.factor"'):  # a version-2 checkpoint is not converted
        current = type(current)({"0.factor": lib.ones(3)})
        current._metadata = {"0": {"version": 2}}
        model.load_state_dict(current)


@each_library
def test_batchnorm_counter_by_checkpoint_version(lib):
    bn = lib.nn.BatchNorm1d(2)
    bn(lib.randn(4, 2))
    bn(lib.randn(4, 2))
    sd = bn.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""] = {"version": 1}  # layout 1 had no counter: the module keeps its own
    bn.load_state_dict(sd)
    assert int(bn.num_batches_tracked) == 2
    sd._metadata[""] = {"version": 2}
    with pytest.raises(RuntimeError, match='Missing key.*"num_batches_tracked"'):
        bn.load_state_dict(sd)


@each_library
def test_positional_state_dict_arguments_warn(lib):
    net = lib.nn.Linear(1, 1)
    with pytest.warns(FutureWarning, match="Positional args are being deprecated"):
        sd = net.state_dict(None, "net.")
    assert list(sd) == ["net.weight", "net.bias"]


@each_library
def test_assign_keeps_requires_grad_and_takes_the_tensors(lib):
    net = lib.nn.Linear(2, 1)
    net.bias.requires_grad_(False)
    weight, bias = lib.ones(1, 2, dtype=lib.float64), lib.zeros(1, dtype=lib.float64)
    net.load_state_dict({"weight": weight, "bias": bias}, assign=True)
    assert net.weight.dtype == lib.float64 and net.weight.requires_grad and not net.bias.requires_grad
    assert isinstance(net.weight, lib.nn.Parameter)


@each_library
def test_to_empty_keeps_shapes_dtypes_and_objects(lib):
    net = _net(lib)
    before = {n: (t, tuple(t.shape), t.dtype) for n, t in net.state_dict(keep_vars=True).items()}
    assert net.to_empty(device="cpu") is net
    for name, t in net.state_dict(keep_vars=True).items():
        assert (tuple(t.shape), t.dtype) == before[name][1:]
        if isinstance(t, lib.nn.Parameter):  # a parameter stays the same object (optimizers hold it)
            assert t is before[name][0]
    with pytest.raises(RuntimeError):
        net.to_empty(device="cuda:7" if lib is ddp else "no-such-device")


def test_ddp_save_keeps_the_metadata(tmp_path):
    Scale = _versioned(ddp)
    model = ddp.nn.Sequential(Scale(), ddp.nn.BatchNorm1d(3))
    ddp.save({"model": model.state_dict()}, tmp_path / "ckpt")
    loaded = ddp.load(tmp_path / "ckpt")["model"]
    assert dict(loaded._metadata) == {"": {"version": 1}, "0": {"version": 2}, "1": {"version": 2}}


def test_pytorchs_checkpoint_metadata_reaches_the_modules(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.Sequential(_versioned(torch)()).state_dict(), tmp_path / "t.pt")
    seen = []
    model = ddp.nn.Sequential(_versioned(ddp)())
    model[0].register_load_state_dict_pre_hook(lambda m, sd, prefix, meta, *rest: seen.append(dict(meta)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.load_state_dict(ddp.load(tmp_path / "t.pt"))
    assert seen == [{"version": 2}]
