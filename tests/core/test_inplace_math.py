"""The in-place forms of the elementwise math, comparison, logical and bitwise ops (`tan_`, `eq_`,
`bitwise_left_shift_`, `x <<= 1`, ...): each returns self, writes into self's memory, keeps self's dtype
(a comparison writes 1.0 / 0.0 into a float tensor), matches torch's in-place op, and records the gradient
when self is part of a graph."""
import numpy as np
import pytest

import ddp
from op_helpers import gradcheck, sample

X = np.array([0.3, -0.7, 0.9, 0.05])  # in the domain of every float op below (asin, atanh, logit, ...)
OTHER = np.array([0.5, -0.2, 1.2, 2.0])

# name: (arguments after self: 'other' for a tensor like OTHER, or a literal)
FLOAT_OPS = {
    "sin_": (), "cos_": (), "tan_": (), "sinh_": (), "cosh_": (), "asin_": (), "acos_": (), "atan_": (),
    "arcsin_": (), "arccos_": (), "arctan_": (), "asinh_": (), "arcsinh_": (), "atanh_": (), "arctanh_": (),
    "exp2_": (), "expm1_": (), "frac_": (), "erfc_": (), "lgamma_": (), "digamma_": (), "i0_": (), "sinc_": (),
    "sgn_": (), "deg2rad_": (), "rad2deg_": (), "polygamma_": (2,), "atan2_": ("other",), "arctan2_": ("other",),
    "hypot_": ("other",), "copysign_": ("other",), "xlogy_": ("other",), "nextafter_": ("other",),
    "fmod_": ("other",), "remainder_": ("other",), "floor_divide_": ("other",), "subtract_": ("other",),
    "multiply_": ("other",), "divide_": ("other",), "true_divide_": ("other",), "ldexp_": ("other",),
    "heaviside_": ("other",),
}
POSITIVE_OPS = {"log2_": (), "log10_": (), "acosh_": (), "arccosh_": (), "mvlgamma_": (2,), "logit_": (0.1,),
                "float_power_": (2,), "igamma_": ("other",), "igammac_": ("other",)}
COMPARISONS = ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_", "less_equal_",
               "not_equal_", "logical_and_", "logical_or_", "logical_xor_"]
INTEGER_OPS = ["bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_left_shift_", "bitwise_right_shift_",
               "gcd_", "lcm_", "fmod_", "remainder_", "floor_divide_"]


def _args(spec, other, module):
    return [module.tensor(other) if a == "other" else a for a in spec]


def _check_against_torch(name, x, spec, other):
    torch = pytest.importorskip("torch")
    ours = ddp.tensor(x)
    data = ours._data
    result = getattr(ours, name)(*_args(spec, other, ddp))
    expected = getattr(torch.tensor(x), name)(*_args(spec, other, torch))
    assert result is ours and ours._data is data and ours.dtype == x.dtype
    np.testing.assert_allclose(ours.numpy(), expected.numpy(), rtol=1e-12, atol=1e-15, err_msg=name)


@pytest.mark.parametrize("name", sorted(FLOAT_OPS))
def test_float_ops_match_torch(name):
    _check_against_torch(name, X, FLOAT_OPS[name], OTHER)


@pytest.mark.parametrize("name", sorted(POSITIVE_OPS))
def test_ops_on_positive_inputs_match_torch(name):
    x = np.array([1.5, 2.0, 3.25, 4.0]) if name != "logit_" else np.array([0.05, 0.3, 0.6, 0.95])
    _check_against_torch(name, x, POSITIVE_OPS[name], OTHER + 1)


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparisons_keep_the_dtype(name):
    _check_against_torch(name, X, ("other",), np.array([0.3, 0.0, 2.0, 0.05]))
    _check_against_torch(name, np.array([1, 0, 3, 2]), ("other",), np.array([1, 2, 0, 2]))
    assert getattr(ddp.tensor([1.0, 2.0]), name)(1.0).dtype == np.float32


@pytest.mark.parametrize("name", INTEGER_OPS)
def test_integer_ops_match_torch(name):
    _check_against_torch(name, np.array([12, -7, 5, 9]), ("other",), np.array([8, 3, 2, 1]))


def test_unary_logical_and_bitwise():
    torch = pytest.importorskip("torch")
    for x in (np.array([1.0, 0.0, -2.0]), np.array([True, False, True]), np.array([3, 0, -1])):
        ours, theirs = ddp.tensor(x), torch.tensor(x)
        assert ours.logical_not_() is ours
        theirs.logical_not_()
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.dtype == x.dtype
    ours, theirs = ddp.tensor([3, 0, -1]), torch.tensor([3, 0, -1])
    np.testing.assert_array_equal(ours.bitwise_not_().numpy(), theirs.bitwise_not_().numpy())


def test_augmented_assignment_operators():
    x = ddp.tensor([12, 7, 5])
    alias = x
    x <<= 2
    x >>= 1
    x &= 14
    x |= 1
    x ^= 3
    assert x is alias and x.tolist() == [(((12 << 2 >> 1) & 14) | 1) ^ 3, (((7 << 2 >> 1) & 14) | 1) ^ 3,
                                         (((5 << 2 >> 1) & 14) | 1) ^ 3]
    y = ddp.tensor([7.0, -7.0])
    alias = y
    y %= 3.0
    assert y is alias and y.tolist() == [1.0, 2.0]
    y //= 0.5
    y **= 2
    assert y is alias and y.tolist() == [4.0, 16.0]


def test_gradient_flows_through_in_place_ops():
    def through(name, *args):
        def fn(t):
            y = t * 1.0  # a non-leaf: leaves that require grad refuse in-place ops
            getattr(y, name)(*args)
            return y
        return fn

    x = sample((2, 3), "unit") * 0.5
    for name in ("tan_", "asinh_", "atanh_", "erfc_", "lgamma_", "sinc_", "i0_", "deg2rad_", "expm1_", "sin_"):
        assert gradcheck(through(name), x)
    assert gradcheck(through("polygamma_", 1), np.abs(x) + 0.5)
    y = sample((3,), "pos")
    assert gradcheck(lambda t, u: through("hypot_", u)(t), x, y)
    assert gradcheck(lambda t, u: through("xlogy_", u)(t), x, y)
    assert gradcheck(lambda t, u: through("atan2_", u)(t), x, y)


def test_leaf_requiring_grad_refuses():
    x = ddp.tensor([0.5], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.tan_()
