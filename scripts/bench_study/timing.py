"""Timing helpers shared by the benchmark scripts: slowest-rank times, interleaved rounds, medians."""
import time

import numpy as np


def slowest(comm, seconds):
    """The largest of every rank's `seconds` (the collective is outside the timed region)."""
    return float(comm.allreduce(np.array([seconds]), op="max")[0])


def timed(comm, fn):
    """Seconds `fn()` takes on the slowest rank, all ranks starting together."""
    comm.barrier()
    start = time.perf_counter()
    fn()
    return slowest(comm, time.perf_counter() - start)


def interleaved(comm, cases, rounds, warmup=1, between=None):
    """{name: [slowest-rank seconds per round]} of `cases` ({name: fn}), rotating which runs first in each
    round (A B C, B C A, ...) so that no case always follows the same one; `warmup` rounds are dropped.
    `between()` runs after every round, outside the timed region."""
    names, times = list(cases), {name: [] for name in cases}
    for r in range(rounds + warmup):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            t = timed(comm, cases[name])
            if r >= warmup:
                times[name].append(t)
        if between is not None:
            between()
    return times


def summary(values):
    """{"median", "min", "max", "n"} of a list of numbers (None for an empty one)."""
    if not values:
        return None
    a = np.asarray(values, dtype=float)
    return {"median": float(np.median(a)), "min": float(a.min()), "max": float(a.max()), "n": int(a.size)}
