"""``spawn``: run a function as several simulated ranks (threads) of one Python process."""

import contextlib
import os
import threading
import time

from . import launch
from .thread_comm import Group, ThreadCommunicator
from .thread_world import World

DEFAULT_TIMEOUT = 60.0


def spawn(fn, world_size=4, args=(), timeout=None, blas_threads=1):
    """Run ``fn(*args)`` on `world_size` simulated ranks and return their results by rank.

    Each rank is a thread whose ``ddp.parallel.init()`` returns a `ThreadCommunicator`, so a
    script written for ``mpirun`` runs unchanged in one process, where breakpoints work.

    Args:
        fn: the per-rank function; it gets its rank from ``ddp.parallel.get_rank()``.
        world_size: number of simulated ranks.
        args: positional arguments for `fn` (shared by all ranks: do not mutate them).
        timeout: seconds a rank may wait in one call before it reports a deadlock; default
            ``$DDP_SPAWN_TIMEOUT`` or 60; 0 or less waits forever.
        blas_threads: BLAS threads while the ranks run (None leaves BLAS alone).

    Returns:
        ``[fn(*args) on rank 0, on rank 1, ...]``.

    Raises:
        The first exception raised by a rank, with a note naming that rank; the other ranks
        stop at their current or next communication.

    Example:
        >>> ddp.parallel.spawn(lambda: ddp.parallel.get_rank(), world_size=2)
        [0, 1]
    """
    if not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"spawn: world_size must be a positive int, got {world_size!r}")
    timeout = _resolve_timeout(timeout)
    world = World(world_size, timeout)
    group = Group(world, list(range(world_size)), "world")
    results = [None] * world_size

    def run(rank):
        launch.set_thread_comm(ThreadCommunicator(group, rank))
        try:
            results[rank] = fn(*args)
        except BaseException as exc:  # reported by the main thread
            world.fail(rank, exc)
        else:
            world.exit(rank)

    limits = contextlib.nullcontext()
    if blas_threads is not None:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(limits=blas_threads, user_api="blas")
    with limits:
        world.threads = [threading.Thread(target=run, args=(r,), name=f"ddp-rank-{r}",
                                          daemon=True) for r in range(world_size)]
        for t in world.threads:
            t.start()
        try:
            _join(world)
        except KeyboardInterrupt as exc:
            world.fail(None, exc)  # wakes the ranks so that they end
            raise
    if world.error is not None:
        rank, exc = world.error
        if hasattr(exc, "add_note"):  # Python >= 3.11
            exc.add_note(f"(raised on simulated rank {rank} of {world_size} in ddp.parallel.spawn)")
        raise exc
    return results


def _join(world):
    """Wait for every rank; after a failure give the others `timeout` seconds to stop."""
    deadline = None
    for t in world.threads:
        while t.is_alive():
            t.join(0.05)
            if world.error is not None and deadline is None and world.timeout is not None:
                deadline = time.monotonic() + world.timeout
            if deadline is not None and time.monotonic() > deadline:
                return  # a rank stuck outside communication; it is a daemon thread


def _resolve_timeout(timeout):
    if timeout is None:
        timeout = float(os.environ.get("DDP_SPAWN_TIMEOUT", DEFAULT_TIMEOUT))
    return None if timeout <= 0 else float(timeout)
