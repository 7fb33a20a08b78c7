"""Every Python block of README.md runs as written (those marked `# mpirun -n N` under mpirun), and so
do its cheap shell lines (`--help`); the set-up block creates and activates a virtual environment."""
import os
import re
import shlex
import subprocess
import sys

import pytest

from mpi_launch import MPIRUN, ROOT, requires_mpirun

README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```", README, flags=re.S | re.M)
PYTHON = [code for lang, code in BLOCKS if lang == "python"]
SHELL = [line.split("#")[0].strip() for lang, code in BLOCKS if lang == "bash" for line in code.splitlines()]


def env():
    e = dict(os.environ, OMP_NUM_THREADS="1")
    e["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), e.get("PYTHONPATH")]))
    return e


def ranks(code):
    """N of a first line `# mpirun -n N`, else None."""
    match = re.match(r"# mpirun -n (\d+)", code)
    return int(match.group(1)) if match else None


def test_the_readme_has_the_blocks_this_test_runs():
    assert len(PYTHON) >= 4 and sum(ranks(code) is not None for code in PYTHON) >= 2
    assert any("--help" in line for line in SHELL)


@pytest.mark.parametrize("index", [i for i, code in enumerate(PYTHON) if ranks(code) is None])
def test_a_python_block_runs(index, tmp_path):
    code = PYTHON[index]
    if "cnn.ddp" in code:  # it follows the README's `train_mnist.py --save cnn.ddp`: a checkpoint of that shape
        import ddp
        import ddp.models
        ddp.save(ddp.models.cnn().state_dict(), tmp_path / "cnn.ddp")
    (tmp_path / "block.py").write_text(code)
    out = subprocess.run([sys.executable, "block.py"], cwd=tmp_path, env=env(), capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, f"README block {index} failed:\n{code}\n{out.stderr}"


@pytest.mark.parametrize("index", [pytest.param(i, marks=requires_mpirun) for i, code in enumerate(PYTHON)
                                   if ranks(code) is not None])
def test_a_multi_rank_python_block_runs_under_mpirun(index, tmp_path):
    code = PYTHON[index]
    (tmp_path / "block.py").write_text(code)
    out = subprocess.run([MPIRUN, "-n", str(ranks(code)), sys.executable, "block.py"], cwd=tmp_path, env=env(),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"README block {index} failed under mpirun:\n{code}\n{out.stderr}"
    assert "loss" in out.stdout


@pytest.mark.parametrize("line", [line for line in SHELL if line.endswith("--help")])
def test_a_help_line_runs(line):
    words = shlex.split(line)
    assert words[0] == "python"
    out = subprocess.run([sys.executable, *words[1:]], cwd=ROOT, env=env(), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and "usage:" in out.stdout, out.stderr


def test_set_up_creates_and_activates_a_virtual_environment():
    setup = README[README.index("## Set up and test"):]
    setup = setup[:setup.index("\n## ", 3)]
    commands = [line for line in setup.splitlines() if line and not line.startswith(("```", "#"))]
    assert "python3 -m venv .venv" in commands and ". .venv/bin/activate" in commands
    assert commands.index(". .venv/bin/activate") < commands.index('pip install -e ".[test]"')
