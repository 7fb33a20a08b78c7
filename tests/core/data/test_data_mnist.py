"""MNIST and the IDX format: parsing a small real split, every error path, the batch fast path."""
import runpy
import shutil
from pathlib import Path

import numpy as np
import pytest

import ddp
from ddp.core.data import MNIST, DataLoader, DatasetError, make_split, read_idx, write_idx
from ddp.core.data import transforms as T
from ddp.core.tensor import Tensor

NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


@pytest.fixture(scope="module")
def source(mnist_src):
    """The genuine 10,000 test images and labels."""
    return read_idx(mnist_src / "t10k-images-idx3-ubyte.gz"), read_idx(mnist_src / "t10k-labels-idx1-ubyte.gz")


def small_root(tmp_path, n=20, gz=False, folder=""):
    """A root with n random images and labels per split, raw or gzipped, in root/folder."""
    rng = np.random.default_rng(0)
    d = tmp_path / folder
    for split in ("train", "t10k"):
        write_idx(d / f"{split}-images-idx3-ubyte{'.gz' if gz else ''}",
                  rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(d / f"{split}-labels-idx1-ubyte{'.gz' if gz else ''}", rng.integers(0, 10, n, dtype=np.uint8))
    return tmp_path


# ---- parsing

def test_small_real_split(mnist_root, source):
    images, labels = source
    train, test = MNIST(mnist_root, train=True), MNIST(mnist_root, train=False)
    assert len(train) == 8000 and len(test) == 2000
    assert train.data.dtype == np.uint8 and train.data.shape == (8000, 28, 28) and train.targets.dtype == np.int64
    np.testing.assert_array_equal(train.data, images[:8000])
    np.testing.assert_array_equal(test.targets, labels[-2000:])
    image, label = train[3]
    assert isinstance(image, np.ndarray) and image.shape == (28, 28) and image.dtype == np.uint8
    assert type(label) is int and label == labels[3]
    assert np.bincount(train.targets, minlength=10).min() > 600  # every digit is there
    # data and targets are Tensors, as torchvision's: the idioms of courses work on them
    assert isinstance(train.data, ddp.Tensor) and isinstance(train.targets, ddp.Tensor)
    scaled = train.data.float().div(255)
    assert scaled.dtype == ddp.float32 and float(scaled.max()) <= 1.0 and train.data.size() == (8000, 28, 28)
    assert train.targets.bincount().tolist() == np.bincount(labels[:8000], minlength=10).tolist()


def test_genuine_files_parse(mnist_src):
    labels = read_idx(mnist_src / "train-labels-idx1-ubyte.gz", magic=2049)
    assert labels.shape == (60000,) and labels.max() == 9


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("folder", ["", "MNIST/raw"])
def test_finds_raw_or_gz_in_root_or_raw_folder(tmp_path, gz, folder):
    root = small_root(tmp_path, gz=gz, folder=folder)
    ds = MNIST(root, train=False)
    assert len(ds) == 20 and ds.data.numpy().flags.writeable


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_roundtrip(tmp_path, dtype, suffix):
    a = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    out = read_idx(write_idx(tmp_path / f"a.idx{suffix}", a))
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, a)


def test_write_idx_rejects_unknown_dtype(tmp_path):
    with pytest.raises(TypeError, match="int64 has no IDX type code"):
        write_idx(tmp_path / "a", np.zeros(3, np.int64))


# ---- errors

def test_missing_file_names_it_and_the_fix(tmp_path):
    root = small_root(tmp_path)
    (root / "train-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match=r"train-labels-idx1-ubyte \(or train-labels-idx1-ubyte.gz\) not "
                                                r"found.*pass download=True"):
        MNIST(root, train=True)
    MNIST(root, train=False)  # the other split is fine


def damage(path, fn):
    data = Path(path).read_bytes()
    Path(path).write_bytes(fn(data))


