"""`torch.distributed.nn`'s path: the collectives that autograd differentiates (`functional`)."""
from . import functional  # noqa: F401
