"""The torch-level in-place functions (`ddp.abs_(x)`, `ddp.clamp_(x, min=0)`, `ddp.fill_(x, 2)`) and the
out-of-place `ddp.fill(x, value)`: each in-place one returns its input, writes into its memory, matches
torch's function of the same name, and is recorded for autograd like the Tensor method it calls."""
import numpy as np
import pytest

import ddp
from ddp.core import toplevel_inplace
from op_helpers import gradcheck, leaf

X = np.array([0.3, -0.7, 0.9, 0.05])  # in the domain of asin, atanh, logit, ...
POS = np.array([1.5, 2.0, 3.25, 1.1])  # for log, sqrt, acosh, ...
INT = np.array([4, 6, 9, 10])

# name: (input, arguments after it: "other" / "int" / "mat" / "vec" name tensors, anything else is literal,
#        keyword arguments)
CASES = {
    **{n: (X, (), {}) for n in """abs_ asin_ atan_ asinh_ atanh_ arcsin_ arctan_ arcsinh_ arctanh_ acos_ arccos_ ceil_
        cos_ cosh_ deg2rad_ erf_ erfc_ exp2_ exp_ expm1_ fix_ floor_ frac_ i0_ neg_ negative_ rad2deg_ reciprocal_
        sigmoid_ sin_ sinc_ sinh_ square_ tan_ tanh_ trunc_ zero_""".split()},
    **{n: (POS, (), {}) for n in "acosh_ arccosh_ log10_ log1p_ log2_ log_ rsqrt_ sqrt_".split()},
    "clamp_": (X, (), {"min": -0.5, "max": 0.5}), "clip_": (X, (-0.1,), {}), "clamp_min_": (X, (0.1,), {}),
    "clamp_max_": (X, (0.1,), {}), "round_": (X, (), {"decimals": 1}), "logit_": (X * X, (0.01,), {}),
    "nan_to_num_": (np.array([np.nan, np.inf, -1.0]), (), {"nan": 2.0, "posinf": 9.0}),
    "fill_": (X, (2.5,), {}), "xlogy_": (POS, ("other",), {}), "ldexp_": (X, ("int",), {}),
    "gcd_": (INT, ("int",), {}), "lcm_": (INT, ("int",), {}), "resize_as_": (X, ("mat",), {}),
    "addmv_": (X, ("mat", "vec"), {"beta": 0.5, "alpha": 2.0}),
}
ARGS = {"other": POS[::-1].copy(), "int": np.array([1, 2, 3, 2]), "mat": np.arange(12.0).reshape(4, 3) / 7,
        "vec": np.array([0.5, -1.0, 2.0])}


def _call(module, name, x, args, kwargs):
    t = module.tensor(x.copy())
    out = getattr(module, name)(t, *[module.tensor(ARGS[a]) if isinstance(a, str) else a for a in args], **kwargs)
    return t, out


def test_every_method_name_is_covered_here():
    assert sorted(CASES) == sorted(toplevel_inplace._METHODS)


def test_every_torch_inplace_function_with_a_tensor_method_exists():
    torch = pytest.importorskip("torch")
    names = [n for n in dir(torch) if n.endswith("_") and not n.startswith("_") and hasattr(ddp.Tensor, n)]
    assert [n for n in names if not callable(getattr(ddp, n, None))] == []
    assert {"fill_", "zero_", "abs_", "sigmoid_", "as_strided_", "conj_physical_"} <= set(names)


@pytest.mark.parametrize("name", sorted(CASES))
def test_writes_into_its_input_and_matches_the_method(name):
    x, args, kwargs = CASES[name]
    t, out = _call(ddp, name, x, args, kwargs)
    assert out is t
    expected = getattr(ddp.tensor(x.copy()), name)(*[ddp.tensor(ARGS[a]) if isinstance(a, str) else a
                                                     for a in args], **kwargs)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    x, args, kwargs = CASES[name]
    t, out = _call(ddp, name, x, args, kwargs)
    tt, tout = _call(torch, name, x, args, kwargs)
    assert tout is tt
    assert out.dtype == np.dtype(str(tout.dtype).replace("torch.", ""))
    if name == "resize_as_":  # the grown part is uninitialised memory in PyTorch: compare shape and old values
        assert out.shape == tout.shape
        np.testing.assert_array_equal(out.numpy().reshape(-1)[:x.size], tout.numpy().reshape(-1)[:x.size])
        return
    np.testing.assert_allclose(out.numpy(), tout.numpy(), rtol=1e-6, atol=1e-12)


def test_a_non_tensor_input_raises_type_error():
    with pytest.raises(TypeError, match="abs_.*must be Tensor, not list"):
        ddp.abs_([1.0, -2.0])
    assert ddp.abs_.__name__ == "abs_"


def test_recorded_for_autograd_like_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = leaf(X), torch.tensor(X, requires_grad=True)
    for module, x in ((ddp, ours), (torch, theirs)):
        y = x * 2
        module.neg_(y)
        module.clamp_(y, min=-1.0)
        (y * y).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)
    assert gradcheck(lambda x: ddp.exp_(x * 1.0), X)


def test_a_leaf_that_requires_grad_refuses():
    with pytest.raises(RuntimeError, match="leaf Variable"):
        ddp.exp_(leaf(X))
    with ddp.no_grad():
        x = leaf(X)
        assert ddp.zero_(x) is x and not x.numpy().any()


# ------------------------------------------------------------------------------------------------- fill
def test_fill_makes_a_new_tensor_of_the_input_dtype():
    x = ddp.zeros(2, 3, dtype=ddp.int64)
    y = ddp.fill(x, 3.7)
    assert y is not x and y.dtype == ddp.int64 and y.shape == (2, 3)
    np.testing.assert_array_equal(y.numpy(), np.full((2, 3), 3))
    assert not x.numpy().any()
    assert ddp.fill(ddp.ones(2), ddp.tensor(5.0, dtype=ddp.float64)).dtype == ddp.float32
    np.testing.assert_array_equal(ddp.fill(ddp.ones(()), -1).numpy(), -1.0)


def test_fill_gradient_goes_to_the_value():
    torch = pytest.importorskip("torch")
    ours = (leaf(X), leaf(np.array(1.5)))
    theirs = (torch.tensor(X, requires_grad=True), torch.tensor(1.5, dtype=torch.float64, requires_grad=True))
    w = np.array([1.0, -2.0, 3.0, 0.5])
    (ddp.fill(*ours) * ddp.tensor(w)).sum().backward()
    (torch.fill(*theirs) * torch.tensor(w)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())
    np.testing.assert_array_equal(ours[0].grad.numpy(), np.zeros(4))
    assert gradcheck(lambda x, v: ddp.fill(x, v), X, np.array(0.3))


def test_fill_errors():
    with pytest.raises(RuntimeError, match="0-dimension"):
        ddp.fill(ddp.ones(2), ddp.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="must be Tensor"):
        ddp.fill([1.0], 2.0)
