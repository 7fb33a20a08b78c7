"""ddp.func.vmap: map a function over a dim of its arguments by calling it once per index and stacking
the outputs (a loop, not vectorised: same values and gradients as PyTorch's vmap, at a Python cost)."""
import numpy as np

from .func_pytree import flatten, unflatten
from .functional import stack
from .tensor import Tensor


def _dims_for(dims, tree, what):
    """One mapped dim (or None) per leaf of `tree`: an int or None applies to the whole subtree, else
    `dims` nests as `tree` does."""
    if dims is None or isinstance(dims, int):
        return [dims] * len(flatten(tree)[0])
    if isinstance(dims, (tuple, list)) and isinstance(tree, (tuple, list)) and len(dims) == len(tree):
        return [d for sub, item in zip(dims, tree) for d in _dims_for(sub, item, what)]
    if isinstance(dims, dict) and isinstance(tree, dict) and set(dims) == set(tree):
        return [d for key in tree for d in _dims_for(dims[key], tree[key], what)]
    raise ValueError(f"ddp.func.vmap: {what}={dims!r} does not match the structure it applies to")


def _batch_size(leaves, dims):
    sizes = []
    for x, d in zip(leaves, dims):
        if d is None:
            continue
        if not isinstance(x, Tensor):
            raise ValueError(f"ddp.func.vmap: in_dim={d} is given for a value of type {type(x).__name__}; only "
                             "Tensors can be mapped over (use None for this argument)")
        if not -x.ndim <= d < x.ndim:
            raise ValueError(f"ddp.func.vmap: in_dim={d} is out of range for a Tensor with {x.ndim} dims")
        sizes.append(x.shape[d])
    if not sizes:
        raise ValueError("ddp.func.vmap: no Tensor argument is mapped over (every in_dim is None)")
    if len(set(sizes)) > 1:
        raise ValueError(f"ddp.func.vmap: the mapped dims have different sizes {sizes}; they must be equal")
    return sizes[0]


def _stacked(results, probe, out_dims, name):
    """Stack each output leaf of the per-sample `results` along its out_dim (`probe`: a sample's output,
    used to shape empty results when the batch size is 0)."""
    leaves, spec = flatten(probe)
    dims = _dims_for(out_dims[0] if isinstance(out_dims, tuple) and spec is None and len(out_dims) == 1
                     else out_dims, probe, "out_dims")
    per_sample = [flatten(r)[0] for r in results]
    out = []
    for j, (leaf, d) in enumerate(zip(leaves, dims)):
        if d is None:
            out.append(per_sample[0][j] if per_sample else leaf)
            continue
        if not isinstance(leaf, Tensor):
            raise ValueError(f"ddp.func.vmap: {name} returned a value of type {type(leaf).__name__}; a mapped "
                             "output must be a Tensor (or use out_dims=None for it)")
        d = d % (leaf.ndim + 1)
        if per_sample:
            out.append(stack([sample[j] for sample in per_sample], dim=d))
        else:
            shape = list(leaf.shape)
            shape.insert(d, 0)
            out.append(Tensor(np.zeros(shape, leaf.dtype)))
    return unflatten(out, spec)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """A function that maps `func` over a dim of its arguments: func runs once per index of the mapped
    dim and the outputs are stacked along `out_dims` (not vectorised, so it costs a Python loop; values
    and gradients are PyTorch's).

    Args:
        in_dims: the dim mapped in each positional argument: an int for all, or a tuple with one entry
            per argument (None: not mapped; a nested tuple or dict for a pytree argument). Keyword
            arguments are passed unmapped.
        out_dims: where the mapped dim goes in each output (an int, or a tuple per output).
        randomness, chunk_size: accepted and ignored (each call draws its own random numbers).
    Raises (when called): ValueError for no arguments, in_dims that do not fit the arguments, mapped dims of
        different sizes, or a mapped output that is not a Tensor.

    Example:
        >>> vmap(lambda x, w: (x * w).sum(), in_dims=(0, None))(ddp.ones(3, 2), ddp.tensor([1.0, 2.0]))
        tensor([3., 3., 3.])
    """
    if randomness not in ("error", "different", "same"):
        raise ValueError(f"ddp.func.vmap: randomness must be 'error', 'different' or 'same', got {randomness!r}")
    name = getattr(func, "__name__", "the function")

    def wrapper(*args, **kwargs):
        if not args:
            raise ValueError(f"ddp.func.vmap({name}): called with no positional arguments to map over")
        if not isinstance(in_dims, (int, tuple)):
            raise ValueError(f"ddp.func.vmap({name}): in_dims must be an int or a tuple, got {type(in_dims).__name__}")
        leaves, spec = flatten(args)
        dims = _dims_for(in_dims, args, "in_dims")
        size = _batch_size(leaves, dims)
        results = []
        for b in range(size):
            sample = [x if d is None else x.select(d, b) for x, d in zip(leaves, dims)]
            results.append(func(*unflatten(sample, spec), **kwargs))
        if results:
            return _stacked(results, results[0], out_dims, name)
        empty = [x if d is None else Tensor(np.zeros(tuple(np.delete(x.shape, d)), x.dtype))
                 for x, d in zip(leaves, dims)]
        return _stacked([], func(*unflatten(empty, spec), **kwargs), out_dims, name)

    return wrapper
