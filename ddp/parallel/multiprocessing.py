"""`ddp.multiprocessing`: PyTorch's ``torch.multiprocessing.spawn`` on ddp's simulated ranks.

``spawn(fn, args, nprocs)`` calls ``fn(rank, *args)`` on `nprocs` simulated ranks, threads of this process
(see `ddp.parallel.spawn`), where ``dist.init_process_group`` joins their world. Breakpoints work in
them; a failure on one rank is re-raised as `ProcessRaisedException` naming that rank, as PyTorch's.
The standard library's multiprocessing names that scripts use (``set_start_method``, ``Queue``, ...)
are here too, as in ``torch.multiprocessing``.
"""
import os
import threading
import traceback
from multiprocessing import (  # noqa: F401  (torch.multiprocessing re-exports the standard library's)
    Array, Event, Lock, Manager, Pipe, Pool, Process, Queue, SimpleQueue, Value, cpu_count, current_process,
    get_all_start_methods, get_context, get_start_method, set_start_method,
)

from . import launch
from .spawn import spawn as spawn_threads

__all__ = ["ProcessContext", "ProcessException", "ProcessExitedException", "ProcessRaisedException", "spawn",
           "start_processes"]

_START_METHODS = ("spawn", "fork", "forkserver")


class ProcessException(Exception):
    """A spawned rank failed; `error_index` is its rank, `error_pid` this process's id."""

    def __init__(self, msg, error_index, error_pid):
        super().__init__(msg)
        self.msg, self.error_index, self.error_pid = msg, error_index, error_pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid)


class ProcessRaisedException(ProcessException):
    """A spawned rank raised an exception; the message holds its traceback (chained as __cause__)."""


class ProcessExitedException(ProcessException):
    """A spawned rank called ``sys.exit`` with a non-zero code (`exit_code`)."""

    def __init__(self, msg, error_index, error_pid, exit_code, signal_name=None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code, self.signal_name = exit_code, signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid, self.exit_code, self.signal_name)


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Run ``fn(rank, *args)`` on `nprocs` simulated ranks; with `join`, wait for all and return None.

    Args:
        fn: the per-rank function; its first argument is the rank.
        args: the other arguments (shared by the ranks: do not mutate them).
        nprocs: number of ranks.
        join: False returns a `ProcessContext` at once; its ``join()`` waits.
        daemon, start_method: accepted for PyTorch's signature (the ranks are threads).

    A rank that waits longer than ``$DDP_SPAWN_TIMEOUT`` seconds (default 60) in one communication call
    reports a deadlock and fails (see `ddp.parallel.spawn`); raise it for long single-rank work.

    Raises:
        ProcessRaisedException: a rank raised (the first failure; the others stop at their next
            communication). ProcessExitedException: a rank called ``sys.exit(code)`` with code != 0.

    Example:
        >>> def run(rank, world_size):
        ...     dist.init_process_group("gloo", rank=rank, world_size=world_size)
        ...     ...
        >>> ddp.multiprocessing.spawn(run, args=(2,), nprocs=2)
    """
    if not callable(fn):
        raise TypeError(f"spawn: fn must be callable, got {type(fn).__name__}")
    if not isinstance(nprocs, int) or isinstance(nprocs, bool) or nprocs < 1:
        raise ValueError(f"spawn: nprocs must be a positive int, got {nprocs!r}")
    if start_method not in _START_METHODS:
        raise ValueError(f"spawn: start_method must be one of {', '.join(_START_METHODS)}, got {start_method!r}")
    context = ProcessContext(fn, tuple(args), nprocs)
    if not join:
        context.start()
        return context
    context.run()
    return None


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """`spawn` under its other PyTorch name."""
    return spawn(fn, args, nprocs, join, daemon, start_method)


class ProcessContext:
    """The ranks of one `spawn`; ``join()`` waits for them and raises a rank's failure."""

    def __init__(self, fn, args, nprocs):
        self.fn, self.args, self.nprocs = fn, args, nprocs
        self._failures = {}  # rank -> (exception, formatted traceback)
        self._thread = None
        self._error = None

    def run(self):
        """Run every rank to the end in the calling thread; raise the first failure."""
        try:
            spawn_threads(self._rank_main, world_size=self.nprocs)
        except BaseException as exc:  # noqa: B036  (spawn re-raises what a rank raised)
            translated = self._translate(exc)
            if translated is exc:
                raise
            raise translated from exc

    def _rank_main(self):
        rank = launch.get_rank()
        try:
            self.fn(rank, *self.args)
        except SystemExit as exc:
            if exc.code not in (None, 0):
                self._failures[rank] = (exc, "")
                raise
        except BaseException as exc:
            self._failures[rank] = (exc, traceback.format_exc())
            raise

    def _translate(self, exc):
        rank = next((r for r, (e, _) in self._failures.items() if e is exc), None)
        if rank is None:  # e.g. KeyboardInterrupt in the main thread
            return exc
        if isinstance(exc, SystemExit):
            return ProcessExitedException(f"process {rank:d} terminated with exit code {exc.code}", rank,
                                          os.getpid(), exit_code=exc.code)
        text = self._failures[rank][1]
        return ProcessRaisedException(f"\n\n-- Process {rank:d} terminated with the following error:\n{text}",
                                      rank, os.getpid())

    def start(self):
        """Run the ranks in a background thread (``spawn(join=False)``)."""
        def main():
            try:
                self.run()
            except BaseException as exc:  # noqa: B036  (join() re-raises it)
                self._error = exc
        self._thread = threading.Thread(target=main, name="ddp-spawn", daemon=True)
        self._thread.start()

    def join(self, timeout=None):
        """Wait up to `timeout` seconds (None: until done); True when every rank has finished.

        Raises the failure of a rank, as `spawn` with ``join=True`` does.
        """
        if self._thread is None:
            return True
        self._thread.join(timeout)
        if self._thread.is_alive():
            return False
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return True

    def pids(self):
        """The ranks share this process: its id, once per rank."""
        return [os.getpid()] * self.nprocs
