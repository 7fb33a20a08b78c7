"""Run the MPI tests under real ``mpirun -n 2``, ``-n 3`` and ``-n 4``, so one ``pytest`` runs everything.

Each run's inner tests report one verdict per test (tests/parallel/mpi/conftest.py); a failure lists every
inner test's result with the failing ranks' messages. Skipped when mpi4py or mpirun is missing, and inside
an mpirun job (no nested launches).
"""
import json

import pytest

from mpi_launch import ROOT, requires_mpirun, run_python

MPI_TESTS = ROOT / "tests" / "parallel" / "mpi"
pytestmark = requires_mpirun


def read_report(path):
    """{test: (outcome, ranks, message)} from the inner run's JSON lines; a test that only started stays
    "started" (the job ended inside it)."""
    results = {}
    if path.exists():
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            results[entry["test"]] = (entry["outcome"], entry["ranks"], entry["message"])
    return results


def describe(results):
    return "\n".join(f"  {outcome.upper():8} {test}" + (f" (ranks {ranks})" if outcome in ("failed", "skipped")
                                                        else "") for test, (outcome, ranks, _) in results.items())


def run_suite(n, targets, tmp_path, hosts=None, timeout=600):
    """Run the inner MPI tests `targets` (paths) on n ranks (on fake `hosts` if given) and assert that the job
    and every inner test passed; returns the inner results, for the caller's count of passed tests."""
    report = tmp_path / "report.jsonl"
    # --capture=sys: a rank that aborts the job still gets its traceback to the real stderr
    args = ["-m", "pytest", "-q", "--with-mpi", "--capture=sys", "-p", "no:cacheprovider", *map(str, targets)]
    out = run_python(n, args, timeout=timeout, env={"DDP_MPI_REPORT": str(report)}, hosts=hosts)
    results = read_report(report)
    where = f"mpiexec -hosts {hosts} -n {n}" if hosts else f"mpirun -n {n}"
    print(f"{where}:\n{describe(results)}")
    bad = {t: r for t, r in results.items() if r[0] not in ("passed", "skipped")}
    details = "\n".join(f"--- {t} {outcome} on ranks {ranks}:\n{message}"
                        for t, (outcome, ranks, message) in bad.items())
    assert out.returncode == 0 and not bad, (f"{where} failed (exit {out.returncode}); inner tests:\n"
                                             f"{describe(results)}\n{details}\n"
                                             f"{out.stdout[-4000:]}\n{out.stderr[-4000:]}")
    return results


def passed(results):
    return sum(r[0] == "passed" for r in results.values())


# 3 ranks: the communicator contract and the shared-memory reduction order with an odd world size (where
# summing in another order changes the bits); the other files run at 2 and 4 only, to keep the suite quick
@pytest.mark.parametrize("n, files", [(2, ()), (3, ("test_mpi_comm.py",)), (4, ())])
def test_mpi_suite(n, files, tmp_path):
    results = run_suite(n, [MPI_TESTS / f for f in files] or [MPI_TESTS], tmp_path)
    assert passed(results) >= 10, describe(results)


def test_a_raising_rank_aborts_the_job(tmp_path):
    """init() installs the abort hook on every rank; rank 1 raises, and the hook ends the job while rank 0
    waits. Rank 0 waits in a non-blocking barrier for 30 s at most and then says so: without the hook the
    test fails on that line, not on a timeout."""
    script = tmp_path / "crash.py"
    script.write_text(
        "import sys, threading, time\n"
        "import ddp.parallel as dp\n"
        "comm = dp.init()\n"
        "with open(sys.argv[1] + f'/hooks{comm.rank}.txt', 'w') as f:\n"
        "    f.write(f'{sys.excepthook.__qualname__} {threading.excepthook.__qualname__}')\n"
        "comm.barrier()\n"
        "if comm.rank == 1:\n"
        "    raise ValueError('rank one lost its batch')\n"
        "request, deadline = comm.comm.Ibarrier(), time.monotonic() + 30\n"
        "while not request.Test() and time.monotonic() < deadline:\n"
        "    time.sleep(0.01)\n"
        "print('rank 0 was not aborted', flush=True)\n"
        "sys.exit(3)\n")
    # the MPI watchdog off (DDP_TIMEOUT=0): it would end the job too, and the hook alone is under test
    out = run_python(2, [str(script), str(tmp_path)], timeout=120, env={"DDP_TIMEOUT": "0"})
    for rank in (0, 1):
        hooks = (tmp_path / f"hooks{rank}.txt").read_text()
        assert hooks == "install_abort_hook.<locals>.hook install_abort_hook.<locals>.thread_hook", hooks
    assert "rank 0 was not aborted" not in out.stdout, out.stderr
    assert out.returncode not in (0, 3)
    assert "[rank 1] ValueError: rank one lost its batch" in out.stderr, out.stderr
    assert "[rank 1] Traceback (most recent call last):" in out.stderr
