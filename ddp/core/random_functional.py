"""Sampling ops on tensors (`ddp.bernoulli(p)`, `ddp.multinomial(probs, n)`, `ddp.normal(mean, std)`,
`ddp.poisson(rates)`, `ddp.binomial(count, prob)`) and the in-place fills behind `Tensor.random_`, `cauchy_`,
`geometric_` and `log_normal_`, all drawn from the default (or the given) generator, so that `manual_seed`
repeats them. bernoulli, multinomial, normal and the fills draw PyTorch's very numbers (`random_draws`);
poisson and binomial take numpy's algorithms over the same stream, so they match only its distributions.

normal and poisson keep their parameters' graph with a zero derivative, as PyTorch does (a sample is not
reparametrised: use `mean + std * ddp.randn_like(std)` for a gradient).
"""
import warnings

import numpy as np

from . import autograd
from . import random_draws as draws
from .arguments import as_tensor_arg as _tensor
from .autograd import Function
from .dtypes import as_dtype, get_default_dtype
from .random import Generator, generator_of, get_generator
from .sizes import size_arg
from .tensor import Tensor

__all__ = ["bernoulli", "multinomial", "normal", "poisson", "binomial"]


def bernoulli(x, p=None, generator=None):
    """1 with probability x (or `p`), else 0, elementwise, in x's dtype."""
    x = _tensor(x)
    if x.dtype.kind != "f":
        raise RuntimeError(f"bernoulli: expected a floating point tensor of probabilities, got {x.dtype}")
    probs = x._data if p is None else p
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("bernoulli: Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    gen = generator_of(generator)
    if p is None:  # a uniform of the probabilities' own precision each
        return Tensor(draws.bernoulli(gen, x.shape, probs).astype(x.dtype))
    return Tensor(draws.bernoulli(gen, x.shape, float(p)).astype(x.dtype))


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
    gen = generator_of(generator)
    rows, k = w.shape
    if replacement:  # inverse CDF; row r's CDF is shifted by r so that one searchsorted serves every row
        cdf = np.cumsum(w, axis=1) / w.sum(axis=1, keepdims=True)
        cdf[:, -1] = 1.0
        offsets = np.arange(rows)[:, None]
        u = draws.uniform(gen, (rows, num_samples), np.float64) + offsets
        picks = np.searchsorted((cdf + offsets).reshape(-1), u.reshape(-1), side="left").reshape(rows, num_samples)
        picks = np.minimum(picks - offsets * k, k - 1)
    else:  # the largest of w / q, q exponential, are a sample without replacement (exponential races)
        q = draws.exponential(gen, (rows, k), x.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            keys = x._data.reshape(rows, k) / q
        picks = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return Tensor(picks.astype(np.int64).reshape(x.shape[:-1] + (num_samples,)))


class ZeroGradSample(Function):
    """A sample drawn by the wrapper, linked to its parameters' graph; d(sample)/d(parameter) = 0."""

    @staticmethod
    def forward(ctx, *params, sample=None):
        ctx.count = len(params)
        return sample

    @staticmethod
    def backward(ctx, g):
        zero = np.zeros_like(g)
        return zero if ctx.count == 1 else (zero,) * ctx.count


def _sampled(array, params):
    """`array` as a Tensor, in the graph of the parameters that require grad (with a zero derivative)."""
    tensors = [p for p in params if isinstance(p, Tensor)]
    if autograd.is_grad_enabled() and any(p.requires_grad for p in tensors):
        return ZeroGradSample.apply(*tensors, sample=array)
    return Tensor(array)


def _floating(x, op, name):
    """x, if floating point; NotImplementedError otherwise (PyTorch's type: it has no integer kernel)."""
    if x.dtype.kind != "f":
        raise NotImplementedError(f"{op}: expected {name} to be a floating point tensor, got {x.dtype}")
    return x


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, layout=None, device=None, pin_memory=False,
           requires_grad=False):
    """Normal samples: `normal(mean, std)` with tensors (broadcast together) or one of them a number, in the
    tensors' dtype; or `normal(mean, std, size)` with numbers, in `dtype` (default float dtype).

    Raises:
        RuntimeError: a negative std, shapes that do not broadcast, integer tensors.
        TypeError: two numbers without a size.
    """
    gen = generator_of(generator)
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        if size is None:
            raise TypeError("normal(): with a number mean and std, give the size too: normal(mean, std, size)")
        if std < 0:
            raise RuntimeError(f"normal: expected std >= 0, got std={std}")
        shape = size_arg((size,), "normal")
        array = draws.normal(gen, shape, as_dtype(dtype) or get_default_dtype(), float(mean), float(std))
        return Tensor(array, requires_grad=requires_grad)
    if size is not None:
        raise TypeError("normal(): a size goes only with a number mean and std; a tensor gives its own shape")
    tensors = [_floating(t, "normal", name) for t, name in ((mean, "mean"), (std, "std")) if isinstance(t, Tensor)]
    m, s = (t._data if isinstance(t, Tensor) else t for t in (mean, std))
    try:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    except ValueError:
        raise RuntimeError(f"normal: the shapes of mean {np.shape(m)} and std {np.shape(s)} do not broadcast") from None
    if np.any(np.asarray(s) < 0):
        raise RuntimeError("normal: expected every element of std to be >= 0")
    out_dtype = np.result_type(*[t.dtype for t in tensors])
    if isinstance(std, Tensor):  # PyTorch: standard samples, times std, plus mean
        array = (draws.normal(gen, shape, out_dtype) * s + m).astype(out_dtype)
    else:
        array = (draws.normal(gen, shape, out_dtype, 0.0, float(s)) + m).astype(out_dtype)
    return _sampled(array, (mean, std))


def poisson(input, generator=None):  # noqa: A002
    """Poisson samples with the rates of `input` (>= 0), in input's floating dtype."""
    x = _floating(_tensor(input), "poisson", "the rates")
    if np.any(x._data < 0) or np.any(np.isnan(x._data)):
        raise RuntimeError("poisson: expected the rates to be non-negative (and not NaN)")
    return _sampled(get_generator(generator).poisson(x._data).astype(x.dtype), (x,))


def binomial(count, prob, generator=None):
    """The number of successes in `count` trials of probability `prob` (tensors of one floating dtype,
    broadcast together), as floats of that dtype. No gradient.

    Raises:
        ValueError: count is not floating (as PyTorch). RuntimeError: the dtypes differ, the shapes do not
        broadcast, or count < 0, a fractional count, or prob outside [0, 1] (which PyTorch leaves undefined).
    """
    for name, value in (("count", count), ("prob", prob)):
        if not isinstance(value, Tensor):
            raise TypeError(f"binomial(): argument '{name}' must be Tensor, not {type(value).__name__}")
    if count.dtype.kind != "f":
        raise ValueError(f"binomial: count must have a floating point dtype, got {count.dtype}")
    if prob.dtype != count.dtype:
        raise RuntimeError(f"binomial: count ({count.dtype}) and prob ({prob.dtype}) must have the same dtype")
    n, p = count._data, prob._data
    try:
        shape = np.broadcast_shapes(n.shape, p.shape)
    except ValueError:
        raise RuntimeError(f"binomial: the shapes of count {n.shape} and prob {p.shape} do not broadcast") from None
    if np.any(n < 0) or np.any(n != np.floor(n)):
        raise RuntimeError("binomial: expected count to hold whole numbers >= 0")
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise RuntimeError("binomial: expected prob to be in [0, 1]")
    draw = get_generator(generator).binomial(np.broadcast_to(n, shape).astype(np.int64), np.broadcast_to(p, shape))
    return Tensor(draw.astype(count.dtype))


# ------------------------------------------------------------------- in-place fills (Tensor methods)
def _fill(t, values):
    """Write the drawn `values` into t, as PyTorch's in-place samplers: a leaf that requires grad refuses,
    and a non-leaf leaves the graph (its new values depend on nothing)."""
    t._check_writable()
    if autograd.is_grad_enabled() and t.requires_grad:
        if t.is_leaf:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        t._grad_fn, t._requires_grad = None, False
    np.copyto(t._data, values, casting="unsafe")
    t._bump_version()
    return t


def _continuous(t, op):
    if t.dtype.kind != "f":
        raise RuntimeError(f"{op}: draws a continuous distribution, so the tensor must be floating point; got "
                           f"{t.dtype}")


def _dtype_range(dtype):
    """[lowest, highest] of the integers `dtype` holds exactly (for floats, those its mantissa represents)."""
    if dtype.kind == "b":
        return 0, 1
    if dtype.kind == "f":
        digits = np.finfo(dtype).nmant + 1
        return -(2 ** digits), 2 ** digits
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


_UNSET = object()


def random_(t, from_=None, to=_UNSET, generator=None):
    """Fill t with integers drawn uniformly: `random_()` in [0, the largest the dtype holds exactly],
    `random_(to)` in [0, to), `random_(from, to)` in [from, to), `random_(from, None)` in [from, largest].

    Raises:
        RuntimeError: from >= to, or bounds the dtype cannot hold (a warning for floats, as PyTorch).
    """
    low, high = _dtype_range(t.dtype)
    if to is _UNSET:
        from_, to = (0, high + 1) if from_ is None else (0, from_)
    else:
        from_ = 0 if from_ is None else from_
        to = high + 1 if to is None else to
    for name, v in (("from", from_), ("to", to)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"random_(): {name} must be an int, got {type(v).__name__} ({v!r})")
    from_, to = int(from_), int(to)
    if from_ >= to:
        raise RuntimeError(f"random_: expected from < to, got from={from_} >= to={to}")
    for name, v in (("from", from_), ("to - 1", to - 1)):
        if not low <= v <= high:
            message = f"random_: {name} = {v} is out of the range [{low}, {high}] that {t.dtype} holds exactly"
            if t.dtype.kind != "f":
                raise RuntimeError(message)
            warnings.warn(message, stacklevel=3)
    gen, span = generator_of(generator), to - from_
    if not isinstance(gen, Generator):  # a numpy Generator: numpy's integers
        values = gen.integers(from_, to, size=t.shape, dtype=np.int64 if span <= 2**63 else t.dtype)
    else:
        values = draws.offsets(gen, t.shape, span)
        if t.dtype.kind == "f":
            values = values + float(from_)
        else:
            values = (values.astype(np.int64) + np.int64(from_)) if t.dtype != np.uint64 else values + np.uint64(from_)
    return _fill(t, values)


def cauchy_(t, median=0.0, sigma=1.0, generator=None):
    """Fill t with Cauchy samples: median + sigma * tan(pi (u - 1/2)), u uniform."""
    _continuous(t, "cauchy_")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_: expected sigma > 0, got sigma={sigma}")
    return _fill(t, draws.cauchy(generator_of(generator), t.shape, t.dtype, median, sigma))


def geometric_(t, p, generator=None):
    """Fill t with the number of Bernoulli(p) trials up to and including the first success (1, 2, ...)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_: expected p in (0, 1), got p={p}")
    return _fill(t, draws.geometric(generator_of(generator), t.shape, t.dtype, p))


def log_normal_(t, mean=1.0, std=2.0, generator=None):
    """Fill t with exp(N(mean, std^2)) samples (`mean` and `std` are those of the logarithm)."""
    _continuous(t, "log_normal_")
    if not std > 0:
        raise RuntimeError(f"log_normal_: expected std > 0, got std={std}")
    return _fill(t, draws.log_normal(generator_of(generator), t.shape, t.dtype, mean, std))
