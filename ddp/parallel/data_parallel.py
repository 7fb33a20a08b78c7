"""`DistributedDataParallel`: one model replica per rank; gradients are averaged across ranks in backward.

Each rank runs forward and backward on its own shard of the batch. Gradients live in flat buckets
(parameters in reverse registration order, about the order backward produces them); a parameter's `.grad`
is a view into its bucket. A post-accumulate-grad hook on every parameter counts its bucket down, and a
full bucket starts a non-blocking allreduce (a mean) while backward goes on with earlier layers. Buckets
start in bucket order on every rank (a full bucket waits for the ones before it), so the collectives
match. The hook that completes the last bucket reduces it and waits for the others, so when `backward()`
returns every `.grad` holds the average over ranks, bitwise the same on every rank.

Gradients are produced in the buckets: each bucket view is the parameter's `_grad_buffer`, so after
``optimizer.zero_grad()`` (set_to_none) the backward of Linear and Conv2d writes the weight and bias
gradients straight into it (`Context.grad_buffer`), and with ``zero_grad(set_to_none=False)`` or
accumulation the engine adds into it. A gradient made elsewhere (an op without buffers, a weight used
twice) arrives as a fresh array, which the hook copies into the bucket. Buckets come from
`comm.reduce_buffer`: between MPI ranks of one node they live in shared memory that the other ranks read
directly, and the division by world_size happens while each reduced slice is in cache
(shm_allreduce.py). The buckets before the last reduce there too, without blocking: queued in bucket
order, advanced by the hooks' `is_completed()` calls and a progress thread (shm_progress.py). As with
PyTorch's ``gradient_as_bucket_view``, `.grad` is the bucket view: the next backward overwrites it, so
clone a gradient you want to keep.
"""
import contextlib
import copy
import weakref

import numpy as np

from ..core.autograd import is_grad_enabled, no_grad
from ..core.nn.module import Module
from . import launch, timeline
from .buckets import make_buckets, release_grad_buffers
from .comm import Communicator
from .comm_hooks import run_hook
from .process_group import GroupMember, ProcessGroup, state as dist_state
from .replicas import broadcast_arrays, check_same_model, reachable_leaves


