"""Process-level setup: ``init()`` picks the communicator, installs the abort hook, limits BLAS.

``init()`` returns, in this order of preference:
1. inside a `spawn` thread: that simulated rank's `ThreadCommunicator`;
2. under ``mpirun`` (a launcher's environment variables are set): an `MPICommunicator`;
3. otherwise a one-rank `LocalCommunicator`; a plain ``python script.py`` never imports mpi4py.
"""

import os
import sys
import threading
import time
import traceback

from .comm import LocalCommunicator

# Variables set by MPI launchers: MPICH/Hydra (PMI_*), Open MPI, PMIx (Slurm, PRRTE).
_LAUNCHER_VARS = ("PMI_SIZE", "PMI_RANK", "HYDI_CONTROL_FD", "OMPI_COMM_WORLD_SIZE",
                  "PMIX_RANK", "MPI_LOCALNRANKS")

DEFAULT_TIMEOUT = 300.0  # seconds of the MPI watchdog (DDP_TIMEOUT)
_comm = None  # the process's communicator once init() ran
_tls = threading.local()  # .comm: the communicator of a spawn thread
_blas_limits = None  # threadpoolctl limits kept alive for the process


def launched_by_mpi():
    """True if this process was started by an MPI launcher such as ``mpirun``."""
    return any(v in os.environ for v in _LAUNCHER_VARS)


# torchrun's variables and the launcher variables they are read from: MPICH/Hydra, then Open MPI.
_TORCHRUN_VARS = {
    "RANK": ("PMI_RANK", "OMPI_COMM_WORLD_RANK"),
    "WORLD_SIZE": ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE"),
    "LOCAL_RANK": ("MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK"),
    "LOCAL_WORLD_SIZE": ("MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE"),
}


def set_torchrun_env(environ=None):
    """Under ``mpirun``, set the variables torchrun scripts read (RANK, WORLD_SIZE, LOCAL_RANK,
    LOCAL_WORLD_SIZE; MASTER_ADDR/MASTER_PORT only if unset, they are not used) from the launcher's.

    Runs at ``import ddp`` under a launcher, before user code reads them; reads environment variables
    only (MPI is not initialised). Outside a launcher it changes nothing. Without the launcher's local
    rank variables, one node is assumed (LOCAL_RANK = RANK).
    """
    environ = os.environ if environ is None else environ
    if not any(v in environ for v in _LAUNCHER_VARS):
        return
    for name, sources in _TORCHRUN_VARS.items():
        value = next((environ[s] for s in sources if s in environ), None)
        if value is not None:
            environ[name] = value
    for local, world in (("LOCAL_RANK", "RANK"), ("LOCAL_WORLD_SIZE", "WORLD_SIZE")):
        if local not in environ and world in environ:
            environ[local] = environ[world]
    environ.setdefault("MASTER_ADDR", "127.0.0.1")
    environ.setdefault("MASTER_PORT", "29500")


def init(abort_on_exception=True, blas_threads=1, backend=None, timeout=None, debug=None, timeline=None):
    """Set up the communicator of this process (or simulated rank) and return it; idempotent.

    Args:
        abort_on_exception: under MPI, an uncaught exception on any rank prints its traceback
            tagged ``[rank N]`` and aborts the whole job (instead of leaving the others hanging).
        blas_threads: BLAS threads per rank when several ranks share the machine (world size > 1);
            None leaves the BLAS settings alone.
        backend: "mpi" or "local" to override the detection.
        timeout: under MPI, seconds a communication call may block before the watchdog ends the job
            with a report of every rank's call (it warns at half); default ``$DDP_TIMEOUT`` or 300;
            0 turns the watchdog off. A rank that exits while others still need it ends the job too.
        debug: under MPI, compare every collective's fingerprint (op, dtype, shape, root) across the
            ranks before it runs, and raise on every rank at once on a mismatch, naming each rank's
            call and call site; default ``$DDP_DEBUG`` (1 turns it on). Costs a small allgather per
            collective.
        timeline: a path: record every rank's forward, backward, bucket reductions, pipeline transfers
            and waits, and write them at exit as one Chrome-trace JSON (timeline.py); default
            ``$DDP_TIMELINE``.

    Returns:
        The `Communicator`. Later calls return the same one and ignore their arguments.

    Example:
        >>> comm = ddp.parallel.init()
        >>> comm.allreduce(grad, op="mean")
    """
    global _comm
    thread_comm = getattr(_tls, "comm", None)
    if thread_comm is not None:
        return thread_comm
    if _comm is not None:
        return _comm
    if backend is None:
        backend = "mpi" if launched_by_mpi() else "local"
    if backend == "mpi":
        comm = _mpi_communicator(_resolve_timeout(timeout), _resolve_debug(debug))
    elif backend == "local":
        comm = LocalCommunicator()
    else:
        raise ValueError(f"init: unknown backend {backend!r}; expected 'mpi', 'local' or None")
    if blas_threads is not None and comm.world_size > 1:
        limit_blas_threads(blas_threads)
    if abort_on_exception and backend == "mpi":
        install_abort_hook(comm)
    _comm = comm
    timeline = os.environ.get("DDP_TIMELINE") if timeline is None else timeline
    if timeline:
        from . import timeline as _timeline
        _timeline.start(timeline, comm)
    return comm


