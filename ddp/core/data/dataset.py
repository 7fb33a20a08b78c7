"""Datasets: the map-style `Dataset` protocol, `TensorDataset`, `Subset` and `random_split`.

A dataset may also define `__getitems__(indices)`, returning a whole batch of numpy arrays gathered with one
fancy-index; `DataLoader` then fetches each batch with a single call instead of a Python loop per sample.
"""
import math

import numpy as np

from ddp.core import random_draws as draws
from ddp.core.random import generator_of
from ddp.core.tensor import Tensor


class DatasetError(RuntimeError):
    """A dataset file is missing, truncated or corrupt; the message names the file and the fix."""


class Dataset:
    """A map-style dataset: subclasses define `__getitem__(i)` and `__len__()`.

    Optionally `__getitems__(indices)` returns a batch (numpy arrays with a leading batch dim) in one call.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other):
        """`a + b`: the two datasets one after the other (a ConcatDataset, as PyTorch's)."""
        from .concat import ConcatDataset

        return ConcatDataset([self, other])


def _as_array(x):
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


class TensorDataset(Dataset):
    """Samples are slices along the first dim of each given tensor (ddp Tensors or numpy arrays).

    Args:
        *tensors: arrays or Tensors with the same first dim.
    Raises:
        ValueError: if the first dims differ.

    Example:
        >>> ds = TensorDataset(np.zeros((10, 3), np.float32), np.arange(10))
        >>> x, y = ds[2]
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tensors
        self._arrays = [_as_array(t) for t in tensors]
        sizes = [a.shape[0] if a.ndim else None for a in self._arrays]
        if None in sizes or len(set(sizes)) != 1:
            shapes = [a.shape for a in self._arrays]
            raise ValueError(f"TensorDataset: size mismatch between tensors, first dims must agree; "
                             f"got shapes {shapes}")
        self._wrap = [isinstance(t, Tensor) for t in tensors]

    def __getitem__(self, index):
        return tuple(Tensor(np.asarray(a[index])) if w else a[index] for a, w in zip(self._arrays, self._wrap))

    def __getitems__(self, indices):
        idx = np.asarray(indices, dtype=np.intp)
        return tuple(a[idx] for a in self._arrays)

    def __len__(self):
        return self._arrays[0].shape[0]


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order.

    `indices` stays what it was given (a list, range, array or tensor), as in PyTorch, so that scripts can
    save it or add lists to it. Has the batch fast path (`__getitems__`) exactly when `dataset` has it.
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def _index_array(self):
        """`indices` as an intp array, converted once per indices object (and again if its length changes)."""
        cached = self.__dict__.get("_cached_indices")
        if cached is None or cached[0] is not self.indices or len(cached[1]) != len(self.indices):
            cached = (self.indices, np.asarray(self.indices, dtype=np.intp).reshape(-1))
            self._cached_indices = cached
        return cached[1]

    def __getitem__(self, index):
        return self.dataset[int(self._index_array()[index])]

    @property
    def __getitems__(self):
        # A property so that hasattr(subset, "__getitems__") follows the wrapped dataset.
        fetch = self.dataset.__getitems__  # AttributeError when the dataset has no batch access
        return lambda indices: fetch(self._index_array()[np.asarray(indices, dtype=np.intp)])

    def __len__(self):
        return len(self.indices)


def _split_lengths(lengths, n):
    if all(isinstance(x, (int, np.integer)) for x in lengths):
        if any(x < 0 for x in lengths) or sum(lengths) != n:
            raise ValueError(f"random_split: lengths {list(lengths)} must be non-negative and sum to len(dataset)={n}")
        return [int(x) for x in lengths]
    if any(not 0 <= x <= 1 for x in lengths) or not math.isclose(sum(lengths), 1.0):
        raise ValueError(f"random_split: fractions {list(lengths)} must lie in [0, 1] and sum to 1")
    counts = [int(math.floor(n * f)) for f in lengths]
    for i in range(n - sum(counts)):  # hand the remainder out round-robin, as PyTorch does
        counts[i % len(counts)] += 1
    return counts


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping random `Subset`s.

    Args:
        dataset: a map-style dataset.
        lengths: sizes summing to `len(dataset)`, or fractions summing to 1 (remainders go round-robin).
        generator: the Generator for the permutation (default: this thread's default).
    Returns:
        list of `Subset`.
    Raises:
        ValueError: if the lengths do not add up.

    Example:
        >>> train, val = random_split(ds, [0.9, 0.1], generator=np.random.default_rng(0))
    """
    counts = _split_lengths(list(lengths), len(dataset))
    perm = draws.permutation(generator_of(generator), len(dataset)).tolist()  # Python ints, as PyTorch's lists
    bounds = np.cumsum([0] + counts).tolist()
    return [Subset(dataset, perm[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]