class DistributedDataParallel(Module):
    """Wrap `module` so that `backward()` averages its gradients over the ranks of `comm`.

    The wrapper is an `nn.Module` whose one child is `module` (as PyTorch's): its parameters, buffers,
    state dict ("module."-prefixed keys), train/eval, `to`, hooks and `apply` are the module's, and a
    model that holds it as a submodule saves and moves it as any other.

    Construction checks that every rank has the same parameter and buffer names, shapes and dtypes, then
    copies rank 0's parameters and buffers to every rank. Feed each rank its own shard (a
    `DistributedSampler`) and take the mean loss over the local batch: the averaged gradient is then the
    gradient of the mean over the global batch.

    Warning:
        Construction, every ``backward()`` outside `no_sync`, and (with `broadcast_buffers` and buffers
        present) every forward after a synchronized one are collectives: all ranks must make them, in the
        same order.

    Args:
        module: the model (a `ddp.nn.Module`); `.module` returns it.
        comm: the `Communicator`; default: the default process group of ``ddp.distributed`` once
            ``init_process_group`` ran, else ``ddp.parallel.get_comm()``. (A list here is PyTorch's
            positional `device_ids`.)
        device_ids, output_device: PyTorch's GPU placement; CPU modules take None, as in PyTorch.
        process_group: a ``ddp.distributed`` group to reduce over, instead of `comm`.
        bucket_cap_mb: largest bucket in MiB, default 25 (a bigger parameter gets a bucket of its own).
            Small buckets overlap more of backward with communication; large ones pay less latency.
        broadcast_buffers: copy rank 0's buffers (e.g. BatchNorm running stats) to every rank at the start
            of the first forward and of each forward that follows one that recorded outside `no_sync`
            (PyTorch's rule: so the eval forward after training sees rank 0's statistics on every rank).
        find_unused_parameters: after each forward, find the parameters the outputs do not depend on and
            treat them as ready (zero gradient) so that their buckets still reduce. Needed when a forward
            leaves parameters out. A parameter unused on every rank keeps ``.grad`` None, as in one process.
        static_graph: the graph is the same every iteration; parameters it leaves out are handled as with
            `find_unused_parameters` (which this implies).
        dim, check_reduction, gradient_as_bucket_view, and PyTorch's later options: accepted for its
            signature. `.grad` is always a view of its bucket (``gradient_as_bucket_view=True``).

    Raises:
        RuntimeError: the ranks' models differ (the message names the first mismatch and the ranks), or
            the module has no parameter that requires grad.

    Example:
        >>> comm = ddp.parallel.init()
        >>> model = DistributedDataParallel(Net(), comm)
        >>> loss = F.cross_entropy(model(x_shard), y_shard)
        >>> loss.backward()           # gradients are averaged over the ranks here
        >>> optimizer.step()
    """

    def __init__(self, module, comm=None, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, delay_all_reduce_named_params=None,
                 param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None,
                 skip_all_reduce_unused_params=False):
        if not hasattr(module, "named_parameters"):
            raise TypeError(f"DistributedDataParallel: module must be a ddp.nn.Module, got {type(module).__name__}")
        bucket_cap_mb = 25 if bucket_cap_mb is None else bucket_cap_mb
        if not isinstance(bucket_cap_mb, (int, float)) or not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be a positive number, got {bucket_cap_mb!r}")
        if isinstance(comm, (list, tuple)) and device_ids is None:  # DistributedDataParallel(model, [rank])
            comm, device_ids = None, comm
        _check_torch_options(device_ids, output_device, mixed_precision, device_mesh)
        super().__init__()
        self.module = module
        self.comm = _communicator(comm, process_group)
        self.broadcast_buffers = broadcast_buffers
        self.static_graph = bool(static_graph)
        self.find_unused_parameters = bool(find_unused_parameters) or self.static_graph
        self._sync_buffers_next = True  # PyTorch's require_forward_param_sync: set by the last forward
        self._bucket_cap_mb = bucket_cap_mb
        check_same_model(module, self.comm)
        with no_grad():
            self._broadcast_state(0)
        self._prepare(self.comm.reduce_buffer)

    def __deepcopy__(self, memo):
        """A copy (AveragedModel(ddp_model) for EMA or SWA, a best-model snapshot): the module deep-copied,
        the same communicator, its own gradient buckets, hooks and no hook; built without a collective, so
        that one rank may copy alone (PyTorch's DistributedDataParallel rebuilds in __setstate__ likewise)."""
        other = DistributedDataParallel.__new__(DistributedDataParallel)
        memo[id(self)] = other
        Module.__init__(other)
        other.module = copy.deepcopy(self.module, memo)
        other.comm, other.broadcast_buffers, other.static_graph = self.comm, self.broadcast_buffers, self.static_graph
        other.find_unused_parameters, other._bucket_cap_mb = self.find_unused_parameters, self._bucket_cap_mb
        other._sync_buffers_next = True
        other._prepare(lambda count, dtype: np.zeros(count, dtype))  # reduce_buffer may be collective
        return other

    def _prepare(self, allocate):
        """Buckets for the parameters that require grad (flat storage from `allocate`) and their hooks."""
        module, bucket_cap_mb = self.module, self._bucket_cap_mb
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError("DistributedDataParallel: the module has no parameter that requires grad, "
                               "so there is nothing to synchronize")
        self._names = {id(p): n for n, p in named}
        self._buckets = make_buckets([p for _, p in reversed(named)], int(bucket_cap_mb * 2 ** 20), allocate)
        self._slots = {id(s.param): s for b in self._buckets for s in b.slots}
        for slot in self._slots.values():
            slot.param._grad_buffer = slot.view
        weakref.finalize(self, release_grad_buffers, [(s.param, s.view) for s in self._slots.values()])
        self._require_sync = True
        self._join = None  # the Join context while inside ``with model.join():``
        self._unused = []  # slots the latest forward did not reach (find_unused_parameters)
        self._round = None  # state of the reduction in progress, see _start_round
        self._comm_hook = None  # (state, hook) from register_comm_hook
        self._seen = np.zeros(len(named), np.int32)  # 1 where a gradient arrived since the last reduction
        me = weakref.ref(self)  # the hooks must not keep a discarded wrapper alive (nor fire for it)
        self._handles = [p.register_post_accumulate_grad_hook(_hook(me)) for _, p in named]

    # ------------------------------------------------------------------------------------ the module
    def forward(self, *args, **kwargs):
        """Run the module; broadcasts rank 0's buffers first after a synchronized forward (see
        `broadcast_buffers`)."""
        if self._round is not None:
            raise RuntimeError(self._incomplete_message("a new forward started"))
        if self._join is not None and is_grad_enabled():
            self._join.step()
        if self.broadcast_buffers and self._sync_buffers_next and self.comm.world_size > 1:
            self._broadcast_buffers(0 if self._join is None else self._join.root)
        self._sync_buffers_next = is_grad_enabled() and self._require_sync
        with timeline.span("forward", "compute"):
            out = self.module(*args, **kwargs)
        if self.find_unused_parameters and is_grad_enabled():
            reached = reachable_leaves(out)
            self._unused = [s for s in self._slots.values() if id(s.param) not in reached]
        return out

    # As in PyTorch, the wrapper's names (and its state dict's keys) are the module's under "module.":
    # save `model.module.state_dict()` to load the weights into a plain model.
    def load_state_dict(self, state_dict, strict=True):
        """Load a state dict saved from a DistributedDataParallel (keys under "module.").

        Raises:
            RuntimeError: with `strict`, for keys without the "module." prefix (a plain model's state
                dict: load it with ``model.module.load_state_dict``), as PyTorch does.
        """
        plain = [k for k in state_dict if not k.startswith("module.")]
        if plain and strict:
            raise RuntimeError(
                f"Error(s) in loading state_dict for DistributedDataParallel: unexpected key(s) "
                f"{', '.join(repr(k) for k in plain[:5])}{' ...' if len(plain) > 5 else ''}: a wrapped model's "
                "keys start with 'module.'; load a plain model's state dict with model.module.load_state_dict")
        inner = type(state_dict)((k[len("module."):], v) for k, v in state_dict.items() if k.startswith("module."))
        return self.module.load_state_dict(inner, strict)

    # ------------------------------------------------------------------------------------- public extras
    @contextlib.contextmanager
    def no_sync(self):
        """Inside, backward accumulates gradients locally; the next backward outside reduces the sum.

        Example:
            >>> with model.no_sync():
            ...     F.mse_loss(model(x1), y1).backward()
            >>> F.mse_loss(model(x2), y2).backward()   # reduces the gradients of both micro-batches
        """
        previous, self._require_sync = self._require_sync, False
        try:
            yield
        finally:
            self._require_sync = previous

    def join(self, divide_by_initial_world_size=True, enable=True, throw_on_early_termination=False):
        """A context for uneven inputs: ranks that run out of batches shadow the others' reductions.

        Wrap the whole training loop; on leaving, every rank holds the parameters of the last rank to
        join (see join.py). Inside it a training forward is a collective (a small allreduce).

        Args:
            divide_by_initial_world_size: True (PyTorch's default): a step that fewer ranks take is still
                divided by the world size. False is not supported.
            enable: False makes the context do nothing.
            throw_on_early_termination: raise on every rank as soon as one runs out of inputs.

        Example:
            >>> with model.join():
            ...     for x, y in loader:   # loaders of different lengths on different ranks
            ...         opt.zero_grad(); F.cross_entropy(model(x), y).backward(); opt.step()
        """
        from .join import Join

        if divide_by_initial_world_size is not True:
            raise NotImplementedError("DistributedDataParallel.join: only divide_by_initial_world_size=True "
                                      "(each step divided by the full world size) is supported")
        return Join(self, enable, throw_on_early_termination)

    def finish_gradient_synchronization(self):
        """Check that the last backward reduced every bucket (it completes them itself); raise if not."""
        if self._round is not None:
            raise RuntimeError(self._incomplete_message("finish_gradient_synchronization() was called"))

    def register_comm_hook(self, state, hook):
        """Reduce each bucket with ``hook(state, bucket)`` instead of the mean-allreduce (see comm_hooks.py).

        The hook gets a `GradBucket` and returns a `Future` of the reduced flat gradient; DDP copies it into
        the bucket. Register one hook, on every rank, before the first backward.

        Example:
            >>> from ddp.parallel.comm_hooks import fp16_compress_hook
            >>> model.register_comm_hook(None, fp16_compress_hook)
        """
        if not callable(hook):
            raise TypeError(f"DistributedDataParallel.register_comm_hook: hook must be callable, got "
                            f"{type(hook).__name__}")
        if self._comm_hook is not None:
            raise RuntimeError("DistributedDataParallel.register_comm_hook: a communication hook is already "
                               "registered; register_comm_hook can only be called once")
        if self._round is not None:
            raise RuntimeError("DistributedDataParallel.register_comm_hook: called during a backward pass; "
                               "register the hook before the first backward")
        self._comm_hook = (state, hook)

    def bucket_layout(self):
        """Parameter names of each bucket, in reduction order (for inspection)."""
        return [[self._names[id(s.param)] for s in b.slots] for b in self._buckets]

    # ---------------------------------------------------------------------------------- the reduction
    def _grad_ready(self, p):
        """Post-accumulate hook body: move the gradient into its bucket; reduce buckets that are full."""
        slot = self._slots[id(p)]
        slot.adopt_grad()
        self._seen[slot.index] = 1
        if not self._require_sync:
            return  # no_sync: the local sum accumulates; the next synced backward averages it
        if self._round is None:
            self._start_round()
        if slot.index in self._round:
            name = self._names[id(p)]
            why = ("was marked unused by find_unused_parameters" if slot in self._unused
                   else "already received its gradient")
            raise RuntimeError(f"DistributedDataParallel: parameter {name!r} {why}, but a gradient arrived "
                               "before its bucket was reduced (two backward passes through one forward, or "
                               "several forwards before one backward?)")
        self._mark_ready(slot)
        self._launch_full_buckets()
        for b in self._buckets:  # let MPI progress the reductions in flight
            if b.work is not None:
                b.work.is_completed()

    def _start_round(self):
        """Begin a reduction: treat the parameters the last forward did not use as ready."""
        self._round, self._next, self._was_none = set(), 0, []
        self._began = timeline.now()  # None unless the timeline records
        for slot in self._unused:
            if slot.param.grad is None:
                slot.view[...] = 0
                self._was_none.append(slot)
            else:
                slot.adopt_grad()
            self._mark_ready(slot)

    def _mark_ready(self, slot):
        self._round.add(slot.index)
        slot.bucket.pending -= 1

    def _launch_full_buckets(self):
        """Start the full buckets in bucket order; the last one finishes the reduction."""
        while self._next < len(self._buckets) and self._buckets[self._next].pending == 0:
            bucket = self._buckets[self._next]
            self._next += 1
            if self._next < len(self._buckets):
                bucket.launched = timeline.now()
                bucket.work = (self.comm.iallreduce(bucket.flat, op="mean") if self._comm_hook is None
                               else run_hook(self, bucket, self._next - 1))
            else:
                self._finish_round(bucket)

    def _finish_round(self, last):
        """Reduce the last bucket, wait for the others, average, and reset for the next backward."""
        comm, line = self.comm, timeline.active
        seen = comm.iallreduce(self._seen) if self.find_unused_parameters else None
        last.launched = timeline.now()
        if self._comm_hook is None:
            comm.allreduce(last.flat, op="mean")  # nothing left to overlap with: the blocking call is the fastest
        else:
            run_hook(self, last, len(self._buckets) - 1).wait()
        if line is not None:
            what = "allreduce (blocking)" if self._comm_hook is None else "comm hook"
            line.complete(what, "communication", last.launched, line.now(), bucket=len(self._buckets) - 1)
        for k, b in enumerate(self._buckets):
            if b.work is not None:
                with timeline.span("wait", "communication", bucket=k):
                    b.work.wait()
                b.work = None
            b.pending = len(b.slots)
            if line is not None:
                line.flow(f"allreduce bucket {k}", "communication", b.launched, line.now(), bytes=int(b.flat.nbytes))
        if line is not None and self._began is not None:
            line.complete("backward", "compute", self._began, line.now(), buckets=len(self._buckets))
        if seen is not None:
            seen.wait()
        for slot in self._was_none:  # used on another rank: take the average; unused everywhere: stay None
            if self._seen[slot.index]:
                slot.param.grad = slot.grad
        self._seen[...] = 0
        self._round = None

    def _broadcast_buffers(self, root):
        buffers = [b.numpy() for _, b in self.module.named_buffers()]
        if buffers:
            broadcast_arrays(self.comm, buffers, root)

    def _broadcast_state(self, root):
        broadcast_arrays(self.comm, [p.numpy() for _, p in self.module.named_parameters()]
                          + [b.numpy() for _, b in self.module.named_buffers()], root)

    def _shadow_reduction(self):
        """A joined rank's part in the others' reduction: the same collectives, in order, with zeros."""
        works = []
        for b in self._buckets:
            b.flat[...] = 0
        hooked = self._comm_hook is not None  # a hook runs on the zeros too, as in PyTorch's join
        for k, b in enumerate(self._buckets[:-1]):
            works.append(run_hook(self, b, k) if hooked else self.comm.iallreduce(b.flat, op="mean"))
        if self.find_unused_parameters:
            works.append(self.comm.iallreduce(np.zeros_like(self._seen)))
        if hooked:
            run_hook(self, self._buckets[-1], len(self._buckets) - 1).wait()
        else:
            self.comm.allreduce(self._buckets[-1].flat, op="mean")
        for w in works:
            w.wait()

    def _incomplete_message(self, event):
        missing = [self._names[id(s.param)] for s in self._slots.values() if s.index not in self._round]
        shown = ", ".join(repr(n) for n in missing[:10]) + (" ..." if len(missing) > 10 else "")
        return (f"DistributedDataParallel: {event} before the gradients of the previous backward were "
                f"reduced: on rank {self.comm.rank}, parameters {shown} received no gradient. If the forward "
                "does not use every parameter, pass find_unused_parameters=True; make sure every output "
                "that depends on the parameters takes part in the loss.")


