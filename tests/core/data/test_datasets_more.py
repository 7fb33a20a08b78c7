"""FashionMNIST and KMNIST (MNIST's machinery, their own folders, classes and checksums), CIFAR10 from a
tiny fake "cifar-10-batches-py" (read by a restricted unpickler), and FakeData."""
import gzip
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from ddp.core.data import CIFAR10, KMNIST, MNIST, DataLoader, DatasetError, FakeData, FashionMNIST, write_idx
from ddp.core.data import transforms as T
from ddp.core.data.cifar import load_batch
from ddp.core.tensor import Tensor

SPLITS = ("train", "t10k")


def idx_files(folder, n=6, gz=True, seed=0):
    """Random IDX images and labels for both splits in `folder`; returns {split: (images, labels)}."""
    rng = np.random.default_rng(seed)
    out = {}
    for split in SPLITS:
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        write_idx(folder / f"{split}-images-idx3-ubyte{'.gz' if gz else ''}", images)
        write_idx(folder / f"{split}-labels-idx1-ubyte{'.gz' if gz else ''}", labels)
        out[split] = images, labels
    return out


@pytest.mark.parametrize("cls, folder", [(FashionMNIST, "FashionMNIST"), (KMNIST, "KMNIST")])
def test_mnist_relatives_read_their_folder(cls, folder, tmp_path):
    data = idx_files(tmp_path / folder / "raw")
    train, test = cls(tmp_path, train=True), cls(tmp_path, train=False)
    np.testing.assert_array_equal(train.data, data["train"][0])
    np.testing.assert_array_equal(test.targets, data["t10k"][1].astype(np.int64))
    assert train.raw_folder == tmp_path / folder / "raw" and len(train.classes) == 10
    assert repr(test).startswith(f"{folder}(") and isinstance(train, MNIST)
    image, label = train[1]
    assert image.shape == (28, 28) and image.dtype == np.uint8 and label == int(data["train"][1][1])
    x, y = next(iter(DataLoader(cls(tmp_path, transform=T.ToTensor()), batch_size=4)))
    assert isinstance(x, Tensor) and tuple(x.shape) == (4, 1, 28, 28)
    with pytest.raises(AttributeError, match=f"{folder}.__getitems__ needs batch-capable"):
        cls(tmp_path, transform=lambda im: im).__getitems__


def test_relatives_name_themselves_when_missing(tmp_path):
    idx_files(tmp_path / "MNIST" / "raw")  # MNIST's files are not FashionMNIST's
    with pytest.raises(FileNotFoundError, match=r"FashionMNIST: train-images-idx3-ubyte .*FashionMNIST/raw"):
        FashionMNIST(tmp_path)
    assert FashionMNIST.classes[0] == "T-shirt/top" and KMNIST.classes[:2] == ["o", "ki"]
    assert FashionMNIST.md5.keys() == MNIST.md5.keys() == KMNIST.md5.keys()
    assert len({FashionMNIST.md5["t10k-images-idx3-ubyte"], MNIST.md5["t10k-images-idx3-ubyte"],
                KMNIST.md5["t10k-images-idx3-ubyte"]}) == 3


def test_relative_downloads_from_its_mirror_env(tmp_path, monkeypatch):
    src = tmp_path / "mirror"
    idx_files(src, n=3)
    md5 = {f.name[:-3]: hashlib.md5(f.read_bytes()).hexdigest() for f in src.glob("*.gz")}
    monkeypatch.setattr(KMNIST, "md5", md5)
    monkeypatch.setenv("DDP_KMNIST_MIRROR", src.as_uri())
    ds = KMNIST(tmp_path / "root", train=False, download=True)
    assert len(ds) == 3 and (tmp_path / "root" / "KMNIST" / "raw" / "t10k-labels-idx1-ubyte").is_file()


# -------------------------------------------------------------------------------------------- CIFAR10
def fake_cifar(root, n=4, protocol=2, seed=0):
    """A tiny cifar-10-batches-py: five training batches and a test batch of n images each, and the meta
    file; pickled as the real one (protocol 2, bytes keys as Python 2 wrote them) or with `protocol`."""
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, n)]
        batch = {b"batch_label": b"fake", b"labels": labels, b"data": data,
                 b"filenames": [f"img{i}.png".encode() for i in range(n)]}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=protocol))
        batches[name] = data, labels
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    meta = {b"label_names": [c.encode() for c in names], b"num_cases_per_batch": n}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta, protocol=protocol))
    return batches


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_cifar10_reads_the_python_batches(tmp_path, protocol):
    batches = fake_cifar(tmp_path, protocol=protocol)
    train, test = CIFAR10(tmp_path, train=True), CIFAR10(tmp_path, train=False)
    assert len(train) == 20 and len(test) == 4
    assert train.data.shape == (20, 32, 32, 3) and train.data.dtype == np.uint8
    raw, labels = batches["data_batch_2"]
    expected = raw[1].reshape(3, 32, 32).transpose(1, 2, 0)  # rows of R, then G, then B planes
    np.testing.assert_array_equal(train.data[5], expected)
    assert train.targets[5] == labels[1] and test.targets == batches["test_batch"][1]
    assert test.classes[1] == "automobile" and test.class_to_idx["truck"] == 9
    image, label = CIFAR10(tmp_path, train=False, transform=T.ToTensor(), target_transform=lambda t: -t)[0]
    assert tuple(image.shape) == (3, 32, 32) and label == -batches["test_batch"][1][0]
    np.testing.assert_allclose(image.numpy()[2], batches["test_batch"][0][0][2048:].reshape(32, 32) / 255,
                               rtol=1e-6)


