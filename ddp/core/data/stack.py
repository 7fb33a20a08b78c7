"""`StackDataset`: several datasets of one length read side by side (torch.utils.data's)."""
from .dataset import Dataset


class StackDataset(Dataset):
    """Sample i is (a[i], b[i], ...) for `StackDataset(a, b, ...)`, or {"image": a[i], "text": b[i]} for
    `StackDataset(image=a, text=b)`: inputs and targets kept in separate datasets, served together.

    Has the batch fast path (`__getitems__`) exactly when every part has it.

    Raises:
        ValueError: no datasets, both positional and keyword ones, or datasets of different lengths.
    """

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("StackDataset: give the datasets either positionally (tuple samples) or by keyword "
                             "(dict samples), not both")
        if not args and not kwargs:
            raise ValueError("StackDataset: at least one dataset should be passed")
        self.datasets = args if args else kwargs
        parts = args if args else tuple(kwargs.values())
        lengths = {len(d) for d in parts}
        if len(lengths) > 1:
            raise ValueError(f"StackDataset: size mismatch between datasets (lengths {[len(d) for d in parts]})")
        self._length = lengths.pop()

    def __len__(self):
        return self._length

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {name: d[index] for name, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    @property
    def __getitems__(self):
        # A property so that hasattr(stack, "__getitems__") says whether every part has batch access.
        if isinstance(self.datasets, dict):
            fetches = {name: d.__getitems__ for name, d in self.datasets.items()}  # AttributeError if one lacks it
            return lambda indices: {name: fetch(indices) for name, fetch in fetches.items()}
        fetches = [d.__getitems__ for d in self.datasets]
        return lambda indices: tuple(fetch(indices) for fetch in fetches)
