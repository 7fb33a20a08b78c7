"""`ZeroRedundancyOptimizer`: ZeRO stage 1, PyTorch's class of that name. Each rank keeps the optimizer
state of its shard of the parameters only, and steps only that shard.

Parameters are dealt to the ranks largest first, each to the rank holding the fewest elements so far, so
shards weigh about the same. After every rank's local optimizer has stepped its shard, each rank
broadcasts its shard's new values (one flat array per rank), so every replica ends the step with the
same parameters. An update is the unsharded optimizer's own arithmetic on the same gradient, so the
result equals the unsharded optimizer's bitwise, while each rank holds about 1/N of its state (Adam's
two moments, SGD's momentum).

The gradients are averaged by `DistributedDataParallel` as usual (every rank receives the whole averaged
gradient; a reduce-scatter into shards would move less, and is left for later).
"""
import numpy as np

from ..core.autograd import no_grad
from ..core.optim.optimizer import Optimizer
from ..core.tensor import Tensor
from . import launch


class ZeroRedundancyOptimizer(Optimizer):
    """Wrap `optimizer_class` so that each rank holds and steps only its shard of the parameters.

    Args:
        params: the parameters (or parameter groups), the same on every rank.
        optimizer_class: the optimizer to shard, e.g. ``ddp.optim.Adam``.
        process_group: the communicator of the ranks that share the work (default: the world).
        parameters_as_bucket_view, overlap_with_ddp: accepted (False) for PyTorch compatibility.
        **defaults: the optimizer's hyper-parameters (``lr=1e-3``, ...).

    Warning:
        `step`, `consolidate_state_dict` and construction synchronise the ranks.

    Example:
        >>> model = DistributedDataParallel(Net(), comm)
        >>> opt = ZeroRedundancyOptimizer(model.parameters(), ddp.optim.Adam, lr=1e-3)
        >>> loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, optimizer_class, process_group=None, parameters_as_bucket_view=False,
                 overlap_with_ddp=False, **defaults):
        if parameters_as_bucket_view or overlap_with_ddp:
            raise NotImplementedError("ZeroRedundancyOptimizer: parameters_as_bucket_view and overlap_with_ddp "
                                      "are not supported; leave them False")
        if not (isinstance(optimizer_class, type) and issubclass(optimizer_class, Optimizer)):
            raise TypeError(f"ZeroRedundancyOptimizer: optimizer_class must be a ddp optimizer class, got "
                            f"{optimizer_class!r}")
        self.comm = _communicator(process_group)
        self.rank, self.world_size = self.comm.rank, self.comm.world_size
        self.optimizer_class = optimizer_class
        groups = list(params)
        if groups and not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        groups = [{**g, "params": _as_list(g["params"])} for g in groups]
        self._owner = _deal([p for g in groups for p in g["params"]], self.world_size)
        local = [{**g, "params": [p for p in g["params"] if self._owner[id(p)] == self.rank]} for g in groups]
        self.optim = optimizer_class(local, **defaults)  # checks the hyper-parameters, holds the shard's state
        self._built = False
        super().__init__(groups, self.optim.defaults)
        self._built, self._consolidated = True, None

    # ------------------------------------------------------------------------------------------ steps
    def step(self, closure=None):
        """Step this rank's shard, then share every shard's new values with all ranks. Collective."""
        for full, local in zip(self.param_groups, self.optim.param_groups):
            local.update({k: v for k, v in full.items() if k != "params"})  # lr schedules change the full groups
        loss = self.optim.step(closure)
        self._broadcast_shards()
        return loss

    @no_grad()
    def _broadcast_shards(self):
        params = [p for g in self.param_groups for p in g["params"]]
        for owner in range(self.world_size):
            shard = [p for p in params if self._owner[id(p)] == owner]
            for dtype in dict.fromkeys(p.dtype for p in shard):
                same = [p for p in shard if p.dtype == dtype]
                flat = np.concatenate([p.numpy().reshape(-1) for p in same]) if owner == self.rank else \
                    np.empty(sum(p.numel() for p in same), dtype)
                self.comm.broadcast(flat, root=owner)
                if owner != self.rank:
                    start = 0
                    for p in same:
                        p.numpy()[...] = flat[start:start + p.numel()].reshape(p.shape)
                        start += p.numel()

    def add_param_group(self, param_group):
        if self._built:  # the shards were dealt at construction
            raise NotImplementedError("ZeroRedundancyOptimizer.add_param_group after construction is not supported")
        super().add_param_group(param_group)

    # ------------------------------------------------------------------------------------- inspection
    def owner(self, p):
        """The rank whose shard holds parameter `p`."""
        return self._owner[id(p)]

    def state_nbytes(self):
        """Bytes of optimizer state this rank holds (about 1/world_size of the unsharded optimizer's)."""
        return int(sum(v.numpy().nbytes for s in self.optim.state.values() for v in s.values()
                       if isinstance(v, Tensor)))

    # ------------------------------------------------------------------------------------ state dicts
    def consolidate_state_dict(self, to=0):
        """Collective: gather every shard's state on rank `to`, for `state_dict()` there."""
        index = {id(p): i for i, p in enumerate(p for g in self.param_groups for p in g["params"])}
        local = [p for g in self.optim.param_groups for p in g["params"]]
        mine = self.optim.state_dict()["state"]
        shard = {index[id(local[i])]: {k: (v.numpy().copy() if isinstance(v, Tensor) else v) for k, v in s.items()}
                 for i, s in mine.items()}
        parts = self.comm.allgather_object(shard)
        self._consolidated = None
        if self.rank == to:
            merged = {}
            for part in parts:
                merged.update(part)
            self._consolidated = {i: {k: (Tensor(v) if isinstance(v, np.ndarray) else v) for k, v in s.items()}
                                  for i, s in sorted(merged.items())}

    def state_dict(self):
        """The unsharded optimizer's state dict (load it into one, or into a ZeroRedundancyOptimizer).

        Raises:
            RuntimeError: unless `consolidate_state_dict(to=this rank)` ran first.
        """
        if self._consolidated is None:
            raise RuntimeError("ZeroRedundancyOptimizer: optimizer state has not been consolidated on this rank; "
                               "call consolidate_state_dict(to=rank) on every rank first")
        index, groups = 0, []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            packed["params"] = list(range(index, index + len(g["params"])))
            index += len(g["params"])
            groups.append(packed)
        return {"state": dict(self._consolidated), "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load an unsharded state dict (the same on every rank): each rank keeps its shard's part."""
        params = [p for g in self.param_groups for p in g["params"]]
        if len(state_dict["param_groups"]) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(state_dict['param_groups'])} parameter groups, "
                             f"this optimizer has {len(self.param_groups)}")
        local_index = {id(p): i for i, p in enumerate(p for g in self.optim.param_groups for p in g["params"])}
        state = {}
        for i, s in state_dict["state"].items():
            p = params[int(i)]
            if self._owner[id(p)] == self.rank:
                state[local_index[id(p)]] = s
        local_groups, start = [], 0
        for g, saved in zip(self.optim.param_groups, state_dict["param_groups"]):
            local_groups.append({**{k: v for k, v in saved.items() if k != "params"},
                                 "params": list(range(start, start + len(g["params"])))})
            start += len(g["params"])
        self.optim.load_state_dict({"state": state, "param_groups": local_groups})
        for full, saved in zip(self.param_groups, state_dict["param_groups"]):
            full.update({k: v for k, v in saved.items() if k != "params"})


def _as_list(params):
    return [params] if isinstance(params, Tensor) else list(params)


def _deal(params, world_size):
    """rank of each parameter (by id): largest first, to the rank with the fewest elements so far."""
    load, owner = [0] * world_size, {}
    for p in sorted(params, key=lambda p: -p.numel()):  # sorted() is stable: ties keep their order
        r = min(range(world_size), key=lambda r: (load[r], r))
        owner[id(p)] = r
        load[r] += p.numel()
    return owner


def _communicator(group):
    """The communicator of `group`: a Communicator, a ddp.distributed process group, or None (the world)."""
    from .comm import Communicator

    if group is None:
        return launch.get_comm()
    if isinstance(group, Communicator):
        return group
    comm = getattr(group, "comm", None)  # a ddp.distributed ProcessGroup wraps a communicator
    if not isinstance(comm, Communicator):
        raise TypeError(f"ZeroRedundancyOptimizer: process_group must be a communicator or a process group, "
                        f"got {group!r}")
    return comm
