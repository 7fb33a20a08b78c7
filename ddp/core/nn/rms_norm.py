"""`RMSNorm`: root-mean-square layer normalisation, with PyTorch's arguments and parameter name."""
import numpy as np

from ..dtypes import as_dtype, get_default_dtype
from .functional_norm import rms_norm
from .module import Module, Parameter


class RMSNorm(Module):
    """Divide by the root mean square over the last dims given by `normalized_shape`, then scale elementwise.

    Args:
        normalized_shape: an int or a tuple, the trailing shape to normalise over.
        eps: added to the mean square; None uses the machine epsilon of the input's dtype.
        elementwise_affine: learn a weight (ones at first) of shape normalized_shape; there is no bias.

    Example:
        >>> RMSNorm(64)(ddp.randn(2, 10, 64)).shape
        ddp.Size([2, 10, 64])
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(shape, dtype=as_dtype(dtype) or get_default_dtype()))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self):
        if self.weight is not None:
            self.weight._data[...] = 1

    def forward(self, x):
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
