"""Devices and dtype conversions: ddp.device, Tensor.to/.type/.float..., Module.to, legacy tensor types."""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.core.device import device
from ddp.core.legacy import DoubleTensor, FloatTensor, LongTensor


def test_device_spellings():
    d = device("cpu")
    assert d.type == "cpu" and d.index is None and repr(d) == "device(type='cpu')" and str(d) == "cpu"
    assert device("cpu:0").index == 0 and device("cpu", 0) == device("cpu:0") and str(device("cpu:0")) == "cpu:0"
    assert device(d) == d and device("cpu:0") != d and hash(device("cpu")) == hash(d)
    assert repr(device("cpu", 1)) == "device(type='cpu', index=1)"
    assert d == "cpu"  # unlike PyTorch (where it is False): `t.device == "cpu"` reads as meant
    with device("cpu"):
        assert ddp.zeros(1).device == d


@pytest.mark.parametrize("spec", ["cuda", "cuda:0", "mps"])
def test_accelerators_raise_a_clear_error_when_used(spec):
    d = device(spec)  # made and printed, as in a CPU-only PyTorch (d2l prints cpu(), gpu(), gpu(1))
    assert str(d) == spec and d != device("cpu")
    for use in (lambda: ddp.ones(2, device=spec), lambda: ddp.ones(2).to(d), lambda: ddp.nn.Linear(2, 2).to(spec)):
        with pytest.raises(RuntimeError, match="ddp runs on the CPU: device .* is not available.*is_available"):
            use()
        with pytest.raises(AssertionError):  # PyTorch's "Torch not compiled with CUDA enabled"
            use()
    with pytest.raises(RuntimeError, match="ddp runs on the CPU"):
        with d:
            pass
    with pytest.raises(RuntimeError, match="ddp runs on the CPU: device 0"):
        device(0)
    with pytest.raises(RuntimeError, match="no 'meta' device"):
        ddp.ones(2).to(device("meta"))


def test_device_typos_and_bad_arguments():
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda.*device string: gpu"):
        device("gpu")
    with pytest.raises(TypeError, match=r"device\(\): expected a string or a device, but got float"):
        device(1.5)
    with pytest.raises(RuntimeError, match="Invalid device string: 'cpu:x'"):
        device("cpu:x")
    with pytest.raises(AttributeError, match="read-only"):
        device("cpu").type = "cuda"


def test_tensor_device_and_to():
    x = ddp.ones(2, 3)
    assert x.device == device("cpu") and not x.is_cuda and x.get_device() == -1
    assert x.to("cpu") is x and x.to(device("cpu")) is x and x.to(x) is x and x.to(ddp.float32) is x
    assert x.cpu() is x and x.to("cpu", non_blocking=True) is x and x.pin_memory() is x
    assert x.numpy(force=True) is x.numpy() and x.share_memory_() is x and not x.is_pinned()
    assert x.to("cpu", ddp.float64).dtype == np.float64
    assert x.to(device="cpu", dtype=ddp.int64).dtype == np.int64
    assert x.to(ddp.ones(1, dtype=ddp.float64)).dtype == np.float64
    c = x.to(ddp.float32, copy=True)
    assert c is not x and not np.shares_memory(c.numpy(), x.numpy())
    with pytest.raises(RuntimeError, match="ddp runs on the CPU"):
        x.to("cuda")
    with pytest.raises(RuntimeError, match="ddp runs on the CPU: Tensor.cuda"):
        x.cuda()
    with pytest.raises(TypeError, match="to\\(\\) got an unexpected keyword argument 'dtpye'"):
        x.to(dtpye=ddp.float64)


def test_to_is_differentiable():
    x = ddp.tensor([1.0, 2.0], requires_grad=True)
    (x.to(ddp.float64) * 3).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, 3.0]


@pytest.mark.parametrize("method,dtype", [
    ("float", np.float32), ("double", np.float64), ("half", np.float16), ("long", np.int64),
    ("int", np.int32), ("short", np.int16), ("byte", np.uint8), ("char", np.int8), ("bool", np.bool_),
])
def test_conversion_methods(method, dtype):
    assert getattr(ddp.tensor([0.0, 1.0]), method)().dtype == dtype


