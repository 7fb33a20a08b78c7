"""`DistributedSampler`: each rank iterates over its own shard of a dataset's indices."""

import numpy as np

from ..core import random_draws as draws
from ..core.random import Generator
from . import launch


class DistributedSampler:
    """Yield the dataset indices of one rank, PyTorch's layout; shards are disjoint.

    Indices (shuffled by ``randperm(n)`` of a Generator seeded with ``seed + epoch`` when `shuffle`, so
    the very order PyTorch's sampler gives) are padded
    by repeating them from the start until every rank has `num_samples` (or the tail is dropped
    with `drop_last`); rank r takes ``indices[r:total_size:num_replicas]``.

    With ``pad=False`` nothing is repeated or dropped: rank r takes ``indices[r::num_replicas]``,
    so shard sizes may differ by one. Use it for evaluation, where sums and counts reduced over
    ranks must equal the single-process numbers exactly.

    Resuming mid-epoch: since rank r takes every num_replicas-th index, the ranks together have used
    a prefix of the epoch's global order after each has drawn the same number of indices.
    ``state_dict(consumed)`` records that prefix's length; after ``load_state_dict`` the epoch goes on
    with exactly the samples it had left, in the same global order, on any number of ranks.

    Args:
        dataset: anything with ``len()``.
        num_replicas: number of ranks; default ``ddp.parallel.get_world_size()``.
        rank: this rank; default ``ddp.parallel.get_rank()``.
        shuffle: shuffle the indices each epoch (call ``set_epoch`` before each epoch).
        seed: shuffling seed; must be the same on every rank.
        drop_last: drop the tail instead of padding (ignored when it divides evenly).
        pad: False for exact, unequal shards (evaluation); excludes ``drop_last``.

    Example:
        >>> sampler = DistributedSampler(train_set, shuffle=True, seed=0)
        >>> for epoch in range(epochs):
        ...     sampler.set_epoch(epoch)
        ...     for i in sampler: ...
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False, pad=True):
        num_replicas = launch.get_world_size() if num_replicas is None else num_replicas
        rank = launch.get_rank() if rank is None else rank
        if not isinstance(num_replicas, (int, np.integer)) or num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be a positive int, "
                             f"got {num_replicas!r}")
        if not isinstance(rank, (int, np.integer)) or not 0 <= rank < num_replicas:
            raise ValueError(f"DistributedSampler: rank={rank!r} is not in [0, {num_replicas}) "
                             f"for num_replicas={num_replicas}")
        if not pad and drop_last:
            raise ValueError("DistributedSampler: pad=False keeps every sample exactly once, "
                             "so drop_last=True cannot be combined with it")
        self.dataset, self.num_replicas, self.rank = dataset, int(num_replicas), int(rank)
        self.shuffle, self.seed, self.drop_last, self.pad = shuffle, seed, drop_last, pad
        self.epoch = 0
        self.start = 0  # samples of this epoch's global order used before a resume
        self._layout()

    def _layout(self):
        """num_samples (per rank) and total_size of what is left of the epoch from `start`."""
        n = len(self.dataset) - self.start
        if not self.pad:
            self.num_samples = len(range(self.rank, n, self.num_replicas))
            self.total_size = n
        else:
            per_rank = n // self.num_replicas if self.drop_last else -(-n // self.num_replicas)
            self.num_samples = per_rank
            self.total_size = per_rank * self.num_replicas

    def set_epoch(self, epoch):
        """Set the epoch, which seeds the shuffle (``seed + epoch``) so each epoch differs.

        Moving to another epoch drops a resumed position (it belongs to the epoch it was saved in)."""
        if epoch != self.epoch and self.start:
            self.start = 0
            self._layout()
        self.epoch = epoch

    def indices(self):
        """This rank's indices for the current epoch, as an int64 array."""
        n = len(self.dataset)
        order = (draws.permutation(Generator().manual_seed(self.seed + self.epoch), n) if self.shuffle
                 else np.arange(n))
        order = order[self.start:]
        if not self.pad:
            return order[self.rank::self.num_replicas]
        order = np.resize(order, self.total_size)  # repeats from the start, or cuts the tail
        return order[self.rank:self.total_size:self.num_replicas]

    def state_dict(self, consumed=0):
        """Where the epoch stands once every rank has drawn `consumed` indices of it (a plain dict)."""
        if not isinstance(consumed, (int, np.integer)) or not 0 <= consumed <= self.num_samples:
            raise ValueError(f"DistributedSampler.state_dict: consumed={consumed!r} is not in "
                             f"[0, {self.num_samples}], the indices of this rank's epoch")
        position = min(self.start + int(consumed) * self.num_replicas, len(self.dataset))
        return {"epoch": int(self.epoch), "seed": int(self.seed), "shuffle": bool(self.shuffle),
                "dataset_size": len(self.dataset), "position": int(position)}

    def load_state_dict(self, state):
        """Go on from `state` (from `state_dict`, on any number of ranks): the epoch's remaining samples.

        Raises:
            ValueError: if the dataset size, seed or shuffling differ from the saved run's.
        """
        for key, have in (("dataset_size", len(self.dataset)), ("seed", self.seed), ("shuffle", self.shuffle)):
            if state[key] != have:
                raise ValueError(f"DistributedSampler.load_state_dict: the saved {key} is {state[key]!r} "
                                 f"but this sampler's is {have!r}; resume with the same data and settings")
        self.epoch, self.start = int(state["epoch"]), int(state["position"])
        self._layout()

    def __iter__(self):
        return iter(self.indices().tolist())

    def __len__(self):
        return self.num_samples
