"""`SyncBatchNorm`: batch normalisation whose statistics cover the batches of every rank (PyTorch's name).

With N ranks of B/N samples each, training forward and backward equal BatchNorm's on one process with the
whole batch B: forward gathers each rank's count, mean and centred sum of squares per channel and combines
them in rank order (Chan's formula: exact in real arithmetic, the same bits on every rank); backward
allreduces the per-channel sums of g and g * xhat that the input gradient needs. The weight and bias
gradients stay local sums, which DistributedDataParallel then averages, as for any parameter. Evaluation
normalises by the running statistics and communicates nothing.

Warning:
    A training forward and its backward are collectives over the group: every rank must run them.
"""
import numpy as np

from ..core.autograd import Function, no_grad
from ..core.nn.normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm


class SyncBatchNormFunction(Function):
    """Batch norm over the union of the ranks' batches (see the module); `comm` reduces.

    With xhat = (x - mean) / sqrt(var + eps), mean and var over all ranks and M their element count per
    channel: d/dweight = sum(g xhat) and d/dbias = sum(g) over the local batch; d/dx = w / sigma (g -
    S(g) / M - xhat S(g xhat) / M), S summing over every rank.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, *, momentum, eps, comm):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        n = x.size // x.shape[1]
        mean = x.mean(axis=axes) if n else np.zeros(x.shape[1], x.dtype)
        m2 = np.square(x - mean.reshape(shape)).sum(axis=axes)
        stats = comm.allgather(np.concatenate([np.array([n], x.dtype), mean, m2]))  # (ranks, 1 + 2C)
        counts, means, m2s = stats[:, :1], stats[:, 1:1 + x.shape[1]], stats[:, 1 + x.shape[1]:]
        total = counts.sum()
        mean = (counts * means).sum(axis=0) / total
        var = (m2s + counts * np.square(means - mean)).sum(axis=0) / total
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mean
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += (momentum * total / max(total - 1, 1)) * var
        invstd = (1 / np.sqrt(var + x.dtype.type(eps))).astype(x.dtype, copy=False).reshape(shape)
        xhat = (x - mean.reshape(shape)) * invstd
        ctx.save_for_backward(xhat, invstd, weight)
        ctx.axes, ctx.shape, ctx.total, ctx.comm = axes, shape, total, comm
        out = xhat * weight.reshape(shape) if weight is not None else xhat
        return out + bias.reshape(shape) if bias is not None else out

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, weight = ctx.saved_tensors
        axes, shape = ctx.axes, ctx.shape
        gb, gw = g.sum(axis=axes), (g * xhat).sum(axis=axes)
        gx = None
        if ctx.needs_input_grad[0]:
            sums = ctx.comm.allreduce(np.concatenate([gb, gw]))
            c = gb.size
            scale = invstd * weight.reshape(shape) if weight is not None else invstd
            gx = scale * (g - (sums[:c] / ctx.total).reshape(shape) - xhat * (sums[c:] / ctx.total).reshape(shape))
        return (gx, gw if ctx.needs_input_grad[1] else None, gb if ctx.needs_input_grad[2] else None, None, None)


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation of (N, C, ...) inputs over N and the spatial dims of every rank's batch.

    The arguments of BatchNorm2d, plus `process_group` (a ``ddp.distributed`` group or a `Communicator`;
    None: DistributedDataParallel's default, the default process group or ``ddp.parallel.get_comm()``).
    Usually made by `convert_sync_batchnorm` from a model's BatchNorm layers.

    Warning:
        Every training forward and backward is a collective over the group (see the module).

    Example:
        >>> model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        >>> model = DistributedDataParallel(model, comm)
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input_dim(self, x):
        if x.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {x.ndim}D input)")

    def forward(self, x):
        self._check_input_dim(x)
        if x.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm: expected input with {self.num_features} channels (dim 1), got "
                             f"shape {tuple(x.shape)}")
        from .data_parallel import _communicator

        comm = _communicator(None, self.process_group)
        if not self.training or comm.world_size == 1:  # nothing to synchronise: BatchNorm's own path
            return super().forward(x)
        factor = 0.0 if self.momentum is None else self.momentum
        track = self.training and self.track_running_stats
        if track:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # a cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        rm, rv = (self.running_mean._data, self.running_var._data) if track else (None, None)
        return SyncBatchNormFunction.apply(x, self.weight, self.bias, rm, rv, momentum=factor, eps=self.eps,
                                           comm=comm)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Replace every BatchNorm1d/2d/3d in `module` by a SyncBatchNorm with the same parameters (the
        same Parameter objects), buffers and mode; return the module (a new one if it is a BatchNorm)."""
        if isinstance(module, (BatchNorm1d, BatchNorm2d, BatchNorm3d)):
            out = cls(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats,
                      process_group, dtype=module.running_mean.dtype if module.running_mean is not None else None)
            with no_grad():
                if module.affine:
                    out.weight, out.bias = module.weight, module.bias  # bias None when made with bias=False
                if module.track_running_stats:
                    out.running_mean, out.running_var = module.running_mean, module.running_var
                    out.num_batches_tracked = module.num_batches_tracked
            out.train(module.training)
            return out
        for name, child in list(module.named_children()):
            new = cls.convert_sync_batchnorm(child, process_group)
            if new is not child:
                module.add_module(name, new)
        return module


__all__ = ["SyncBatchNorm", "SyncBatchNormFunction"]
