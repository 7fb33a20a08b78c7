"""Tensor parallelism (Megatron-style): one layer's matrix split across the ranks of a tensor-parallel group.

- `ColumnParallelLinear` splits W (out, in) by rows: rank r holds the outputs [r k, (r + 1) k) and computes
  its slice of y = x W^T + b from the whole input.
- `RowParallelLinear` splits W by columns: rank r holds the inputs [r k, (r + 1) k), computes a partial
  x_r W_r^T, and an allreduce sums the partials (then the bias, held whole, is added).
- Between them two conjugate autograd Functions: `CopyToGroup` (forward identity, backward allreduce: the
  input fed every shard, so its gradient sums theirs) and `ReduceFromGroup` (forward allreduce, backward
  identity). A column layer feeding a row layer needs no communication in between, so `ParallelMLP` and
  `ParallelMultiheadAttention` (heads split across the ranks) cost one allreduce forward, one backward.

Every layer is built from the plain layer's initialisation (the same random numbers, then this rank's
shard), so after the same seed it equals the plain model; `full_state_dict` gathers the shards into the
plain model's state dict. For tensor x data parallelism split the world twice (`comm.split`): the ranks of
one tensor-parallel group see the same batch; DistributedDataParallel over the ranks holding the same
shard averages its gradients.

Warning:
    Every forward and backward through these layers is a collective over the tensor-parallel group.
"""
import numpy as np

from ..core.autograd import Function, no_grad
from ..core.nn import functional as F
from ..core.nn.attention import MultiheadAttention
from ..core.nn.linear import Linear
from ..core.nn.module import Module, Parameter
from ..core.tensor import Tensor


def _group(process_group):
    from .data_parallel import _communicator
    return _communicator(None, process_group)


class CopyToGroup(Function):
    """Identity; the backward allreduces (sums) the gradient over the group."""

    @staticmethod
    def forward(ctx, x, *, comm):
        ctx.comm = comm
        return x.view()

    @staticmethod
    def backward(ctx, g):
        return ctx.comm.allreduce(np.array(g, order="C"))


class ReduceFromGroup(Function):
    """Sum over the group; the backward passes the gradient through (d/dx_r = g)."""

    @staticmethod
    def forward(ctx, x, *, comm):
        return comm.allreduce(np.array(x, order="C"))

    @staticmethod
    def backward(ctx, g):
        return g


class GatherFromGroup(Function):
    """Concatenate every rank's x along the last dim; the backward keeps this rank's slice of g."""

    @staticmethod
    def forward(ctx, x, *, comm):
        ctx.rank, ctx.k = comm.rank, x.shape[-1]
        return np.concatenate(list(comm.allgather(np.ascontiguousarray(x))), axis=-1)

    @staticmethod
    def backward(ctx, g):
        return g[..., ctx.rank * ctx.k:(ctx.rank + 1) * ctx.k].copy()


class ScatterToGroup(Function):
    """This rank's slice of the last dim of x; the backward gathers every rank's slice of g."""

    @staticmethod
    def forward(ctx, x, *, comm):
        ctx.comm, k = comm, x.shape[-1] // comm.world_size
        return x[..., comm.rank * k:(comm.rank + 1) * k].copy()

    @staticmethod
    def backward(ctx, g):
        return np.concatenate(list(ctx.comm.allgather(np.ascontiguousarray(g))), axis=-1)


def _shard_size(total, comm, layer, what):
    if total % comm.world_size:
        raise ValueError(f"{layer}: {what} ({total}) must be divisible by the tensor-parallel world size "
                         f"({comm.world_size})")
    return total // comm.world_size


def _gather(comm, arr, axis):
    """Every rank's `arr` concatenated along `axis` (a collective)."""
    return np.concatenate(list(comm.allgather(np.ascontiguousarray(arr))), axis=axis)


