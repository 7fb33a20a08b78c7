"""Resampling layers: `Upsample` (and its fixed-mode forms), `PixelShuffle`, `PixelUnshuffle` and
`ChannelShuffle`, with PyTorch's arguments and reprs. No parameters."""
from . import functional_resample as R
from .module import Module


class Upsample(Module):
    """Resize the spatial dims of a 3-D, 4-D or 5-D input to `size` or by `scale_factor`; see
    `ddp.nn.functional.interpolate` for the modes (like PyTorch's Upsample, it has no antialias option).

    Example:
        >>> Upsample(scale_factor=2, mode="bilinear")(ddp.randn(2, 3, 8, 8)).shape
        ddp.Size([2, 3, 16, 16])
        >>> Upsample(size=(4, 6, 6), mode="trilinear")(ddp.randn(1, 2, 2, 3, 3)).shape
        ddp.Size([1, 2, 4, 6, 6])
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.size, self.mode, self.align_corners = size, mode, align_corners
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor is not None else None
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, x):
        return R.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        which = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{which}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Upsample with mode='nearest'."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Upsample with mode='bilinear' and align_corners=True."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """(*, C r^2, H, W) -> (*, C, H r, W r), r = upscale_factor (sub-pixel convolution's rearrangement)."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, x):
        return R.pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W), r = downscale_factor: the inverse of PixelShuffle."""

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, x):
        return R.pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """(N, C, *) -> (N, C, *) with the channels of `groups` groups interleaved (see F.channel_shuffle).

    Example:
        >>> ChannelShuffle(2)(ddp.arange(4.).reshape(1, 4, 1)).flatten().tolist()
        [0.0, 2.0, 1.0, 3.0]
    """

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):  # noqa: A002
        return R.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
