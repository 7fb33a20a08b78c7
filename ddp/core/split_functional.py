"""The public splits and flat or windowed views (`ddp.tensor_split`, `ddp.hsplit`, `x.split_with_sizes`,
`ddp.ravel`, `ddp.moveaxis`, `x.unfold`, `x.sum_to_size`, `ddp.narrow_copy`): argument checks, then slices
of ops/shape.py's Index, ops/sliding_windows.py, or public ops composed."""
import numpy as np

from .arguments import as_tensor_arg as _tensor
from .arguments import normalize_dim as _dim
from .index_functional import narrow
from .numpy_aliases import dim_alias
from .ops import shape as sh
from .ops.sliding_windows import Unfold
from .reduce_functional import sum as _sum
from .shape_functional import _shape_arg, chunk, clone, contiguous, flatten, movedim, reshape, split
from .tensor import Tensor

__all__ = """
tensor_split hsplit vsplit dsplit split_with_sizes ravel moveaxis unfold sum_to_size narrow_copy unsafe_chunk
unsafe_split unsafe_split_with_sizes
""".split()


def _slices(x, d, bounds):
    """The views of x along dim d between consecutive `bounds` (Python slice bounds: negative, clamped)."""
    lead = (slice(None),) * d
    return tuple(sh.Index.apply(x, index=lead + (slice(a, b),)) for a, b in zip(bounds[:-1], bounds[1:]))


def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None, axis=None):
    """Views of input cut along `dim`: into `sections` near-equal pieces (the first n % sections one longer),
    or at the listed `indices` (as Python slices: x[:i0], x[i0:i1], ..., x[ik:]).

    indices_or_sections may be an int, a list or tuple of ints, or an int64 tensor (0-D: sections, 1-D:
    indices); PyTorch's keyword spellings `sections`, `indices` and `tensor_indices_or_sections` work too.

    Example:
        >>> [p.tolist() for p in ddp.tensor_split(ddp.arange(5), 2)]
        [[0, 1, 2], [3, 4]]
    """
    dim = dim if axis is None else dim_alias("tensor_split", dim, axis, 0)
    x = _tensor(input)
    given = [a for a in (indices_or_sections, sections, indices, tensor_indices_or_sections) if a is not None]
    if len(given) != 1:
        raise TypeError(f"tensor_split: expected one of indices_or_sections, sections, indices and "
                        f"tensor_indices_or_sections, got {len(given)}")
    how = given[0]
    if x.ndim == 0:
        raise RuntimeError("tensor_split: expected a tensor of at least 1 dim, got a 0-dim tensor")
    d = _dim(dim, x.ndim, "tensor_split")
    if isinstance(how, Tensor):
        if how.dtype != np.int64 or how.ndim > 1:
            raise RuntimeError(f"tensor_split: a tensor of indices or sections must be int64 with 0 or 1 "
                               f"dims, got {how.dtype} of shape {tuple(how.shape)}")
        how = how.item() if how.ndim == 0 else how.tolist()
    if isinstance(how, (int, np.integer)) and not isinstance(how, bool):
        if how <= 0:
            raise RuntimeError(f"tensor_split: the number of sections must be positive, got {how}")
        n = x.shape[d]
        small, extra = divmod(n, int(how))
        sizes = np.full(int(how), small)
        sizes[:extra] += 1
        return _slices(x, d, [0] + np.cumsum(sizes).tolist())
    if isinstance(how, (tuple, list)) and all(isinstance(i, (int, np.integer)) for i in how):
        return _slices(x, d, [0] + [int(i) for i in how] + [None])
    raise TypeError(f"tensor_split: expected an int, a sequence of ints or a tensor, got {how!r}")


def _split_along(x, indices_or_sections, d, min_ndim, name):
    """hsplit, vsplit and dsplit: tensor_split along d, an int needing equal pieces."""
    x = _tensor(x)
    if x.ndim < min_ndim:
        raise RuntimeError(f"{name}: expected a tensor of at least {min_ndim} dims, got shape {tuple(x.shape)}")
    if isinstance(indices_or_sections, Tensor):
        raise TypeError(f"{name}: expected an int or a sequence of ints, got a tensor")
    if isinstance(indices_or_sections, (int, np.integer)):
        if indices_or_sections == 0 or x.shape[d] % indices_or_sections:
            raise RuntimeError(f"{name}: dim {d} of size {x.shape[d]} cannot be split into "
                               f"{indices_or_sections} equal pieces")
    return tensor_split(x, indices_or_sections, d)


