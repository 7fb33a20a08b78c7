"""ddp's ops compute log(0), 0/0 and overflows silently, as PyTorch (fp_errors.py); numpy outside them keeps
warning; integer division by zero raises PyTorch's RuntimeError."""
import warnings

import numpy as np
import pytest

import ddp
from tests.core.op_helpers import each_library

SPECIAL = [0.0, -1.0, float("inf"), -float("inf"), float("nan"), 3e38, -3e38, 1.0, 100.0]
UNARY = ["log", "log2", "log10", "log1p", "exp", "expm1", "sqrt", "rsqrt", "reciprocal", "sin", "tan", "asin",
         "acosh", "atanh", "sinh", "cosh", "logit", "lgamma", "digamma", "frac", "square", "sigmoid", "erfinv"]
BINARY = {"div": lambda a, b: a / b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "pow": lambda a, b: a ** b, "floor_div": lambda a, b: a // b, "remainder": lambda a, b: a % b,
          "xlogy": lambda a, b: a.xlogy(b)}


@each_library
@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_and_their_gradients_are_silent(lib, name):
    x = lib.tensor(SPECIAL, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(lib, name)(x).sum().backward()


@each_library
@pytest.mark.parametrize("name", BINARY)
def test_binary_ops_and_their_gradients_are_silent(lib, name):
    a = lib.tensor(SPECIAL, requires_grad=True)
    b = lib.tensor(SPECIAL[::-1], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = BINARY[name](a, b)
        if name != "floor_div":  # PyTorch has no derivative for it
            out.sum().backward()
        lib.tensor([1e5, -1e5]).half()
        lib.tensor(SPECIAL).prod(), lib.tensor(SPECIAL).var(), lib.tensor(SPECIAL).logsumexp(0)


def test_values_match_pytorch():
    torch = pytest.importorskip("torch")
    x = np.array(SPECIAL, dtype=np.float32)
    for name in UNARY:
        np.testing.assert_allclose(getattr(ddp, name)(ddp.tensor(x)).numpy(), getattr(torch, name)(torch.tensor(x)).numpy(),
                                   rtol=1e-5, atol=1e-30, err_msg=name)


def test_numpy_outside_ddp_keeps_warning():
    ddp.log(ddp.zeros(2))
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        np.log(np.zeros(2))


@each_library
@pytest.mark.parametrize("divide", [lambda a, b: a // b, lambda a, b: a % b, lambda a, b: a.fmod(b),
                                    lambda a, b: a.div(b, rounding_mode="trunc"), lambda a, b: a // 0])
def test_integer_division_by_zero_raises(lib, divide):
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        divide(lib.tensor([7, -7]), lib.tensor([0, 2]))
