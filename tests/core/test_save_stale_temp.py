"""A save killed mid-write leaves a hidden temporary file; the next save to the same path removes it
(and leaves alone the temporary of a save still in progress)."""
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np

import ddp

HOST = socket.gethostname()


def temporaries(path):
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(f".{path.name}.") and
                  p.name.endswith(".tmp"))


def test_the_next_save_removes_what_a_killed_save_left(tmp_path):
    path = tmp_path / "big.ddp"
    code = ("import numpy as np, ddp, sys\n"
            "a = np.ones(30_000_000, np.float32)\n"
            "while True:\n"
            f"    ddp.save({{'a': a}}, {str(path)!r})\n")
    child = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 120
        while not temporaries(path):
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait()
    finally:
        child.kill()
    assert temporaries(path), "the killed save left its temporary file"
    ddp.save({"a": np.zeros(3)}, path)
    assert temporaries(path) == []
    assert ddp.load(path)["a"].tolist() == [0.0, 0.0, 0.0]


def test_only_stale_temporaries_are_removed(tmp_path):
    path = tmp_path / "m.ddp"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = tmp_path / f".m.ddp.{HOST}.{gone.pid}.0123456789ab.tmp"
        live = tmp_path / f".m.ddp.{HOST}.{running.pid}.0123456789ab.tmp"
        legacy = tmp_path / ".m.ddp.0123456789ab.tmp"  # an older ddp's name
        other_host = tmp_path / ".m.ddp.elsewhere.1.0123456789ab.tmp"
        unrelated = tmp_path / ".other.ddp.elsewhere.1.0123456789ab.tmp"
        for f in (dead, live, legacy, other_host, unrelated):
            f.write_bytes(b"partial")
        old = time.time() - 7200
        os.utime(other_host, (old, old))
        ddp.save({"x": 1}, path)
        assert temporaries(path) == [live.name]  # a save in progress elsewhere keeps its file
        assert unrelated.exists()
    finally:
        running.kill()
        running.wait()
