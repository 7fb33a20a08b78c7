"""Dtype promotion and tensor questions (`ddp.promote_types`, `result_type`, `can_cast`, `is_signed`, ...) and
the process-wide debugging switches, against torch."""
import itertools

import numpy as np
import pytest

import ddp

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
          "complex128"]


def _pairs():
    return list(itertools.product(DTYPES, DTYPES))


def test_promote_types_matches_torch_on_every_pair():
    torch = pytest.importorskip("torch")
    for a, b in _pairs():
        got = ddp.promote_types(np.dtype(a), np.dtype(b))
        assert got.name == str(torch.promote_types(getattr(torch, a), getattr(torch, b))).split(".")[1], (a, b)


def test_can_cast_matches_torch_on_every_pair():
    torch = pytest.importorskip("torch")
    for a, b in _pairs():
        assert ddp.can_cast(np.dtype(a), np.dtype(b)) == torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


def test_dtype_arguments_are_checked():
    with pytest.raises(TypeError, match="type1"):
        ddp.promote_types(1, ddp.float32)
    with pytest.raises(TypeError, match="to"):
        ddp.can_cast(ddp.float32, "no such dtype")
    assert ddp.promote_types(float, int) == np.float64  # Python's types mean float64 and int64, as in PyTorch


OPERANDS = [
    ("t", "int32"), ("t", "uint8"), ("t", "bool"), ("t", "float16"), ("t", "float32"), ("t", "float64"),
    ("s", "int8"), ("s", "float64"), ("s", "int64"), ("s", "bool"),
    ("n", 1), ("n", -1), ("n", 1000), ("n", 2.5), ("n", True), ("n", 2j),
]


def _operand(kind, value, lib):
    if kind == "n":
        return value
    shape = (2,) if kind == "t" else ()
    return lib.ones(shape, dtype=getattr(lib, value))


def test_result_type_matches_torch():
    torch = pytest.importorskip("torch")
    for (ka, va), (kb, vb) in itertools.product(OPERANDS, OPERANDS):
        if "float16" in (va, vb) and 2j in (va, vb):
            continue  # torch's complex32, which numpy lacks (ddp gives complex64)
        ref = torch.result_type(_operand(ka, va, torch), _operand(kb, vb, torch))
        got = ddp.result_type(_operand(ka, va, ddp), _operand(kb, vb, ddp))
        assert got.name == str(ref).split(".")[1], ((ka, va), (kb, vb))
    with pytest.raises(TypeError, match="result_type"):
        ddp.result_type(ddp.ones(2), "a")


def test_tensor_questions_match_torch():
    torch = pytest.importorskip("torch")
    for name in DTYPES[:9]:
        d, t = ddp.ones(2, dtype=np.dtype(name)), torch.ones(2, dtype=getattr(torch, name))
        for q in ("is_signed", "is_complex", "is_conj", "is_neg", "is_inference", "is_floating_point"):
            assert getattr(ddp, q)(d) == getattr(torch, q)(t), (q, name)
            assert getattr(d, q)() == getattr(t, q)(), (q, name)
    assert ddp.is_nonzero(ddp.tensor([0.5])) and not ddp.tensor(0).is_nonzero()
    for bad in (ddp.tensor([1.0, 2.0]), ddp.tensor([])):
        with pytest.raises(RuntimeError, match="is_nonzero"):
            ddp.is_nonzero(bad)
    assert ddp.is_same_size(ddp.ones(2, 3), ddp.zeros(2, 3)) and not ddp.ones(2).is_same_size(ddp.ones(2, 1))
    for call in (lambda: ddp.is_same_size(ddp.ones(2), 1), lambda: ddp.is_complex(1), lambda: ddp.is_signed([1])):
        with pytest.raises(TypeError):
            call()
    assert ddp.is_storage(ddp.ones(2)) is False and ddp.is_storage(np.ones(2)) is False


def test_typename():
    torch = pytest.importorskip("torch")
    assert ddp.typename(ddp.ones(2)) == "ddp.FloatTensor" and ddp.typename(ddp.ones(2).double()) == "ddp.DoubleTensor"
    for obj in (1, int, "s", None, len, 2.5):
        assert ddp.typename(obj) == torch.typename(obj)
    assert ddp.typename(ddp.nn.Linear(1, 1)) == ddp.typename(ddp.nn.Linear) == "ddp.core.nn.linear.Linear"


@pytest.fixture
def restore_switches():
    state = (ddp.is_anomaly_enabled(), ddp.is_anomaly_check_nan_enabled(), ddp.is_warn_always_enabled(),
             ddp.get_deterministic_debug_mode(), ddp.are_deterministic_algorithms_enabled(),
             ddp.is_deterministic_algorithms_warn_only_enabled())
    yield
    ddp.set_anomaly_enabled(state[0], state[1])
    ddp.set_warn_always(state[2])
    ddp.use_deterministic_algorithms(state[4], warn_only=state[5])


def test_anomaly_switches(restore_switches):
    ddp.set_anomaly_enabled(True, False)
    assert ddp.is_anomaly_enabled() and not ddp.is_anomaly_check_nan_enabled()
    with ddp.autograd.detect_anomaly():
        assert ddp.is_anomaly_enabled() and ddp.is_anomaly_check_nan_enabled()
    ddp.set_anomaly_enabled(False)
    assert not ddp.is_anomaly_enabled() and ddp.is_anomaly_check_nan_enabled()  # check_nan defaults to True


def test_warn_always_and_deterministic_debug_mode(restore_switches):
    torch = pytest.importorskip("torch")
    ddp.set_warn_always(True)
    assert ddp.is_warn_always_enabled()
    ddp.set_warn_always(False)
    assert not ddp.is_warn_always_enabled()
    with pytest.raises(RuntimeError):
        ddp.set_warn_always(1)
    for mode, expect in (("warn", (1, True, True)), (2, (2, True, False)), ("default", (0, False, False)),
                         (1, (1, True, True)), (0, (0, False, False))):
        ddp.set_deterministic_debug_mode(mode)
        assert (ddp.get_deterministic_debug_mode(), ddp.are_deterministic_algorithms_enabled(),
                ddp.is_deterministic_algorithms_warn_only_enabled()) == expect
    for bad, error in ((3, RuntimeError), ("x", RuntimeError), (1.0, TypeError)):
        with pytest.raises(error):
            ddp.set_deterministic_debug_mode(bad)
        with pytest.raises(error):
            torch.set_deterministic_debug_mode(bad)


def test_flush_denormal_and_inference_mode_answers():
    assert ddp.set_flush_denormal(True) is False and ddp.set_flush_denormal(False) is False
    assert ddp.is_inference_mode_enabled() is False  # outside inference_mode


def test_finfo_of_bfloat16_has_its_limits():
    f = ddp.finfo(ddp.bfloat16)
    assert (f.bits, f.eps, f.resolution, f.dtype) == (16, 0.0078125, 0.01, "bfloat16")
    assert f.max == 3.3895313892515355e+38 == -f.min and f.tiny == f.smallest_normal == 1.1754943508222875e-38
    assert repr(f) == ("finfo(resolution=0.01, min=-3.38953e+38, max=3.38953e+38, eps=0.0078125, "
                       "smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=bfloat16)")
