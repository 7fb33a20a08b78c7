"""Dropout: random zeroing while training, the identity in eval mode."""
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
