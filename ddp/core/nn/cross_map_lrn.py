"""`CrossMapLRN2d`: the legacy (Lua Torch) local response normalisation across channels, with PyTorch's
arguments, repr, windows and gradient (ops/cross_map_lrn.py); `LocalResponseNorm` is the modern form."""
from ..ops.cross_map_lrn import CrossMapLRN
from ..tensor import Tensor
from .module import Module


class CrossMapLRN2d(Module):
    """x / (k + alpha / size * sum of x^2 over neighbouring channels)^beta on (N, C, H, W) inputs.

    Computes exactly what PyTorch's CrossMapLRN2d computes, including its legacy quirks: channel 0 stays in
    every channel's sum, and backward is PyTorch's formula, which is not the exact derivative of forward
    when there is more than one channel (and fails for size=1). Prefer LocalResponseNorm in new code.

    Args:
        size: channels in the window. alpha, beta, k: as in the formula.
    Raises:
        ValueError for an input that is not 4-D.

    Example:
        >>> CrossMapLRN2d(3)(ddp.randn(2, 4, 5, 5)).shape
        ddp.Size([2, 4, 5, 5])
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):  # noqa: A002
        if not isinstance(input, Tensor) or input.ndim != 4:
            ndim = input.ndim if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {ndim}D instead.")
        return CrossMapLRN.apply(input, size=self.size, alpha=self.alpha, beta=self.beta, k=self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
