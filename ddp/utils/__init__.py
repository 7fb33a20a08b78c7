"""`ddp.utils` (torch.utils): `ddp.utils.data` is ddp's data package (`ddp.core.data`), the very same module;
`ddp.utils.checkpoint` is activation checkpointing."""
from . import checkpoint, data  # noqa: F401