@pytest.mark.parametrize("name, fn, message", [
    ("t10k-images-idx3-ubyte.gz", lambda b: b[: len(b) // 2], "truncated or corrupt"),
    ("t10k-images-idx3-ubyte.gz", lambda b: b[:100] + bytes(x ^ 0xFF for x in b[100:200]) + b[200:],
     "truncated or corrupt"),
    ("t10k-labels-idx1-ubyte.gz", lambda b: b[:-8] + b"\0" * 8, "truncated or corrupt"),  # CRC and size trailer
])
def test_corrupt_gzip(tmp_path, name, fn, message):
    root = small_root(tmp_path, gz=True)
    damage(root / name, fn)
    with pytest.raises(DatasetError, match=f"{name} is {message}.*Delete .*{name} and download it again"):
        MNIST(root, train=False)


def header(magic, *dims):
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)


@pytest.mark.parametrize("content, message", [
    (header(2051, 20, 28, 28) + bytes(20 * 784 - 1), r"truncated: its header says shape \(20, 28, 28\)"),
    (header(2051, 20, 28, 28) + bytes(20 * 784 + 5), r"more data than its header's shape \(20, 28, 28\)"),
    (header(2051, 20, 28), "truncated inside its header"),
    (header(2049, 20) + bytes(20), "magic number 2049, expected 2051"),
    (b"GIF89a" + bytes(100), "not an IDX file"),
    (b"", "not an IDX file"),
    (header(2051, 20, 27, 28) + bytes(20 * 27 * 28), r"images of shape \(27, 28\), expected \(28, 28\)"),
])
def test_bad_images_file(tmp_path, content, message):
    root = small_root(tmp_path)
    (root / "t10k-images-idx3-ubyte").write_bytes(content)
    with pytest.raises(DatasetError, match=message) as e:
        MNIST(root, train=False)
    assert "t10k-images-idx3-ubyte" in str(e.value) and "download it again" in str(e.value)


def test_bad_labels(tmp_path):
    root = small_root(tmp_path)
    (root / "t10k-labels-idx1-ubyte").write_bytes(header(2049, 20) + bytes([3] * 19 + [12]))
    with pytest.raises(DatasetError, match="label 12 is not a digit"):
        MNIST(root, train=False)
    (root / "t10k-labels-idx1-ubyte").write_bytes(header(2049, 19) + bytes(19))
    with pytest.raises(DatasetError, match=r"t10k-images-idx3-ubyte holds 20 images but .*t10k-labels-idx1-ubyte "
                                           r"holds 19 labels; delete both"):
        MNIST(root, train=False)


def test_make_split_checks_sizes(mnist_src, tmp_path):
    with pytest.raises(ValueError, match="n_train=9000 \\+ n_test=2000"):
        make_split(mnist_src, tmp_path, n_train=9000, n_test=2000)


def test_script_builds_loadable_split(mnist_src, tmp_path, capsys):
    script = Path(__file__).resolve().parents[3] / "scripts" / "make_offline_mnist.py"
    runpy.run_path(str(script), run_name="make_offline_mnist")["main"](
        ["--src", str(mnist_src), "--out", str(tmp_path), "--train", "100", "--test", "50"])
    assert len(MNIST(tmp_path, train=True)) == 100 and len(MNIST(tmp_path, train=False)) == 50
    assert "train: 100 images" in capsys.readouterr().out


# ---- batches

def test_batch_fast_path_matches_per_sample_transform(mnist_root):
    tf = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    ds = MNIST(mnist_root, train=False, transform=tf, target_transform=T.Lambda(lambda y: y + 1, batched=True))
    images, targets = ds.__getitems__([5, 0, 7])
    for k, i in enumerate([5, 0, 7]):
        image, target = ds[i]
        np.testing.assert_array_equal(images.numpy()[k], image.numpy())
        assert targets[k] == target


def test_loader_over_mnist_gathers_each_batch_once(mnist_root, monkeypatch):
    ds = MNIST(mnist_root, train=False, transform=T.Compose([T.RandomCrop(28, padding=2), T.ToTensor()]))
    calls, fetch = [], ds._get_batch
    monkeypatch.setattr(ds, "_get_batch", lambda idx: calls.append(len(idx)) or fetch(idx))
    monkeypatch.setattr(MNIST, "__getitem__", lambda self, i: pytest.fail("per-sample path used"))
    batches = list(DataLoader(ds, batch_size=256, shuffle=True))
    assert calls == [256] * 7 + [208] and len(batches) == 8
    x, y = batches[0]
    assert isinstance(x, Tensor) and x.shape == (256, 1, 28, 28) and x.dtype == np.float32
    assert isinstance(y, Tensor) and y.dtype == np.int64


def test_per_sample_transform_falls_back(mnist_root):
    ds = MNIST(mnist_root, train=False, transform=T.Lambda(lambda img: img.reshape(-1)))
    assert not hasattr(ds, "__getitems__")
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    assert x.shape == (4, 784) and x.dtype == np.uint8 and y.dtype == np.int64


def test_loading_writes_nothing(mnist_src, tmp_path):
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(mnist_src / name, tmp_path)
    assert len(MNIST(tmp_path, train=False)) == 10000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def test_random_split_of_mnist_keeps_the_fast_path(mnist_root):
    from ddp.core.data import random_split
    ds = MNIST(mnist_root, train=False, transform=T.ToTensor())
    train, val = random_split(ds, [1500, 500], generator=np.random.default_rng(0))
    x, y = next(iter(DataLoader(val, batch_size=500)))
    assert hasattr(val, "__getitems__") and x.shape == (500, 1, 28, 28)
    np.testing.assert_array_equal(y.numpy(), ds.targets[val.indices])
