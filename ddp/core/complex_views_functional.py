"""PyTorch's complex views and queries at top level, for the real tensors ddp computes with: `real(x)` and
`conj(x)` are x itself, `imag(x)` raises, `angle(x)` is 0 or pi; plus `adjoint`, `absolute` (abs) and
`concatenate` (cat, with numpy's `axis=` spelling too).

ddp conjugates and negates eagerly (no lazy conjugation or negation bits), so `resolve_conj` and `resolve_neg`
have nothing to resolve; a complex tensor's views are numpy's and carry no gradient.
"""
from .dtypes import get_default_dtype
from .elementwise_functional import abs as _abs
from .ops.angle import Angle
from .shape_functional import cat
from .tensor import Tensor

__all__ = ["real", "imag", "conj", "conj_physical", "conj_physical_", "resolve_conj", "resolve_neg", "adjoint",
           "angle", "absolute", "concatenate"]


def _tensor(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def real(input):  # noqa: A002 - PyTorch's name
    """The real part: a real tensor itself; a complex tensor's real parts as a view."""
    return _tensor(input, "real").real


def imag(input):  # noqa: A002
    """The imaginary parts of a complex tensor, as a view.

    Raises:
        RuntimeError: for a real tensor, as PyTorch.
    """
    return _tensor(input, "imag").imag


def conj(input):  # noqa: A002
    """The complex conjugate: a real tensor itself (conjugation is the identity there)."""
    return _tensor(input, "conj").conj()


def conj_physical(input):  # noqa: A002
    """conj, computed at once (as every ddp conj is): a real tensor itself."""
    return _tensor(input, "conj_physical").conj_physical()


def resolve_conj(input):  # noqa: A002
    """input itself: ddp has no lazy conjugation to materialise."""
    return _tensor(input, "resolve_conj").resolve_conj()


def resolve_neg(input):  # noqa: A002
    """input itself: ddp has no lazy negation to materialise."""
    return _tensor(input, "resolve_neg").resolve_neg()


def adjoint(input):  # noqa: A002
    """The conjugate transpose of the last two dims, as a view (the transpose, for a real tensor).

    Raises:
        RuntimeError: input has fewer than 2 dims.

    Example:
        >>> ddp.adjoint(ddp.ones(2, 3)).shape
        ddp.Size([3, 2])
    """
    return _tensor(input, "adjoint").adjoint()


def angle(input):  # noqa: A002
    """The argument of each element: for a real tensor pi where it is negative, 0 where it is >= 0 (-0.0 too),
    nan where it is nan. Integer and bool tensors give the default float dtype. Differentiable: the gradient
    is 0 for real inputs (as PyTorch's).

    Example:
        >>> ddp.angle(ddp.tensor([2.0, -1.0]))
        tensor([0.0000, 3.1416])
    """
    x = _tensor(input, "angle")
    kind = x.dtype.kind
    dtype = x.dtype if kind == "f" else x._data.real.dtype if kind == "c" else get_default_dtype()
    return Angle.apply(x, dtype=dtype)


def absolute(input):  # noqa: A002
    """abs under numpy's name."""
    return _abs(input)


_UNSET = object()  # tells an explicit dim=0 from the default


def concatenate(tensors, dim=_UNSET, *, axis=_UNSET):
    """cat under numpy's name: join tensors along the existing dim `dim` (or `axis`, numpy's spelling;
    default 0).

    Raises:
        TypeError: both dim and axis given (as PyTorch). RuntimeError: as cat.
    """
    if axis is not _UNSET and dim is not _UNSET:
        raise TypeError(f"concatenate(): give dim or axis, not both (got dim={dim!r}, axis={axis!r})")
    chosen = axis if axis is not _UNSET else dim
    return cat(tensors, 0 if chosen is _UNSET else chosen)


def conj_physical_(input):  # noqa: A002
    """Conjugate input in place and return it: nothing to do for a real tensor."""
    x = _tensor(input, "conj_physical_")
    if x.dtype.kind == "c":  # (complex tensors never require grad in ddp: nothing to record)
        x._data[...] = x._data.conj()
        x._bump_version()
    return x
