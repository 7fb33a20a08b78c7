"""Samplers: iterables of dataset indices (`Sequential`, `Random`, `SubsetRandom`) and `BatchSampler`."""
import itertools

import numpy as np

from ddp.core.random import get_generator


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
        generator: numpy Generator; default `ddp.core.random.get_generator()`, looked up at each epoch so
            that `ddp.manual_seed` makes runs reproducible.
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
        n, k = len(self.data_source), self.num_samples
        gen = get_generator(self.generator)
        if self.replacement:
            idx = gen.integers(0, n, size=k)
        else:
            idx = np.concatenate([gen.permutation(n) for _ in range(-(-k // n))])[:k] if n else np.empty(0, int)
        return iter(idx.tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order (a fresh permutation per epoch)."""

    def __init__(self, indices, generator=None):
        self.indices = np.asarray(indices, dtype=np.intp).reshape(-1)
        self.generator = generator

    def __iter__(self):
        return iter(self.indices[get_generator(self.generator).permutation(len(self.indices))].tolist())

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
