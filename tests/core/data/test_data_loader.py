"""Datasets, samplers, collation and DataLoader."""
from collections import namedtuple

import numpy as np
import pytest

from ddp.core.data import (BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler, Subset,
                           SubsetRandomSampler, TensorDataset, default_collate, default_convert, random_split)
from ddp.core.random import manual_seed
from ddp.core.tensor import Tensor


class Squares(Dataset):
    """A plain per-sample dataset (no __getitems__)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return np.full(2, i * i, np.float32), i

    def __len__(self):
        return self.n


def xy(n=10):
    return np.arange(n * 3, dtype=np.float32).reshape(n, 3), np.arange(n) % 4


def as_np(t):
    return t.numpy() if isinstance(t, Tensor) else t


# ---- datasets

def test_tensor_dataset_items_and_batches():
    x, y = xy()
    ds = TensorDataset(x, y)
    assert len(ds) == 10
    a, b = ds[3]
    np.testing.assert_array_equal(a, x[3])
    np.testing.assert_array_equal(b, y[3])
    bx, by = ds.__getitems__([4, 1, 1])
    np.testing.assert_array_equal(bx, x[[4, 1, 1]])
    np.testing.assert_array_equal(by, y[[4, 1, 1]])


def test_tensor_dataset_of_tensors_returns_tensors():
    x, y = xy()
    a, b = TensorDataset(Tensor(x), Tensor(y))[2]
    assert isinstance(a, Tensor) and isinstance(b, Tensor)
    np.testing.assert_array_equal(a.numpy(), x[2])
    assert b.item() == y[2]


def test_tensor_dataset_size_mismatch():
    with pytest.raises(ValueError, match=r"size mismatch.*\(10, 3\).*\(9,\)"):
        TensorDataset(np.zeros((10, 3)), np.zeros(9))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_subset_and_its_fast_path():
    x, y = xy()
    sub = Subset(TensorDataset(x, y), [7, 2, 5])
    assert len(sub) == 3
    np.testing.assert_array_equal(sub[1][0], x[2])
    np.testing.assert_array_equal(sub.__getitems__([0, 2])[1], y[[7, 5]])
    assert not hasattr(Subset(Squares(5), [1, 2]), "__getitems__")  # follows the wrapped dataset
    assert Subset(Squares(5), [1, 3])[1][1] == 3


def test_random_split_lengths_fractions_and_reproducibility():
    ds = TensorDataset(*xy(10))
    parts = random_split(ds, [3, 7], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(np.concatenate([p.indices for p in parts]).tolist()) == list(range(10))
    again = random_split(ds, [3, 7], generator=np.random.default_rng(0))
    np.testing.assert_array_equal(parts[0].indices, again[0].indices)
    assert [len(p) for p in random_split(ds, [0.5, 0.25, 0.25])] == [6, 2, 2]  # remainder round-robin, as PyTorch
    with pytest.raises(ValueError, match="sum to len"):
        random_split(ds, [3, 3])
    with pytest.raises(ValueError, match="sum to 1"):
        random_split(ds, [0.5, 0.4])


def test_dataset_base_requires_getitem():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


# ---- samplers

def test_sequential_and_random_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    s = RandomSampler(range(10), generator=np.random.default_rng(1))
    first, second = list(s), list(s)
    assert sorted(first) == list(range(10)) and first != second  # a fresh permutation each epoch
    assert len(s) == 10


def test_random_sampler_num_samples_and_replacement():
    s = RandomSampler(range(4), num_samples=10, generator=np.random.default_rng(0))
    out = list(s)
    assert len(out) == 10 == len(s) and sorted(out[:4]) == [0, 1, 2, 3] and sorted(out[4:8]) == [0, 1, 2, 3]
    r = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=np.random.default_rng(0)))
    assert len(r) == 50 and set(r) <= {0, 1, 2}
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement"):
        RandomSampler(range(3), replacement=1)


def test_random_sampler_default_generator_follows_manual_seed():
    s = RandomSampler(range(20))
    manual_seed(5)
    a = list(s)
    manual_seed(5)
    assert list(s) == a


def test_subset_random_sampler():
    out = list(SubsetRandomSampler([3, 5, 9], generator=np.random.default_rng(0)))
    assert sorted(out) == [3, 5, 9]


@pytest.mark.parametrize("drop_last, expected", [(False, [[0, 1, 2], [3, 4, 5], [6]]), (True, [[0, 1, 2], [3, 4, 5]])])
def test_batch_sampler(drop_last, expected):
    bs = BatchSampler(SequentialSampler(range(7)), 3, drop_last)
    assert list(bs) == expected and len(bs) == len(expected)


def test_batch_sampler_bad_args():
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(range(3), True, False)
    with pytest.raises(TypeError, match="drop_last"):
        BatchSampler(range(3), 2, 0)


# ---- collate

def test_default_collate_tuples_numbers_and_arrays():
    x, y = default_collate([(np.zeros(3, np.float32), 1), (np.ones(3, np.float32), 2)])
    assert isinstance(x, Tensor) and x.shape == (2, 3) and x.dtype == np.float32
    assert y.dtype == np.int64 and y.numpy().tolist() == [1, 2]
    assert default_collate([1.5, 2.5]).dtype == np.float64  # Python floats are doubles, as PyTorch collates them
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([np.float32(1), np.float32(2)]).dtype == np.float32
    assert default_collate(["a", "b"]) == ["a", "b"]
    stacked = default_collate([Tensor(np.zeros((2, 2))), Tensor(np.ones((2, 2)))])
    assert stacked.shape == (2, 2, 2)


def test_default_collate_dicts_lists_and_namedtuples():
    out = default_collate([{"img": np.zeros(2), "label": 3, "meta": [1, 2]},
                           {"img": np.ones(2), "label": 4, "meta": [3, 4]}])
    assert set(out) == {"img", "label", "meta"}
    assert out["img"].shape == (2, 2) and out["label"].numpy().tolist() == [3, 4]
    assert [m.numpy().tolist() for m in out["meta"]] == [[1, 3], [2, 4]]
    Point = namedtuple("Point", "x y")
    p = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(p, Point) and p.x.numpy().tolist() == [1, 3]


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [1]])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="dtype"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_default_convert_wraps_without_copy():
    a, b = np.zeros((4, 2)), np.arange(4)
    out = default_convert((a, {"b": b}))
    assert isinstance(out, list) and out[0].numpy() is a and out[1]["b"].numpy() is b


# ---- DataLoader

def test_loader_batches_per_sample_dataset():
    loader = DataLoader(Squares(7), batch_size=3)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    x, y = batches[-1]
    assert x.shape == (1, 2) and y.dtype == np.int64 and y.numpy().tolist() == [6]
    np.testing.assert_array_equal(batches[0][0].numpy()[:, 0], [0, 1, 4])


@pytest.mark.parametrize("drop_last", [False, True])
def test_loader_len_and_drop_last(drop_last):
    loader = DataLoader(TensorDataset(*xy(10)), batch_size=4, drop_last=drop_last)
    sizes = [len(b[0]) for b in loader]
    assert sizes == ([4, 4] if drop_last else [4, 4, 2]) and len(loader) == len(sizes)


def test_loader_fast_path_matches_per_sample_path():
    x, y = xy(10)
    fast = list(DataLoader(TensorDataset(x, y), batch_size=4))
    slow = list(DataLoader(TensorDataset(x, y), batch_size=4, collate_fn=lambda s: default_collate(s)))
    for (fx, fy), (sx, sy) in zip(fast, slow):
        np.testing.assert_array_equal(fx.numpy(), sx.numpy())
        np.testing.assert_array_equal(fy.numpy(), sy.numpy())
        assert fy.dtype == sy.dtype


def test_loader_calls_getitems_once_per_batch():
    calls = []

    class Counted(TensorDataset):
        def __getitem__(self, i):
            raise AssertionError("the per-sample path must not be used")

        def __getitems__(self, indices):
            calls.append(list(indices))
            return super().__getitems__(indices)

    loader = DataLoader(Counted(*xy(10)), batch_size=4, shuffle=True, generator=np.random.default_rng(0))
    assert len(list(loader)) == 3 and len(calls) == 3
    assert sorted(sum(calls, [])) == list(range(10))


def test_loader_shuffle_reproducible_with_seeded_generator():
    ds = TensorDataset(np.arange(50))

    def epoch(gen):
        return np.concatenate([b[0].numpy() for b in DataLoader(ds, batch_size=8, shuffle=True, generator=gen)])

    a, b = epoch(np.random.default_rng(3)), epoch(np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert sorted(a.tolist()) == list(range(50)) and not np.array_equal(a, np.arange(50))
    loader = DataLoader(ds, batch_size=50, shuffle=True, generator=np.random.default_rng(3))
    e1, e2 = (next(iter(loader))[0].numpy() for _ in range(2))
    assert not np.array_equal(e1, e2)  # each epoch reshuffles


def test_loader_custom_sampler_and_batch_sampler():
    ds = TensorDataset(np.arange(6))
    out = [b[0].numpy().tolist() for b in DataLoader(ds, batch_size=2, sampler=[5, 4, 3, 2, 1, 0])]
    assert out == [[5, 4], [3, 2], [1, 0]]
    loader = DataLoader(ds, batch_sampler=[[0, 5], [1]])
    assert [b[0].numpy().tolist() for b in loader] == [[0, 5], [1]] and len(loader) == 2
    assert loader.batch_size is None


def test_loader_without_batching():
    loader = DataLoader(Squares(3), batch_size=None)
    items = list(loader)
    assert len(loader) == 3 and isinstance(items[0][0], Tensor) and items[2][1] == 2


def test_loader_option_errors():
    ds = TensorDataset(np.arange(6))
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
    for kwargs in ({"batch_size": 2}, {"shuffle": True}, {"sampler": [0]}, {"drop_last": True}):
        with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
            DataLoader(ds, batch_sampler=[[0]], **kwargs)
    with pytest.raises(ValueError, match="drop_last"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds, batch_size=0)


def test_loader_over_tensor_inputs_yields_tensors():
    x, y = xy(6)
    bx, by = next(iter(DataLoader(TensorDataset(Tensor(x), Tensor(y)), batch_size=4)))
    assert isinstance(bx, Tensor) and bx.shape == (4, 3) and by.numpy().tolist() == y[:4].tolist()


def test_pytorch_worker_options_are_accepted_and_load_in_process():
    from ddp.data import DataLoader, TensorDataset
    import ddp

    ds = TensorDataset(ddp.arange(10), ddp.arange(10) * 2)
    loader = DataLoader(ds, batch_size=4, num_workers=2, pin_memory=True, persistent_workers=True)
    assert [x.tolist() for x, _ in loader] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    with pytest.raises(ValueError, match="num_workers must be a non-negative int"):
        DataLoader(ds, num_workers=-1)


def test_worker_options_are_checked_and_kept_as_pytorch():
    ds = TensorDataset(np.arange(6))
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified in multiprocessing"):
        DataLoader(ds, prefetch_factor=2)
    with pytest.raises(ValueError, match="timeout option should be non-negative"):
        DataLoader(ds, timeout=-1)
    with pytest.raises(TypeError):
        DataLoader(ds, num_worker=2)  # a typo is an error, as in PyTorch
    loader = DataLoader(ds, 2, False, None, None, 3, None, True, True)  # PyTorch's positional order
    assert (loader.num_workers, loader.pin_memory, loader.drop_last, loader.prefetch_factor) == (3, True, True, 2)
    assert len(loader) == 3 and loader.timeout == 0 and loader.worker_init_fn is None
    assert not loader.persistent_workers and loader.pin_memory_device == "" and loader.in_order
    assert DataLoader(ds).prefetch_factor is None


def test_subset_indices_stay_as_given_and_random_split_gives_lists():
    import json

    x, y = xy(10)
    parts = random_split(TensorDataset(x, y), [0.7, 0.3], generator=np.random.default_rng(0))
    assert all(type(p.indices) is list and all(type(i) is int for i in p.indices) for p in parts)
    json.dumps(parts[0].indices)  # a script can save its split
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    sub = Subset(TensorDataset(x, y), range(2, 6))
    assert sub.indices == range(2, 6) and as_np(sub[1][0]).tolist() == x[3].tolist()
    sub.indices = [9, 0]  # reassigned: batches follow
    bx, by = next(iter(DataLoader(sub, batch_size=2)))
    assert as_np(bx).tolist() == x[[9, 0]].tolist() and len(sub) == 2
    sampler = SubsetRandomSampler([5, 7, 9], generator=np.random.default_rng(1))
    assert sampler.indices == [5, 7, 9] and sorted(sampler) == [5, 7, 9]


def test_subset_indices_match_pytorch_types():
    torch = pytest.importorskip("torch")
    ours = random_split(range(10), [0.5, 0.5])[0].indices
    theirs = torch.utils.data.random_split(range(10), [0.5, 0.5])[0].indices
    assert type(ours) is type(theirs) and type(ours[0]) is type(theirs[0])


def test_distributed_sampler_under_torch_utils_data_paths():
    import ddp

    assert ddp.utils.data.DistributedSampler is ddp.utils.data.distributed.DistributedSampler
    assert list(ddp.utils.data.DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False)) == [1, 3, 0]


def test_a_getitems_that_returns_samples_is_collated():
    """PyTorch's __getitems__ returns a list of samples, which the loader collates (ddp's own give batches)."""
    class Pairs(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return Tensor(np.array([float(i), 2.0 * i])), i

        def __getitems__(self, indices):
            return [self[i] for i in indices]

    batches = list(DataLoader(Pairs(), batch_size=2))
    x, y = batches[1]
    assert x.tolist() == [[2.0, 4.0], [3.0, 6.0]] and y.tolist() == [2, 3]
