"""Fractional max pooling layers (`FractionalMaxPool2d`, `FractionalMaxPool3d`), with PyTorch's arguments,
checks and `_random_samples` buffer (None unless given, so absent from the state dict)."""
from .functional_pool_fractional import fractional_max_pool2d, fractional_max_pool3d
from .module import Module


def _as_tuple(value, d):
    return None if value is None else (tuple(value) if isinstance(value, (tuple, list)) else (value,) * d)


class _FractionalMaxPoolNd(Module):
    """Shared by the 2-D and 3-D layers: kernel_size, output_size and output_ratio as d-tuples."""

    dims, fn = 2, None

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        name, d = type(self).__name__, self.dims
        self.kernel_size = _as_tuple(kernel_size, d)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _as_tuple(output_size, d)
        self.output_ratio = _as_tuple(output_ratio, d)
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):  # noqa: A002
        return type(self).fn(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                             _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-D fractional max pooling (Graham, 2014): kH x kW windows at pseudo-random steps, fresh ones each call
    unless `_random_samples` (N, C, 2) fixes them; see `ddp.nn.functional.fractional_max_pool2d`.

    Args:
        kernel_size: an int or a pair. output_size: an int or a pair; or output_ratio: in (0, 1), one or two.
        return_indices: also return the flat indices (into H*W) of the maxima, for MaxUnpool2d.
    Raises:
        ValueError for neither or both of output_size and output_ratio, or a ratio outside (0, 1).

    Example:
        >>> FractionalMaxPool2d(3, output_ratio=0.5)(ddp.randn(2, 4, 10, 12)).shape
        ddp.Size([2, 4, 5, 6])
    """

    fn = fractional_max_pool2d


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-D fractional max pooling over (N, C, T, H, W) or (C, T, H, W); `_random_samples` is (N, C, 3).

    Example:
        >>> FractionalMaxPool3d(2, output_size=(3, 4, 5))(ddp.randn(1, 2, 6, 8, 9)).shape
        ddp.Size([1, 2, 3, 4, 5])
    """

    dims, fn = 3, fractional_max_pool3d
