"""Sampling ops on tensors (`ddp.bernoulli(p)`, `ddp.multinomial(probs, n)`), drawn from the default (or
the given) generator. No gradient: the results are samples."""
import numpy as np

from .arguments import as_tensor_arg as _tensor
from .random import get_generator
from .tensor import Tensor

__all__ = ["bernoulli", "multinomial"]


def bernoulli(x, p=None, generator=None):
    """1 with probability x (or `p`), else 0, elementwise, in x's dtype."""
    x = _tensor(x)
    if x.dtype.kind != "f":
        raise RuntimeError(f"bernoulli: expected a floating point tensor of probabilities, got {x.dtype}")
    probs = x._data if p is None else p
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("bernoulli: Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draw = get_generator(generator).random(x.shape)
    return Tensor((draw < probs).astype(x.dtype))


def multinomial(x, num_samples, replacement=False, generator=None):
    """`num_samples` category indices per row of the (unnormalised) weights x (1-D or 2-D), int64."""
    x = _tensor(x)
    if x.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {tuple(x.shape)}")
    w = x._data.astype(np.float64).reshape(-1, x.shape[-1])
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(w.sum(axis=1) <= 0):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > w.shape[1]:
        raise RuntimeError("multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rng = get_generator(generator)
    rows, k = w.shape
    if replacement:  # inverse CDF; row r's CDF is shifted by r so that one searchsorted serves every row
        cdf = np.cumsum(w, axis=1) / w.sum(axis=1, keepdims=True)
        cdf[:, -1] = 1.0
        offsets = np.arange(rows)[:, None]
        u = rng.random((rows, num_samples)) + offsets
        picks = np.searchsorted((cdf + offsets).reshape(-1), u.reshape(-1), side="right").reshape(rows, num_samples)
        picks = np.minimum(picks - offsets * k, k - 1)
    else:  # the k largest of log(u) / w are a sample without replacement (exponential races)
        with np.errstate(divide="ignore"):
            keys = np.log(rng.random((rows, k))) / w
        picks = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return Tensor(picks.astype(np.int64).reshape(x.shape[:-1] + (num_samples,)))
