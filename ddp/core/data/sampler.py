"""Samplers: iterables of dataset indices (`Sequential`, `Random`, `SubsetRandom`, `WeightedRandom`) and
`BatchSampler`."""
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
        if self.replacement:  # lazily, as PyTorch: num_samples may be far more than fit in memory
            return _in_chunks(lambda size: gen.integers(0, n, size=size), k)
        if k <= n or n == 0:
            return iter(gen.permutation(n)[:k].tolist())
        return _chained_permutations(gen, n, k)

    def __len__(self):
        return self.num_samples


_CHUNK = 32768  # draws per chunk of a lazy sampler: one numpy call each, and bounded memory


def _in_chunks(draw, k):
    """Yield `k` indices, drawing them `_CHUNK` at a time (the stream equals one draw of all `k`)."""
    for start in range(0, k, _CHUNK):
        yield from draw(min(_CHUNK, k - start)).tolist()


def _chained_permutations(gen, n, k):
    for start in range(0, k, n):
        yield from gen.permutation(n)[:k - start].tolist()


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
        gen, p = get_generator(self.generator), self.weights / self.weights.sum()
        if not self.replacement:  # a race of exponential keys: the weighted draws first, then weight-0 indices
            with np.errstate(divide="ignore"):
                keys = np.log(gen.random(len(p))) / p
            return iter(np.argsort(-keys, kind="stable")[:self.num_samples].tolist())
        cdf = np.cumsum(p)
        last = np.flatnonzero(p)[-1]  # where rounding leaves the top of the cdf below a draw
        return _in_chunks(lambda size: np.minimum(np.searchsorted(cdf, gen.random(size), side="right"), last),
                          self.num_samples)

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order (a fresh permutation per epoch); `indices` stays as given."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        indices = np.asarray(self.indices, dtype=np.intp).reshape(-1)
        return iter(indices[get_generator(self.generator).permutation(len(indices))].tolist())

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
