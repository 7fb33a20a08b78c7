"""WeightedRandomSampler, and RandomSampler drawing lazily (num_samples far beyond memory), as PyTorch's."""
import itertools

import numpy as np
import pytest

import ddp
from ddp.utils.data import DataLoader, RandomSampler, TensorDataset, WeightedRandomSampler


def test_weighted_draws_follow_the_weights():
    s = WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=40000, generator=ddp.Generator().manual_seed(0))
    counts = np.bincount(list(s), minlength=3)
    assert len(s) == 40000 and counts[0] == 0 and abs(counts[2] / counts[1] - 3.0) < 0.1


def test_weighted_without_replacement_and_reproducible():
    s = WeightedRandomSampler(ddp.tensor([1.0, 1.0, 5.0, 1.0]), 4, replacement=False,
                              generator=ddp.Generator().manual_seed(1))
    assert sorted(s) == [0, 1, 2, 3]
    ddp.manual_seed(3)
    first = list(WeightedRandomSampler([1, 2, 3], 10))
    ddp.manual_seed(3)
    assert list(WeightedRandomSampler([1, 2, 3], 10)) == first


def test_weighted_errors():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(1, 2\)"):
        WeightedRandomSampler([[1.0, 2.0]], 2)
    with pytest.raises(ValueError, match="replacement should be a boolean value"):
        WeightedRandomSampler([1.0, 2.0], 2, replacement="x")
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
        WeightedRandomSampler([1.0, 2.0], 3, replacement=False)
    with pytest.raises(RuntimeError, match="invalid multinomial distribution"):
        WeightedRandomSampler([-1.0, 2.0], 2)


def test_random_sampler_with_a_huge_num_samples_is_lazy():
    s = RandomSampler(range(10), replacement=True, num_samples=10**12, generator=ddp.Generator().manual_seed(0))
    head = list(itertools.islice(iter(s), 5))
    assert len(s) == 10**12 and all(0 <= i < 10 for i in head)
    chained = RandomSampler(range(3), num_samples=10**12, generator=ddp.Generator().manual_seed(0))
    assert sorted(itertools.islice(iter(chained), 3)) == [0, 1, 2]


def test_lazy_draws_equal_one_draw():
    """Drawing in chunks gives the numbers one draw of all of them would (the stream does not change)."""
    s = RandomSampler(range(7), replacement=True, num_samples=100000, generator=np.random.default_rng(5))
    assert list(s) == np.random.default_rng(5).integers(0, 7, size=100000).tolist()


def test_weighted_sampler_in_a_loader():
    ds = TensorDataset(ddp.arange(4))
    loader = DataLoader(ds, batch_size=8, sampler=WeightedRandomSampler([0, 0, 1, 0], 8))
    assert [b[0].tolist() for b in loader] == [[2] * 8]


def test_same_checks_as_torch():
    torch = pytest.importorskip("torch")
    for args in (([1.0, 2.0], 0), ([[1.0, 2.0]], 2), ([1.0, 2.0], 3, False)):
        with pytest.raises(Exception) as theirs:
            list(torch.utils.data.WeightedRandomSampler(*args))
        with pytest.raises(type(theirs.value)):
            list(WeightedRandomSampler(*args))
    assert len(WeightedRandomSampler([1, 2], 5)) == len(torch.utils.data.WeightedRandomSampler([1, 2], 5))
