"""ImageFolder / DatasetFolder: torchvision's layout, sorting, attributes and errors."""
import numpy as np
import pytest

from ddp.core.data import DataLoader
from ddp.core.data import transforms as T
from ddp.core.data.folder import IMG_EXTENSIONS, DatasetFolder, ImageFolder, find_classes, make_dataset


def write_arrays(root, layout):
    """layout: {class: [relative file names]}; each .npy file holds its own index."""
    for name, files in layout.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        for i, f in enumerate(files):
            path = root / name / f
            path.parent.mkdir(parents=True, exist_ok=True)
            if f.endswith(".npy"):
                np.save(path, np.full((2, 2), i))
            else:
                path.write_text("not an array")
    return root


def test_classes_samples_and_targets_are_sorted(tmp_path):
    root = write_arrays(tmp_path, {"dog": ["b.npy", "a.npy", "sub/c.npy"], "cat": ["z.npy", "notes.txt"]})
    ds = DatasetFolder(root, loader=np.load, extensions=(".npy",))
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    names = [p[len(str(root)) + 1:] for p, _ in ds.samples]
    assert names == ["cat/z.npy", "dog/a.npy", "dog/b.npy", "dog/sub/c.npy"]
    assert ds.targets == [0, 1, 1, 1] and len(ds) == 4
    sample, target = ds[2]
    assert target == 1 and sample.tolist() == [[0, 0], [0, 0]]  # b.npy was written first: index 0


def test_is_valid_file_transform_and_target_transform(tmp_path):
    root = write_arrays(tmp_path, {"a": ["x.npy", "y.npy"], "b": ["z.npy"]})
    ds = DatasetFolder(root, loader=np.load, is_valid_file=lambda p: not p.endswith("y.npy"),
                       transform=lambda a: a * 10, target_transform=lambda t: -t)
    assert [t for _, t in ds.samples] == [0, 1] and ds.extensions is None
    sample, target = ds[1]
    assert target == -1 and sample.sum() == 0


def test_errors_as_torchvision(tmp_path):
    root = write_arrays(tmp_path, {"a": ["x.npy"], "empty": ["readme.txt"]})
    with pytest.raises(FileNotFoundError, match="no valid file for the classes empty. Supported extensions are: .npy"):
        DatasetFolder(root, loader=np.load, extensions=(".npy",))
    assert len(DatasetFolder(root, loader=np.load, extensions=".npy", allow_empty=True)) == 1
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
        DatasetFolder(root, loader=np.load)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        DatasetFolder(root, loader=np.load, extensions=".npy", is_valid_file=lambda p: True)
    (tmp_path / "flat").mkdir()
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        find_classes(tmp_path / "flat")
    with pytest.raises(ValueError, match="'class_to_index' must have at least one entry"):
        make_dataset(root, {}, extensions=".npy")
    with pytest.raises(ValueError, match="class_to_idx parameter cannot be None"):
        DatasetFolder.make_dataset(root, None, extensions=".npy")


def test_extensions_match_case_insensitively(tmp_path):
    root = write_arrays(tmp_path, {"a": ["X.NPY"]})
    assert len(DatasetFolder(root, loader=np.load, extensions=(".npy",))) == 1
    assert ".png" in IMG_EXTENSIONS and ".webp" in IMG_EXTENSIONS


@pytest.fixture
def image_root(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    for name, count in (("ship", 2), ("car", 3)):
        (tmp_path / name).mkdir()
        for i in range(count):
            Image.fromarray(rng.integers(0, 256, (10, 12), dtype=np.uint8)).save(tmp_path / name / f"{i}.png")
    (tmp_path / "car" / "labels.csv").write_text("ignored")
    return tmp_path


def test_image_folder_loads_rgb_pil_images(image_root):
    ds = ImageFolder(image_root)
    assert ds.classes == ["car", "ship"] and ds.targets == [0, 0, 0, 1, 1] and ds.imgs is ds.samples
    image, target = ds[4]
    assert image.mode == "RGB" and image.size == (12, 10) and target == 1
    assert "ImageFolder" in repr(ds)


def test_image_folder_through_transforms_and_a_data_loader(image_root):
    ds = ImageFolder(image_root, transform=T.Compose([T.Resize(8), T.CenterCrop(8), T.ToTensor()]))
    images, targets = next(iter(DataLoader(ds, batch_size=5)))
    assert tuple(images.shape) == (5, 3, 8, 8) and targets.tolist() == [0, 0, 0, 1, 1]
    assert 0 <= float(images.min()) and float(images.max()) <= 1
