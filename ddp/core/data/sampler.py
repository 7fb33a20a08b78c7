"""Samplers: iterables of dataset indices (`Sequential`, `Random`, `SubsetRandom`, `WeightedRandom`) and
`BatchSampler`."""
import itertools

import numpy as np

from ddp.core import random_draws as draws
from ddp.core.random import Generator, generator_of
from ddp.core.random_functional import multinomial
from ddp.core.tensor import Tensor


class Sampler:
    """Base class: an iterable of indices with a `__len__`.

    Anything with `__iter__` and `__len__` works where a sampler is expected (e.g.
    `ddp.parallel.DistributedSampler`).
    """

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """Indices 0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """Random indices: a fresh permutation per epoch, or draws with replacement.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw `num_samples` indices independently if True.
        num_samples: how many indices per epoch (default `len(data_source)`); without replacement, more than
            the dataset size chains several permutations.
        generator: a ddp (or numpy) Generator. Without one, each epoch seeds a fresh Generator from a draw
            of the default generator, as PyTorch does, so `ddp.manual_seed` makes runs reproducible and
            gives PyTorch's very order.
    Raises:
        TypeError / ValueError: for a non-bool `replacement` or a non-positive `num_samples`.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement must be a bool, got {replacement!r}")
        if num_samples is not None and (not isinstance(num_samples, (int, np.integer)) or num_samples <= 0):
            raise ValueError(f"RandomSampler: num_samples must be a positive integer, got {num_samples!r}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self):
        return self._indices(len(self.data_source), self.num_samples)

    def _indices(self, n, k):  # a generator function: the draws happen at the first index, as PyTorch's
        gen = self.generator
        if gen is None:
            gen = Generator().manual_seed(int(draws.offsets(generator_of(None), (), 2**63)))
        if self.replacement:  # lazily: num_samples may be far more than fit in memory
            yield from _in_chunks(lambda size: draws.integers(gen, (size,), 0, n), k)
            return
        for start in range(0, k, n) if n else ():
            yield from draws.permutation(gen, n)[:k - start].tolist()

    def __len__(self):
        return self.num_samples


_CHUNK = 32768  # draws per chunk of a lazy sampler: one numpy call each, and bounded memory


def _in_chunks(draw, k):
    """Yield `k` indices, drawing them `_CHUNK` at a time (the stream equals one draw of all `k`)."""
    for start in range(0, k, _CHUNK):
        yield from draw(min(_CHUNK, k - start)).tolist()


class WeightedRandomSampler(Sampler):
    """Indices 0..len(weights)-1 drawn with probability proportional to `weights` (e.g. to balance classes).

    Args:
        weights: a 1-D sequence of non-negative weights (they need not sum to 1).
        num_samples: how many indices per epoch.
        replacement: draw independently (default) or each index at most once.
        generator: a ddp or numpy Generator (default: this thread's default generator at each epoch).
    Raises:
        ValueError: a non-positive `num_samples`, a non-bool `replacement`, or weights that are not 1-D.
        RuntimeError: negative weights, or more samples than weights without replacement.

    Example:
        >>> sampler = WeightedRandomSampler([0.1, 0.9], num_samples=100)
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        w = np.asarray(weights.numpy() if hasattr(weights, "numpy") else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        if np.any(w < 0) or not np.all(np.isfinite(w)) or w.sum() <= 0:
            raise RuntimeError("WeightedRandomSampler: invalid multinomial distribution (weights must be finite, "
                               f"non-negative and not all zero), got {w.tolist()[:8]}")
        if not replacement and num_samples > len(w):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        self.weights, self.num_samples, self.replacement = w, int(num_samples), replacement
        self.generator = generator

    def __iter__(self):
        picks = multinomial(Tensor(self.weights), self.num_samples, self.replacement, generator=self.generator)
        return iter(picks.tolist())  # PyTorch's draws: a multinomial of the float64 weights

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order (a fresh permutation per epoch); `indices` stays as given."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        indices = np.asarray(self.indices, dtype=np.intp).reshape(-1)
        return iter(indices[draws.permutation(generator_of(self.generator), len(indices))].tolist())

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups the indices of `sampler` into lists of `batch_size` (the last one shorter unless `drop_last`).

    Raises:
        ValueError / TypeError: for a non-positive `batch_size` or a non-bool `drop_last`.

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"BatchSampler: batch_size must be a positive integer, got {batch_size!r}")
        if not isinstance(drop_last, bool):
            raise TypeError(f"BatchSampler: drop_last must be a bool, got {drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        while batch := list(itertools.islice(it, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
