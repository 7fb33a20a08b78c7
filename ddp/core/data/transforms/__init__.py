"""Image transforms for `ddp.data` datasets, as torchvision's: each takes a PIL image, a numpy image or a
channels-first Tensor, and one sample or a whole batch (layouts in `ops`); `functional` holds the one-call forms."""
from . import functional
from .augment import (
    ConvertImageDtype, GaussianBlur, Grayscale, InterpolationMode, Pad, RandomApply, RandomGrayscale, RandomResizedCrop,
)
from .augmix import AugMix
from .autoaugment import AutoAugment, AutoAugmentPolicy, RandAugment, TrivialAugmentWide
from .basic import Compose, Lambda, Normalize, RandomChoice, RandomOrder
from .color import ColorJitter
from .convert import PILToTensor, ToPILImage, ToTensor
from .crops import FiveCrop, TenCrop
from .erasing import RandomErasing
from .geometric import RandomAffine, RandomCrop, RandomRotation
from .perspective import RandomPerspective
from .photometric import (
    RandomAdjustSharpness, RandomAutocontrast, RandomEqualize, RandomInvert, RandomPosterize, RandomSolarize,
)
from .size import CenterCrop, RandomHorizontalFlip, RandomVerticalFlip, Resize

__all__ = ["Compose", "Lambda", "Normalize", "ToTensor", "PILToTensor", "ToPILImage", "ColorJitter", "RandomAffine",
           "RandomCrop", "RandomRotation", "CenterCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "Resize",
           "ConvertImageDtype", "GaussianBlur", "Grayscale", "InterpolationMode", "Pad", "RandomApply",
           "RandomErasing", "RandomGrayscale", "RandomResizedCrop", "RandomChoice", "RandomOrder", "RandomInvert",
           "RandomPosterize", "RandomSolarize", "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize",
           "AutoAugment", "AutoAugmentPolicy", "RandAugment", "TrivialAugmentWide", "AugMix", "FiveCrop", "TenCrop",
           "RandomPerspective", "functional"]
