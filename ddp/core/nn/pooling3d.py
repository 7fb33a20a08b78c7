"""3-D pooling layers (`MaxPool3d`, `AvgPool3d`, `AdaptiveAvgPool3d`, `AdaptiveMaxPool3d`) over (N, C, D, H, W)
or (C, D, H, W) inputs: the 2-D layers' arguments and reprs, the 3-D functional forms."""
from .functional_pool3d import adaptive_avg_pool3d, adaptive_max_pool3d, avg_pool3d, max_pool3d
from .pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d


class MaxPool3d(MaxPool2d):
    """Maximum over sliding 3-D windows; see `ddp.nn.functional.max_pool3d`.

    Example:
        >>> MaxPool3d(2)(ddp.randn(2, 4, 8, 8, 8)).shape
        ddp.Size([2, 4, 4, 4, 4])
    """

    def forward(self, x):
        return max_pool3d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                          self.return_indices)


class AvgPool3d(AvgPool2d):
    """Mean over sliding 3-D windows; see `ddp.nn.functional.avg_pool3d`."""

    def forward(self, x):
        return avg_pool3d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                          self.divisor_override)


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    """Mean over the windows that split D, H and W into `output_size` (an int, a triple, None keeps a size)."""

    def forward(self, x):
        return adaptive_avg_pool3d(x, self.output_size)


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """Maximum over the windows that split D, H and W into `output_size` (return_indices: flat into D*H*W)."""

    def forward(self, x):
        return adaptive_max_pool3d(x, self.output_size, self.return_indices)
