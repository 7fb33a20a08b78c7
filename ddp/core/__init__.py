"""ddp.core: Tensor, autograd, ops, and the single-process training stack built on them."""
from . import tensor  # noqa: F401  (Tensor, whose methods call the ops in functional)
