"""`RReLU`: the randomized leaky ReLU layer (random slopes when training, their mean in evaluation)."""
from .functional_activation_extra import rrelu
from .module import Module


class RReLU(Module):
    """x where x > 0, else a x: a ~ U(lower, upper) per element in training mode (from ddp's default
    generator), a = (lower + upper) / 2 in eval mode. See `ddp.nn.functional.rrelu`.

    Example:
        >>> RReLU(0.1, 0.3)(ddp.randn(4, 8)).shape
        ddp.Size([4, 8])
    """

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, x):
        return rrelu(x, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")
