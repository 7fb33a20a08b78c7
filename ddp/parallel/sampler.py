"""`DistributedSampler`: each rank iterates over its own shard of a dataset's indices."""

import numpy as np

from . import launch


class DistributedSampler:
    """Yield the dataset indices of one rank, PyTorch's layout; shards are disjoint.

    Indices (shuffled with ``np.random.default_rng(seed + epoch)`` when `shuffle`) are padded
    by repeating them from the start until every rank has `num_samples` (or the tail is dropped
    with `drop_last`); rank r takes ``indices[r:total_size:num_replicas]``.

    With ``pad=False`` nothing is repeated or dropped: rank r takes ``indices[r::num_replicas]``,
    so shard sizes may differ by one. Use it for evaluation, where sums and counts reduced over
    ranks must equal the single-process numbers exactly.

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
        n = len(dataset)
        if not pad:
            self.num_samples = len(range(self.rank, n, self.num_replicas))
            self.total_size = n
        else:
            per_rank = n // self.num_replicas if drop_last else -(-n // self.num_replicas)
            self.num_samples = per_rank
            self.total_size = per_rank * self.num_replicas

    def set_epoch(self, epoch):
        """Set the epoch, which seeds the shuffle (``seed + epoch``) so each epoch differs."""
        self.epoch = epoch

    def indices(self):
        """This rank's indices for the current epoch, as an int64 array."""
        n = len(self.dataset)
        order = (np.random.default_rng(self.seed + self.epoch).permutation(n) if self.shuffle
                 else np.arange(n))
        if not self.pad:
            return order[self.rank::self.num_replicas]
        order = np.resize(order, self.total_size)  # repeats from the start, or cuts the tail
        return order[self.rank:self.total_size:self.num_replicas]

    def __iter__(self):
        return iter(self.indices().tolist())

    def __len__(self):
        return self.num_samples