def hsplit(input, indices_or_sections):
    """tensor_split along dim 1 (dim 0 of a 1-D tensor); an int must divide the size."""
    x = _tensor(input)
    return _split_along(x, indices_or_sections, 1 if x.ndim > 1 else 0, 1, "hsplit")


def vsplit(input, indices_or_sections):
    """tensor_split along dim 0 of a tensor of at least 2 dims; an int must divide the size."""
    return _split_along(input, indices_or_sections, 0, 2, "vsplit")


def dsplit(input, indices_or_sections):
    """tensor_split along dim 2 of a tensor of at least 3 dims; an int must divide the size."""
    return _split_along(input, indices_or_sections, 2, 3, "dsplit")


def split_with_sizes(input, split_sizes, dim=0, *, axis=None):
    """Views of input cut along `dim` into pieces of the listed sizes (non-negative, summing to the size)."""
    dim = dim if axis is None else dim_alias("split_with_sizes", dim, axis, 0)
    x = _tensor(input)
    sizes = [int(s) for s in split_sizes]
    d = _dim(dim, x.ndim, "split_with_sizes")
    if any(s < 0 for s in sizes) or sum(sizes) != x.shape[d]:
        raise RuntimeError(f"split_with_sizes: sizes {sizes} must be non-negative and sum to {x.shape[d]}, the "
                           f"size of dim {d} of a tensor of shape {tuple(x.shape)}")
    return split(x, sizes, d)


def ravel(input):
    """input flattened to 1-D and contiguous (a view where it already is)."""
    return contiguous(flatten(_tensor(input)))


moveaxis = movedim


def unfold(input, dimension, size, step):
    """Tensor.unfold: the windows of `size` elements taken every `step` along `dimension`, as a new last dim;
    `dimension` becomes the window count (size - window) // step + 1. A read-only view; the gradient sums
    over overlapping windows.

    Example:
        >>> ddp.arange(5.0).unfold(0, 2, 2)
        tensor([[0., 1.],
                [2., 3.]])
    """
    x = _tensor(input)
    d = _dim(dimension, x.ndim, "unfold")
    n = x.shape[d] if x.ndim else 1
    if step <= 0:
        raise RuntimeError(f"unfold: step must be positive, got {step}")
    if not 0 <= size <= n:
        raise RuntimeError(f"unfold: window size {size} must be from 0 to the size {n} of dim {d}")
    if x.ndim == 0:  # PyTorch: a 0-dim tensor unfolds to its one element (or to nothing)
        return sh.Index.apply(reshape(x, 1), index=slice(0, size))
    return Unfold.apply(x, dim=d, size=int(size), step=int(step))


def sum_to_size(input, *size):
    """Tensor.sum_to_size: input summed over the dims that broadcasting `size` to input's shape would
    stretch or add, so that the result has `size` (the reverse of expand).

    Raises:
        RuntimeError: `size` does not broadcast to input's shape.
    """
    x = _tensor(input)
    size = _shape_arg(size)
    lead = x.ndim - len(size)
    if lead < 0 or any(s not in (1, n) for s, n in zip(size, x.shape[lead:])):
        raise RuntimeError(f"sum_to_size: size {list(size)} does not expand to the tensor's shape {list(x.shape)}")
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size) if s == 1 and x.shape[lead + i] != 1)
    return reshape(_sum(x, dims, keepdim=True), size) if dims else x


def narrow_copy(input, dim=None, start=None, length=None, *, axis=None):
    """narrow's slice start:start+length along `dim`, as a copy in new memory (differentiable)."""
    if axis is not None or dim is None or start is None or length is None:  # numpy's axis=, or an argument left out
        dim = dim_alias("narrow_copy", dim, axis, start=start, length=length)
    return clone(narrow(_tensor(input), dim, start, length))


# PyTorch's "unsafe" splits skip its view bookkeeping for speed; ddp's views need none, so they are the splits.
def unsafe_chunk(input, chunks, dim=0):  # noqa: A002
    return chunk(input, chunks, dim)


def unsafe_split(tensor, split_size_or_sections, dim=0):
    return split(tensor, split_size_or_sections, dim)


def unsafe_split_with_sizes(input, split_sizes, dim=0):  # noqa: A002
    return split_with_sizes(input, split_sizes, dim)
