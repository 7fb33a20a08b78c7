"""ConcatDataset: samples in order, negative indices, the batch fast path, and PyTorch's behaviour."""
import numpy as np
import pytest

import ddp
from ddp.utils.data import ConcatDataset, DataLoader, Dataset, TensorDataset


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return np.float32(i * i), i

    def __len__(self):
        return self.n


def test_samples_in_order():
    a = TensorDataset(ddp.arange(3), ddp.arange(3) * 10)
    b = TensorDataset(ddp.arange(3, 5), ddp.arange(3, 5) * 10)
    both = ConcatDataset([a, b])
    assert len(both) == 5 and both.cumulative_sizes == [3, 5]
    assert [int(both[i][0]) for i in range(5)] == [0, 1, 2, 3, 4] and int(both[-1][1]) == 40
    with pytest.raises(ValueError, match="exceeds the length 5"):
        both[-6]
    with pytest.raises(AssertionError, match="should not be an empty iterable"):
        ConcatDataset([])


def test_batch_fast_path_keeps_the_order_asked():
    a = TensorDataset(np.arange(4), np.arange(4) * 10)
    b = TensorDataset(np.arange(4, 9), np.arange(4, 9) * 10)
    both = ConcatDataset([a, b])
    x, y = both.__getitems__([7, 0, 5, 3, 8])
    assert x.tolist() == [7, 0, 5, 3, 8] and y.tolist() == [70, 0, 50, 30, 80]
    assert not hasattr(ConcatDataset([a, Squares(2)]), "__getitems__")
    batches = [b[0].tolist() for b in DataLoader(both, batch_size=4)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8]]


def test_mixed_parts_load_per_sample():
    both = ConcatDataset([Squares(2), Squares(3)])
    assert [both[i][1] for i in range(5)] == [0, 1, 0, 1, 2]
    assert [b[1].tolist() for b in DataLoader(both, batch_size=5)] == [[0, 1, 0, 1, 2]]


def test_same_as_torch():
    torch = pytest.importorskip("torch")
    parts = [np.arange(3), np.arange(3, 7)]
    ours = ConcatDataset([TensorDataset(p) for p in parts])
    theirs = torch.utils.data.ConcatDataset([torch.utils.data.TensorDataset(torch.from_numpy(p)) for p in parts])
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    assert [int(ours[i][0]) for i in range(-7, 7)] == [int(theirs[i][0]) for i in range(-7, 7)]


def test_adding_datasets_concatenates_them():
    a, b = ddp.utils.data.TensorDataset(ddp.arange(3)), ddp.utils.data.TensorDataset(ddp.arange(10, 12))
    both = a + b
    assert isinstance(both, ddp.utils.data.ConcatDataset) and len(both) == 5
    assert [int(both[i][0]) for i in range(5)] == [0, 1, 2, 10, 11]
