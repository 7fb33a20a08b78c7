"""Dropout, channel dropout (1d/2d/3d) and alpha dropout: random zeroing while training, the identity in
eval mode."""
from . import functional as F
from .module import Module


class Dropout(Module):
    """Zero each element with probability p while training and scale the survivors by 1/(1-p) (inverted
    dropout, so eval mode needs no rescaling). Draws from the default generator (`ddp.manual_seed`).

    Example:
        >>> drop = Dropout(0.5).eval()
        >>> drop(x) is x
        True
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class _DropoutNd(Module):
    """A dropout variant: `fn` names its ddp.nn.functional form, called as fn(x, p, training)."""

    fn = None

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, x):
        return getattr(F, self.fn)(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) inputs while training, scaling the rest by 1/(1-p)."""

    fn = "dropout1d"


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) or (C, H, W) inputs while training, scaling the rest by 1/(1-p).

    Example:
        >>> Dropout2d(0.2)(ddp.randn(8, 16, 7, 7)).shape
        ddp.Size([8, 16, 7, 7])
    """

    fn = "dropout2d"


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs while training."""

    fn = "dropout3d"


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: dropped elements take SELU's saturation value and the result is rescaled
    so that zero-mean unit-variance inputs keep their mean and variance."""

    fn = "alpha_dropout"


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels."""

    fn = "feature_alpha_dropout"
