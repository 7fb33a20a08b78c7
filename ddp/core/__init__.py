"""ddp.core: Tensor, autograd, ops, and the single-process training stack built on them."""
from . import allocator, tensor  # noqa: F401  (Tensor, whose methods call the ops in functional)

allocator.apply()  # keep freed array memory for reuse (allocator.py says why)
