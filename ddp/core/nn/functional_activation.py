"""Activations, functional forms (re-exported by ddp.nn.functional), with torch.nn.functional's names,
arguments and errors. The ops live in ops/nonlinearity.py.

`inplace=True` is accepted for PyTorch compatibility and computes out of place, as elsewhere in ddp.nn.
"""
from .. import functional as CF
from ..arguments import normalize_dim
from ..functional import _tensor
from ..ops import nonlinearity as nl
from ..shape_functional import chunk

__all__ = """
elu celu selu softplus mish logsigmoid softsign tanhshrink hardtanh relu6 hardsigmoid hardswish threshold
hardshrink softshrink prelu glu softmin
""".split()


def _float(x, op):
    """x as a floating point Tensor (PyTorch implements these only for floating dtypes)."""
    x = _tensor(x)
    if x.dtype.kind != "f":
        raise NotImplementedError(f"{op}: expected a floating point input, got {x.dtype}")
    return x


def elu(input, alpha=1.0, inplace=False):  # noqa: A002
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return nl.Elu.apply(_float(input, "elu"), alpha=float(alpha))


def celu(input, alpha=1.0, inplace=False):  # noqa: A002
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

    Raises:
        RuntimeError for alpha == 0 (as PyTorch).
    """
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return nl.Elu.apply(_float(input, "celu"), alpha=float(alpha), beta=float(alpha))


def selu(input, inplace=False):  # noqa: A002
    """scale * elu(x, alpha) with the self-normalising constants alpha = 1.6733, scale = 1.0507."""
    return nl.Elu.apply(_float(input, "selu"), alpha=nl.SELU_ALPHA, scale=nl.SELU_SCALE)


def softplus(input, beta=1.0, threshold=20.0):  # noqa: A002
    """log(1 + exp(beta * x)) / beta, reverting to x where beta * x > threshold."""
    return nl.Softplus.apply(_float(input, "softplus"), beta=float(beta), threshold=float(threshold))


def mish(input, inplace=False):  # noqa: A002
    """x * tanh(softplus(x))."""
    return nl.Mish.apply(_float(input, "mish"))


def logsigmoid(input):  # noqa: A002
    """log(sigmoid(x)), computed without overflow."""
    return nl.LogSigmoid.apply(_float(input, "logsigmoid"))


def softsign(input):  # noqa: A002
    """x / (1 + |x|)."""
    return nl.Softsign.apply(_float(input, "softsign"))


def tanhshrink(input):  # noqa: A002
    """x - tanh(x)."""
    return nl.Tanhshrink.apply(_float(input, "tanhshrink"))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):  # noqa: A002
    """x clipped to [min_val, max_val].

    Raises:
        ValueError when min_val > max_val (as PyTorch).
    """
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val, got min_val={min_val}, "
                         f"max_val={max_val}")
    return nl.Hardtanh.apply(_float(input, "hardtanh"), min_val=min_val, max_val=max_val)


def relu6(input, inplace=False):  # noqa: A002
    """min(max(x, 0), 6)."""
    return nl.Hardtanh.apply(_float(input, "relu6"), min_val=0.0, max_val=6.0)


def hardsigmoid(input, inplace=False):  # noqa: A002
    """relu6(x + 3) / 6, a piecewise linear sigmoid."""
    return nl.Hardsigmoid.apply(_float(input, "hardsigmoid"))


def hardswish(input, inplace=False):  # noqa: A002
    """x * relu6(x + 3) / 6."""
    return nl.Hardswish.apply(_float(input, "hardswish"))


def threshold(input, threshold, value, inplace=False):  # noqa: A002
    """x where x > threshold, else value."""
    return nl.Threshold.apply(_float(input, "threshold"), threshold=threshold, value=value)


def _lambd(lambd, op):
    if lambd < 0:
        raise RuntimeError(f"{op}: lambda must be non-negative, got {lambd}")
    return lambd


def hardshrink(input, lambd=0.5):  # noqa: A002
    """x where |x| > lambd, else 0."""
    return nl.Shrink.apply(_float(input, "hardshrink"), lambd=_lambd(lambd, "hardshrink"))


def softshrink(input, lambd=0.5):  # noqa: A002
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""
    return nl.Shrink.apply(_float(input, "softshrink"), lambd=_lambd(lambd, "softshrink"), soft=True)


def prelu(input, weight):  # noqa: A002
    """x where x > 0, else weight * x, with weight of one element or one per channel (dim 1).

    Raises:
        RuntimeError for a weight of more than one dim, or whose size is neither 1 nor the channel count.
    """
    x, weight = _float(input, "prelu"), _tensor(weight)
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if weight.numel() not in (1, channels):
        raise RuntimeError(f"prelu: Mismatch of parameter numbers and input channel size. Found parameter "
                           f"numbers = {weight.numel()} and channel size = {channels} (input shape "
                           f"{tuple(x.shape)}).")
    return nl.Prelu.apply(x, weight)


def glu(input, dim=-1):  # noqa: A002
    """The gated linear unit: a * sigmoid(b), with a and b the two halves of x along `dim`.

    Raises:
        RuntimeError when that dim has an odd size.
    """
    x = _float(input, "glu")
    d = normalize_dim(dim, x.ndim, "glu")
    if x.shape[d] % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size {x.shape[d]}")
    a, b = chunk(x, 2, dim=d)
    return a * CF.sigmoid(b)


def softmin(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002
    """softmax(-x) along `dim` (PyTorch's legacy choice of dim when it is None)."""
    x = _tensor(input)
    x = x.to(dtype) if dtype is not None else x
    if dim is None:
        dim = 0 if x.ndim in (0, 1, 3) else 1
    return CF.softmax(-x, dim)
