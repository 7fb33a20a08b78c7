"""The base of the image datasets held in memory (MNIST and its relatives, CIFAR10): one sample by index,
or a whole batch with one numpy gather and one transform call when the transforms are batch-capable."""
import numpy as np

from ..tensor import Tensor
from .dataset import Dataset


def _batched(transform):
    return transform is None or getattr(transform, "batched", False)


def _array(values):
    """The numpy array of `data` or `targets`: MNIST keeps Tensors (as torchvision), CIFAR10 an array."""
    return values._data if isinstance(values, Tensor) else values


def _ambiguous_grey_batch(data):
    """Whether a batch of `data` (N, H, W) would be read by the transforms as one (H, W, C <= 4) image."""
    return getattr(data, "ndim", 0) == 3 and data.shape[-1] <= 4


class ImageArrayDataset(Dataset):
    """Images in `self.data` (a numpy array or a Tensor, samples first) with labels in `self.targets`,
    transformed by `transform` / `target_transform`; the transforms see numpy images. Subclasses load them in
    `__init__`."""

    data, targets, transform, target_transform = None, None, None, None

    def __getitem__(self, index):
        image, target = _array(self.data)[index], int(_array(self.targets)[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    @property
    def __getitems__(self):
        # A property so that hasattr(ds, "__getitems__") is False when a transform only takes one sample.
        if not (_batched(self.transform) and _batched(self.target_transform)):
            raise AttributeError(
                f"{type(self).__name__}.__getitems__ needs batch-capable transforms (with batched = True)")
        if self.transform is not None and _ambiguous_grey_batch(_array(self.data)):
            raise AttributeError(f"{type(self).__name__}.__getitems__: a batch of grey images at most 4 pixels wide "
                                 f"would read as one image with channels last, so samples go one by one")
        return self._get_batch

    def _get_batch(self, indices):
        idx = np.asarray(indices, dtype=np.intp)
        images, targets = _array(self.data)[idx], self._target_array()[idx]
        if self.transform is not None:
            images = self.transform(images)
        if self.target_transform is not None:
            targets = self.target_transform(targets)
        return images, targets

    def _target_array(self):
        """The labels as an int64 array; a list of labels (CIFAR10's, as torchvision's) is converted once."""
        if isinstance(_array(self.targets), np.ndarray):
            return _array(self.targets)
        cached = getattr(self, "_targets_cache", None)
        if cached is None or cached[0] is not self.targets or len(cached[1]) != len(self.targets):
            cached = self.targets, np.asarray(self.targets, dtype=np.int64)
            self._targets_cache = cached
        return cached[1]

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        return f"{type(self).__name__}(root={str(self.root)!r}, train={self.train}, samples={len(self)})"
