"""ddp.dtype: PyTorch's dtype objects (queries, printing, identity, pickling) over numpy's dtypes."""
import copy
import io
import pickle

import numpy as np
import pytest

import ddp

NAMES = ["float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
         "bool", "complex64", "complex128"]


@pytest.mark.parametrize("name", NAMES)
def test_queries_match_torch(name):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(ddp, name), getattr(torch, name)
    assert (ours.is_floating_point, ours.is_complex, ours.is_signed, ours.itemsize, ours.abbr) == \
           (theirs.is_floating_point, theirs.is_complex, theirs.is_signed, theirs.itemsize, theirs.abbr)
    assert str(ours.to_real()) == str(theirs.to_real()).replace("torch.", "ddp.")
    if name == "float16":  # PyTorch's complex32, which numpy lacks
        with pytest.raises(RuntimeError, match="Unknown Complex ScalarType"):
            ours.to_complex()
    elif theirs.is_floating_point or theirs.is_complex:
        assert str(ours.to_complex()) == str(theirs.to_complex()).replace("torch.", "ddp.")
    else:
        with pytest.raises(RuntimeError):
            theirs.to_complex()
        with pytest.raises(RuntimeError, match="Unknown Complex ScalarType"):
            ours.to_complex()


def test_prints_and_compares_as_pytorch_and_numpy():
    x = ddp.ones(2)
    assert str(x.dtype) == repr(x.dtype) == "ddp.float32" and str(x.dtype).split(".")[1] == "float32"
    assert x.dtype is ddp.float32 is ddp.float and ddp.tensor([1]).dtype is ddp.int64 is ddp.long
    assert x.dtype == np.float32 and x.dtype == np.dtype("float32") and np.dtype("float32") == x.dtype
    assert x.dtype != ddp.float64 and not (x.dtype == None)  # noqa: E711 - the comparison under test
    assert hash(ddp.float32) == hash(np.dtype("float32")) and {np.dtype("float32"): 1}[ddp.float32] == 1
    assert isinstance(x.dtype, ddp.dtype) and ddp.dtype("float32") is ddp.float32
    assert ddp.dtype(np.int16) is ddp.int16 and ddp.dtype(ddp.int16) is ddp.int16
    assert (ddp.float32.kind, ddp.float32.name, ddp.float32.type, ddp.float32.char) == ("f", "float32", np.float32, "f")
    assert ddp.float32.str == "<f4"  # the rest of numpy's dtype interface passes through


def test_numpy_reads_it_as_its_dtype():
    assert np.zeros(2, ddp.float16).dtype == np.float16
    assert np.arange(3).astype(ddp.int8).dtype == np.int8
    assert np.dtype(ddp.complex64) is np.dtype("complex64")
    assert np.issubdtype(ddp.float64, np.floating) and np.result_type(ddp.int32, np.float64) == np.float64
    assert np.finfo(ddp.float32).eps == np.finfo(np.float32).eps


def test_public_queries_return_ddp_dtypes():
    x = ddp.ones(2, dtype=ddp.int32)
    for got in (ddp.result_type(x, 1.5), ddp.result_type(x, 1), ddp.result_type(ddp.ones(2), 1j),
                ddp.result_type(ddp.tensor(True), 3), ddp.promote_types(ddp.int8, ddp.uint8),
                ddp.get_default_dtype(), (x + 1.5).dtype, x.to(ddp.float64).dtype, ddp.nn.Linear(2, 2).weight.dtype):
        assert type(got) is ddp.dtype, got


def test_default_dtype_is_a_ddp_dtype():
    ddp.set_default_dtype(np.float64)
    try:
        assert ddp.get_default_dtype() is ddp.float64 and ddp.zeros(1).dtype is ddp.float64
    finally:
        ddp.set_default_dtype(ddp.float32)


def test_one_object_after_pickle_copy_and_save():
    for dtype in (ddp.float32, ddp.int64, ddp.complex128, ddp.bool):
        assert pickle.loads(pickle.dumps(dtype)) is dtype
        assert copy.copy(dtype) is dtype and copy.deepcopy({"d": dtype})["d"] is dtype
    buffer = io.BytesIO()
    ddp.save({"dtype": ddp.float16, "w": ddp.ones(2)}, buffer)
    buffer.seek(0)
    assert ddp.load(buffer)["dtype"] is ddp.float16


def test_bfloat16_answers_queries_but_cannot_compute():
    assert ddp.bfloat16.is_floating_point and not ddp.bfloat16.is_complex and ddp.bfloat16.itemsize == 2
    with pytest.raises(TypeError, match="bfloat16"):
        ddp.zeros(2, dtype=ddp.bfloat16)
