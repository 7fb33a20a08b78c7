"""The randomized activations (rrelu, gumbel_softmax) and the in-place activations (relu_, elu_, ...),
functional forms re-exported by ddp.nn.functional with torch.nn.functional's names and arguments.

The in-place forms write into their input, as Tensor.relu_ does: under autograd the input takes the op's
place in the graph, and a leaf that requires grad refuses (RuntimeError, as PyTorch).
"""
import numpy as np

from .. import functional as CF
from .. import random_draws as draws
from ..functional import _tensor
from ..ops import activation as act
from ..ops.rrelu import RandomizedLeakyRelu
from ..random import generator_of
from ..tensor import Tensor
from . import functional_activation as FA

__all__ = """
rrelu rrelu_ relu_ elu_ leaky_relu_ hardtanh_ selu_ celu_ threshold_ gumbel_softmax
""".split()


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):  # noqa: A002
    """The randomized leaky ReLU: x where x > 0, else a x.

    Training draws a ~ U(lower, upper) for each element from ddp's default generator (so `ddp.manual_seed`
    makes it repeatable); otherwise a is the mean slope (lower + upper) / 2. inplace=True writes into x.

    Raises:
        RuntimeError when lower > upper; NotImplementedError for a non-float input (as PyTorch).

    Example:
        >>> y = rrelu(ddp.randn(4, 8), training=True)
    """
    if inplace:
        return rrelu_(input, lower, upper, training)
    x = _tensor(input)
    if lower > upper:
        raise RuntimeError(f"rrelu: lower bound {lower} should be less than or equal to the upper bound {upper}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"rrelu: expected a floating point input, got {x.dtype}")
    if not training:
        return act.LeakyRelu.apply(x, negative_slope=(lower + upper) / 2)
    return RandomizedLeakyRelu.apply(x, lower=float(lower), upper=float(upper), generator=generator_of())


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):  # noqa: A002
    """rrelu written into `input`; returns it."""
    return input._inplace(lambda t: rrelu(t, lower, upper, training))


def relu_(input):  # noqa: A002
    """max(x, 0) written into `input`; returns it."""
    return input._inplace(CF.relu)


def elu_(input, alpha=1.0):  # noqa: A002
    """elu written into `input`; returns it."""
    return input._inplace(lambda t: FA.elu(t, alpha))


def leaky_relu_(input, negative_slope=0.01):  # noqa: A002
    """leaky_relu written into `input`; returns it."""
    return input._inplace(lambda t: act.LeakyRelu.apply(t, negative_slope=negative_slope))


def hardtanh_(input, min_val=-1.0, max_val=1.0):  # noqa: A002
    """hardtanh written into `input`; returns it."""
    return input._inplace(lambda t: FA.hardtanh(t, min_val, max_val))


def selu_(input):  # noqa: A002
    """selu written into `input`; returns it."""
    return input._inplace(FA.selu)


def celu_(input, alpha=1.0):  # noqa: A002
    """celu written into `input`; returns it."""
    return input._inplace(lambda t: FA.celu(t, alpha))


def threshold_(input, threshold, value):  # noqa: A002
    """threshold written into `input` (x where x > threshold, else value); returns it."""
    return input._inplace(lambda t: FA.threshold(t, threshold, value))


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """A sample of the Gumbel-softmax (concrete) distribution: softmax((logits + G) / tau) along `dim`, with
    G standard Gumbel noise drawn from ddp's default generator.

    hard=True returns the one-hot vector of the sample's largest entry, yet passes gradients as if it were
    the soft sample (straight-through: y_hard - y_soft.detach() + y_soft). `eps` is unused, kept for
    PyTorch's signature.

    Example:
        >>> y = gumbel_softmax(ddp.randn(4, 10), tau=0.5, hard=True)    # one-hot rows
    """
    x = _tensor(logits)
    if x.dtype.kind != "f":
        raise RuntimeError(f"gumbel_softmax: expected floating point logits, got {x.dtype}")
    with np.errstate(divide="ignore"):
        gumbels = Tensor(-np.log(draws.exponential(generator_of(), tuple(x.shape), x.dtype)))
    y_soft = CF.softmax((x + gumbels) / tau, dim)
    if not hard:
        return y_soft
    soft = y_soft._data
    if soft.ndim == 0:  # a single logit: its softmax, and its one-hot, is 1
        return y_soft
    axis = dim % soft.ndim
    one_hot = np.zeros_like(soft)
    np.put_along_axis(one_hot, np.expand_dims(soft.argmax(axis=axis), axis), 1, axis=axis)
    return Tensor(one_hot) - y_soft.detach() + y_soft
