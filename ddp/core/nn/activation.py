"""Pointwise activation modules: thin wrappers of ddp.nn.functional with PyTorch's arguments and reprs.

The activations along a dim (Softmax, LogSoftmax, Softmin, Softmax2d, GLU) live in softmax.py and
Flatten / Unflatten in flatten.py; both are re-exported here for the import paths that name them.
"""
import numpy as np

from ..dtypes import as_dtype, get_default_dtype
from . import functional as F
from .flatten import Flatten, Unflatten  # noqa: F401  (re-exported)
from .module import Module, Parameter
from .rrelu import RReLU  # noqa: F401  (re-exported)
from .softmax import GLU, LogSoftmax, Softmax, Softmax2d, Softmin  # noqa: F401  (re-exported)


class ReLU(Module):
    """max(x, 0) elementwise."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.relu(x)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """x * Phi(x) (approximate='none', exact via erf) or its tanh approximation (approximate='tanh')."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """x * sigmoid(x)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.silu(x)


class Sigmoid(Module):
    """1 / (1 + exp(-x)), computed without overflow."""

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x)."""

    def forward(self, x):
        return F.tanh(x)


# ------------------------------------------------------------------- the rest of torch.nn's pointwise ones
def _inplace_repr(module, text=""):
    return text + (", " if text else "") + "inplace=True" if module.inplace else text


class ELU(Module):
    """x where x > 0, else alpha * (exp(x) - 1)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self):
        return _inplace_repr(self, f"alpha={self.alpha}")


class CELU(Module):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x):
        return F.celu(x, self.alpha)

    def extra_repr(self):
        return _inplace_repr(self, f"alpha={self.alpha}")


class SELU(Module):
    """scale * elu(x, alpha) with the self-normalising constants (alpha 1.6733, scale 1.0507)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.selu(x)

    def extra_repr(self):
        return _inplace_repr(self)


class PReLU(Module):
    """x where x > 0, else a * x, with a learnable a: one shared (num_parameters=1) or one per channel.

    Parameter weight (num_parameters,) = init.

    Example:
        >>> PReLU(16)(ddp.randn(4, 16, 8, 8)).shape
        ddp.Size([4, 16, 8, 8])
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(np.empty(num_parameters, dtype=as_dtype(dtype) or get_default_dtype()))
        self.reset_parameters()

    def reset_parameters(self):
        self.weight._data[...] = self.init

    def forward(self, x):
        return F.prelu(x, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Softplus(Module):
    """log(1 + exp(beta * x)) / beta, reverting to x where beta * x > threshold."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """x clipped to [min_val, max_val]."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val cannot be greater than max_val, got min_val={min_val}, "
                             f"max_val={max_val}")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self):
        return _inplace_repr(self, f"min_val={self.min_val}, max_val={self.max_val}")


class ReLU6(Hardtanh):
    """min(max(x, 0), 6): Hardtanh(0, 6)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_repr(self)


class Threshold(Module):
    """x where x > threshold, else value."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, x):
        return F.threshold(x, self.threshold, self.value)

    def extra_repr(self):
        return _inplace_repr(self, f"threshold={self.threshold}, value={self.value}")


class _Pointwise(Module):
    """An activation without settings (an `inplace` flag is accepted and ignored): `fn` names F's form."""

    fn = None

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return getattr(F, self.fn)(x)


class Hardsigmoid(_Pointwise):
    """relu6(x + 3) / 6."""

    fn = "hardsigmoid"


class Hardswish(_Pointwise):
    """x * relu6(x + 3) / 6."""

    fn = "hardswish"


class Mish(_Pointwise):
    """x * tanh(softplus(x))."""

    fn = "mish"


class LogSigmoid(Module):
    """log(sigmoid(x)), computed without overflow."""

    def forward(self, x):
        return F.logsigmoid(x)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, x):
        return F.softsign(x)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, x):
        return F.tanhshrink(x)


class Hardshrink(Module):
    """x where |x| > lambd, else 0."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, x):
        return F.hardshrink(x, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""

    def forward(self, x):
        return F.softshrink(x, self.lambd)
