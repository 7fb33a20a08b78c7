"""Gradient clipping, in place on `.grad`: by the total norm (clip_grad_norm_) or elementwise (clip_grad_value_)."""
import math
import warnings

import numpy as np

from ...tensor import Tensor


def _grads(parameters):
    """The `.grad` Tensors of `parameters` (one Tensor or an iterable), skipping those without one."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _norm(a, norm_type):
    """The norm_type-norm of one array, in its own dtype."""
    a = a.reshape(-1)
    if norm_type == math.inf:
        return np.abs(a).max() if a.size else a.dtype.type(0)
    if norm_type == -math.inf:
        return np.abs(a).min() if a.size else a.dtype.type(math.inf)
    if norm_type == 2:
        return np.sqrt(np.dot(a, a))
    if norm_type == 0:
        return a.dtype.type(np.count_nonzero(a))
    return (np.abs(a) ** a.dtype.type(norm_type)).sum() ** a.dtype.type(1 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of `tensors`: as if all were concatenated into one vector.

    Raises:
        RuntimeError when the total is nan or inf and error_if_nonfinite is True.
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor(np.array(0.0, dtype=np.float32))
    dtype = np.result_type(*[t._data.dtype for t in tensors])
    norms = np.array([_norm(t._data, norm_type) for t in tensors], dtype=dtype)
    total = _norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor(np.asarray(total, dtype=dtype))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients of `parameters` in place so that their total norm is at most `max_norm`.

    The total norm is taken over all gradients together (as if concatenated); every gradient is multiplied
    by min(1, max_norm / (total + 1e-6)). `foreach` is accepted for PyTorch compatibility.

    Args:
        parameters: a Tensor or an iterable of Tensors whose `.grad` is clipped (those without one are skipped).
        max_norm: the largest total norm allowed. norm_type: p of the p-norm, `inf` for the largest |g|.
        error_if_nonfinite: raise instead of scaling by a nan/inf total norm.
    Returns:
        The total norm before clipping, a 0-d Tensor.
    Raises:
        RuntimeError for a non-finite total norm when error_if_nonfinite is True.

    Example:
        >>> loss.backward()
        >>> ddp.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    """
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    _scale_grads(grads, max_norm, total)
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Multiply the gradients of `parameters` in place by min(1, max_norm / (total_norm + 1e-6)): the second
    half of `clip_grad_norm_`, for a total norm found with `get_total_norm` (e.g. reduced across ranks)."""
    _scale_grads(_grads(parameters), max_norm, total_norm)


def _scale_grads(grads, max_norm, total_norm):
    if not grads:
        return
    total = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm, np.float32)
    scale = np.minimum(max_norm / (total + total.dtype.type(1e-6)), 1).astype(total.dtype)
    with np.errstate(invalid="ignore"):  # inf * 0 gives nan, as in PyTorch
        for g in grads:  # in place: DDP's bucket views and optimizer references stay valid
            np.multiply(g._data, scale.astype(g._data.dtype), out=g._data)
            g._bump_version()


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of `clip_grad_norm_` (as in PyTorch)."""
    warnings.warn("`ddp.nn.utils.clip_grad_norm` is now deprecated in favor of `ddp.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient of `parameters` in place to [-clip_value, clip_value]; returns None.

    Example:
        >>> ddp.nn.utils.clip_grad_value_(model.parameters(), clip_value=0.5)
    """
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._bump_version()
