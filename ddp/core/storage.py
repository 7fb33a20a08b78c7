"""Storages, as PyTorch shows the memory under a tensor: `x.untyped_storage()` (the bytes) and the deprecated
`x.storage()` (the same memory as elements of x's dtype). ddp's memory is numpy's: a storage is the array that
owns the memory a tensor views, so two tensors share memory exactly when their storages' `data_ptr()` agree
(what checkpoint writers ask before saving shared weights)."""
import warnings

import numpy as np

from .device import CPU
from .ops.strided import address


class UntypedStorage:
    """The bytes of the array `root` (a tensor's memory owner)."""

    device = CPU

    def __init__(self, root):
        self._root = root

    def data_ptr(self):
        """The address of the first byte (0 when empty, as PyTorch)."""
        return int(address(self._root)) if self._root.nbytes else 0

    def nbytes(self):
        return int(self._root.nbytes)

    size = nbytes

    def __len__(self):
        return self.nbytes()

    def element_size(self):
        return 1

    def tolist(self):
        return np.ascontiguousarray(self._root).view(np.uint8).ravel().tolist()

    def __repr__(self):
        return f"UntypedStorage(device=cpu, nbytes={self.nbytes()})"


class TypedStorage(UntypedStorage):
    """The same memory as elements of `dtype` (PyTorch's deprecated TypedStorage)."""

    def __init__(self, root, dtype):
        super().__init__(root)
        self.dtype = np.dtype(dtype)

    def size(self):
        return self.nbytes() // self.dtype.itemsize

    def __len__(self):
        return self.size()

    def element_size(self):
        return self.dtype.itemsize

    def tolist(self):
        return np.ascontiguousarray(self._root).view(np.uint8).ravel().view(self.dtype).tolist()

    def untyped(self):
        return UntypedStorage(self._root)

    def __repr__(self):
        return f"TypedStorage(dtype={self.dtype}, device=cpu, size={self.size()})"


def typed_storage(root, dtype):
    warnings.warn("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the only "
                  "storage class. To access UntypedStorage directly, use tensor.untyped_storage() instead of "
                  "tensor.storage()", UserWarning, stacklevel=3)
    return TypedStorage(root, dtype)
