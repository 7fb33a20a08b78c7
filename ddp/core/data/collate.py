"""Collation: turning samples into batch Tensors, with PyTorch's `default_collate` rules.

`default_collate` stacks a list of samples (the per-sample path); `default_convert` wraps an already-batched
structure of numpy arrays (what `__getitems__` returns) into Tensors without copying.
"""
import collections.abc
import copy

import numpy as np

from ddp.core.tensor import Tensor


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _check_numeric(a, fn):
    if a.dtype.kind in "OSUV":
        raise TypeError(f"{fn}: cannot make a Tensor from a numpy array of dtype {a.dtype}")


def _stack(arrays):
    """np.stack, with PyTorch's RuntimeError when the samples differ in shape (numpy raises ValueError)."""
    shape = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                               f"{list(a.shape)} at entry {i}")
    return np.stack(arrays)


def default_collate(batch):
    """Stack a list of samples into a batch, recursing into tuples, lists and dicts.

    Tensors and arrays are stacked along a new first dim; Python ints become int64, floats float64 and bools
    bool Tensors; numpy scalars keep their dtype; strings stay a list (a tuple for a field of tuple samples).
    Tuples collate to a list of fields, as PyTorch's does.

    Raises:
        TypeError: for an element type it cannot batch.
        RuntimeError: if the sequences in a batch differ in length, or its tensors in shape.

    Example:
        >>> x, y = default_collate([(np.zeros(3), 1), (np.ones(3), 2)])   # x: (2, 3) float64, y: int64 [1, 2]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return Tensor(_stack([t.numpy() for t in batch]))
    if isinstance(elem, np.ndarray):
        _check_numeric(elem, "default_collate")
        return Tensor(_stack(batch))
    if isinstance(elem, np.generic) and not isinstance(elem, (np.str_, np.bytes_)):
        return Tensor(np.asarray(batch, dtype=elem.dtype))
    if isinstance(elem, bool):
        return Tensor(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch  # as given: a list, or a tuple for a field of tuple samples (as PyTorch's)
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: default_collate([d[key] for d in batch]) for key in elem}
        return _like(elem, fields, dict(fields))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(s) != len(elem) for s in batch):
            sizes = sorted({len(s) for s in batch})
            raise RuntimeError(f"default_collate: each element in list of batch should be of equal size, "
                               f"got sizes {sizes}")
        fields = [default_collate(s) for s in zip(*batch)]
        if _is_namedtuple(elem):
            return type(elem)(*fields)
        return fields if isinstance(elem, tuple) else _like(elem, fields, fields)
    raise TypeError(f"default_collate: batch must contain Tensors, numpy arrays, numbers, strings, dicts or "
                    f"lists; found {type(elem).__name__}")


def _like(elem, fields, plain):
    """The collated `fields` in the sample's own container type (an OrderedDict, an attribute dict, a list
    subclass), as PyTorch's collate keeps it: a copy of the first sample refilled, else the type built from
    them; `plain` (a dict or list) where the type cannot be built so."""
    if type(elem) in (dict, list):
        return plain
    try:
        if isinstance(elem, (collections.abc.MutableMapping, collections.abc.MutableSequence)):
            clone = copy.copy(elem)
            if isinstance(elem, collections.abc.MutableMapping):
                clone.update(fields)
            else:
                clone[:] = fields
            return clone
        return type(elem)(fields)
    except TypeError:
        return plain


def default_convert(data):
    """Wrap an already-batched structure's numpy arrays into Tensors (no copy); tuples become lists."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in "OSUV" else Tensor(data)
    if isinstance(data, np.generic) and not isinstance(data, (np.str_, np.bytes_)):
        return Tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(v) for key, v in data.items()}
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(d) for d in data]
    return data
