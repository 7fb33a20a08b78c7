"""`kl_divergence(p, q)` and `register_kl`: KL(p || q) by rules registered per pair of distribution types."""
import math
import warnings

import ddp
import ddp.nn.functional as F

from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .independent import Independent
from .normal import Normal
from .uniform import Uniform
from .utils import sum_rightmost

_KL_REGISTRY = {}  # (type_p, type_q) -> fn(p, q)


def register_kl(type_p, type_q):
    """Decorator registering `fn(p, q)` as KL(p || q) for instances of these types (and their subclasses).

    Lookup takes the most specific registered pair, nearest in p's class hierarchy first; when nearest in q's
    would pick another rule, it warns (RuntimeWarning) that the pair is ambiguous.

    Example:
        >>> @register_kl(MyDist, Normal)
        ... def kl_mine_normal(p, q): ...
    Raises:
        TypeError: a type is not a Distribution subclass.
    """
    for name, t in (("type_p", type_p), ("type_q", type_q)):
        if not (isinstance(t, type) and issubclass(t, Distribution)):
            raise TypeError(f"register_kl: expected {name} to be a Distribution subclass but got {t!r}")

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        return fn

    return decorator


def _dispatch(type_p, type_q):
    """The rule for the most specific registered pair of supertypes, or None."""
    matches = [(type_p.__mro__.index(sp), type_q.__mro__.index(sq), sp, sq)
               for sp, sq in _KL_REGISTRY if issubclass(type_p, sp) and issubclass(type_q, sq)]
    if not matches:
        return None
    p_first = min(matches, key=lambda m: (m[0], m[1]))
    q_first = min(matches, key=lambda m: (m[1], m[0]))
    fn = _KL_REGISTRY[p_first[2], p_first[3]]
    if fn is not _KL_REGISTRY[q_first[2], q_first[3]]:
        warnings.warn(f"kl_divergence({type_p.__name__}, {type_q.__name__}) matches two rules equally well; "
                      f"register_kl({p_first[2].__name__}, {q_first[3].__name__}) to choose", RuntimeWarning,
                      stacklevel=3)
    return fn


def kl_divergence(p, q):
    """KL(p || q) = E_p[log p(x) - log q(x)], batched over the distributions' batch shape (differentiable).

    Example:
        >>> kl = kl_divergence(Normal(mu, sigma), Normal(0.0, 1.0)).sum()
    Raises:
        NotImplementedError: no rule is registered for the types of p and q.
    """
    fn = _dispatch(type(p), type(q))
    if fn is None:
        raise NotImplementedError(f"kl_divergence: no KL(p || q) rule for p of type {type(p).__name__} and q of "
                                  f"type {type(q).__name__} (register_kl adds one)")
    return fn(p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    """(r + d^2 - 1 - log r) / 2 with r = (p.scale / q.scale)^2 and d = (p.loc - q.loc) / q.scale."""
    ratio = (p.scale / q.scale).pow(2)
    dist = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (ratio + dist - 1 - ddp.log(ratio))


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    """sum p (log p - log q): terms with p = 0 are 0, and a class with p > 0 = q makes it inf."""
    t = p.probs * (p.logits - q.logits)
    t = ddp.where((q.probs == 0).expand_as(t), math.inf, t)
    t = ddp.where((p.probs == 0).expand_as(t), 0.0, t)
    return t.sum(-1)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    """p log(p / q) + (1 - p) log((1 - p) / (1 - q)) in softplus form, with the same 0/inf cases as above."""
    t1 = p.probs * (F.softplus(-q.logits) - F.softplus(-p.logits))
    t1 = ddp.where(q.probs == 0, math.inf, t1)
    t1 = ddp.where(p.probs == 0, 0.0, t1)
    t2 = (1 - p.probs) * (F.softplus(q.logits) - F.softplus(p.logits))
    t2 = ddp.where(q.probs == 1, math.inf, t2)
    t2 = ddp.where(p.probs == 1, 0.0, t2)
    return t1 + t2


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    """log((q.high - q.low) / (p.high - p.low)), inf unless p's interval lies inside q's."""
    result = ddp.log((q.high - q.low) / (p.high - p.low))
    return ddp.where((q.low > p.low) | (q.high < p.high), math.inf, result)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    """The base distributions' KL summed over the reinterpreted dimensions (which must agree)."""
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(f"kl_divergence: Independent distributions reinterpret "
                                  f"{p.reinterpreted_batch_ndims} and {q.reinterpreted_batch_ndims} batch dimensions")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)
