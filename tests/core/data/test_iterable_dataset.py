"""IterableDataset, ChainDataset and get_worker_info, and DataLoader over a stream: batches of consecutive
samples, PyTorch's errors for the options that need indices, its length rule, and resuming a pass."""
import numpy as np
import pytest

import ddp
from ddp.utils.data import ChainDataset, DataLoader, IterableDataset, get_worker_info


class Count(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


class Sized(Count):
    def __len__(self):
        return self.n


class Pairs(IterableDataset):
    """(image, label) samples as numpy arrays, like a stream read from files."""

    def __iter__(self):
        for i in range(5):
            yield np.full((2, 2), i, np.float32), i % 3


def _lists(loader):
    return [b.tolist() if isinstance(b, ddp.Tensor) else b for b in loader]


def test_batches_are_consecutive_samples():
    assert _lists(DataLoader(Count(5), batch_size=2)) == [[0, 1], [2, 3], [4]]
    assert _lists(DataLoader(Count(5), batch_size=2, drop_last=True)) == [[0, 1], [2, 3]]
    assert _lists(DataLoader(Count(3), batch_size=None)) == [0, 1, 2]  # single samples, as they come


def test_tuple_samples_are_collated_like_a_map_style_datasets():
    images, labels = next(iter(DataLoader(Pairs(), batch_size=4)))
    assert images.shape == (4, 2, 2) and images.dtype == np.float32
    assert labels.tolist() == [0, 1, 2, 0] and labels.dtype == np.int64


@pytest.mark.parametrize("option", [dict(shuffle=True), dict(sampler=[0, 1]), dict(batch_sampler=[[0, 1]])])
def test_options_that_need_indices_are_refused(option):
    name = next(iter(option))
    with pytest.raises(ValueError, match=f"DataLoader with IterableDataset: expected unspecified {name} option"):
        DataLoader(Count(5), **option)


def test_length_comes_from_the_dataset_if_it_has_one():
    with pytest.raises(TypeError, match="has no len"):
        len(DataLoader(Count(5), batch_size=2))
    assert len(DataLoader(Sized(5), batch_size=2)) == 3
    assert len(DataLoader(Sized(5), batch_size=2, drop_last=True)) == 2
    assert len(DataLoader(Sized(5), batch_size=None)) == 5
    assert list(DataLoader(Count(4), batch_size=2)) is not None  # list() asks for a length hint and copes


def test_chaining_and_indexing():
    assert list(Count(2) + Count(3)) == [0, 1, 0, 1, 2]
    assert list(ChainDataset([Count(1), Count(2)])) == [0, 0, 1]
    assert len(ChainDataset([Sized(2), Sized(3)])) == 5
    with pytest.raises(TypeError, match="ChainDataset only supports IterableDataset"):
        ChainDataset([Count(1), [1, 2]])
    with pytest.raises(NotImplementedError, match="iterate it instead of indexing"):
        Count(3)[0]
    with pytest.raises(NotImplementedError, match="must define __iter__"):
        iter(IterableDataset())


def test_a_resumed_pass_skips_what_was_served():
    loader = DataLoader(Count(7), batch_size=2)
    it = iter(loader)
    next(it), next(it)
    state = loader.state_dict()
    assert state == {"served": 4, "sampler": None}
    again = DataLoader(Count(7), batch_size=2)
    again.load_state_dict(state)
    assert _lists(again) == [[4, 5], [6]]
    assert _lists(again) == [[0, 1], [2, 3], [4, 5], [6]]  # the pass after starts from the beginning


def test_worker_info_is_none_in_the_loading_process():
    assert get_worker_info() is None


def test_matches_torch():
    torch = pytest.importorskip("torch")

    class TorchCount(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(7))
    for kwargs in (dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)):
        theirs = [b.tolist() if hasattr(b, "tolist") else b for b in torch.utils.data.DataLoader(TorchCount(), **kwargs)]
        assert _lists(DataLoader(Count(7), **kwargs)) == theirs, kwargs
