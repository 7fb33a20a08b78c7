"""`torch.distributed.elastic.multiprocessing`'s path (see `errors`)."""
from . import errors  # noqa: F401
