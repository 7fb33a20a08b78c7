"""The multi-class margin losses and the triplet loss with any distance, as modules: MultiMarginLoss,
MultiLabelMarginLoss, TripletMarginWithDistanceLoss (PyTorch's arguments; the functional forms live in
functional_loss_margin.py)."""
from .distance import PairwiseDistance
from .functional_loss_margin import multi_margin_loss, multilabel_margin_loss, triplet_margin_with_distance_loss
from .loss import _Loss, _WeightedLoss


class MultiMarginLoss(_WeightedLoss):
    """The multi-class hinge loss: sum over i != y of w[y] max(0, margin - x[y] + x[i])^p / C per sample;
    `weight` (C,) is a buffer when given. See `ddp.nn.functional.multi_margin_loss`.

    Example:
        >>> MultiMarginLoss(margin=0.5)(ddp.randn(8, 5), ddp.randint(0, 5, (8,)))
    """

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: p must be 1 or 2, got {p}")
        self.p, self.margin = p, margin

    def forward(self, input, target):
        return multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                 reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """The multi-label hinge loss: sum over target classes j and the other classes i of
    max(0, 1 - (x[j] - x[i])) / C; each target row lists its classes, ended by -1."""

    def forward(self, input, target):
        return multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """max(0, d(a, p) - d(a, n) + margin) with any distance d (default: a PairwiseDistance child module).

    Raises:
        ValueError for margin <= 0.
    """

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: margin must be greater than 0, got {margin}")
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()
        self.margin, self.swap = margin, swap

    def forward(self, anchor, positive, negative):
        return triplet_margin_with_distance_loss(anchor, positive, negative, distance_function=self.distance_function,
                                                 margin=self.margin, swap=self.swap, reduction=self.reduction)
