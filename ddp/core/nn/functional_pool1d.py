"""1-D pooling, functional forms (re-exported by ddp.nn.functional): max, average, adaptive average and
adaptive max pooling of (N, C, L) or (C, L) inputs, as the 2-D forms over a height of one."""
from ..functional import _tensor
from ..shape_functional import squeeze, unsqueeze
from .functional_conv import _single
from .functional_pool import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d

__all__ = ["max_pool1d", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d"]


def _rows(input, op):  # noqa: A002
    """x (N, C, L) or (C, L) as (N, C, 1, L) or (C, 1, L)."""
    x = _tensor(input)
    if x.ndim not in (2, 3):
        raise RuntimeError(f"{op}: Expected 2D or 3D (batch mode) tensor for input, but got shape {tuple(x.shape)}")
    return unsqueeze(x, -2)


def _back(out):
    """Drop the height of one again, from a result or a (result, indices) pair."""
    return tuple(squeeze(t, -2) for t in out) if isinstance(out, tuple) else squeeze(out, -2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    """Maximum over sliding windows of the last dim; see max_pool2d. Indices index into L."""
    op = "max_pool1d"
    stride = None if stride is None or stride == [] else (1, _single(stride, "stride", op))
    out = max_pool2d(_rows(input, op), (1, _single(kernel_size, "kernel_size", op)), stride,
                     (0, _single(padding, "padding", op, minimum=0)), (1, _single(dilation, "dilation", op)),
                     ceil_mode, return_indices)
    return _back(out)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):  # noqa: A002
    """Mean over sliding windows of the last dim; see avg_pool2d."""
    op = "avg_pool1d"
    stride = None if stride is None or stride == [] else (1, _single(stride, "stride", op))
    out = avg_pool2d(_rows(input, op), (1, _single(kernel_size, "kernel_size", op)), stride,
                     (0, _single(padding, "padding", op, minimum=0)), ceil_mode, count_include_pad)
    return _back(out)


def adaptive_avg_pool1d(input, output_size):  # noqa: A002
    """Mean over the windows that split L into `output_size` (an int or a 1-tuple)."""
    out = adaptive_avg_pool2d(_rows(input, "adaptive_avg_pool1d"),
                              (1, _single(output_size, "output_size", "adaptive_avg_pool1d")))
    return _back(out)


def adaptive_max_pool1d(input, output_size, return_indices=False):  # noqa: A002
    """Maximum over the windows that split L into `output_size`; indices index into L."""
    out = adaptive_max_pool2d(_rows(input, "adaptive_max_pool1d"),
                              (1, _single(output_size, "output_size", "adaptive_max_pool1d")), return_indices)
    return _back(out)
