"""The dtype of arithmetic between tensors of different dtypes follows PyTorch, not numpy, where the two
differ: a 0-d tensor does not widen a tensor of its own category, and float16 with a wide integer stays
float16. Gradients still reach each operand in its own dtype."""
import numpy as np
import pytest

import ddp

F16, F32, F64 = ddp.float16, ddp.float32, ddp.float64
I8, I16, I32, I64, U8, B = ddp.int8, ddp.int16, ddp.int32, ddp.int64, ddp.uint8, ddp.bool

# (dtype of a, shape of a, dtype of b, shape of b, PyTorch's result dtype)
CASES = [
    (F32, (2,), F64, (), F32), (F64, (), F32, (2,), F32), (I32, (2,), I64, (), I32), (I8, (2,), I64, (), I8),
    (I64, (2,), F16, (2,), F16), (I16, (2,), F16, (2,), F16), (B, (2,), F16, (2,), F16), (U8, (2,), I8, (2,), I16),
    (F32, (2,), F64, (2,), F64), (I64, (2,), F32, (), F32), (F16, (2,), F32, (), F16), (I32, (), F64, (), F64),
]
OPS = ["add", "sub", "mul", "div", "maximum", "minimum", "pow"]


def _make(module, dtype, shape):
    values = np.full(shape, 3 if dtype != B else 1)
    return module.tensor(values, dtype=dtype)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("da, sa, db, sb, expected", CASES, ids=str)
def test_result_dtype_is_pytorchs(op, da, sa, db, sb, expected):
    if op in ("pow", "sub") and B in (da, db):
        pytest.skip("pow of bools; sub of a bool raises (below)")
    out = getattr(ddp, op)(_make(ddp, da, sa), _make(ddp, db, sb))
    want = expected if op != "div" or expected.kind == "f" else ddp.get_default_dtype()
    assert out.dtype == want


def test_subtracting_a_bool_tensor_raises_as_pytorch():
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool tensor is not supported"):
        ddp.ones(2, dtype=B) - ddp.ones(2, dtype=F16)
    with pytest.raises(RuntimeError, match="with a bool tensor"):
        ddp.sub(ddp.ones(2), ddp.ones(2, dtype=B))


def test_int8_with_a_wide_0d_integer_wraps_in_int8_as_pytorch():
    out = ddp.ones(2, dtype=I8) + ddp.tensor(300)
    assert out.dtype == I8 and out.tolist() == [45, 45]


def test_gradients_come_back_in_each_operands_dtype():
    a = ddp.ones(2, requires_grad=True)
    d = ddp.tensor(2.0, dtype=F64, requires_grad=True)
    out = a * d
    assert out.dtype == F32
    out.sum().backward()
    assert a.grad.dtype == F32 and a.grad.tolist() == [2.0, 2.0]
    assert d.grad.dtype == F64 and d.grad.item() == 2.0


@pytest.mark.parametrize("op", OPS)
def test_matches_torch(op):
    torch = pytest.importorskip("torch")
    names = {F16: torch.float16, F32: torch.float32, F64: torch.float64, I8: torch.int8, I16: torch.int16,
             I32: torch.int32, I64: torch.int64, U8: torch.uint8, B: torch.bool}
    for da, sa, db, sb, _ in CASES:
        if op in ("pow", "sub") and B in (da, db):
            continue
        ours = getattr(ddp, op)(_make(ddp, da, sa), _make(ddp, db, sb))
        theirs = getattr(torch, op)(torch.full(sa, 3 if da != B else 1, dtype=names[da]),
                                    torch.full(sb, 3 if db != B else 1, dtype=names[db]))
        assert str(theirs.dtype) == f"torch.{ours.dtype.name}", (op, da, db)


@pytest.fixture
def float64_default():
    ddp.set_default_dtype(ddp.float64)
    yield
    ddp.set_default_dtype(ddp.float32)


def test_integers_with_python_floats_give_the_default_dtype(float64_default):
    """Under set_default_dtype(float64), as PyTorch: an integer tensor with a Python float, a true division of
    integers, and the floating functions of integers are float64; float32 tensors stay float32."""
    i = ddp.arange(5)
    for out in (i * 0.1, i / 5, ddp.sqrt(i), ddp.sin(i), ddp.special.erf(i), ddp.where(i > 2, i, 0.5),
                ddp.tensor(True) + 0.5, ddp.nn.functional.one_hot(i).mul(0.5), ddp.log1p(i), ddp.sigmoid(i)):
        assert out.dtype == ddp.float64
    assert (i * 0.1)[3].item() == 0.30000000000000004  # computed in double, not rounded through float32
    assert (i * 1j).dtype == ddp.complex128
    assert (ddp.ones(4, 4) @ (ddp.arange(4) / 4)).dtype == ddp.float64
    assert (ddp.ones(2, dtype=ddp.float32) * 0.1).dtype == ddp.float32
    assert (ddp.ones(2, dtype=ddp.float32) * i[:2]).dtype == ddp.float32


def test_integers_with_python_floats_under_the_float32_default():
    i = ddp.arange(5)
    for out in (i * 0.1, i / 5, ddp.sqrt(i), ddp.special.erf(i), ddp.log1p(i)):
        assert out.dtype == ddp.float32
    assert (i * 1j).dtype == ddp.complex64
