"""`FiveCrop` and `TenCrop`: the four corners and the center of an image (and of its mirror image), as
torchvision's test-time augmentation; `five_crop` and `ten_crop` are the one-call forms in `functional`.

They give a tuple of images, not one, so datasets apply them sample by sample (`batched` is False); a batch given
whole comes back as a tuple of cropped batches."""
import numpy as np

from . import ops
from .size import CenterCrop, _size


def five_crop(img, size):
    """(top-left, top-right, bottom-left, bottom-right, center) crops of `size` (int or (h, w)) from `img`.

    Raises:
        ValueError: for a crop larger than the image.
    """
    th, tw = _size(size, "five_crop")
    a, restore = ops.as_nchw(img, "five_crop")
    H, W = a.shape[2:]
    if th > H or tw > W:
        raise ValueError(f"five_crop: crop size {(th, tw)} is bigger than the image size {(H, W)}")
    corners = ((0, 0), (0, W - tw), (H - th, 0), (H - th, W - tw))
    crops = [a[:, :, top:top + th, left:left + tw] for top, left in corners]
    return tuple(restore(np.ascontiguousarray(c)) for c in crops) + (CenterCrop((th, tw))(img),)


def ten_crop(img, size, vertical_flip=False):
    """`five_crop` of `img` and then of its mirror image (left-right, or top-bottom with `vertical_flip`)."""
    a, restore = ops.as_nchw(img, "ten_crop")
    mirror = restore(np.ascontiguousarray(np.flip(a, 2 if vertical_flip else 3)))
    return five_crop(img, size) + five_crop(mirror, size)


class FiveCrop:
    """Crop the four corners and the center of `size` (int or (h, w)).

    Example:
        >>> crops = FiveCrop(24)(image)   # a tuple of five (C, 24, 24) images
    """

    batched = False

    def __init__(self, size):
        self.size = _size(size, "FiveCrop")

    def __call__(self, x):
        return five_crop(x, self.size)

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size})"


class TenCrop(FiveCrop):
    """`FiveCrop` of the image and of its mirror image (left-right, or top-bottom with `vertical_flip`)."""

    def __init__(self, size, vertical_flip=False):
        super().__init__(size)
        self.vertical_flip = bool(vertical_flip)

    def __call__(self, x):
        return ten_crop(x, self.size, self.vertical_flip)

    def __repr__(self):
        return f"TenCrop(size={self.size}, vertical_flip={self.vertical_flip})"
