"""Image transforms for `ddp.data` datasets; each accepts one sample or a whole batch (see `functional`)."""
from .basic import Compose, Lambda, Normalize, ToTensor
from .geometric import RandomAffine, RandomCrop, RandomRotation

__all__ = ["Compose", "Lambda", "Normalize", "ToTensor", "RandomAffine", "RandomCrop", "RandomRotation"]
