"""`ConcatDataset`: several datasets read as one, in order (torch.utils.data's)."""
import bisect

import numpy as np

from .dataset import Dataset


class ConcatDataset(Dataset):
    """The samples of each of `datasets`, one after another.

    Has the batch fast path (`__getitems__`) exactly when every part has it: a batch is then gathered with one
    call per part it touches, and the pieces put back in the order asked.

    Raises:
        AssertionError: `datasets` is empty (as PyTorch).

    Example:
        >>> both = ConcatDataset([train_a, train_b])
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise ValueError(f"ConcatDataset: absolute value of index {index} exceeds the length {len(self)}")
            index += len(self)
        part = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[part - 1] if part else 0
        return self.datasets[part][index - start]

    @property
    def __getitems__(self):
        # A property so that hasattr(concat, "__getitems__") says whether every part has batch access.
        fetches = [d.__getitems__ for d in self.datasets]  # AttributeError when one part has none
        return lambda indices: self._gather(fetches, np.asarray(indices, dtype=np.intp))

    def _gather(self, fetches, idx):
        ends = np.asarray(self.cumulative_sizes)
        part = np.searchsorted(ends, idx, side="right")
        starts = np.concatenate([[0], ends[:-1]])
        pieces, order = [], []
        for p in np.unique(part):
            where = np.flatnonzero(part == p)
            pieces.append(fetches[p](idx[where] - starts[p]))
            order.append(where)
        inverse = np.argsort(np.concatenate(order), kind="stable")
        return tuple(np.concatenate([piece[k] for piece in pieces])[inverse] for k in range(len(pieces[0])))
