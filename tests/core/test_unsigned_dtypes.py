"""The unsigned dtypes uint16, uint32 and uint64 (PyTorch's "shell" dtypes: tensors, casts and queries, few
ops): their queries, iinfo / finfo, promotion with floating dtypes against torch; and ddp.GradScaler."""
import numpy as np
import pytest

import ddp
from ddp.core.dtypes import promote_wide_unsigned

NAMES = ["uint16", "uint32", "uint64"]


@pytest.mark.parametrize("name", NAMES)
def test_tensors_and_queries(name):
    dtype = getattr(ddp, name)
    assert dtype == np.dtype(name) and isinstance(dtype, ddp.dtype)
    x = ddp.tensor([1, 2], dtype=dtype)
    assert x.dtype == dtype and x.element_size() == dtype.itemsize
    assert not x.is_floating_point() and not ddp.is_floating_point(x) and not x.is_signed()
    assert not x.is_complex()
    assert ddp.zeros(2, dtype=dtype).dtype == dtype and x.to(ddp.float32).dtype == ddp.float32
    assert "dtype=ddp." + name in repr(x)
    with pytest.raises(RuntimeError, match="floating point"):
        x.requires_grad_()


@pytest.mark.parametrize("name", NAMES)
def test_iinfo_and_finfo_like_torch(name):
    torch = pytest.importorskip("torch")
    info, theirs = ddp.iinfo(getattr(ddp, name)), torch.iinfo(getattr(torch, name))
    assert (info.min, info.max, info.bits) == (theirs.min, theirs.max, theirs.bits)
    with pytest.raises(TypeError):
        torch.finfo(getattr(torch, name))
    with pytest.raises(TypeError, match="floating point"):
        ddp.finfo(getattr(ddp, name))


def test_finfo_and_iinfo_of_other_dtypes_like_torch():
    torch = pytest.importorskip("torch")
    assert ddp.finfo().eps == torch.finfo().eps and ddp.finfo(float).eps == torch.finfo(float).eps
    assert ddp.finfo(ddp.float16).max == torch.finfo(torch.float16).max
    assert ddp.iinfo(int).max == torch.iinfo(int).max
    for ours, theirs in ((ddp.int64, torch.int64), (ddp.bool, torch.bool)):
        with pytest.raises(TypeError):
            torch.finfo(theirs)
        with pytest.raises(TypeError, match="finfo"):
            ddp.finfo(ours)
    for ours, theirs in ((ddp.float32, torch.float32), (ddp.bool, torch.bool)):
        with pytest.raises(TypeError):
            torch.iinfo(theirs)
        with pytest.raises(TypeError, match="iinfo"):
            ddp.iinfo(ours)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("other", ["float16", "float32", "float64"])
def test_promotion_with_floating_dtypes_like_torch(name, other):
    torch = pytest.importorskip("torch")
    expected = str(torch.promote_types(getattr(torch, name), getattr(torch, other))).replace("torch.", "")
    assert ddp.promote_types(getattr(ddp, name), getattr(ddp, other)).name == expected
    assert promote_wide_unsigned(getattr(ddp, name), getattr(ddp, other)).name == expected
    x = ddp.tensor([1, 2], dtype=getattr(ddp, name))
    assert str(ddp.result_type(x, 1.5)) == str(torch.result_type(torch.tensor([1, 2], dtype=getattr(torch, name)),
                                                                 1.5)).replace("torch.", "ddp.")
    assert ddp.result_type(x, 1).name == name
    if other != "float16":
        assert (x * ddp.ones(2, dtype=getattr(ddp, other))).dtype.name == expected
        assert (x * 1.5).dtype == ddp.float32


@pytest.mark.parametrize("name", NAMES)
def test_promotion_with_other_integers_is_refused_like_torch(name):
    torch = pytest.importorskip("torch")
    for other in ["bool", "uint8", "int64"] + [n for n in NAMES if n != name]:
        with pytest.raises(RuntimeError):
            torch.promote_types(getattr(torch, name), getattr(torch, other))
        with pytest.raises(RuntimeError, match="Promotion for uint16, uint32, uint64"):
            promote_wide_unsigned(getattr(ddp, name), getattr(ddp, other))
    assert promote_wide_unsigned(getattr(ddp, name), getattr(ddp, name)) == getattr(ddp, name)
    assert promote_wide_unsigned(ddp.int64, ddp.uint8) is None


def test_grad_scaler_at_top_level():
    import ddp.amp
    assert ddp.GradScaler is ddp.amp.GradScaler
    torch = pytest.importorskip("torch")
    assert hasattr(torch, "GradScaler")


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_holds_python_numbers_and_prints_as_torch(name):
    """torch.finfo's fields are Python floats and ints and its dtype a name: `eps * 0.5` stays a Python float,
    `json.dumps(eps)` works, and a printed finfo reads as PyTorch's."""
    info = ddp.finfo(getattr(ddp, name))
    for field in ("eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert type(getattr(info, field)) is float
    assert type(info.bits) is int and info.dtype == name and info == ddp.finfo(getattr(ddp, name))
    assert info.eps == float(np.finfo(name).eps) and info.tiny == float(np.finfo(name).tiny)
    torch = pytest.importorskip("torch")
    theirs = torch.finfo(getattr(torch, name))
    assert repr(info) == repr(theirs)
    for field in ("eps", "max", "min", "tiny", "smallest_normal", "resolution", "bits", "dtype"):
        assert getattr(info, field) == getattr(theirs, field), field


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_holds_python_ints_and_prints_as_torch(name):
    info = ddp.iinfo(getattr(ddp, name))
    assert type(info.max) is int and type(info.min) is int and type(info.bits) is int and info.dtype == name
    torch = pytest.importorskip("torch")
    assert repr(info) == repr(torch.iinfo(getattr(torch, name)))
