"""3-D pooling, functional forms (re-exported by ddp.nn.functional): max, average, adaptive average and
adaptive max pooling of (N, C, D, H, W) or unbatched (C, D, H, W) inputs, by the N-d helpers of
functional_pool.py (the same ops as 2-D, one more spatial dim)."""
from .functional_pool import adaptive_avg_pool, adaptive_max_pool, avg_pool, max_pool

__all__ = ["max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d"]


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    """Maximum over sliding 3-D windows; see max_pool2d (the settings are ints or triples, indices flat
    into D*H*W).

    Example:
        >>> y = max_pool3d(ddp.randn(2, 4, 8, 8, 8), 2)    # (2, 4, 4, 4, 4)
    """
    return max_pool("max_pool3d", input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,  # noqa: A002
               divisor_override=None):
    """Mean over sliding 3-D windows; see avg_pool2d (the settings are ints or triples).

    Example:
        >>> y = avg_pool3d(ddp.randn(2, 4, 8, 8, 8), 2)    # (2, 4, 4, 4, 4)
    """
    return avg_pool("avg_pool3d", input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override)


def adaptive_avg_pool3d(input, output_size):  # noqa: A002
    """Mean over the windows that split D, H and W into `output_size` (an int or a triple; None keeps a size)."""
    return adaptive_avg_pool("adaptive_avg_pool3d", input, 3, output_size)


def adaptive_max_pool3d(input, output_size, return_indices=False):  # noqa: A002
    """Maximum over the windows that split D, H and W into `output_size`; indices are flat into D*H*W."""
    return adaptive_max_pool("adaptive_max_pool3d", input, 3, output_size, return_indices)
