"""FakeData: random images with random labels, the same for the same index and seed."""
import numpy as np

from .dataset import Dataset


class FakeData(Dataset):
    """`size` random uint8 images of `image_size` (C, H, W) with labels in [0, num_classes), as torchvision's
    `FakeData`: sample i is drawn from a numpy Generator seeded with i + random_offset, so it is the same on
    every access, in every process and on every rank (but not the same pixels as torchvision's, which
    draws from torch's generator).

    `FakeData[i]` is `(image, label)`: an (H, W, C) uint8 array ((H, W) when C = 1, as a grey PIL image
    converts) and an int.

    Raises:
        ValueError: for a negative size, an image_size that is not (C, H, W), or num_classes < 1.
        IndexError: for an index outside [-size, size).

    Example:
        >>> loader = DataLoader(FakeData(64, (3, 32, 32), transform=T.ToTensor()), batch_size=16)
    """

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
                 random_offset=0):
        image_size = tuple(int(s) for s in image_size)
        if size < 0 or len(image_size) != 3 or min(image_size) < 1 or num_classes < 1:
            raise ValueError(f"FakeData: need size >= 0, image_size (C, H, W) of positive ints and num_classes >= 1, "
                             f"got size={size}, image_size={image_size}, num_classes={num_classes}")
        self.size, self.image_size, self.num_classes = int(size), image_size, int(num_classes)
        self.transform, self.target_transform, self.random_offset = transform, target_transform, random_offset

    def __getitem__(self, index):
        if not -self.size <= index < self.size:
            raise IndexError(f"FakeData: index {index} out of range for a dataset of size {self.size}")
        rng = np.random.default_rng(int(index) % self.size + self.random_offset)
        c, h, w = self.image_size
        image = rng.integers(0, 256, (h, w, c), dtype=np.uint8)
        image = image[:, :, 0] if c == 1 else image
        target = int(rng.integers(0, self.num_classes))
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __len__(self):
        return self.size

    def __repr__(self):
        return f"FakeData(size={self.size}, image_size={self.image_size}, num_classes={self.num_classes})"
