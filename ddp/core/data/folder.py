"""`DatasetFolder` and `ImageFolder`, as torchvision's: samples in root/<class>/**/<file>, one class per folder.

Classes are the sorted names of root's sub-folders, indexed in that order; within a class, files are taken
in sorted order, walking sub-folders (following links) in sorted order, as torchvision does, so the same
tree gives the same `samples` on every machine and rank.
"""
import os

from .dataset import Dataset

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    """Whether `filename` ends (case-insensitively) with `extensions`, a string or a tuple of them."""
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename):
    """Whether `filename` has one of `IMG_EXTENSIONS`."""
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """(classes, class_to_idx): the sorted sub-folder names of `directory` and each one's index.

    Raises:
        FileNotFoundError: when `directory` has no sub-folder.
    """
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None, allow_empty=False):
    """The (path, class index) pairs under `directory`, keeping the files that `is_valid_file(path)` accepts
    or (exactly one of the two) whose name ends with one of `extensions`.

    Raises:
        ValueError: for an empty class_to_idx, or both or neither of extensions and is_valid_file.
        FileNotFoundError: when a class has no valid file, unless `allow_empty`.
    """
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if extensions is not None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)

    samples, found = [], set()
    for name in sorted(class_to_idx):
        folder = os.path.join(directory, name)
        if not os.path.isdir(folder):
            continue
        for root, _, filenames in sorted(os.walk(folder, followlinks=True)):
            for filename in sorted(filenames):
                path = os.path.join(root, filename)
                if is_valid_file(path):
                    samples.append((path, class_to_idx[name]))
                    found.add(name)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        message = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            names = extensions if isinstance(extensions, str) else ", ".join(extensions)
            message += f"Supported extensions are: {names}"
        raise FileNotFoundError(message)
    return samples


def pil_loader(path):
    """The image at `path`, read by PIL and converted to 'RGB'."""
    from PIL import Image

    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


def default_loader(path):
    """ImageFolder's loader: `pil_loader` (torchvision's default without accimage)."""
    return pil_loader(path)


class DatasetFolder(Dataset):
    """Samples in root/<class>/**/<file>, read by `loader(path)`: `DatasetFolder[i]` is (sample, class index).

    Args:
        root: the folder holding one sub-folder per class.
        loader: path -> sample.
        extensions: the file endings to keep (a string or a tuple); or give `is_valid_file` instead.
        transform, target_transform: applied to the sample and to the class index.
        is_valid_file: path -> whether to keep the file.
        allow_empty: keep classes with no valid file instead of raising.
    Attributes:
        classes, class_to_idx, samples (a list of (path, class index)), targets (the class indices).
    Raises:
        FileNotFoundError: root has no class folder, or a class has no valid file (unless allow_empty).
        ValueError: both or neither of extensions and is_valid_file.

    Example:
        >>> ds = DatasetFolder("data/arrays", loader=np.load, extensions=(".npy",))
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None, is_valid_file=None,
                 allow_empty=False):
        self.root = os.fspath(os.path.expanduser(root))
        self.transform, self.target_transform = transform, target_transform
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx, extensions, is_valid_file, allow_empty)
        self.loader, self.extensions = loader, extensions
        self.classes, self.class_to_idx = classes, class_to_idx
        self.samples, self.targets = samples, [target for _, target in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty=False):
        """The (path, class index) pairs of the dataset (see the module's `make_dataset`); override to change."""
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory):
        """(classes, class_to_idx) from the sub-folders of `directory`; override to change."""
        return find_classes(directory)

    def __getitem__(self, index):
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self):
        return len(self.samples)

    def __repr__(self):
        return f"{type(self).__name__}(root={self.root!r}, classes={len(self.classes)}, samples={len(self)})"


class ImageFolder(DatasetFolder):
    """Images in root/<class>/**/<image>, with `IMG_EXTENSIONS`, read as RGB PIL images by default, as
    torchvision's; `imgs` is `samples`. Needs Pillow for the default loader.

    Example:
        >>> ds = ImageFolder("data/train", transform=T.Compose([T.Resize(32), T.CenterCrop(32), T.ToTensor()]))
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
