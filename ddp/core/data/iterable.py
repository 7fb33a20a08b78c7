"""Iterable-style datasets: `IterableDataset` (a stream of samples, no indices), `ChainDataset`, and
`get_worker_info`. A stream suits data that is read in order (lines of files, a generator, a socket) or
that has no length; `DataLoader` batches consecutive samples of it."""
import itertools

from .dataset import Dataset


class IterableDataset(Dataset):
    """A dataset that is iterated, not indexed: subclasses define `__iter__` (and may define `__len__`).

    `a + b` chains two of them. With `DataLoader`, shuffle, sampler and batch_sampler do not apply: the
    loader takes `batch_size` consecutive samples per batch.

    Example:
        >>> class Lines(IterableDataset):
        ...     def __iter__(self): return (int(s) for s in open("numbers.txt"))
        >>> for batch in DataLoader(Lines(), batch_size=32): ...
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} is an IterableDataset: iterate it instead of indexing")

    def __len__(self):  # a stream has no length unless a subclass gives one: TypeError, as len() of any object
        raise TypeError(f"object of type {type(self).__name__!r} has no len()")

    def __add__(self, other):
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The samples of several iterable datasets, one after the other; its length is their summed length."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset only supports IterableDataset, got {type(d).__name__}")

    def __iter__(self):
        return itertools.chain.from_iterable(self.datasets)

    def __len__(self):
        return sum(len(d) for d in self.datasets)


class WorkerInfo:
    """PyTorch's description of a loader worker: `id`, `num_workers`, `seed` and `dataset`."""

    def __init__(self, id, num_workers, seed, dataset):  # noqa: A002 - PyTorch's name
        self.id, self.num_workers, self.seed, self.dataset = id, num_workers, seed, dataset

    def __repr__(self):
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, dataset={self.dataset!r})"


_worker = [None]  # the WorkerInfo while a DataLoader with num_workers > 0 reads its dataset, else None


def get_worker_info():
    """Which loader worker this is. ddp loads in the calling process: a DataLoader asked for workers reads
    its dataset as its one worker (id 0 of 1, `worker_init_fn(0)` called first), so that code which opens a
    file per worker or splits a stream among workers runs, reading everything once; None elsewhere, as in
    PyTorch's main process."""
    return _worker[0]
