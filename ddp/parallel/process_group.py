"""Process groups of `ddp.distributed`: a `ProcessGroup` wraps a `Communicator`, and each rank keeps its own
default group (a process under ``mpirun``; a thread under `spawn`, where the ranks share one process)."""
import threading

from . import launch


class ProcessGroup:
    """A group of ranks for ``ddp.distributed`` calls: ``rank()``, ``size()``, its global ``ranks``.

    Made by ``init_process_group`` (the default group) and ``new_group``; collectives run on `comm`.
    """

    def __init__(self, comm, ranks, backend, timeout=None):
        self.comm, self.ranks, self.backend, self.timeout = comm, list(ranks), backend, timeout

    def rank(self):
        """This rank's index in the group."""
        return self.comm.rank

    def size(self):
        """Number of ranks in the group."""
        return self.comm.world_size

    def group_rank(self, global_rank, call):
        """The group rank of `global_rank`; ValueError naming `call` if it is not a member."""
        if global_rank not in self.ranks:
            raise ValueError(f"{call}: global rank {global_rank!r} is not part of the group (ranks {self.ranks})")
        return self.ranks.index(global_rank)

    def __repr__(self):
        return f"ProcessGroup(backend={self.backend!r}, ranks={self.ranks}, rank={self.rank()})"


class _NonGroupMember:
    """What `new_group` returns on ranks outside the group: collectives with it do nothing."""

    def __repr__(self):
        return "GroupMember.NON_GROUP_MEMBER"


class GroupMember:
    """PyTorch's ``GroupMember``: ``WORLD`` (the default group, per rank) and ``NON_GROUP_MEMBER``."""

    NON_GROUP_MEMBER = _NonGroupMember()

    class _World:
        def __get__(self, obj, owner):
            return state().default

    WORLD = _World()


class _State:
    """One rank's view: its default group and the groups made since."""

    def __init__(self):
        self.default, self.groups = None, []


_process_state = _State()
_thread_state = threading.local()  # .state, .comm: the state of a spawn thread and the comm it belongs to


def state():
    """The calling rank's `_State`: the process's, or that of its simulated rank inside `spawn`."""
    comm = launch.thread_comm()
    if comm is None:
        return _process_state
    if getattr(_thread_state, "comm", None) is not comm:
        _thread_state.state, _thread_state.comm = _State(), comm
    return _thread_state.state


def default_group(call):
    """The default group; ValueError (PyTorch's message) before ``init_process_group``."""
    pg = state().default
    if pg is None:
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         f"init_process_group. ({call})")
    return pg


def resolve(group, call):
    """The ProcessGroup `group` names (None: the default); NON_GROUP_MEMBER passes through."""
    default = default_group(call)
    if group is None:
        return default
    if group is not GroupMember.NON_GROUP_MEMBER and not isinstance(group, ProcessGroup):
        raise TypeError(f"{call}: group must be a ProcessGroup from new_group (or None), got {type(group).__name__}")
    return group
