"""torch.nn.functional's `native_*` names: PyTorch's direct handles on its kernels, here the same
computation as the public form (re-exported by ddp.nn.functional)."""
from .functional_resample import channel_shuffle

__all__ = ["native_channel_shuffle"]


def native_channel_shuffle(input, groups):  # noqa: A002
    """channel_shuffle under its kernel's name: (N, C, *) with the channels of `groups` groups interleaved.

    Example:
        >>> native_channel_shuffle(ddp.arange(4.).reshape(1, 4, 1), 2).flatten().tolist()
        [0.0, 2.0, 1.0, 3.0]
    """
    return channel_shuffle(input, groups)
