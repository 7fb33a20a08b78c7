"""The losses and distances of nn.functional that PyTorch also has as `torch.X` (`ddp.kl_div(x, y, 2)`), with
PyTorch's torch-level signatures: `reduction` is an int, 1 mean, 2 sum, anything else none, and it defaults
to none (as PyTorch's torch-level losses do, unlike nn.functional's "mean").

Each computes the elementwise loss with ddp.nn.functional (imported on first use) and reduces it here.
"""
import numpy as np

from . import functional as CF
from .numpy_aliases import dim_alias, keepdim_alias
from .toplevel_nn import _nf

__all__ = """
cosine_similarity pairwise_distance pdist cosine_embedding_loss hinge_embedding_loss margin_ranking_loss
triplet_margin_loss kl_div poisson_nll_loss binary_cross_entropy_with_logits ctc_loss
""".split()


# ---------------------------------------------------------------------------------- distances, losses
# (these two are natively bound in PyTorch, so they take numpy's axis= and keepdims= too)
def cosine_similarity(x1, x2, dim=1, eps=1e-8, *, axis=None):
    dim = dim if axis is None else dim_alias("cosine_similarity", dim, axis, 1)
    return _nf().cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False, *, keepdims=None):
    keepdim = keepdim if keepdims is None else keepdim_alias("pairwise_distance", keepdim, keepdims)
    return _nf().pairwise_distance(x1, x2, p, eps, keepdim)


def pdist(input, p=2.0):  # noqa: A002
    return _nf().pdist(input, p)


def _reduction_name(reduction, op):
    """F's name for PyTorch's int reduction code: 1 "mean", 2 "sum", any other int "none"."""
    if isinstance(reduction, bool) or not isinstance(reduction, (int, np.integer)):
        raise TypeError(f"{op}(): argument 'reduction' must be int (0 none, 1 mean, 2 sum), not "
                        f"{type(reduction).__name__}")
    return {1: "mean", 2: "sum"}.get(int(reduction), "none")


def _reduced(loss, reduction, op):
    """The elementwise `loss` reduced as PyTorch's int codes say."""
    name = _reduction_name(reduction, op)
    return CF.mean(loss) if name == "mean" else CF.sum(loss) if name == "sum" else loss


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    loss = _nf().cosine_embedding_loss(input1, input2, target, margin, reduction="none")
    return _reduced(loss, reduction, "cosine_embedding_loss")


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):  # noqa: A002
    return _reduced(_nf().hinge_embedding_loss(input, target, margin, reduction="none"), reduction,
                    "hinge_embedding_loss")


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    loss = _nf().margin_ranking_loss(input1, input2, target, margin, reduction="none")
    return _reduced(loss, reduction, "margin_ranking_loss")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction=0):
    loss = _nf().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction="none")
    return _reduced(loss, reduction, "triplet_margin_loss")


def kl_div(input, target, reduction=0, *, log_target=False):  # noqa: A002
    """Elementwise target * (log target - input); reduction 1 is the mean over all elements (no warning)."""
    return _reduced(_nf().kl_div(input, target, reduction="none", log_target=log_target), reduction, "kl_div")


def poisson_nll_loss(input, target, log_input, full, eps, reduction):  # noqa: A002
    loss = _nf().poisson_nll_loss(input, target, log_input, full, eps=eps, reduction="none")
    return _reduced(loss, reduction, "poisson_nll_loss")


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):  # noqa: A002
    loss = _nf().binary_cross_entropy_with_logits(input, target, weight, reduction="none", pos_weight=pos_weight)
    return _reduced(loss, reduction, "binary_cross_entropy_with_logits")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1, zero_infinity=False):
    """F.ctc_loss with reduction as an int: 1 (the default) its "mean" (each loss over its target length,
    then averaged), 2 the sum, else none."""
    return _nf().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                          _reduction_name(reduction, "ctc_loss"), zero_infinity)
