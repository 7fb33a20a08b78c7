"""Deprecated loss names that PyTorch still accepts: `NLLLoss2d`, NLLLoss under its old name."""
import warnings

from .loss import NLLLoss


class NLLLoss2d(NLLLoss):
    """NLLLoss (for (N, C, H, W) log-probabilities, as NLLLoss takes any (N, C, ...)); constructing one warns
    with PyTorch's FutureWarning.

    Example:
        >>> loss = NLLLoss2d()(F.log_softmax(ddp.randn(2, 3, 4, 4), 1), ddp.randint(0, 3, (2, 4, 4)))
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement and "
                      "see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.",
                      FutureWarning, stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)
