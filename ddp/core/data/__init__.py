"""Data loading, as `torch.utils.data` plus torchvision's datasets (MNIST, FashionMNIST, KMNIST, CIFAR10,
FakeData, ImageFolder/DatasetFolder), transforms (PIL images too, with Pillow installed), utils (`make_grid`,
`save_image`), `ops` (torchvision.ops' box operations and NMS) and `io` (`read_image`, `write_png`, ...); importable
as `ddp.data`.

Array-backed datasets (`TensorDataset`, `MNIST`, their `Subset`s) define `__getitems__(indices)`, so that
`DataLoader` gathers each batch with one numpy index and transforms it once, with no loop per sample.
"""
from . import io, ops, transforms, utils
from .cifar import CIFAR10
from .collate import default_collate, default_convert
from .concat import ConcatDataset
from .dataloader import DataLoader
from .dataset import Dataset, DatasetError, Subset, TensorDataset, random_split
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .idx import read_idx, write_idx
from .iterable import ChainDataset, IterableDataset, get_worker_info
from .mnist import KMNIST, MNIST, FashionMNIST, make_split
from .stack import StackDataset
from .sampler import (
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler,
)

__all__ = ["transforms", "default_collate", "default_convert", "DataLoader", "Dataset", "DatasetError", "Subset",
           "TensorDataset", "random_split", "read_idx", "write_idx", "MNIST", "make_split", "BatchSampler",
           "RandomSampler", "Sampler", "SequentialSampler", "SubsetRandomSampler", "ConcatDataset",
           "WeightedRandomSampler"]
__all__ += ["utils", "ops", "io", "CIFAR10", "FakeData", "FashionMNIST", "KMNIST", "IterableDataset", "ChainDataset",
            "get_worker_info", "StackDataset", "DatasetFolder", "ImageFolder"]


def __getattr__(name):
    """`DistributedSampler` and the `distributed` submodule, as torch.utils.data has them; imported on first use
    (they live in ddp.parallel, which imports this package). And torchvision's `datasets` (this package itself)
    and `models` (ddp.models), so that a script written `import torchvision; torchvision.datasets.MNIST(...)`
    runs with `import ddp.data as torchvision`."""
    import importlib

    if name == "datasets":
        return importlib.import_module(__name__)
    if name == "models":
        return importlib.import_module("ddp.models")
    if name in ("distributed", "DistributedSampler"):
        distributed = importlib.import_module(f"{__name__}.distributed")
        return distributed if name == "distributed" else distributed.DistributedSampler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
