"""`ddp.cuda.amp` (torch.cuda.amp): `autocast` and `GradScaler` with the CUDA-flavoured signatures; see `ddp.amp`."""
from ddp import amp as _amp


class autocast(_amp.autocast):
    """`torch.cuda.amp.autocast(enabled=True, dtype=torch.float16, cache_enabled=True)`: changes nothing."""

    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


def custom_fwd(fwd=None, *, cast_inputs=None):
    """`torch.cuda.amp.custom_fwd` (deprecated in PyTorch for `torch.amp.custom_fwd(device_type="cuda")`)."""
    return _amp.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd=None):
    """`torch.cuda.amp.custom_bwd`: the backward runs unchanged."""
    return _amp.custom_bwd(bwd, device_type="cuda")


class GradScaler(_amp.GradScaler):
    """`torch.cuda.amp.GradScaler(init_scale=..., enabled=True)`: a pass-through; see `ddp.amp.GradScaler`."""

    def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)
