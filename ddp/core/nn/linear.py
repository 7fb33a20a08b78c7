"""`Identity` and `Linear`, with PyTorch's parameter names and default initialisation."""
import numpy as np

from .. import functional as CF
from ..dtypes import as_dtype
from . import init
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
        dtype = as_dtype(dtype) or np.float32
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
        return CF.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
