"""Run a PyTorch-style example from scripts/examples under ddp and, where installed, under PyTorch.

An example is written as a PyTorch user writes a CPU training program, with only its imports pointing at
ddp (`import ddp as torch`, `import ddp.nn as nn`, `from ddp.utils.data import DataLoader`). The PyTorch
version is the same text with those imports pointed back at torch, so both run the very same program.
Each example prints one `loss <value>` (or `loss=<value>`) per logged step; the runner returns those values.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "scripts" / "examples"
LOSS = re.compile(r"\bloss[ =:]+([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)")


def torch_source(source):
    """The PyTorch version of an example: `ddp` in its import lines becomes `torch`, nothing else changes."""
    source = re.sub(r"^(\s*)import ddp as torch\b", r"\1import torch", source, flags=re.M)
    source = re.sub(r"^(\s*)import ddp\.", r"\1import torch.", source, flags=re.M)
    return re.sub(r"^(\s*)from ddp(\.|\s)", r"\1from torch\2", source, flags=re.M)


def script_for(name, backend, tmp_path):
    """The path of example `name` for `backend` ('ddp' or 'torch'; torch skips the test where missing)."""
    path = EXAMPLES / f"{name}.py"
    if backend == "ddp":
        return path
    pytest.importorskip("torch")
    out = tmp_path / f"{name}_torch.py"
    out.write_text(torch_source(path.read_text()))
    return out


def losses(stdout):
    """Every value printed as `loss <value>` in a run's output, in order."""
    return [float(v) for v in LOSS.findall(stdout)]


def run_example(name, backend, tmp_path, *args, launcher=(), timeout=300):
    """Run example `name` under `backend` in a fresh process; returns (losses, completed process).

    `launcher` is a command prefix such as `mpirun -n 2` (a list). The process runs from the repository
    root with one BLAS thread and `ddp` importable; a non-zero exit fails the test with the output.
    """
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    script = script_for(name, backend, tmp_path)
    cmd = [*map(str, launcher), sys.executable, str(script), *map(str, args)]
    out = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{backend} {name} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}"
    return losses(out.stdout), out
