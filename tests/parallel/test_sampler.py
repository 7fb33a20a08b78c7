"""DistributedSampler: PyTorch's layout, disjoint covering shards, epochs, exact evaluation."""

import numpy as np
import pytest

import ddp
import ddp.parallel as dp
from ddp.parallel import DistributedSampler

SIZES = [0, 1, 3, 10, 11, 12, 17]


def shards(n, replicas, **kw):
    return [list(DistributedSampler(range(n), replicas, r, **kw)) for r in range(replicas)]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
def test_padded_shards_are_equal_and_cover(n, replicas):
    parts = shards(n, replicas, seed=3)
    total = -(-n // replicas) * replicas
    assert {len(p) for p in parts} == {-(-n // replicas)}
    assert all(type(i) is int for p in parts for i in p)
    flat = [i for p in parts for i in p]
    assert len(flat) == total and set(flat) == set(range(n))
    if total <= 2 * n:  # each index appears at most twice (padding repeats the start)
        assert max(np.bincount(flat, minlength=1)) <= 2


@pytest.mark.parametrize("n", [1, 3, 10, 11, 17])
@pytest.mark.parametrize("replicas", [2, 3, 4])
def test_padding_repeats_the_start_of_the_epochs_order(n, replicas):
    """The padded order is the epoch's permutation followed by its first elements (cyclically), dealt out
    round-robin: a reference built from the one-replica order, independent of torch."""
    one = DistributedSampler(range(n), 1, 0, seed=3)
    one.set_epoch(2)
    order = list(one)
    assert sorted(order) == list(range(n))
    total = -(-n // replicas) * replicas
    padded = (order * (total // n + 1))[:total]
    for r in range(replicas):
        sampler = DistributedSampler(range(n), replicas, r, seed=3)
        sampler.set_epoch(2)
        assert list(sampler) == padded[r::replicas]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("replicas", [2, 3, 4])
def test_drop_last_gives_disjoint_shards(n, replicas):
    parts = shards(n, replicas, drop_last=True)
    flat = [i for p in parts for i in p]
    assert {len(p) for p in parts} == {n // replicas}
    assert len(set(flat)) == len(flat) == n // replicas * replicas


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
def test_unpadded_shards_partition_exactly(n, replicas):
    parts = shards(n, replicas, pad=False, seed=5)
    flat = [i for p in parts for i in p]
    assert sorted(flat) == list(range(n))
    assert [len(p) for p in parts] == [len(DistributedSampler(range(n), replicas, r, pad=False))
                                      for r in range(replicas)]


def test_layout_without_shuffle():
    assert shards(10, 4, shuffle=False) == [[0, 4, 8], [1, 5, 9], [2, 6, 0], [3, 7, 1]]
    assert shards(10, 4, shuffle=False, drop_last=True) == [[0, 4], [1, 5], [2, 6], [3, 7]]
    assert shards(2, 3, shuffle=False) == [[0], [1], [0]]
    assert shards(1, 4, shuffle=False) == [[0], [0], [0], [0]]
    assert shards(10, 4, shuffle=False, pad=False) == [[0, 4, 8], [1, 5, 9], [2, 6], [3, 7]]


def test_shuffle_uses_seed_plus_epoch():
    s = DistributedSampler(range(9), 3, 1, seed=4)
    s.set_epoch(2)
    perm = ddp.randperm(9, generator=ddp.Generator().manual_seed(6)).numpy()
    assert list(s) == perm[1::3].tolist()


@pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (10, 3, True), (7, 4, False), (100, 2, False)])
def test_shuffled_shards_are_pytorchs(n, replicas, drop_last):
    """The same seed and epoch give every rank the very indices PyTorch's DistributedSampler gives it."""
    torch = pytest.importorskip("torch")
    from torch.utils.data import DistributedSampler as TorchSampler
    for rank in range(replicas):
        ours = DistributedSampler(range(n), replicas, rank, seed=5, drop_last=drop_last)
        theirs = TorchSampler(range(n), replicas, rank, seed=5, drop_last=drop_last)
        for epoch in (0, 3):
            ours.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(ours) == list(theirs)


def test_set_epoch_reshuffles_and_seed_reproduces():
    a = DistributedSampler(range(100), 2, 0, seed=7)
    b = DistributedSampler(range(100), 2, 0, seed=7)
    first = list(a)
    a.set_epoch(1)
    assert list(a) != first and sorted(a) != sorted(first)  # another shard of the data
    assert list(b) == first  # same seed, same epoch, same order
    b.set_epoch(1)
    assert list(b) == list(a)
    assert list(DistributedSampler(range(100), 2, 0, seed=8)) != first


@pytest.mark.parametrize("n,replicas", [(10, 4), (7, 3), (3, 4), (16, 4)])
@pytest.mark.parametrize("kw", [{}, {"drop_last": True}, {"shuffle": False}])
def test_matches_torch_layout(n, replicas, kw):
    """Same index layout as torch's sampler, given torch's own permutation."""
    torch = pytest.importorskip("torch")
    from torch.utils.data import DistributedSampler as TorchSampler
    for r in range(replicas):
        ref = TorchSampler(range(n), replicas, r, seed=0, **kw)
        ours = DistributedSampler(range(n), replicas, r, **{**kw, "shuffle": False})
        order = (torch.randperm(n, generator=torch.Generator().manual_seed(0)).tolist()
                 if kw.get("shuffle", True) else list(range(n)))
        assert len(ours) == len(ref)
        assert [order[i] for i in ours] == list(ref)


def test_defaults_come_from_the_communicator():
    def run():
        s = DistributedSampler(range(10), shuffle=False)
        return s.num_replicas, s.rank, list(s)
    got = dp.spawn(run, world_size=2)
    assert got == [(2, 0, [0, 2, 4, 6, 8]), (2, 1, [1, 3, 5, 7, 9])]


def test_unpadded_evaluation_is_exact_across_ranks():
    """Sums and counts over pad=False shards reduce to the single-process accuracy exactly."""
    correct = np.random.default_rng(0).random(103) < 0.7

    def run():
        comm = dp.init()
        idx = DistributedSampler(range(len(correct)), pad=False, seed=1).indices()
        stats = np.array([correct[idx].sum(), len(idx)], np.int64)
        return comm.allreduce(stats)
    for stats in dp.spawn(run, world_size=4):
        assert stats[0] / stats[1] == correct.mean() and stats[1] == 103


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"rank=4 is not in \[0, 4\)"):
        DistributedSampler(range(5), num_replicas=4, rank=4)
    with pytest.raises(ValueError, match=r"rank=-1"):
        DistributedSampler(range(5), num_replicas=2, rank=-1)
    with pytest.raises(ValueError, match="num_replicas must be a positive int"):
        DistributedSampler(range(5), num_replicas=0, rank=0)
    with pytest.raises(ValueError, match="pad=False"):
        DistributedSampler(range(5), 2, 0, pad=False, drop_last=True)
