"""init(), get_rank(), the abort hook, launcher detection (single process)."""

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import ddp.parallel as dp
from ddp.parallel import launch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh(monkeypatch):
    """A process where init() has not run yet; restores the hooks afterwards."""
    monkeypatch.setattr(launch, "_comm", None)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    for var in launch._LAUNCHER_VARS:
        monkeypatch.delenv(var, raising=False)


def test_plain_run_is_one_local_rank(fresh):
    hook = sys.excepthook
    assert not dp.is_initialized()
    assert (dp.get_rank(), dp.get_world_size()) == (0, 1)
    comm = dp.init()
    assert isinstance(comm, dp.LocalCommunicator) and dp.init() is comm
    assert dp.is_initialized() and dp.get_comm() is comm
    assert sys.excepthook is hook  # one process: nothing to abort


def test_plain_run_does_not_import_mpi4py():
    code = ("import sys, ddp.parallel as dp; comm = dp.init(); comm.allreduce(__import__('numpy')"
            ".ones(2)); print(type(comm).__name__, 'mpi4py' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k not in launch._LAUNCHER_VARS}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.split() == ["LocalCommunicator", "False"], out.stderr


def test_launcher_detection(fresh, monkeypatch):
    assert not dp.launched_by_mpi()
    monkeypatch.setenv("PMI_SIZE", "2")
    assert dp.launched_by_mpi()
    with pytest.raises(RuntimeError, match=r"init\(\) has not been called"):
        dp.get_rank()


def test_unknown_backend(fresh):
    with pytest.raises(ValueError, match="unknown backend 'nccl'"):
        dp.init(backend="nccl")


def test_abort_hook_tags_traceback_and_aborts(fresh, monkeypatch):
    class FakeComm:
        rank, codes = 3, []

        def abort(self, code):
            self.codes.append(code)
    comm = FakeComm()
    launch.install_abort_hook(comm)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    try:
        raise KeyError("missing weight")
    except KeyError:
        sys.excepthook(*sys.exc_info())
    t = threading.Thread(target=lambda: 1 / 0)
    t.start()
    t.join()
    lines = err.getvalue().splitlines()
    assert comm.codes == [1, 1]
    assert all(line.startswith("[rank 3] ") for line in lines)
    assert "[rank 3] Traceback (most recent call last):" in lines
    assert "[rank 3] KeyError: 'missing weight'" in lines
    assert "[rank 3] ZeroDivisionError: division by zero" in lines
