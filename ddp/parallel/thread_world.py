"""Shared state of one `spawn` run: first failure, what each rank is doing, timed waits.

The timed wait is where deadlocks become errors: a rank waiting longer than the timeout
raises a RuntimeError listing every other rank's current call (pdb sessions pause the
clock), and a rank waiting for a peer that has already exited raises at once.
"""

import os
import sys
import threading
import time


class Aborted(RuntimeError):
    """Raised in a simulated rank because another rank failed first."""


class World:
    """State shared by the threads of one `spawn`: a condition variable, status, first failure."""

    def __init__(self, size, timeout):
        self.size, self.timeout = size, timeout
        self.cond = threading.Condition()
        self.error = None  # (rank, exception) of the first failure
        self.call = [None] * size  # last call of each rank, e.g. "allreduce #3 on 'world'"
        self.phase = ["running"] * size  # running | waiting | exited | raised
        self.threads = []

    def fail(self, rank, exc):
        """Record the exception of `rank` (None: the main thread) and wake every waiter.

        The first exception that is not `Aborted` is the one `spawn` re-raises.
        """
        with self.cond:
            if rank is not None:
                self.phase[rank] = "raised"
            if self.error is None and not isinstance(exc, Aborted):
                self.error = (rank, exc)
            self.cond.notify_all()

    def exit(self, rank):
        with self.cond:
            self.phase[rank] = "exited"
            self.cond.notify_all()

    def check(self, rank, what):
        """Raise `Aborted` if another rank has failed (call holding ``cond``)."""
        if self.error is not None:
            r, exc = self.error
            who = "the main thread" if r is None else f"rank {r}"
            raise Aborted(f"simulated rank {rank} stopped in {what}: {who} raised "
                          f"{type(exc).__name__}: {exc}")

    def wait_until(self, rank, ready, what, dead_peer):
        """Wait holding ``cond`` until ``ready()``; raise on failure, exited peer or timeout."""
        self.call[rank], self.phase[rank] = what, "waiting"
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while not ready():
            self.check(rank, what)
            dead = dead_peer()
            if dead is not None:
                raise RuntimeError(f"simulated rank {rank} waits in {what}, but rank {dead} has "
                                   f"exited without reaching it.\n{self.report(rank)}")
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                if not self._in_debugger():
                    raise RuntimeError(
                        f"simulated rank {rank} timed out after {self.timeout:g} s waiting in "
                        f"{what} (set spawn(timeout=...) or DDP_SPAWN_TIMEOUT).\n"
                        f"{self.report(rank)}")
                deadline, left = time.monotonic() + self.timeout, self.timeout
            self.cond.wait(left)
        self.phase[rank] = "running"

    def report(self, me):
        """One line per other rank: what it is doing now."""
        lines = []
        for r in range(self.size):
            if r == me:
                continue
            last = self.call[r] or "no call yet"
            phase = self.phase[r]
            state = (f"waiting in {last}" if phase == "waiting" else
                     f"{phase} (last call: {last})" if phase in ("exited", "raised") else
                     f"running user code (last call: {last}, finished)")
            lines.append(f"  rank {r}: {state}")
        return "\n".join(lines)

    def _in_debugger(self):
        """True if some rank's thread is stopped in pdb (a bdb frame is on its stack)."""
        frames = sys._current_frames()
        for t in self.threads:
            f = frames.get(t.ident)
            while f is not None:
                if os.path.basename(f.f_code.co_filename) == "bdb.py":
                    return True
                f = f.f_back
        return False
