"""Image transforms for `ddp.data` datasets; each accepts one sample or a whole batch (see `functional`)."""
from .augment import (
    ConvertImageDtype, GaussianBlur, Grayscale, InterpolationMode, Pad, RandomApply, RandomErasing, RandomGrayscale,
    RandomResizedCrop,
)
from .basic import Compose, Lambda, Normalize, ToTensor
from .color import ColorJitter
from .geometric import RandomAffine, RandomCrop, RandomRotation
from .size import CenterCrop, RandomHorizontalFlip, RandomVerticalFlip, Resize

__all__ = ["Compose", "Lambda", "Normalize", "ToTensor", "ColorJitter", "RandomAffine", "RandomCrop",
           "RandomRotation", "CenterCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "Resize", "ConvertImageDtype",
           "GaussianBlur", "Grayscale", "InterpolationMode", "Pad", "RandomApply", "RandomErasing", "RandomGrayscale",
           "RandomResizedCrop"]
