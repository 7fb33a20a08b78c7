"""`Identity`, `Linear` and `Bilinear`, with PyTorch's parameter names and default initialisation."""
import math

import numpy as np

from .. import functional as CF
from ..dtypes import as_dtype, get_default_dtype
from . import init
from .functional_linear import bilinear
from .module import Module, Parameter


class Identity(Module):
    """Return the input unchanged (a placeholder that accepts and ignores any arguments)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Linear(Module):
    """y = x @ weight^T + bias, over the last dim of x.

    Args:
        in_features, out_features: sizes of the last dim of the input and of the output.
        bias: whether to learn an additive bias.
        dtype: of the parameters (float32 by default).
    Parameters: weight (out_features, in_features) ~ kaiming_uniform_(a=sqrt(5)), i.e. U(-k, k) with
        k = 1/sqrt(in_features); bias (out_features,) ~ U(-k, k).

    Example:
        >>> fc = Linear(20, 30)
        >>> fc(ddp.randn(128, 20)).shape
        ddp.Size([128, 30])
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        dtype = as_dtype(dtype) or get_default_dtype()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty((out_features,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, x):
        params = self._parameters  # where Module keeps them: no __getattr__ fallback per call
        if "weight" in params and "bias" in params:
            return CF.linear(x, params["weight"], params["bias"])
        return CF.linear(x, self.weight, self.bias)  # parametrized or weight-normed: computed attributes

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class NonDynamicallyQuantizableLinear(Linear):
    """MultiheadAttention's output projection: a Linear under PyTorch's class name, so that its printout and
    `type(m) is nn.Linear` tests (initialisation code) treat it as PyTorch's do."""


class Bilinear(Module):
    """y = x1^T A x2 + b for each output feature: y[..., o] = sum_ij x1[..., i] weight[o, i, j] x2[..., j] + bias[o].

    Args:
        in1_features, in2_features: sizes of the last dims of the two inputs.
        out_features: size of the last dim of the output.
        bias: whether to learn an additive bias.
    Parameters: weight (out_features, in1_features, in2_features) and bias (out_features,), both
        U(-k, k) with k = 1/sqrt(in1_features), as PyTorch's.

    Example:
        >>> m = Bilinear(20, 30, 40)
        >>> m(ddp.randn(128, 20), ddp.randn(128, 30)).shape
        ddp.Size([128, 40])
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        dtype = as_dtype(dtype) or get_default_dtype()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty((out_features,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1]) if self.weight.shape[1] else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
