"""The deprecated upsampling functions, upsample_nearest and upsample_bilinear (re-exported by
ddp.nn.functional): interpolate with a fixed mode, warning as PyTorch does."""
import warnings

from .functional_resample import interpolate

__all__ = ["upsample_nearest", "upsample_bilinear"]


def upsample_nearest(input, size=None, scale_factor=None):  # noqa: A002
    """interpolate(input, size, scale_factor, mode='nearest'), with a deprecation warning."""
    warnings.warn("nn.functional.upsample_nearest is deprecated; use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):  # noqa: A002
    """interpolate(input, size, scale_factor, mode='bilinear', align_corners=True) of a 4-D input, with a
    deprecation warning."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated; use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