class _ParallelLinear(Module):
    """Shared by the column and row layers: built from a plain Linear's weights, sliced along `_axis`."""

    _axis = 0

    def __init__(self, in_features, out_features, bias=True, process_group=None, dtype=None, **options):
        super().__init__()
        full = Linear(in_features, out_features, bias=bias, dtype=dtype)  # the plain layer's random numbers
        self._setup(full.weight.detach().numpy(), None if full.bias is None else full.bias.detach().numpy(),
                    process_group, **options)

    @classmethod
    def from_linear(cls, linear, process_group=None, **options):
        """This rank's shard of an existing `nn.Linear` (copied)."""
        self = cls.__new__(cls)
        Module.__init__(self)
        bias = None if linear.bias is None else linear.bias.detach().numpy()
        self._setup(linear.weight.detach().numpy(), bias, process_group, **options)
        return self

    def _setup(self, weight, bias, process_group, **options):
        self.comm = _group(process_group)
        self.out_features, self.in_features = weight.shape
        name, what = type(self).__name__, ("out_features", "in_features")[self._axis]
        k = _shard_size(weight.shape[self._axis], self.comm, name, what)
        part = slice(self.comm.rank * k, (self.comm.rank + 1) * k)
        self.weight = Parameter(weight[part].copy() if self._axis == 0 else weight[:, part].copy())
        if bias is None:
            self.register_parameter("bias", None)
        else:
            self.bias = Parameter(bias[part].copy() if self._axis == 0 else bias.copy())
        for key, value in options.items():
            setattr(self, key, value)

    def full_state(self):
        """{"weight", "bias"}: the plain layer's full tensors (a collective over the group)."""
        state = {"weight": Tensor(_gather(self.comm, self.weight.detach().numpy(), self._axis))}
        if self.bias is not None:
            bias = self.bias.detach().numpy()
            state["bias"] = Tensor(_gather(self.comm, bias, 0) if self._axis == 0 else bias.copy())
        return state

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}, "
                f"shard={self.comm.rank}/{self.comm.world_size}")


class ColumnParallelLinear(_ParallelLinear):
    """`nn.Linear` with W split by output rows over the group; rank r computes outputs [r k, (r + 1) k).

    Args:
        in_features, out_features, bias, dtype: as `nn.Linear` (out_features divisible by the group size).
        gather_output: allgather the slices into the full output (else return this rank's slice, the
            input of a `RowParallelLinear`).
        process_group: the tensor-parallel group (a ``ddp.distributed`` group or a `Communicator`).

    Example:
        >>> fc = ColumnParallelLinear(16, 32, gather_output=False, process_group=tp)
    """

    _axis = 0
    gather_output = True  # from_linear's default

    def __init__(self, in_features, out_features, bias=True, gather_output=True, process_group=None, dtype=None):
        super().__init__(in_features, out_features, bias, process_group, dtype, gather_output=gather_output)

    def forward(self, x):
        y = F.linear(CopyToGroup.apply(x, comm=self.comm), self.weight, self.bias)
        return GatherFromGroup.apply(y, comm=self.comm) if self.gather_output else y


class RowParallelLinear(_ParallelLinear):
    """`nn.Linear` with W split by input columns; the partial products are summed over the group.

    Args:
        in_features, out_features, bias, dtype: as `nn.Linear` (in_features divisible by the group size).
        input_is_parallel: the input is already this rank's slice of the features (a column layer's
            output); else this rank takes its slice of the full input.
        process_group: the tensor-parallel group.
    """

    _axis = 1
    input_is_parallel = True  # from_linear's default

    def __init__(self, in_features, out_features, bias=True, input_is_parallel=True, process_group=None, dtype=None):
        super().__init__(in_features, out_features, bias, process_group, dtype, input_is_parallel=input_is_parallel)

    def forward(self, x):
        if not self.input_is_parallel:
            x = ScatterToGroup.apply(x, comm=self.comm)
        y = ReduceFromGroup.apply(F.linear(x, self.weight), comm=self.comm)
        return y + self.bias if self.bias is not None else y


