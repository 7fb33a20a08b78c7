"""ddp.save is atomic even when the process dies mid-write (test_serialization.py checks a raised error)."""
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import ddp

ROOT = Path(__file__).resolve().parents[2]

KILLED_MID_SAVE = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    import ddp

    real_write = np.lib.format.write_array

    def write_then_die(fp, array, **kwargs):
        real_write(fp, array, **kwargs)
        fp.flush()
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no finally: the save stops after one array

    np.lib.format.write_array = write_then_die
    ddp.save({"version": 2, "w": np.ones(100_000, np.float32), "b": np.ones(10, np.float32)}, sys.argv[1])
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_process_killed_mid_save_leaves_the_old_checkpoint(tmp_path):
    path = tmp_path / "ckpt.ddp"
    ddp.save({"version": 1, "w": np.zeros(100_000, np.float32)}, path)
    before = path.read_bytes()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    out = subprocess.run([sys.executable, "-c", KILLED_MID_SAVE, str(path)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == -signal.SIGKILL, out.stderr
    leftovers = [p for p in os.listdir(tmp_path) if p != "ckpt.ddp"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".ckpt.ddp.")  # the half-written file is aside
    assert (tmp_path / leftovers[0]).stat().st_size > 100_000 * 4  # it died after writing the first array
    assert path.read_bytes() == before
    state = ddp.load(path)
    assert state["version"] == 1 and np.array_equal(np.asarray(state["w"]), np.zeros(100_000, np.float32))
