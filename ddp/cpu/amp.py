"""`ddp.cpu.amp` (torch.cpu.amp): `autocast` and `GradScaler` with the CPU-flavoured signatures; see `ddp.amp`."""
from ddp import amp as _amp


class autocast(_amp.autocast):
    """`torch.cpu.amp.autocast(enabled=True, dtype=torch.bfloat16, cache_enabled=True)`: changes nothing."""

    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """`torch.cpu.amp.GradScaler(init_scale=..., enabled=True)`: a pass-through; see `ddp.amp.GradScaler`."""

    def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval, enabled)
