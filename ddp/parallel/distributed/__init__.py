"""`ddp.distributed`: PyTorch's ``torch.distributed`` API over ddp's communicators.

``init_process_group`` makes the default process group from the communicator `ddp.parallel.init`
picks: MPI ranks under ``mpirun``, simulated ranks inside `ddp.multiprocessing.spawn` (each thread gets
its own group), one rank otherwise. The calls on tensors (collectives.py, p2p_ops.py) work in place on
ddp Tensors, as PyTorch's do; ranks given to them (``src``, ``dst``) are global ranks, as in PyTorch.
Objects go through object_collectives.py, groups live in process_group.py. The subpackages stand at
PyTorch's paths for what lives elsewhere in ddp.parallel: ``ddp.distributed.optim`` (ZeRO, zero.py) and
``ddp.distributed.algorithms`` (Join, join.py; the DDP communication hooks, comm_hooks.py).

Warning:
    ``init_process_group`` under a launcher, ``new_group`` and every collective synchronize the ranks
    of their group: all of them must make the same calls in the same order.

Example:
    >>> import ddp.distributed as dist
    >>> dist.init_process_group("gloo")
    >>> t = ddp.ones(3) * dist.get_rank()
    >>> dist.all_reduce(t, op=dist.ReduceOp.SUM)
"""
import datetime
import importlib.util
import os
import sys

from .. import launch
from ..collectives import (  # noqa: F401  (re-exported: torch.distributed's names)
    ReduceOp, all_gather, all_gather_into_tensor, all_reduce, all_to_all, all_to_all_single, barrier, broadcast,
    gather, monitored_barrier, reduce, reduce_scatter, reduce_scatter_tensor, scatter,
)
from ..object_collectives import (  # noqa: F401
    all_gather_object, broadcast_object_list, gather_object, scatter_object_list,
)
from ..p2p_ops import P2POp, batch_isend_irecv, irecv, isend, recv, send  # noqa: F401
from ..process_group import GroupMember, ProcessGroup, default_group as _default, resolve as _group, state
from ..comm_hooks import GradBucket  # noqa: F401  (the type comm hooks are annotated with)
from ..tensor_io import Work  # noqa: F401

__all__ = [
    "Backend", "GradBucket", "GroupMember", "P2POp", "ProcessGroup", "ReduceOp", "Work", "all_gather", "all_gather_into_tensor",
    "all_gather_object", "all_reduce", "all_to_all", "all_to_all_single", "barrier", "batch_isend_irecv",
    "broadcast", "broadcast_object_list", "destroy_process_group", "gather", "gather_object", "get_backend",
    "get_global_rank", "get_group_rank", "get_node_local_rank", "get_process_group_ranks", "get_rank",
    "get_world_size", "group", "init_process_group", "irecv", "is_available", "is_gloo_available",
    "is_initialized", "is_mpi_available", "is_nccl_available", "is_torchelastic_launched", "isend",
    "monitored_barrier", "new_group", "recv", "reduce", "reduce_scatter", "reduce_scatter_tensor", "scatter",
    "scatter_object_list", "send",
]


class Backend(str):
    """A backend name, lower-cased: ``Backend("GLOO") == "gloo"``. Gloo and MPI both run on ddp's
    communicators; NCCL needs GPUs and is refused by `init_process_group`."""

    UNDEFINED, GLOO, MPI, NCCL = "undefined", "gloo", "mpi", "nccl"

    def __new__(cls, name):
        if not isinstance(name, str):
            raise TypeError(f"Backend: the name must be a string, got {type(name).__name__}")
        value = name.lower()
        if value not in (cls.GLOO, cls.MPI, cls.NCCL, cls.UNDEFINED):
            raise ValueError(f"Backend: unknown backend {name!r}; expected 'gloo', 'mpi' or 'nccl'")
        return super().__new__(cls, value)


class _GroupNamespace:
    """``dist.group.WORLD``: the default process group of the calling rank (None before init)."""

    WORLD = GroupMember._World()


group = _GroupNamespace()


def is_available():
    """True: ddp.distributed is always there (one rank without a launcher)."""
    return True


def is_mpi_available():
    """True when mpi4py is installed, so that ``mpirun`` runs talk MPI."""
    return importlib.util.find_spec("mpi4py") is not None


def is_gloo_available():
    """True: the "gloo" backend runs on ddp's communicators (MPI, threads or one rank)."""
    return True


def is_nccl_available():
    """False: ddp runs on the CPU."""
    return False


