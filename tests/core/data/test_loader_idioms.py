"""Data-loading idioms of real training scripts that depend on PyTorch's details: a worker_init_fn that
opens a file per worker, a user's __getitems__ with a custom collate_fn, container types kept by collation,
len(iter(loader)), weighted sampling without replacement past the nonzero weights."""
import collections

import numpy as np

import ddp
from ddp.utils.data import DataLoader, Dataset, IterableDataset, WeightedRandomSampler, get_worker_info


class Handles(Dataset):
    handle = None

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return self.handle[i]


def test_a_loader_with_workers_reads_as_its_one_worker():
    def open_handle(worker_id):
        info = get_worker_info()
        assert worker_id == 0 and (info.id, info.num_workers) == (0, 1)
        info.dataset.handle = np.arange(8.0) * 10
    loader = DataLoader(Handles(), batch_size=4, num_workers=2, worker_init_fn=open_handle)
    assert [b.tolist() for b in loader] == [[0.0, 10.0, 20.0, 30.0], [40.0, 50.0, 60.0, 70.0]]
    assert get_worker_info() is None  # only while the dataset is read, as in PyTorch's main process

    class Shard(IterableDataset):
        def __iter__(self):
            info = get_worker_info()
            return iter(range(info.id, 6, info.num_workers))
    assert [b.tolist() for b in DataLoader(Shard(), batch_size=4, num_workers=2)] == [[0, 1, 2, 3], [4, 5]]


def test_a_users_getitems_feeds_a_custom_collate_fn():
    class Batched(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            raise AssertionError("PyTorch's loader calls __getitems__ when the dataset has it")

        def __getitems__(self, indices):
            return [ddp.tensor(float(i)) for i in indices]
    loader = DataLoader(Batched(), batch_size=2, collate_fn=lambda xs: sum(x.item() for x in xs))
    assert list(loader) == [1.0, 5.0]


def test_collation_keeps_container_types_and_iterators_have_a_length():
    class AttrDict(dict):
        __getattr__ = dict.__getitem__

    class Row(list):
        pass
    batch = next(iter(DataLoader([AttrDict(x=ddp.ones(2)), AttrDict(x=ddp.zeros(2))], batch_size=2)))
    assert type(batch) is AttrDict and batch.x.shape == (2, 2)
    ordered = next(iter(DataLoader([collections.OrderedDict(b=1, a=2.0)] * 2, batch_size=2)))
    assert type(ordered) is collections.OrderedDict and list(ordered) == ["b", "a"]
    assert type(next(iter(DataLoader([Row([1, 2]), Row([3, 4])], batch_size=2)))) is Row
    assert type(next(iter(DataLoader([(1, 2), (3, 4)], batch_size=2)))) is list  # tuples: a list, as PyTorch's
    assert len(iter(DataLoader(list(range(10)), batch_size=4))) == 3


def test_weighted_sampling_without_replacement_takes_weightless_indices_last():
    assert sorted(WeightedRandomSampler([0.0, 0.0, 1.0, 1.0], 3, replacement=False)) == [0, 2, 3]
    drawn = [next(iter(WeightedRandomSampler([1.0, 2.0, 7.0], 1, replacement=False))) for _ in range(3000)]
    np.testing.assert_allclose(np.bincount(drawn, minlength=3) / 3000, [0.1, 0.2, 0.7], atol=0.03)