def _hook(ddp_ref):
    def hook(p):
        ddp = ddp_ref()
        if ddp is not None:
            ddp._grad_ready(p)
    return hook


# -------------------------------------------------------------------------------------------- helpers
def _check_torch_options(device_ids, output_device, mixed_precision, device_mesh):
    """PyTorch's GPU-only arguments: CPU modules take device_ids None (or []) and no output_device."""
    if device_ids or output_device is not None:
        raise ValueError(f"DistributedDataParallel: device_ids and output_device only work with GPU modules, and "
                         f"ddp runs on the CPU; pass device_ids=None (got device_ids {device_ids!r}, output_device "
                         f"{output_device!r})")
    if mixed_precision is not None or device_mesh is not None:
        raise NotImplementedError("DistributedDataParallel: mixed_precision and device_mesh are not supported")


def _communicator(comm, process_group):
    """The communicator to reduce over: `comm`, the `process_group`'s, the default process group's (after
    ``ddp.distributed.init_process_group``), or ``ddp.parallel.get_comm()``."""
    if comm is not None and process_group is not None:
        raise ValueError("DistributedDataParallel: pass comm or process_group, not both")
    if process_group is GroupMember.NON_GROUP_MEMBER:
        raise ValueError("DistributedDataParallel: this rank is not a member of process_group")
    if isinstance(process_group, ProcessGroup):
        return process_group.comm
    comm = process_group if comm is None else comm
    if comm is not None and not isinstance(comm, Communicator):
        raise TypeError(f"DistributedDataParallel: comm must be a Communicator (or process_group a "
                        f"ProcessGroup), got {type(comm).__name__}")
    if comm is None:
        default = dist_state().default
        comm = launch.get_comm() if default is None else default.comm
    return comm
