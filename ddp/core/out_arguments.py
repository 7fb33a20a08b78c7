"""PyTorch's `out=` keyword on the top-level functions (`torch.matmul(a, b, out=c)`, `torch.zeros(2, out=t)`,
`torch.max(x, 1, out=(values, indices))`), as PyTorch's tutorials use it: the result is computed as
without it, then written into `out` (cast within its dtype's kind, resized with PyTorch's warning when the
shape differs), and `out` is returned. As in PyTorch, `out=` does not record for autograd: a result that
requires grad raises.

`install(namespace)` wraps the functions named in OUT_FUNCTIONS in the `ddp` namespace (and ddp.special's
in its own); the ops inside ddp call the unwrapped ones.
"""
import functools
import inspect
import warnings

import numpy as np

from .tensor import Tensor

OUT_FUNCTIONS = """
    add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow float_power matmul mm bmm
    mv dot vdot addmm addmv addbmm baddbmm addcmul addcdiv outer ger cross kron tensordot cat concat concatenate
    stack hstack vstack dstack column_stack exp exp2 expm1 log log2 log10 log1p sqrt rsqrt sin cos tan asin acos
    atan sinh cosh tanh asinh acosh atanh atan2 arctan2 sigmoid abs absolute neg negative sign sgn floor ceil
    round trunc frac clamp clip where sum mean nansum nanmean prod max min amax amin aminmax argmax argmin cumsum
    cumprod cummax cummin logcumsumexp sort topk kthvalue median nanmedian mode maximum minimum fmax fmin zeros
    ones full empty arange range linspace logspace eye rand randn randint randperm lerp erf erfc erfinv
    reciprocal square std var logsumexp norm index_select gather masked_select nonzero take tril triu
    bitwise_and bitwise_or bitwise_xor bitwise_not logical_and logical_or logical_xor logical_not eq ne lt le gt
    ge greater less greater_equal less_equal not_equal hypot diff trace cdist lgamma digamma polygamma mvlgamma
    i0 sinc xlogy heaviside gcd lcm copysign nextafter ldexp deg2rad rad2deg logit cosine_similarity bincount
    histc searchsorted bucketize diag diagflat flip rot90 roll igamma igammac xlog1py erfcx entr
""".split()


def _write(out, result, name):
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be a Tensor, not {type(out).__name__}")
    if not isinstance(result, Tensor):
        result = Tensor(np.asarray(result))
    if not np.can_cast(result._data.dtype, out._data.dtype, "same_kind"):
        raise RuntimeError(f"{name}(): result type {result.dtype} can't be cast to the desired output type "
                           f"{out.dtype}")
    out._check_writable()  # before any resize: an expanded or read-only out refuses either way
    if out._data.shape != result._data.shape:
        if out._data.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._data.shape)}, which does not match the required output shape "
                          f"{list(result._data.shape)}. This behavior is deprecated, and in a future PyTorch "
                          f"release outputs will not be resized unless they have zero elements.", UserWarning,
                          stacklevel=4)
        out._data = np.empty(result._data.shape, dtype=out._data.dtype)
    np.copyto(out._data, result._data, casting="same_kind")
    out._bump_version()
    return out


_KEYWORDS = {"input": ("x", "a"), "other": ("y", "b")}  # PyTorch's argument names, ddp's for the same arguments


def _keyword_names(fn):
    """{PyTorch's keyword: fn's parameter} where fn names an argument otherwise (`torch.sum(input=x)`)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}
    return {theirs: next(o for o in ours if o in params) for theirs, ours in _KEYWORDS.items()
            if theirs not in params and any(o in params for o in ours)}


def with_out(fn):
    """`fn` taking PyTorch's `out=` (a Tensor, or a tuple of them for a function of several results) and
    PyTorch's keyword names `input=` and `other=` for its arguments."""
    name = fn.__name__
    renames = _keyword_names(fn)

    @functools.wraps(fn)
    def call(*args, out=None, **kwargs):
        if kwargs and renames:
            for theirs, ours in renames.items():
                if theirs in kwargs:
                    kwargs[ours] = kwargs.pop(theirs)
        result = fn(*args, **kwargs)
        if out is None:
            return result
        results = tuple(result) if isinstance(result, tuple) else (result,)
        outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        if len(outs) != len(results):
            raise TypeError(f"{name}(): out must hold {len(results)} tensors, got {len(outs)}")
        if any(isinstance(r, Tensor) and r._requires_grad for r in results):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                               f"differentiation, but one of the arguments requires grad.")
        for o, r in zip(outs, results):
            _write(o, r, name)
        return out

    return call


_wrappers = {}  # id(function) -> (function, its wrapper): one wrapper per function, whatever its names


def install(namespace, names=OUT_FUNCTIONS):
    """Give the functions `names` of `namespace` (a module's globals: ddp's, ddp.special's) the `out=`
    keyword. A function under several names (asinh and arcsinh, sigmoid and special.expit) gets one
    wrapper, so the names stay one object."""
    for name in names:
        fn = namespace.get(name)
        if not callable(fn) or getattr(fn, "_takes_out", False) or isinstance(fn, type):
            continue
        if id(fn) not in _wrappers:
            wrapped = with_out(fn)
            wrapped._takes_out = True
            _wrappers[id(fn)] = (fn, wrapped)
        namespace[name] = _wrappers[id(fn)][1]
    for name, value in list(namespace.items()):  # the other names of a wrapped function (arcsinh, expit)
        if not name.startswith("__") and id(value) in _wrappers and _wrappers[id(value)][0] is value:
            namespace[name] = _wrappers[id(value)][1]
