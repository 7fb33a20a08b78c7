"""Exact global metrics from per-rank sums: total loss, correct predictions and sample counts.

Each rank sums over its own shard; one allreduce (float64, exact for counts below 2**53) turns the sums
into the numbers one process would compute over the whole data set. Average sums, not per-rank means:
shards may differ in size (``DistributedSampler(pad=False)``).

Warning:
    `all_reduce_sum`, `reduce_metrics` and `MetricSums.compute` are collectives: every rank must call them.
"""
from collections import namedtuple

import numpy as np

from . import launch

Metrics = namedtuple("Metrics", ["loss", "accuracy", "count"])
Metrics.__doc__ = "Global mean loss, accuracy (fraction correct) and number of samples over all ranks."


def _value(x):
    return x.numpy() if hasattr(x, "numpy") else x


def all_reduce_sum(values, comm=None):
    """Sum numbers or arrays over all ranks with one allreduce; return them in the same structure.

    Args:
        values: a number, an array or Tensor, or a dict of those (same keys and shapes on every rank).
        comm: the `Communicator`; default ``ddp.parallel.get_comm()``.
    Returns:
        float64 numpy values (a float for a scalar), or a dict of them with the same keys.

    Example:
        >>> totals = all_reduce_sum({"loss": loss_sum, "correct": correct, "count": n})
    """
    comm = launch.get_comm() if comm is None else comm
    if isinstance(values, dict):
        keys = list(values)
        arrays = [np.asarray(_value(values[k]), np.float64) for k in keys]
    else:
        keys, arrays = None, [np.asarray(_value(values), np.float64)]
    flat = np.concatenate([a.ravel() for a in arrays]) if arrays else np.zeros(0)
    comm.allreduce(flat)
    out, start = [], 0
    for a in arrays:
        part = flat[start:start + a.size].reshape(a.shape)
        out.append(float(part) if a.ndim == 0 else part)
        start += a.size
    return dict(zip(keys, out)) if keys is not None else out[0]


def reduce_metrics(loss_sum, correct, count, comm=None):
    """Global `Metrics` from this rank's summed loss, number correct and number of samples.

    Example:
        >>> m = reduce_metrics(loss_sum, correct, count)
        >>> print(f"loss {m.loss:.4f}, accuracy {m.accuracy:.2%} over {m.count} samples")
    """
    t = all_reduce_sum(np.array([_value(loss_sum), _value(correct), _value(count)], np.float64), comm)
    n = int(t[2])
    return Metrics(t[0] / n if n else float("nan"), t[1] / n if n else float("nan"), n)


class MetricSums:
    """Accumulate loss, correct and count over local batches; `compute()` reduces them across ranks.

    Example:
        >>> sums = MetricSums()
        >>> for x, y in loader:
        ...     out = model(x)
        ...     sums.update(F.cross_entropy(out, y), out, y)
        >>> loss, accuracy, count = sums.compute()
    """

    def __init__(self):
        self.reset()

    def reset(self):
        self.loss_sum, self.correct, self.count = 0.0, 0, 0

    def update(self, loss, output=None, target=None, n=None):
        """Add one batch: `loss` is its MEAN loss; `output` (logits, batch first) and `target` (class
        indices) count the correct predictions; `n` is the batch size (default ``len(target)``)."""
        if n is None and target is None:
            raise ValueError("MetricSums.update: pass the batch size n or the target")
        n = len(_value(target)) if n is None else int(n)
        self.loss_sum += float(_value(loss)) * n
        if output is not None:
            pred = np.asarray(_value(output)).argmax(axis=-1)
            self.correct += int((pred == np.asarray(_value(target))).sum())
        self.count += n

    def compute(self, comm=None):
        """Collective: the global `Metrics` over every rank's batches."""
        return reduce_metrics(self.loss_sum, self.correct, self.count, comm)
