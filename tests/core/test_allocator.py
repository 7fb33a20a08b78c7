"""ddp keeps freed array memory for reuse (allocator.py): a step that frees and reallocates multi-megabyte
arrays touches no fresh pages once warm."""
import os
import subprocess
import sys
import textwrap

import pytest

from ddp.core import allocator

glibc = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")

_FAULTS = textwrap.dedent("""
    import resource, numpy as np, ddp
    from ddp.core import allocator
    w, cols, b = np.ones((32, 9), np.float32), np.ones((9, 64 * 784), np.float32), np.zeros(32, np.float32)

    def step():  # a convolution's forward at batch 64: two 6.4 MB arrays made and dropped
        out = np.matmul(w, cols)
        out += b[:, None]
        return np.ascontiguousarray(out.reshape(32, 64, 784).transpose(1, 0, 2))

    for _ in range(3):
        step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        step()
    print(allocator.keep_freed_memory(), (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
""")


def _run(env_value):
    env = dict(os.environ, DDP_KEEP_FREED_MEMORY=env_value)
    out = subprocess.run([sys.executable, "-c", _FAULTS], env=env, capture_output=True, text=True, check=True)
    kept, faults = out.stdout.split()
    return kept == "True", float(faults)


@glibc
def test_on_by_default():
    assert allocator.keep_freed_memory()


@glibc
def test_a_warm_step_faults_in_no_fresh_pages():
    kept, faults = _run("1")
    assert kept
    assert faults < 20  # about 1,000 per step without it (each 4 KiB page of the two arrays)


@glibc
def test_the_environment_switches_it_off():
    kept, _ = _run("0")
    assert not kept
