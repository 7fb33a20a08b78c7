"""`AdaptiveLogSoftmaxWithLoss` (Grave et al., "Efficient softmax approximation for GPUs"), with PyTorch's
arguments, parameter names (head, tail.i.0, tail.i.1), checks and (output, loss) named tuple."""
from collections import namedtuple

import numpy as np

from .. import functional as CF
from ..tensor import Tensor
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """A softmax over many classes made cheap: the frequent classes (below cutoffs[0]) and one logit per
    cluster of rarer classes share the head; each cluster's classes get their own small softmax, whose
    input is first projected down by div_value ** (cluster + 1).

    log p(class) = log p_head(class) in the shortlist, else log p_head(cluster) + log p_cluster(class).

    Args:
        in_features: features of the input.
        n_classes: classes in all.
        cutoffs: increasing ints in [1, n_classes - 1] that split the classes into the shortlist and clusters.
        div_value: the hidden size of cluster i's projection is in_features // div_value ** (i + 1).
        head_bias: whether the head has a bias.
    forward(input (N, in_features) or (in_features,), target (N,) or ()) returns _ASMoutput(output, loss):
    output the target's log-probability per sample, loss the mean negative log-likelihood.
    Raises:
        ValueError for bad cutoffs; RuntimeError for mismatched input and target or targets out of range.

    Example:
        >>> asm = AdaptiveLogSoftmaxWithLoss(16, 100, [10, 40])
        >>> out, loss = asm(ddp.randn(8, 16), ddp.randint(0, 100, (8,)))
        >>> out.shape, asm.log_prob(ddp.randn(8, 16)).shape
        (ddp.Size([8]), ddp.Size([8, 100]))
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, dtype=dtype),
                                        Linear(hidden, size, bias=False, dtype=dtype)))

    def reset_parameters(self):
        """Re-initialise the head and every projection as fresh Linear layers."""
        self.head.reset_parameters()
        for down, up in self.tail:
            down.reset_parameters()
            up.reset_parameters()

    def forward(self, input_, target_):
        t = target_._data if isinstance(target_, Tensor) else np.asarray(target_)
        if t.ndim == 1:
            if input_.shape[0] != t.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input_.ndim != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"{tuple(input_.shape)}")
        elif t.ndim == 0:
            if input_.ndim != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"{tuple(input_.shape)}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if t.dtype.kind not in "iu":
            raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss: target must be an integer tensor, got {t.dtype}")
        batched = t.ndim == 1
        x, t = (input_, t) if batched else (CF.unsqueeze(input_, 0), t[None])
        if t.size and (t.min() < 0 or t.max() >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{t.min()}, {t.max()}] were found. ")
        cluster = np.searchsorted(self.cutoffs, t, side="right")  # 0: the shortlist, i: tail[i - 1]
        head_index = np.where(cluster == 0, t, self.shortlist_size + cluster - 1)
        head_logprob = CF.log_softmax(self.head(x), 1)
        output = CF.reshape(CF.gather(head_logprob, 1, head_index[:, None]), (-1,))
        for i in range(1, self.n_clusters + 1):
            rows = np.flatnonzero(cluster == i)
            if rows.size == 0:
                continue
            logprob = CF.log_softmax(self.tail[i - 1](CF.index_select(x, 0, rows)), 1)
            local = CF.gather(logprob, 1, (t[rows] - self.cutoffs[i - 1])[:, None])
            output = CF.index_add(output, 0, rows, CF.reshape(local, (-1,)))
        loss = CF.mean(-output)
        return _ASMoutput(output if batched else CF.squeeze(output, 0), loss)

    def _full_log_prob(self, x, head_output):
        """(N, n_classes) log-probabilities of every class from the input and its head output."""
        head_logprob = CF.log_softmax(head_output, 1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i, projection in enumerate(self.tail):
            cluster = self.shortlist_size + i
            parts.append(CF.log_softmax(projection(x), 1) + head_logprob[:, cluster:cluster + 1])
        return CF.cat(parts, 1)

    def _batched(self, input, op):  # noqa: A002
        if input.ndim not in (1, 2):
            raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss.{op}: expected an input of shape (N, in_features) "
                               f"or (in_features,), got {tuple(input.shape)}")
        return input.ndim == 2, (input if input.ndim == 2 else CF.unsqueeze(input, 0))

    def log_prob(self, input):  # noqa: A002
        """Log-probabilities of all classes: (N, n_classes) for an (N, in_features) input, (n_classes,) for
        one sample."""
        batched, x = self._batched(input, "log_prob")
        out = self._full_log_prob(x, self.head(x))
        return out if batched else CF.squeeze(out, 0)

    def predict(self, input):  # noqa: A002
        """The most likely class of each sample, int64: (N,), or () for one sample. Cheaper than
        argmax(log_prob(input)): only samples whose head picks a cluster get the full distribution."""
        batched, x = self._batched(input, "predict")
        head_output = self.head(x)
        best = np.argmax(head_output._data, axis=1)
        rare = np.flatnonzero(best >= self.shortlist_size)
        if rare.size:
            full = self._full_log_prob(CF.index_select(x, 0, rare), CF.index_select(head_output, 0, rare))
            best[rare] = np.argmax(full._data, axis=1)
        out = Tensor(best.astype(np.int64))
        return out if batched else CF.squeeze(out, 0)
