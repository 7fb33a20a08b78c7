"""PyTorch's complex views and queries at top level: `real(x)` and `conj(x)` are a real x itself, `imag(x)`
raises for it, `angle(x)` is 0 or pi; `adjoint`, `absolute` (abs) and `concatenate` (cat, with numpy's `axis=`
spelling too); and the differentiable bridges between real and complex tensors, `view_as_complex`,
`view_as_real`, `polar` and `complex` (ops/complex_views.py), which rotary position embeddings use.

ddp conjugates and negates eagerly (no lazy conjugation or negation bits), so `resolve_conj` and `resolve_neg`
have nothing to resolve. Autograd through complex values covers the bridges, products, sums, shapes and
indexing; other ops refuse a complex input that requires grad (NotImplementedError), never a wrong gradient.
"""
import numpy as np

from .dtypes import get_default_dtype
from .elementwise_functional import abs as _abs
from .ops.angle import Angle
from .ops.complex_views import Polar, ViewAsComplex, ViewAsReal
from .shape_functional import cat, stack
from .tensor import Tensor

__all__ = ["real", "imag", "conj", "conj_physical", "conj_physical_", "resolve_conj", "resolve_neg", "adjoint",
           "angle", "absolute", "concatenate", "view_as_complex", "view_as_real", "polar", "complex"]


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


def view_as_complex(input):  # noqa: A002
    """A float32/float64 tensor whose last dim is 2 (real, imaginary) as complex64/complex128 numbers, sharing
    its memory; differentiable (rotary embeddings: view_as_complex(x.reshape(..., -1, 2)) * freqs).

    Raises:
        RuntimeError: the last dim is not 2, or its stride is not 1 (as PyTorch).
    """
    x = _tensor(input, "view_as_complex")
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but got a tensor "
                           f"of scalar type: {x.dtype}")
    if x.ndim == 0 or x.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if x._data.strides[-1] != x._data.itemsize or any(s % (2 * x._data.itemsize) for s in x._data.strides[:-1]):
        raise RuntimeError("Tensor must have a last dimension with stride 1 (and the others even): call "
                           ".contiguous() first")
    return ViewAsComplex.apply(x)


def view_as_real(input):  # noqa: A002
    """A complex tensor as real pairs, a new last dim of size 2 (real, imaginary), sharing its memory;
    differentiable.

    Raises:
        RuntimeError: for a real tensor (as PyTorch).
    """
    z = _tensor(input, "view_as_real")
    if z.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(z)


def polar(abs, angle):  # noqa: A002 - PyTorch's names
    """abs * (cos(angle) + i sin(angle)): complex64 from float32 (complex128 from float64); differentiable in
    both."""
    r, theta = _tensor(abs, "polar"), _tensor(angle, "polar")
    if r.dtype != theta.dtype or r.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"polar: expected abs and angle of the same float dtype, got {r.dtype} and {theta.dtype}")
    return Polar.apply(r, theta)


def complex(real, imag):  # noqa: A001 - PyTorch's name
    """real + i imag, from two tensors of the same float dtype (torch.complex); differentiable."""
    re, im = _tensor(real, "complex"), _tensor(imag, "complex")
    if re.dtype != im.dtype or re.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"complex: expected real and imag of the same float dtype, got {re.dtype} and {im.dtype}")
    return view_as_complex(stack([re, im], -1))
