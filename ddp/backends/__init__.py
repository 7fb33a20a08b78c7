"""`ddp.backends` (torch.backends): the flags scripts set, as harmless attributes.

`torch.backends.cudnn.benchmark = True` and friends tune GPU kernels; ddp has none, so the flags are kept
and read back but change nothing. Every `is_available()` is False.
"""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp  # noqa: F401
