"""`CTCLoss`: the connectionist temporal classification loss as a module (see functional_ctc.py)."""
from .functional_ctc import ctc_loss
from .loss import _Loss


class CTCLoss(_Loss):
    """The CTC loss of (T, N, C) log-probabilities against unaligned target sequences; forward(log_probs,
    targets, input_lengths, target_lengths). See `ddp.nn.functional.ctc_loss`.

    Example:
        >>> CTCLoss()(ddp.randn(50, 4, 20).log_softmax(2), ddp.randint(1, 20, (4, 10)), (50,) * 4, (10,) * 4)
    """

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        super().__init__(reduction=reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                        self.zero_infinity)
