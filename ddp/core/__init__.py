"""ddp.core: Tensor, autograd, ops, and the single-process training stack built on them."""
from . import methods  # noqa: F401  (installs Tensor methods)