class _Sneaky:
    def __reduce__(self):
        return os.getcwd, ()  # harmless here, but code all the same: it must not be called


def test_cifar10_refuses_pickled_code(tmp_path):
    fake_cifar(tmp_path)
    path = tmp_path / "cifar-10-batches-py" / "test_batch"
    path.write_bytes(pickle.dumps({"data": _Sneaky(), "labels": []}, protocol=2))
    with pytest.raises(DatasetError, match=r"not a readable CIFAR batch .*getcwd is not allowed"):
        CIFAR10(tmp_path, train=False)
    path.write_bytes(pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0]}, protocol=2))
    with pytest.raises(DatasetError, match=r"expected 'data' \(N, 3072\) uint8 and N 'labels'"):
        CIFAR10(tmp_path, train=False)
    path.write_bytes(pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 1]})[:50])
    with pytest.raises(DatasetError, match="not a readable CIFAR batch"):
        CIFAR10(tmp_path, train=False)
    assert load_batch(tmp_path / "cifar-10-batches-py" / "batches.meta")["num_cases_per_batch"] == 4


def test_cifar10_missing_and_download(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="data_batch_1 not found; pass download=True"):
        CIFAR10(tmp_path / "none")
    src = tmp_path / "src"
    fake_cifar(src, n=2)
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(src / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    monkeypatch.setattr(CIFAR10, "url", archive.as_uri())
    monkeypatch.setattr(CIFAR10, "tgz_md5", hashlib.md5(archive.read_bytes()).hexdigest())
    ds = CIFAR10(tmp_path / "root", train=True, download=True)
    assert len(ds) == 10 and (tmp_path / "root" / "cifar-10-batches-py" / "test_batch").is_file()


# ------------------------------------------------------------------------------------------- FakeData
def test_fakedata_is_deterministic():
    ds = FakeData(size=5, image_size=(3, 6, 4), num_classes=3, random_offset=7)
    image, label = ds[2]
    assert image.shape == (6, 4, 3) and image.dtype == np.uint8 and 0 <= label < 3 and len(ds) == 5
    again, label_again = FakeData(size=5, image_size=(3, 6, 4), num_classes=3, random_offset=7)[2]
    np.testing.assert_array_equal(image, again)
    assert label == label_again
    np.testing.assert_array_equal(ds[-3][0], image)
    assert not np.array_equal(ds[3][0], image)
    assert not np.array_equal(FakeData(5, (3, 6, 4), 3, random_offset=8)[2][0], image)
    grey = FakeData(4, (1, 5, 5), transform=T.ToTensor())
    x, y = next(iter(DataLoader(grey, batch_size=4)))
    assert tuple(x.shape) == (4, 1, 5, 5) and x.dtype == np.float32 and tuple(y.shape) == (4,)


def test_fakedata_errors():
    with pytest.raises(IndexError, match="index 5 out of range for a dataset of size 5"):
        FakeData(5, (1, 2, 2))[5]
    with pytest.raises(ValueError, match=r"image_size \(C, H, W\)"):
        FakeData(5, (2, 2))
    assert repr(FakeData(2, (1, 2, 2))) == "FakeData(size=2, image_size=(1, 2, 2), num_classes=10)"


def test_gzip_helper_is_real_gzip(tmp_path):
    """The fixture's files really are gzipped IDX (so the relatives go through MNIST's .gz path)."""
    idx_files(tmp_path, n=1)
    with gzip.open(tmp_path / "t10k-labels-idx1-ubyte.gz") as f:
        assert io.BytesIO(f.read()).read(4) == b"\0\0\x08\x01"


def test_cifar10_batches_through_the_loader_at_once(tmp_path):
    batches = fake_cifar(tmp_path, n=3)
    ds = CIFAR10(tmp_path, train=True, transform=T.Compose([T.RandomHorizontalFlip(p=1.0), T.ToTensor()]))
    images, labels = ds.__getitems__([4, 0, 7])  # one gather, transformed as a batch
    assert tuple(images.shape) == (3, 3, 32, 32) and labels.dtype == np.int64
    assert labels.tolist() == [ds.targets[4], ds.targets[0], ds.targets[7]]
    np.testing.assert_allclose(images.numpy()[1], ds[0][0].numpy(), rtol=0)
    x, y = next(iter(DataLoader(ds, batch_size=5)))
    assert tuple(x.shape) == (5, 3, 32, 32) and y.tolist() == ds.targets[:5]
    assert batches["data_batch_1"][1] == ds.targets[:3]
    assert not hasattr(CIFAR10(tmp_path, transform=lambda im: im), "__getitems__")