def is_torchelastic_launched():
    """True when started by torchrun (its TORCHELASTIC_RUN_ID is set); ddp's launcher is mpirun."""
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def is_initialized():
    """True between `init_process_group` and `destroy_process_group` (per simulated rank in spawn)."""
    return state().default is not None


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Make the default process group of this rank.

    Under ``mpirun`` the group is the MPI job (an uncaught exception on one rank then aborts the job);
    inside `ddp.multiprocessing.spawn` it is the spawn's simulated ranks; otherwise a single rank.
    `world_size` and `rank` (arguments, or $WORLD_SIZE / $RANK with ``env://``) are checked against it.

    Args:
        backend: "gloo" (default) or "mpi"; both use the same communicators. "nccl" raises.
        init_method, store, group_name, pg_options, device_id: accepted; the launcher connects the ranks.
        timeout: a ``datetime.timedelta``: under MPI, how long a call may block before the watchdog ends
            the job (`ddp.parallel.init`'s timeout; it applies only if init has not run yet).
        world_size, rank: expected world size and rank, -1 to take them from the launcher.

    Raises:
        ValueError: already initialized, or world_size/rank disagree with the launcher.
        RuntimeError: "nccl", or world_size > 1 in a process no launcher started.
    """
    st = state()
    if st.default is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = _backend_name(backend)
    if timeout is not None and not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"init_process_group: expected timeout to be a datetime.timedelta, got "
                        f"{type(timeout).__name__}")
    if init_method is None or str(init_method).startswith("env://"):
        world_size = _env_int("WORLD_SIZE") if world_size in (-1, None) else world_size
        rank = _env_int("RANK") if rank in (-1, None) else rank
    comm = launch.init(timeout=None if timeout is None else timeout.total_seconds())
    _check_launch(comm, world_size, rank)
    st.default = ProcessGroup(comm, list(range(comm.world_size)), name, timeout=timeout)
    st.groups = [st.default]


def _backend_name(backend):
    """"gloo" for None; a "cpu:gloo,cuda:nccl" spec gives its CPU part; "nccl" raises."""
    if backend is None:
        return Backend.GLOO
    if not isinstance(backend, str):
        raise TypeError(f"init_process_group: backend must be a string, got {type(backend).__name__}")
    if ":" in backend:
        parts = dict(p.split(":", 1) for p in backend.split(",") if ":" in p)
        if "cpu" not in parts:
            raise RuntimeError(f"init_process_group: backend {backend!r} names no CPU backend, and ddp runs "
                               "on the CPU; use 'gloo'")
        backend = parts["cpu"]
    name = Backend(backend)
    if name == Backend.NCCL:
        raise RuntimeError("init_process_group: backend 'nccl' needs CUDA GPUs, and ddp runs on the CPU; "
                           "use backend='gloo' (or 'mpi')")
    if name == Backend.UNDEFINED:
        raise ValueError("init_process_group: backend 'undefined' is not a backend; use 'gloo' or 'mpi'")
    return name


def _env_int(var):
    value = os.environ.get(var)
    if value is None:
        return -1
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"init_process_group: environment variable {var}={value!r} is not an integer") from None


def _check_launch(comm, world_size, rank):
    if not isinstance(world_size, int) or not isinstance(rank, int):
        raise TypeError(f"init_process_group: world_size and rank must be ints, got {world_size!r} and {rank!r}")
    if world_size > 1 and comm.world_size == 1:
        raise RuntimeError(
            f"init_process_group: world_size={world_size}, but no launcher started this process, so it is "
            f"the only rank. ddp starts ranks with mpirun (`mpirun -n {world_size} python script.py`; torchrun "
            "is not used) or as simulated ranks with ddp.multiprocessing.spawn")
    if world_size not in (-1, comm.world_size):
        raise ValueError(f"init_process_group: world_size={world_size}, but the launcher started "
                         f"{comm.world_size} ranks")
    if rank not in (-1, comm.rank):
        raise ValueError(f"init_process_group: rank={rank}, but the launcher made this process rank {comm.rank}")


def destroy_process_group(group=None):
    """Destroy `group`; with None (or ``group.WORLD``) every group, which ends ``is_initialized()``."""
    st = state()
    if group is GroupMember.NON_GROUP_MEMBER:
        return
    if group is None or group is st.default:
        if st.default is None:
            raise ValueError("destroy_process_group: the default process group has not been initialized "
                             "(or was destroyed already)")
        st.default, st.groups = None, []
        return
    if group not in st.groups:
        raise ValueError("destroy_process_group: invalid process group specified (not a live group of this rank)")
    st.groups.remove(group)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None):
    """Collective over the default group: a group of the global `ranks` (sorted; all ranks by default).

    Every rank must call it, members or not; non-members get ``GroupMember.NON_GROUP_MEMBER``, with
    which collectives do nothing. A rank's rank in the group is its position in the sorted `ranks`.
    """
    st = state()
    world = _default("new_group")
    size = world.size()
    ranks = list(range(size)) if ranks is None else list(ranks)
    if any(not isinstance(r, int) or not 0 <= r < size for r in ranks) or len(set(ranks)) != len(ranks):
        raise ValueError(f"new_group: ranks must be distinct global ranks in [0, {size}), got {ranks!r}")
    ranks = sorted(ranks)
    name = world.backend if backend is None else _backend_name(backend)
    me = world.rank()
    sub = world.comm.split(0 if me in ranks else None, key=me)
    if sub is None:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(sub, ranks, name, timeout=timeout)
    st.groups.append(pg)
    return pg


def get_rank(group=None):
    """This rank in `group` (the default: the global rank); -1 if it is not a member."""
    pg = _group(group, "get_rank")
    return -1 if pg is GroupMember.NON_GROUP_MEMBER else pg.rank()


def get_world_size(group=None):
    """Number of ranks in `group` (the default: all); -1 if this rank is not a member."""
    pg = _group(group, "get_world_size")
    return -1 if pg is GroupMember.NON_GROUP_MEMBER else pg.size()


def get_backend(group=None):
    """The backend name `group` was made with ("gloo" or "mpi")."""
    pg = _group(group, "get_backend")
    if pg is GroupMember.NON_GROUP_MEMBER:
        raise ValueError("get_backend: this rank is not a member of the group")
    return pg.backend


def get_process_group_ranks(group):
    """The global ranks of `group`, in group-rank order."""
    pg = _group(group, "get_process_group_ranks")
    if pg is GroupMember.NON_GROUP_MEMBER:
        raise ValueError("get_process_group_ranks: this rank is not a member of the group")
    return list(pg.ranks)


def get_group_rank(group, global_rank):
    """The rank in `group` of global rank `global_rank` (ValueError if it is not a member)."""
    return _group(group, "get_group_rank").group_rank(global_rank, "get_group_rank")


def get_global_rank(group, group_rank):
    """The global rank of rank `group_rank` of `group`."""
    pg = _group(group, "get_global_rank")
    if not isinstance(group_rank, int) or not 0 <= group_rank < pg.size():
        raise ValueError(f"get_global_rank: group_rank={group_rank!r} is not a rank of a group of {pg.size()}")
    return pg.ranks[group_rank]


def get_node_local_rank(fallback_rank=None):
    """$LOCAL_RANK (set by mpirun runs at import, as torchrun does), else `fallback_rank`."""
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is None:
        raise RuntimeError("get_node_local_rank: LOCAL_RANK is not set (start the script with mpirun) and no "
                           "fallback_rank was given")
    return fallback_rank



# PyTorch's distributed subpackages that ddp does not have: importing one says so, and what to use instead
_NOT_IN_DDP = {
    "fsdp": "FullyShardedDataParallel is not part of ddp: use DistributedDataParallel, with "
            "ddp.distributed.optim.ZeroRedundancyOptimizer to shard the optimizer state",
    "checkpoint": "distributed checkpoints are not part of ddp: save model.module.state_dict() (or "
                  "ZeroRedundancyOptimizer.consolidate_state_dict()) on rank 0 with ddp.save",
    "device_mesh": "device meshes (DTensor) are not part of ddp: ranks are MPI processes, groups come from "
                   "ddp.distributed.new_group",
    "tensor": "DTensor and tensor parallelism by torch.distributed.tensor are not part of ddp: see "
              "ddp.parallel's ColumnParallelLinear and RowParallelLinear",
    "_tensor": "DTensor is not part of ddp",
    "pipelining": "torch.distributed.pipelining is not part of ddp: ddp.parallel's splitter runs layers as a "
                  "pipeline over MPI ranks",
    "rpc": "torch.distributed.rpc is not part of ddp: use the collectives and send/recv",
    "autograd": "distributed autograd (RPC) is not part of ddp",
    "launch": "ddp's launcher is mpirun: mpirun -n 4 python script.py",
    "run": "ddp's launcher is mpirun: mpirun -n 4 python script.py",
}


class _NotInDDP:
    """Last on sys.meta_path: an import of one of `_NOT_IN_DDP`'s subpackages, which no file provides,
    raises ModuleNotFoundError saying what ddp offers instead (not a bare internal path)."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        for prefix in ("ddp.distributed.", f"{__name__}."):
            if fullname.startswith(prefix):
                why = _NOT_IN_DDP.get(fullname[len(prefix):].split(".")[0])
                if why is not None:
                    public = "torch.distributed." + fullname[len(prefix):]
                    raise ModuleNotFoundError(f"No module named {public!r} in ddp: {why}", name=fullname)
        return None


sys.meta_path.append(_NotInDDP)
