"""`ddp.nn.modules.module` (torch.nn.modules.module): the very classes of `ddp.nn`."""
from .. import Module  # noqa: F401
from ..module_hooks import (  # noqa: F401  (the hooks that run for every module)
    register_module_buffer_registration_hook, register_module_forward_hook, register_module_forward_pre_hook,
    register_module_full_backward_hook, register_module_full_backward_pre_hook,
    register_module_module_registration_hook, register_module_parameter_registration_hook,
)
