"""Gradients that pass where a condition holds and are exactly zero elsewhere: ReLU's and max pooling's.

`g * mask` is the obvious spelling and is wrong at the edges: an infinite gradient times a 0 mask is NaN,
where PyTorch's select gives 0. `np.where(mask, g, 0)` is right but 5x slower on numpy. `gate` selects
through the bits instead: the comparison's 1 or 0, widened to an integer as wide as g's elements, becomes
all ones or zero, and an AND with g's bits keeps or clears each element; four fast passes, as fast as the
multiply.
"""
import numpy as np

_BITS = {2: np.int16, 4: np.int32, 8: np.int64}


def gate(g, compare, a, b, keep=True, out=None):
    """g where compare(a, b) is `keep`, exactly 0 elsewhere (inf and NaN in g included).

    `compare` is a numpy comparison ufunc; a, b and g share one shape. `out` (g's dtype, any strides) takes
    the result when given."""
    bits = _BITS.get(g.dtype.itemsize) if g.dtype.kind == "f" else None
    if bits is None:  # not a float of a size with a matching integer: numpy's select
        result = np.where(compare(a, b) == keep, g, np.zeros((), dtype=g.dtype))
        if out is None:
            return result
        out[...] = result
        return out
    # 1 where the comparison holds: a bool result widened by astype, which beats a comparison that writes
    # the wide integers itself (numpy casts those through a buffer): the gate 5-15% faster at 6.4M elements
    mask = np.asarray(compare(a, b)).view(np.int8).astype(bits)
    if keep:
        np.negative(mask, out=mask)  # all ones where it holds
    else:
        np.subtract(mask, 1, out=mask)  # all ones where it fails
    target = mask if out is None else out.view(bits)
    np.bitwise_and(g.view(bits), mask, out=target)
    return target.view(g.dtype) if out is None else out