class ParallelMLP(Module):
    """fc2(activation(fc1(x))) with fc1 column-parallel and fc2 row-parallel over the group (the plain
    model: a module with Linear `fc1` and `fc2`, built in that order). `activation` default GELU."""

    def __init__(self, in_features, hidden_features, out_features=None, bias=True, activation=None,
                 process_group=None):
        super().__init__()
        from ..core.nn.activation import GELU

        self.fc1 = ColumnParallelLinear(in_features, hidden_features, bias, gather_output=False,
                                        process_group=process_group)
        self.act = GELU() if activation is None else activation
        self.fc2 = RowParallelLinear(hidden_features, out_features or in_features, bias, process_group=process_group)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class ParallelMultiheadAttention(Module):
    """Self-attention as `nn.MultiheadAttention` (same initialisation and state dict), heads split over the
    group: rank r holds heads [r h, (r + 1) h) of the q, k, v projections and the matching input columns of
    `out_proj` (a `RowParallelLinear`). ``forward(x)`` returns (output, None): the attention weights of the
    other ranks' heads are not here. No dropout, kdim/vdim or bias_kv."""

    def __init__(self, embed_dim, num_heads, bias=True, batch_first=False, process_group=None, dtype=None):
        super().__init__()
        plain = MultiheadAttention(embed_dim, num_heads, bias=bias, batch_first=batch_first, dtype=dtype)
        self.comm = comm = _group(process_group)
        self.embed_dim, self.num_heads, self.batch_first = embed_dim, num_heads, batch_first
        self.local_heads = _shard_size(num_heads, comm, "ParallelMultiheadAttention", "num_heads")
        k = embed_dim // comm.world_size
        rows = np.concatenate([np.arange(i * embed_dim + comm.rank * k, i * embed_dim + (comm.rank + 1) * k)
                               for i in range(3)])  # this rank's rows of q, then of k, then of v
        self.in_proj_weight = Parameter(plain.in_proj_weight.detach().numpy()[rows])
        if bias:
            self.in_proj_bias = Parameter(plain.in_proj_bias.detach().numpy()[rows])
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = RowParallelLinear.from_linear(plain.out_proj, comm)

    def forward(self, query, key=None, value=None, need_weights=False, attn_mask=None):
        if (key is not None and key is not query) or (value is not None and value is not query):
            raise NotImplementedError("ParallelMultiheadAttention: only self-attention (key and value the "
                                      "query, or None) is supported")
        x = CopyToGroup.apply(query, comm=self.comm)
        if not self.batch_first:
            x = x.transpose(0, 1)
        n, length = x.shape[0], x.shape[1]
        q, k, v = (t.reshape(n, length, self.local_heads, -1).transpose(1, 2)
                   for t in F.linear(x, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1))
        heads = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        out = self.out_proj(heads.transpose(1, 2).reshape(n, length, -1))
        return (out if self.batch_first else out.transpose(0, 1)), None

    def full_state(self):
        """in_proj_weight and in_proj_bias in `nn.MultiheadAttention`'s layout (a collective)."""
        e, p = self.embed_dim, self.comm.world_size
        weight = self.comm.allgather(self.in_proj_weight.detach().numpy())  # (p, 3 e / p, e)
        state = {"in_proj_weight": Tensor(weight.reshape(p, 3, e // p, e).transpose(1, 0, 2, 3).reshape(3 * e, e))}
        if self.in_proj_bias is not None:
            bias = self.comm.allgather(self.in_proj_bias.detach().numpy())
            state["in_proj_bias"] = Tensor(bias.reshape(p, 3, e // p).transpose(1, 0, 2).reshape(3 * e))
        return state


def full_state_dict(module):
    """The state dict of the plain model that `module` shards: every tensor-parallel layer's shards gathered
    (a collective over each group; every rank gets the whole dict). Loads into the plain model."""
    state = module.state_dict()
    with no_grad():
        for prefix, m in module.named_modules():
            if isinstance(m, (_ParallelLinear, ParallelMultiheadAttention)):
                head = prefix + "." if prefix else ""
                state.update({head + k: v for k, v in m.full_state().items()})
    return state
