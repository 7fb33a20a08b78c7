"""PyTorch's torch-level in-place functions (`torch.abs_(x)`, `torch.clamp_(x, min=0)`, `torch.fill_(x, 1)`):
each calls the Tensor method of its name, which writes into x (recorded for autograd through
`Tensor._inplace`) and returns x. Also `fill(x, value)`, the out-of-place fill.

The list is PyTorch's top-level names that end in `_` and that Tensor has as methods, written out here; those
with their own torch-level code live beside it (relu_ and the dropouts in toplevel_nn.py, index_put_,
as_strided_ in strided_functional.py, conj_physical_ in complex_views_functional.py, detach_).
"""
from .ops.fill import Fill
from .tensor import Tensor

_METHODS = """
abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_ atanh_ ceil_
clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ erf_ erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ gcd_
i0_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ resize_as_ round_
rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_ zero_
""".split()

__all__ = _METHODS + ["fill"]


def _method_caller(name):
    """torch.<name>(input, *args, **kwargs): input.<name>(*args, **kwargs)."""

    def call(input, *args, **kwargs):  # noqa: A002 - PyTorch's name
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"`input.{name}(...)`: writes into input and returns it (see Tensor.{name})."
    return call


globals().update({name: _method_caller(name) for name in _METHODS})


def fill(input, value):  # noqa: A002
    """A new tensor of input's shape and dtype with `value` (a number or a 0-d tensor, cast to input's dtype)
    in every element. Differentiable: d/dvalue is the sum of the gradient, d/dinput zero.

    Raises:
        TypeError: input is not a Tensor. RuntimeError: value is a tensor with dims (as PyTorch).

    Example:
        >>> ddp.fill(ddp.zeros(2, dtype=ddp.int64), 3.7)
        tensor([3, 3])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"fill(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"fill(): only supports a 0-dimension value tensor, but got one of shape "
                           f"{tuple(value.shape)}")
    return Fill.apply(input, value)
