"""`ddp.utils` (torch.utils): `ddp.utils.data` is ddp's data package (`ddp.core.data`), the very same module;
`ddp.utils.checkpoint` is activation checkpointing; `ddp.utils.hooks` has RemovableHandle; `ddp.utils._pytree`
flattens nested containers."""
from . import _pytree, checkpoint, data, hooks  # noqa: F401
