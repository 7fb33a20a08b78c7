"""`ddp._dynamo` (torch._dynamo), for the idioms scripts use around torch.compile: `config.suppress_errors =
True`, `reset()`, `disable`, `allow_in_graph`. ddp has no compiler: the settings are kept and change nothing."""
from .compiler import allow_in_graph, assume_constant_result, disable, is_compiling, reset  # noqa: F401


class _Config:
    """Any setting can be assigned and read back (`config.cache_size_limit = 64`); unset ones read None."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return None


config = _Config()
