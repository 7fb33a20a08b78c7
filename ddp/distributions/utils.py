"""Helpers shared by the distributions: broadcasting parameters, probs <-> logits, summing event dimensions."""
from numbers import Number

import numpy as np

import ddp
import ddp.nn.functional as F
from ddp.core.random import get_generator


def broadcast_all(*values):
    """Tensors of one broadcast shape from Tensors and Python numbers.

    Numbers take the first Tensor's dtype (the default dtype when all are numbers), so
    `Normal(float64_loc, 1.0)` stays float64. Broadcasting is by `expand`, which autograd sees through.

    Raises:
        ValueError: an argument is neither a number nor a Tensor.
        RuntimeError: the shapes cannot be broadcast together.
    """
    if not all(isinstance(v, (Number, ddp.Tensor)) for v in values):
        raise ValueError("distribution parameters must be numbers or ddp Tensors, got "
                         + ", ".join(type(v).__name__ for v in values))
    tensors = [v for v in values if isinstance(v, ddp.Tensor)]
    dtype = tensors[0].dtype if tensors else ddp.get_default_dtype()
    values = [v if isinstance(v, ddp.Tensor) else ddp.tensor(v, dtype=dtype) for v in values]
    try:
        shape = np.broadcast_shapes(*(tuple(v.shape) for v in values))
    except ValueError:
        shapes = ", ".join(str(tuple(v.shape)) for v in values)
        raise RuntimeError(f"shape mismatch: parameters of shapes {shapes} cannot be broadcast together") from None
    return tuple(v if tuple(v.shape) == shape else v.expand(shape) for v in values)


def clamp_probs(probs):
    """probs kept inside [eps, 1 - eps] (eps of their dtype), so that their logs stay finite."""
    eps = ddp.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Log-probabilities of categorical probs, or the log-odds of Bernoulli probs when `is_binary`."""
    p = clamp_probs(probs)
    return ddp.log(p) - ddp.log1p(-p) if is_binary else ddp.log(p)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: a sigmoid when `is_binary`, else a softmax over the last dimension."""
    return ddp.sigmoid(logits) if is_binary else F.softmax(logits, dim=-1)


def sum_rightmost(value, dim):
    """`value` summed over its `dim` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.dim() - dim]) + (-1,)).sum(-1)


def draw(method, shape, dtype, **kwargs):
    """numpy Generator.`method`(size=shape, **kwargs) from ddp's default generator, as a Tensor of `dtype`.

    Drawing through `get_generator` is what makes `ddp.manual_seed` reproduce the samples.
    """
    values = getattr(get_generator(), method)(size=tuple(shape), **kwargs)
    return ddp.from_numpy(np.asarray(values).astype(dtype, copy=False))


def uniform_open(shape, dtype):
    """Uniform draws in the open interval (0, 1): [0, 1) clamped to the dtype's smallest normal number."""
    u = draw("random", shape, dtype)
    return u.clamp(min=ddp.finfo(dtype).tiny, max=1 - ddp.finfo(dtype).eps)

