"""ddp.distributions.transforms (torch.distributions.transforms): invertible maps with log-Jacobians, for
`TransformedDistribution` and for `biject_to` / `transform_to`."""
from .base import Transform
from .blocks import CatTransform, StackTransform
from .cdf import CumulativeDistributionTransform
from .compose import ComposeTransform, IndependentTransform, ReshapeTransform, identity_transform
from .elementwise import (AbsTransform, AffineTransform, ExpTransform, PowerTransform, SigmoidTransform,
                          SoftplusTransform, TanhTransform)
from .vector import (CorrCholeskyTransform, LowerCholeskyTransform, PositiveDefiniteTransform, SoftmaxTransform,
                     StickBreakingTransform)

__all__ = [
    "AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
    "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform", "StackTransform",
    "LowerCholeskyTransform", "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform",
    "SoftmaxTransform", "SoftplusTransform", "StickBreakingTransform", "TanhTransform", "Transform",
    "identity_transform",
]
