"""Start one MPI job per rank count: ``mpirun -n P``, or, with `nodes` > 1, MPICH's fork launcher with fake
host names (``mpiexec -launcher fork -hosts nodeA:P/2,nodeB:P/2 -n P``), which gives the ranks a real
multi-node layout (``MPI.COMM_TYPE_SHARED`` splits them) on one machine. One BLAS thread per rank."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def mpirun():
    local = Path(sys.executable).parent / "mpirun"  # the mpich wheel installs it beside python
    return str(local) if local.exists() else shutil.which("mpirun") or "mpirun"


def hosts(p, nodes):
    """"nodeA:k,nodeB:k,..." for p ranks on `nodes` fake hosts (p must divide evenly)."""
    if p % nodes:
        raise ValueError(f"bench_scaling: {p} ranks do not split evenly over {nodes} nodes")
    return ",".join(f"node{chr(ord('A') + i)}:{p // nodes}" for i in range(nodes))


def command(p, nodes, script_args):
    """The launch command of one job of p ranks running `script_args` (after python)."""
    launcher = [mpirun()]
    if nodes > 1 and p > 1:
        launcher += ["-launcher", "fork", "-hosts", hosts(p, nodes)]
    return launcher + ["-n", str(p), sys.executable, *map(str, script_args)]


def run_job(p, nodes, script_args, timeout):
    """Run one job from the repository root; raises RuntimeError with its output if it fails."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    cmd = command(p, nodes, script_args)
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if out.returncode:
        raise RuntimeError(f"bench_scaling: {' '.join(cmd)} failed (exit {out.returncode}):\n"
                           f"{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out
