"""`DataLoader`: iterate a dataset in batches of Tensors, in the calling process."""
import itertools

from .. import random_draws as draws
from ..random import generator_of
from .collate import default_collate, default_convert
from .iterable import IterableDataset, WorkerInfo, _worker
from .sampler import BatchSampler, RandomSampler, SequentialSampler


class DataLoader:
    """Batches of a dataset, as PyTorch's `DataLoader` with `num_workers=0`.

    With the default collate and a dataset that defines `__getitems__` (TensorDataset, MNIST, their
    Subsets), each batch is one `__getitems__(indices)` call, a single numpy gather with transforms applied
    once per batch (a `__getitems__` that returns a list of samples, PyTorch's contract, is collated).
    Otherwise samples are fetched one by one and passed to `collate_fn` as a list.

    An `IterableDataset` is batched as it streams: `batch_size` consecutive samples per batch (shuffle,
    sampler and batch_sampler do not apply to it), and resuming from `state_dict` skips the samples served.

    Args:
        dataset: a map-style dataset, or an `IterableDataset`.
        batch_size: samples per batch, or None to yield single samples (converted to Tensors).
        shuffle: draw a fresh random order each epoch (a `RandomSampler` using `generator`).
        sampler: an iterable of indices with `__len__` (e.g. `DistributedSampler`); excludes `shuffle`.
        batch_sampler: an iterable of index lists; excludes batch_size, shuffle, sampler and drop_last.
        drop_last: drop the last batch if it is smaller than `batch_size`.
        collate_fn: turns a list of samples into a batch (default `default_collate`).
        generator: the Generator for shuffling and the pass's base seed (default: this thread's default).
        num_workers, pin_memory, timeout, worker_init_fn, multiprocessing_context, prefetch_factor,
            persistent_workers, pin_memory_device, in_order: PyTorch's worker options, checked as PyTorch checks
            them and kept as attributes; batches are always loaded in the calling process (array-backed
            datasets gather a batch in one numpy call). With num_workers > 0 that process reads the dataset
            as its one worker: `get_worker_info()` gives worker 0 of 1 while the dataset is read, and
            `worker_init_fn(0)` runs at the start of each pass (once, with persistent_workers).
    Raises:
        ValueError: for contradictory options, as PyTorch does.

    Example:
        >>> loader = DataLoader(MNIST("data"), batch_size=64, shuffle=True, drop_last=True)
        >>> for images, labels in loader: ...   # images (64, 28, 28) uint8, labels (64,) int64 Tensors
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be a non-negative int, got {num_workers!r}")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing, otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.num_workers, self.pin_memory, self.timeout = num_workers, pin_memory, timeout
        self.worker_init_fn, self.multiprocessing_context = worker_init_fn, multiprocessing_context
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None else prefetch_factor
        self.persistent_workers, self.pin_memory_device, self.in_order = persistent_workers, pin_memory_device, in_order
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, "
                                     f"but got {name}={value!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None (no batching) is incompatible with drop_last=True")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        batched = batch_size is not None if self._iterable else batch_sampler is not None
        self.collate_fn = collate_fn if collate_fn is not None else (default_collate if batched else default_convert)
        self._served = 0  # indices served by the current pass (its position, for state_dict)
        self._skip = 0  # indices the next pass skips (set by load_state_dict)

    def __iter__(self):
        """An iterator over the batches of one pass, with `len()` as PyTorch's has."""
        base_seed = int(draws.offsets(generator_of(self.generator), (), 2**63))  # drawn per pass, as PyTorch's
        return _Pass(self._as_worker(self._batches(), base_seed), self)

    def _as_worker(self, batches, base_seed):
        """`batches` read with this loader's worker info set, when it was asked for workers (see Args)."""
        if self.num_workers == 0:
            yield from batches
            return
        info = WorkerInfo(0, 1, base_seed, self.dataset)  # worker 0's seed: base_seed + 0
        if self.worker_init_fn is not None and not (self.persistent_workers and self._workers_started):
            _worker[0] = info
            try:
                self.worker_init_fn(0)
            finally:
                _worker[0] = None
        self._workers_started = True
        while True:
            _worker[0] = info
            try:
                batch = next(batches)
            except StopIteration:
                return
            finally:
                _worker[0] = None
            yield batch

    def _batches(self):
        if self._iterable:
            yield from self._stream()
            return
        self._served, skip, self._skip = 0, self._skip, 0
        if self.batch_sampler is None:
            for i in self.sampler:
                self._served += 1
                if self._served > skip:
                    yield self.collate_fn(self.dataset[i])
            return
        fetch = getattr(self.dataset, "__getitems__", None)
        if self.collate_fn is not default_collate and not _users(fetch):
            fetch = None  # ddp's own __getitems__ gives a batch, which only default_collate's path reads
        for indices in self.batch_sampler:
            self._served += len(indices)
            if self._served <= skip:
                continue
            if fetch is not None:
                batch = fetch(indices)  # ddp's datasets give a batch; PyTorch's contract, a list of samples
                yield self.collate_fn(batch) if isinstance(batch, list) else default_convert(batch)
            else:
                yield self.collate_fn([self.dataset[i] for i in indices])

    _workers_started = False

    def _stream(self):
        """Batches of an IterableDataset: consecutive samples, after skipping those a resumed pass served."""
        skip, self._skip = self._skip, 0
        samples = itertools.islice(iter(self.dataset), skip, None)
        self._served = skip
        if self.batch_size is None:
            for sample in samples:
                self._served += 1
                yield self.collate_fn(sample)
            return
        while True:
            batch = list(itertools.islice(samples, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            self._served += len(batch)
            yield self.collate_fn(batch)

    def state_dict(self):
        """Where the current pass stands: the indices served so far, and the sampler's own state.

        A sampler with `state_dict(consumed)` (`DistributedSampler`) records the position itself, so the
        run can resume on another number of ranks; any other sampler must draw the same order again on
        resume (a sequential one does; a random one does after `ddp.set_rng_state` of the state saved at
        the start of the epoch), and the loader skips what was served.
        """
        own = getattr(self.sampler, "state_dict", None)  # None for an IterableDataset: no sampler
        return {"served": self._served, "sampler": own(self._served) if callable(own) else None}

    def load_state_dict(self, state):
        """Make the next pass go on from `state` (from `state_dict`)."""
        if state.get("sampler") is not None:
            self.sampler.load_state_dict(state["sampler"])  # the sampler starts where the run stopped
        else:
            self._skip = int(state["served"])

    def __len__(self):
        if self._iterable:  # as PyTorch: from the dataset's length, if it has one (TypeError if not)
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)


def _users(fetch):
    """Whether a dataset's `__getitems__` is a user's (PyTorch's contract: a list of samples for collate_fn)."""
    return fetch is not None and not getattr(fetch, "__module__", "").startswith("ddp.")


class _Pass:
    """One pass over a DataLoader: its batches, and its length (PyTorch's `len(iter(loader))`)."""

    def __init__(self, batches, loader):
        self._batches, self._loader = batches, loader

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._batches)

    def __len__(self):
        return len(self._loader)
