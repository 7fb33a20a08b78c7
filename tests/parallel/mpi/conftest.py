"""Fixtures and a safety net for the tests run under ``mpirun -n N python -m pytest --with-mpi``.

Every test marked ``mpi`` runs under two guards (see `settle` and `_watchdog`), so that a failure on some ranks is
reported in seconds, with the test's name, instead of leaving the other ranks waiting until the job's
timeout:

- a verdict: after the test body every rank reports passed / skipped / failed, and when any rank failed
  every rank fails together, naming the failing ranks and their messages. A rank that failed waits at
  most ``VERDICT_WAIT`` seconds for the others (they may be stuck in a collective it left), then prints
  its failure and aborts the job.
- a watchdog: a test still running after ``$DDP_MPI_TEST_TIMEOUT`` seconds (default 120) prints its
  name and every thread's stack, and aborts the job.

Tests in this folder get both for free; they should still communicate first and assert after, so that
the verdict (not an abort) reports a failure. With ``$DDP_MPI_REPORT`` set to a path, rank 0 writes one
JSON line per test ({"test", "outcome", "ranks", "message"}, and a "started" line before it runs), which
tests/parallel/test_mpirun.py reads to show every inner test's result.
"""
import faulthandler
import json
import os
import sys
import threading
import time
import traceback

import numpy as np
import pytest

VERDICT_WAIT = 10.0  # seconds a failed rank waits for the others' verdicts before aborting the job
PASSED, SKIPPED, FAILED = 0, 1, 2
_NAMES = {PASSED: "passed", SKIPPED: "skipped", FAILED: "failed"}
_verdict_comm = []  # a duplicate of COMM_WORLD, made at the first guarded test: verdicts never mix with tests


@pytest.fixture(scope="session")
def comm():
    """The MPI communicator of this run (mpi4py is imported only when an mpi test runs)."""
    from ddp.parallel.mpi_comm import MPICommunicator
    return MPICommunicator()


def _world():
    from mpi4py import MPI
    if not _verdict_comm:
        _verdict_comm.append(MPI.COMM_WORLD.Dup())
    return _verdict_comm[0]


def _say(world, text):
    """Write `text` tagged with the rank to the real stderr (pytest's capture would hold it back)."""
    sys.__stderr__.write("".join(f"[rank {world.rank}] {line}\n" for line in text.splitlines()))
    sys.__stderr__.flush()


def _abort(world, text):
    _say(world, text)
    world.Abort(1)


def _report(world, **entry):
    path = os.environ.get("DDP_MPI_REPORT")
    if path and world.rank == 0:
        with open(path, "a") as f:
            f.write(json.dumps(entry) + "\n")


def _watchdog(world, name, seconds):
    def fire():
        _say(world, f"{name}: still running after {seconds:g} s (DDP_MPI_TEST_TIMEOUT); the stacks "
                    f"of this rank follow, then the job is aborted")
        faulthandler.dump_traceback(sys.__stderr__, all_threads=True)
        _abort(world, f"{name}: aborted by the test watchdog")
    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    return timer


def _gather_codes(world, code, name, message):
    """Every rank's verdict code; a failed rank gives up after VERDICT_WAIT seconds and aborts the job."""
    codes = np.zeros(world.size, np.int32)
    request = world.Iallgather(np.array([code], np.int32), codes)
    if code != FAILED:  # the others may still be working: wait (the test watchdog covers a hang)
        request.Wait()
        return codes
    deadline = time.monotonic() + VERDICT_WAIT
    while not request.Test():
        if time.monotonic() > deadline:
            _abort(world, f"{name} FAILED on this rank, and the other ranks did not finish it within "
                          f"{VERDICT_WAIT:g} s (waiting in a collective this rank left?):\n{message}")
        time.sleep(0.002)
    return codes


def settle(world, name, problem):
    """One verdict for every rank from each rank's `problem` (None, a skip or a failure): the same failure
    is raised on every rank when any failed, a skip only when every rank skipped."""
    if problem is None:
        code, message = PASSED, ""
    elif isinstance(problem, pytest.skip.Exception):
        code, message = SKIPPED, str(problem)
    else:  # an assertion, an error, or pytest.fail
        code, message = FAILED, "".join(traceback.format_exception(problem))
    codes = _gather_codes(world, code, name, message)
    messages = world.allgather(message if code == FAILED else None)
    failed = [r for r in range(world.size) if codes[r] == FAILED]
    skipped = [r for r in range(world.size) if codes[r] == SKIPPED]
    if not failed and skipped and len(skipped) < world.size:
        failed, messages = skipped, [f"skipped on rank {r} but not on the others" for r in range(world.size)]
    outcome = "failed" if failed else ("skipped" if skipped else "passed")
    _report(world, test=name, outcome=outcome, ranks=failed or skipped or list(range(world.size)),
            message="\n".join(messages[r] for r in failed))
    if failed:
        detail = "\n".join(f"--- rank {r}:\n{messages[r]}" for r in failed)
        raise AssertionError(f"{name} failed on ranks {failed}:\n{detail}") from problem
    if skipped:
        raise problem


def _under_mpi(item):
    if item.get_closest_marker("mpi") is None or not item.config.getoption("--with-mpi", default=False):
        return False
    from ddp.parallel.launch import launched_by_mpi
    return launched_by_mpi()


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run an MPI test's body under a watchdog, then `settle` one verdict on every rank."""
    if not _under_mpi(pyfuncitem):
        return (yield)
    world, name = _world(), pyfuncitem.nodeid
    _report(world, test=name, outcome="started", ranks=[], message="")
    timer = _watchdog(world, name, float(os.environ.get("DDP_MPI_TEST_TIMEOUT", "120")))
    try:
        try:
            result, problem = (yield), None  # pluggy runs the test body here
        except BaseException as exc:
            result, problem = None, exc
        settle(world, name, problem)
    finally:
        timer.cancel()
    return result