def _mpi_communicator(timeout, debug):
    try:
        from .mpi_comm import MPICommunicator, thread_multiple
        from .watchdog import Watchdog
    except ImportError as exc:
        raise ImportError("ddp.parallel.init: started by an MPI launcher but mpi4py is not "
                          "installed; install it with `pip install ddp[mpi]`") from exc
    if timeout and thread_multiple():
        MPICommunicator.watch = (Watchdog(timeout), debug)
    else:  # the watchdog's thread calls MPI beside the main thread: that needs MPI_THREAD_MULTIPLE
        if timeout:
            sys.stderr.write("ddp.parallel.init: MPI was initialised without MPI_THREAD_MULTIPLE (mpi4py.rc."
                             "thread_level), so the watchdog is off\n")
        MPICommunicator.watch = (None, debug)
    return MPICommunicator()


def _resolve_timeout(timeout):
    """Seconds of the MPI watchdog from the argument or $DDP_TIMEOUT (default 300); None when off."""
    if timeout is None:
        text = os.environ.get("DDP_TIMEOUT", str(DEFAULT_TIMEOUT))
        try:
            timeout = float(text)
        except ValueError:
            raise ValueError(f"DDP_TIMEOUT must be a number of seconds, got {text!r}") from None
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool):
        raise TypeError(f"init: timeout must be a number of seconds, got {type(timeout).__name__}")
    return float(timeout) if timeout > 0 else None


def _resolve_debug(debug):
    if debug is None:
        return os.environ.get("DDP_DEBUG", "0").strip().lower() not in ("", "0", "false", "no", "off")
    return bool(debug)


def get_comm():
    """The current communicator (``init()`` must have run, except in `spawn` threads)."""
    comm = getattr(_tls, "comm", None) or _comm
    if comm is None:
        if launched_by_mpi():
            raise RuntimeError("ddp.parallel: running under mpirun but ddp.parallel.init() "
                               "has not been called")
        return LocalCommunicator()
    return comm


def get_rank():
    """This process's rank (0 for a plain, non-MPI run)."""
    return get_comm().rank


def get_world_size():
    """Number of ranks (1 for a plain, non-MPI run)."""
    return get_comm().world_size


def is_initialized():
    """True after ``init()`` in this process, and always inside `spawn` threads."""
    return getattr(_tls, "comm", None) is not None or _comm is not None


def thread_comm():
    """The calling thread's `spawn` communicator, or None outside `spawn` threads."""
    return getattr(_tls, "comm", None)


def set_thread_comm(comm):
    """Make `comm` what init()/get_rank() return in the calling thread (used by `spawn`)."""
    _tls.comm = comm


def limit_blas_threads(n):
    """Limit BLAS to `n` threads for the rest of the process (several ranks share the cores)."""
    global _blas_limits
    from threadpoolctl import threadpool_limits
    _blas_limits = threadpool_limits(limits=n, user_api="blas")


ABORT_DELAY = 3.0  # seconds a rank other than 0 waits before reporting its exception (see below)


def install_abort_hook(comm):
    """On an uncaught exception print ``[rank N]``-tagged traceback and ``comm.abort(1)``.

    A configuration error usually raises alike on every rank: rank 0 reports at once and the others
    wait `ABORT_DELAY` first, so that rank 0's abort ends them before they print the same traceback
    again. An exception on other ranks only is still reported, ABORT_DELAY seconds later."""
    def hook(exc_type, exc, tb):
        if comm.rank != 0:
            time.sleep(ABORT_DELAY)
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        tagged = "".join(f"[rank {comm.rank}] {line}" for line in text.splitlines(True))
        sys.stderr.write(tagged)
        sys.stderr.flush()
        time.sleep(0.5)  # the launcher forwards the traceback before the abort tears its streams down
        comm.abort(1)

    def thread_hook(args):
        if args.exc_type is not SystemExit:
            hook(args.exc_type, args.exc_value, args.exc_traceback)
    sys.excepthook = hook
    threading.excepthook = thread_hook
