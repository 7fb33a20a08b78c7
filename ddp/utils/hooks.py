"""`ddp.utils.hooks` (torch.utils.hooks): `RemovableHandle`, what every register_*hook returns; libraries make
their own over a dict of hooks (`RemovableHandle(hooks)`, then `hooks[handle.id] = fn`)."""
from ..core.autograd import RemovableHandle  # noqa: F401

__all__ = ["RemovableHandle"]
