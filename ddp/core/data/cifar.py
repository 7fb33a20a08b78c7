"""CIFAR-10 in its standard python-batch format ("cifar-10-batches-py"), read without trusting pickle.

Each batch file is a pickled dict {"data": (N, 3072) uint8 array, "labels": [int], ...}. Pickle can run
any code a file names, so the files are read by an Unpickler that resolves only what such a dict needs: the
numpy array and dtype reconstructors and `_codecs.encode` (which protocol 2 uses for bytes). Anything else
in a file is refused with a `DatasetError`.
"""
import pickle
import tarfile
from pathlib import Path

import numpy as np

from .dataset import DatasetError
from .download import download_url
from .vision import ImageArrayDataset

_NUMPY_CORE = "numpy._core" if hasattr(np, "_core") else "numpy.core"
_ALLOWED = {
    ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
    (f"{_NUMPY_CORE}.multiarray", "_reconstruct"), (f"{_NUMPY_CORE}.multiarray", "scalar"),
    (f"{_NUMPY_CORE}.numeric", "_frombuffer"),
}


class _ArrayUnpickler(pickle.Unpickler):
    """Resolves only numpy array reconstruction (and bytes from protocol 2); refuses every other global."""

    def find_class(self, module, name):
        if module.startswith("numpy.core"):  # files pickled by numpy 1.x name numpy.core
            module = _NUMPY_CORE + module[len("numpy.core"):]
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"global {module}.{name} is not allowed in a CIFAR batch")
        return super().find_class(module, name)


def load_batch(path):
    """Read one CIFAR batch file into a dict with str keys, refusing anything but arrays, lists and strings.

    Raises:
        DatasetError: the file is not a readable batch (corrupt, truncated, or naming other code).
    """
    try:
        with open(path, "rb") as f:
            batch = _ArrayUnpickler(f, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as e:
        raise DatasetError(f"{path} is not a readable CIFAR batch ({type(e).__name__}: {e}). Delete the "
                           "cifar-10-batches-py folder and download it again (download=True).") from None
    if not isinstance(batch, dict):
        raise DatasetError(f"{path}: expected a pickled dict, got {type(batch).__name__}")
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in batch.items()}


class CIFAR10(ImageArrayDataset):
    """CIFAR-10: 32x32 colour images of 10 classes, as torchvision's `CIFAR10` but with numpy images.

    Reads `root/cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta}`. `CIFAR10[i]` is
    `(image, label)`: a (32, 32, 3) uint8 array (height, width, RGB, as a PIL image converts) and an int.
    `data` (N, 32, 32, 3) uint8 is a numpy array, `targets` a list of ints, `classes` the names. With
    batch-capable transforms, `__getitems__` gathers and transforms a batch at once (`DataLoader` uses it).

    Args:
        root: the data folder. train: the 50,000 training images if True, else the 10,000 test images.
        transform, target_transform: applied to the image and to the label.
        download: fetch and unpack the archive (MD5-checked) when the folder is missing.
    Raises:
        FileNotFoundError: a batch file is missing and download is False.
        DatasetError: a file is corrupt or holds anything but arrays, lists and strings.

    Example:
        >>> train = CIFAR10("data", train=True, transform=T.Compose([T.RandomCrop(32, padding=4), T.ToTensor()]))
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename, tgz_md5 = "cifar-10-python.tar.gz", "c58f30108f718f92721af3b95e74349a"
    train_list = [f"data_batch_{i}" for i in range(1, 6)]
    test_list = ["test_batch"]
    meta_file, label_key = "batches.meta", "label_names"

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        self.root = Path(root).expanduser()
        self.train, self.transform, self.target_transform = train, transform, target_transform
        folder = self.root / self.base_folder
        names = self.train_list if train else self.test_list
        if download and not all((folder / n).is_file() for n in names):
            self._download()
        images, labels = [], []
        for name in names:
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{type(self).__name__}: {folder / name} not found; pass download=True "
                                        f"to fetch {self.url}, or unpack it into {self.root}")
            batch = load_batch(folder / name)
            data = np.asarray(batch.get("data"))
            got = batch.get("labels", batch.get("fine_labels"))
            shape_ok = data.dtype == np.uint8 and data.ndim == 2 and data.shape[1] == 3072
            if not shape_ok or got is None or len(got) != len(data):
                raise DatasetError(f"{folder / name}: expected 'data' (N, 3072) uint8 and N 'labels', got data "
                                   f"{data.dtype} {data.shape} and {None if got is None else len(got)} labels")
            images.append(data)
            labels.extend(int(v) for v in got)
        self.data = np.concatenate(images).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        self.data = np.ascontiguousarray(self.data)
        self.targets = labels
        meta = folder / self.meta_file
        names = load_batch(meta)[self.label_key] if meta.is_file() else []
        self.classes = [c.decode("latin1") if isinstance(c, bytes) else str(c) for c in names]
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _download(self):
        archive = download_url([self.url], self.root / self.filename, self.tgz_md5)
        with tarfile.open(archive, "r:gz") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(self.root, filter="data")
            else:  # older Pythons: refuse paths that leave root or are links
                for member in tar.getmembers():
                    if member.name.startswith(("/", "..")) or ".." in Path(member.name).parts or member.issym():
                        raise DatasetError(f"{archive}: unsafe member {member.name!r}")
                tar.extractall(self.root)
