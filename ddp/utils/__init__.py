"""`ddp.utils` (torch.utils): `ddp.utils.data` is ddp's data package (`ddp.core.data`), the very same module."""
from . import data  # noqa: F401
