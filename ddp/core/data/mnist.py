"""MNIST and its drop-in relatives FashionMNIST and KMNIST: the four standard IDX files, found on disk or
downloaded, fully checked. The relatives differ only in mirrors, checksums, class names and folder."""
import gzip
import os
from pathlib import Path

import numpy as np

from ..tensor import Tensor
from .dataset import DatasetError
from .download import download_url
from .files import atomic_write
from .idx import read_idx, write_idx
from .vision import ImageArrayDataset

IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049


class MNIST(ImageArrayDataset):
    """MNIST handwritten digits, as torchvision's `MNIST` but with numpy images.

    Looks for `{train,t10k}-{images-idx3,labels-idx1}-ubyte`, raw or `.gz`, in `root` and then in
    `root/MNIST/raw`. Files on disk may hold any number of samples. `MNIST[i]` is `(image, label)`: a
    (28, 28) uint8 array and an int. `data` (N, 28, 28) uint8 and `targets` (N,) int64 are numpy arrays.

    With batch-capable transforms (every `ddp.data.transforms` class), `__getitems__` gathers a batch
    with one fancy-index and transforms it once; `DataLoader` uses that.

    Args:
        root: the data folder.
        train: the 60,000-image training split if True, else the 10,000-image test split.
        download: fetch missing files of this split from `mirrors` (or the comma-separated URLs in the
            environment variable DDP_MNIST_MIRROR; DDP_FASHIONMNIST_MIRROR for FashionMNIST...) into
            `root/MNIST/raw` (`root/FashionMNIST/raw`, ...), checking the published MD5s.
        transform: applied to the image (or to the batch of images in `__getitems__`).
        target_transform: applied to the label (or to the int64 array of labels).
    Raises:
        FileNotFoundError: a file is missing and `download` is False.
        DatasetError: a file is truncated or corrupt, its header disagrees with its data, images and labels
            disagree, or every mirror failed; the message names the file and the fix.

    Example:
        >>> train = MNIST("data", train=True, download=True, transform=T.Compose([T.ToTensor()]))
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    md5 = {"train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",  # of the .gz files
           "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
           "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
           "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c"}
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, download=False, transform=None, target_transform=None):
        self.root = Path(root).expanduser()
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        split = "train" if train else "t10k"
        image_file = self._locate(f"{split}-images-idx3-ubyte", download)
        label_file = self._locate(f"{split}-labels-idx1-ubyte", download)
        self.data = Tensor(load_images(image_file))  # uint8 (N, 28, 28) and int64 (N,) Tensors, as torchvision's
        self.targets = Tensor(load_labels(label_file))
        if len(self.data) != len(self.targets):
            raise DatasetError(f"{type(self).__name__}: {image_file} holds {len(self.data)} images but "
                               f"{label_file} holds {len(self.targets)} labels; delete both and download them "
                               "again (download=True).")

    @property
    def raw_folder(self):
        return self.root / type(self).__name__ / "raw"

    def _locate(self, name, download):
        folders = [self.root, self.raw_folder]
        for path in (d / n for d in folders for n in (name, name + ".gz")):
            if path.is_file():
                return path
        if not download:
            raise FileNotFoundError(
                f"{type(self).__name__}: {name} (or {name}.gz) not found in {folders[0]} or {folders[1]}; "
                "pass download=True to fetch it, or put the file there (scripts/make_offline_mnist.py builds a "
                "small offline copy).")
        env = f"DDP_{type(self).__name__.upper()}_MIRROR"
        mirrors = os.environ[env].split(",") if os.environ.get(env) else self.mirrors
        urls = [m.rstrip("/") + f"/{name}.gz" for m in mirrors]
        gz = download_url(urls, self.raw_folder / f"{name}.gz", self.md5[name])
        with gzip.open(gz, "rb") as f:  # keep a decompressed copy too, so later loads skip gunzip
            atomic_write(self.raw_folder / name, f.read())
        return self.raw_folder / name


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28x28 grey images of 10 kinds of clothing, in MNIST's files and layout.
    Arguments as `MNIST`; downloads go to `root/FashionMNIST/raw`."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    md5 = {"train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
           "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
           "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
           "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310"}
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 28x28 grey images of 10 cursive Japanese characters, in MNIST's files and layout.
    Arguments as `MNIST`; downloads go to `root/KMNIST/raw`."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    md5 = {"train-images-idx3-ubyte": "bdb82020997e1d708af4cf47b453dcf7",
           "train-labels-idx1-ubyte": "e144d726b3acfaa3e44228e80efcd344",
           "t10k-images-idx3-ubyte": "5c965bf0a639b31b8f53240b1b52f4d7",
           "t10k-labels-idx1-ubyte": "7320c461ea6c1c855c0b718fb2a4b134"}
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


def _fix_hint(path):
    return f"Delete {path} and download it again (MNIST(..., download=True))."


def load_images(path):
    """Read an MNIST images file into an (N, 28, 28) uint8 array, checking its magic number and shape."""
    images = read_idx(path, IMAGES_MAGIC, _fix_hint(path))
    if images.shape[1:] != (28, 28):
        raise DatasetError(f"{path}: images of shape {images.shape[1:]}, expected (28, 28). {_fix_hint(path)}")
    return images


def load_labels(path):
    """Read an MNIST labels file into an (N,) int64 array, checking its magic number and values."""
    labels = read_idx(path, LABELS_MAGIC, _fix_hint(path))
    if labels.size and labels.max() > 9:
        raise DatasetError(f"{path}: label {labels.max()} is not a digit 0-9. {_fix_hint(path)}")
    return labels.astype(np.int64)


def make_split(src, out, n_train=8000, n_test=2000):
    """Build a small real MNIST in `out/MNIST/raw` from the test files in `src` (no train images needed).

    The first `n_train` test images and labels become `train-*`, the last `n_test` become `t10k-*`, gzipped,
    under the standard names, so that `MNIST(out)` loads them.

    Returns:
        `out` as a Path.
    Raises:
        ValueError: if the two parts would overlap.
    """
    src, out = Path(src), Path(out)
    def source(name):  # the .gz if present, else the raw file (whose absence read_idx reports)
        return src / f"{name}.gz" if (src / f"{name}.gz").is_file() else src / name

    images = load_images(source("t10k-images-idx3-ubyte"))
    labels = load_labels(source("t10k-labels-idx1-ubyte"))
    if n_train < 0 or n_test < 0 or n_train + n_test > len(images):
        raise ValueError(f"make_split: n_train={n_train} + n_test={n_test} must be non-negative and at most "
                         f"the {len(images)} source images")
    raw = out / "MNIST" / "raw"
    parts = {"train": slice(0, n_train), "t10k": slice(len(images) - n_test, len(images))}
    for split, rows in parts.items():
        write_idx(raw / f"{split}-images-idx3-ubyte.gz", images[rows])
        write_idx(raw / f"{split}-labels-idx1-ubyte.gz", labels[rows].astype(np.uint8))
    return out