def test_type_names_and_legacy_types():
    x = ddp.ones(2)
    assert x.type() == "ddp.FloatTensor" and x.long().type() == "ddp.LongTensor"
    assert x.bool().type() == "ddp.BoolTensor" and x.byte().type() == "ddp.ByteTensor"
    assert ddp.tensor(np.ones(1, np.uint16)).type() == "ddp.Uint16Tensor"  # beyond PyTorch's legacy names
    assert x.type(DoubleTensor).dtype == np.float64 and x.type("torch.LongTensor").dtype == np.int64
    assert x.type(ddp.float64).dtype == np.float64 and x.type(FloatTensor) is x
    assert isinstance(x, FloatTensor) and not isinstance(x, LongTensor) and isinstance(x.long(), LongTensor)
    with pytest.raises(ValueError, match="invalid type: 'torch.Foo'"):
        x.type("torch.Foo")
    with pytest.raises(RuntimeError, match="ddp runs on the CPU: tensor type 'torch.cuda.FloatTensor'"):
        x.type("torch.cuda.FloatTensor")


def test_legacy_constructors():
    assert FloatTensor(2, 3).shape == (2, 3) and FloatTensor(2, 3).dtype == np.float32
    assert FloatTensor([1, 2]).tolist() == [1.0, 2.0] and FloatTensor([1, 2]).dtype == np.float32
    assert LongTensor([1, 2]).dtype == np.int64 and FloatTensor(ddp.Size([4])).shape == (4,)
    assert FloatTensor().shape == (0,) and FloatTensor(ddp.tensor([1, 2])).dtype == np.float32


def test_module_to_and_conversions():
    m = nn.Linear(2, 2)
    m.register_buffer("steps", ddp.zeros(1, dtype=ddp.int64))
    assert m.to("cpu") is m and m.cpu() is m and m.to(device("cpu"), non_blocking=True) is m
    assert m.double().weight.dtype == np.float64 and m.steps.dtype == np.int64  # integer buffers stay
    assert m.half().weight.dtype == np.float16 and m.float().weight.dtype == np.float32
    assert m.to("cpu", ddp.float64).weight.dtype == np.float64
    assert m.to(ddp.ones(1)).weight.dtype == np.float32
    assert m.type(ddp.float64).steps.dtype == np.float64  # type() casts everything, as PyTorch
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point dtypes.*int64"):
        m.to(ddp.int64)
    with pytest.raises(RuntimeError, match="ddp runs on the CPU: Module.cuda"):
        m.cuda()
    with pytest.raises(RuntimeError, match="ddp runs on the CPU"):
        m.to("cuda:0")


def test_against_torch():
    torch = pytest.importorskip("torch")
    for dtype in ("float32", "float64", "float16", "uint8", "int8", "int16", "int32", "int64", "bool"):
        name = torch.ones(1, dtype=getattr(torch, dtype)).type()
        assert ddp.ones(1, dtype=getattr(ddp, dtype)).type() == name.replace("torch.", "ddp.")
    assert repr(ddp.ones(1).device) == repr(torch.ones(1).device)
    assert repr(device("cpu:0")) == repr(torch.device("cpu:0")) and str(device("cpu:0")) == str(torch.device("cpu:0"))
    assert ddp.zeros(2, dtype=float).dtype == np.float64 == np.dtype(str(torch.zeros(2, dtype=float).dtype)[6:])


def test_bfloat16_is_a_name_only():
    assert repr(ddp.bfloat16) == "ddp.bfloat16"
    with ddp.autocast(device_type="cpu", dtype=ddp.bfloat16):  # what CPU mixed-precision scripts write
        assert ddp.ones(2).dtype == np.float32
    with pytest.raises(TypeError, match="ddp has no bfloat16 arithmetic"):
        ddp.zeros(2, dtype=ddp.bfloat16)
    with pytest.raises(TypeError, match="ddp has no bfloat16 arithmetic"):
        ddp.ones(2).to(ddp.bfloat16)


def test_conversions_and_grad_modes_as_torch():
    torch = pytest.importorskip("torch")
    values = [[-1.5, 0.0], [2.7, 3.2]]
    for ours, theirs in ((ddp.tensor(values).int(), torch.tensor(values).int()),
                         (ddp.tensor(values).long(), torch.tensor(values).long()),
                         (ddp.tensor(values).bool(), torch.tensor(values).bool()),
                         (ddp.IntTensor([1, 2]), torch.IntTensor([1, 2])),
                         (ddp.tensor(values).type(ddp.IntTensor), torch.tensor(values).type(torch.IntTensor))):
        assert ours.tolist() == theirs.tolist() and ours.type().split(".")[1] == theirs.type().split(".")[1]
    for m in (ddp, torch):
        x = m.ones(2, requires_grad=True)
        with m.no_grad():
            with m.enable_grad():
                assert (x * 2).requires_grad
            assert not (x * 2).requires_grad
        with m.set_grad_enabled(False):
            assert not (x * 2).requires_grad
        assert (x * 2).requires_grad


def test_the_meta_device_says_to_stay_on_the_cpu():
    with pytest.raises(RuntimeError, match="no 'meta' device.*functional_call"):
        ddp.nn.Linear(2, 2).to("meta")
