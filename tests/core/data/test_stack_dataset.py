"""StackDataset: tuple and dict samples, the batch fast path, errors, and PyTorch's batches."""
import numpy as np
import pytest

import ddp
from ddp.utils.data import DataLoader, Dataset, StackDataset, TensorDataset


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return np.float32(i * i)

    def __len__(self):
        return self.n


def _batches(lib, keyword):
    images = lib.utils.data.TensorDataset(lib.from_numpy(np.arange(20, dtype=np.float32).reshape(5, 4)))
    labels = lib.utils.data.TensorDataset(lib.from_numpy(np.arange(5)))
    data = lib.utils.data.StackDataset(x=images, y=labels) if keyword else lib.utils.data.StackDataset(images, labels)
    loader = lib.utils.data.DataLoader(data, batch_size=2)
    return data[3], list(loader)


def _plain(obj):
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(v) for v in obj)
    return obj.numpy().tolist()


@pytest.mark.parametrize("keyword", [False, True])
def test_same_samples_and_batches_as_pytorch(keyword):
    torch = pytest.importorskip("torch")
    assert _plain(_batches(ddp, keyword)) == _plain(_batches(torch, keyword))


def test_samples_side_by_side_and_the_fast_path():
    a = TensorDataset(ddp.arange(6.0).view(3, 2))
    pair = StackDataset(a, Squares(3))
    assert len(pair) == 3 and pair[2][1] == 4.0 and pair[2][0][0].tolist() == [4.0, 5.0]
    assert not hasattr(pair, "__getitems__")  # Squares has no batch access: per-sample loading
    assert [b[1].tolist() for b in DataLoader(pair, batch_size=2)] == [[0.0, 1.0], [4.0]]
    both = StackDataset(first=a, second=TensorDataset(ddp.arange(3)))
    assert hasattr(both, "__getitems__")
    batch = next(iter(DataLoader(both, batch_size=3)))
    assert batch["second"][0].tolist() == [0, 1, 2] and batch["first"][0].shape == (3, 2)


@pytest.mark.parametrize("args, kwargs, match", [
    ((), {}, "at least one dataset"),
    ((Squares(2),), {"b": Squares(2)}, "not both"),
    ((Squares(2), Squares(3)), {}, "size mismatch"),
])
def test_bad_arguments(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        StackDataset(*args, **kwargs)
