"""ddp.optim.lr_scheduler: the learning-rate schedulers of torch.optim.lr_scheduler.

Each sets its optimizer's group lrs once per `step()`, with PyTorch's formulas and its epoch-0 behaviour
(building a scheduler takes the first step). They live by family:

    scheduler_base.py        LRScheduler (the base) and the argument checks
    sched_multiplicative.py  LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR,
                             ExponentialLR, PolynomialLR
    sched_cosine.py          CosineAnnealingLR, CosineAnnealingWarmRestarts
    sched_cyclic.py          CyclicLR, OneCycleLR
    sched_composite.py       SequentialLR, ChainedScheduler
    sched_plateau.py         ReduceLROnPlateau
"""
from .sched_composite import ChainedScheduler, SequentialLR
from .sched_cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .sched_cyclic import CyclicLR, OneCycleLR
from .sched_multiplicative import (
    ConstantLR, ExponentialLR, LambdaLR, LinearLR, MultiplicativeLR, MultiStepLR, PolynomialLR, StepLR,
)
from .sched_plateau import ReduceLROnPlateau
from .scheduler_base import LRScheduler

_LRScheduler = LRScheduler  # the old name, which some scripts still subclass

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
           "OneCycleLR", "SequentialLR", "ChainedScheduler", "ReduceLROnPlateau"]

# The schedulers belong to this module, as PyTorch's belong to torch.optim.lr_scheduler: Dive into Deep
# Learning's training loop tells a built-in scheduler from a user's callable by
# `scheduler.__module__ == lr_scheduler.__name__`.
for _name in __all__:
    globals()[_name].__module__ = __name__
