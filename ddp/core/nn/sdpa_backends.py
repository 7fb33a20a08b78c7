"""torch.nn.attention's kernel selection (`sdpa_kernel`, `SDPBackend`), which `ddp.nn.attention` also answers
(that path is MultiheadAttention's module, attention.py). ddp has one attention kernel, the math one: the
context checks its arguments and otherwise changes nothing."""
import contextlib
import enum

__all__ = ["SDPBackend", "sdpa_kernel"]


class SDPBackend(enum.IntEnum):
    """PyTorch's attention kernels, by their names and numbers."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Restrict scaled_dot_product_attention to `backends` (one SDPBackend or a list) inside the block. ddp
    always computes the math kernel's result, so the block runs as it would anyway."""
    chosen = [backends] if isinstance(backends, SDPBackend) else list(backends)
    if not chosen or not all(isinstance(b, SDPBackend) for b in chosen):
        raise ValueError(f"sdpa_kernel: backends must be an SDPBackend or a non-empty list of them, got {backends!r}")
    yield
