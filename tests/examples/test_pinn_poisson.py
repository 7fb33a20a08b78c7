"""scripts/examples/pinn_poisson.py: a physics-informed network whose loss holds a second derivative (two
recorded backwards) learns u'' = -pi^2 sin(pi x) under ddp, and the same program under PyTorch prints the
same losses."""
import re

import numpy as np

from example_runner import run_example

ARGS = ("--steps", "300", "--log-every", "50")


def _error(stdout):
    return float(re.search(r"max error against sin\(pi x\): ([0-9.]+)", stdout).group(1))


def test_pinn_learns_the_solution_under_ddp(tmp_path):
    losses, out = run_example("pinn_poisson", "ddp", tmp_path, *ARGS)
    assert len(losses) == 7 and losses[-1] < 1e-3 * losses[0], out.stdout
    assert _error(out.stdout) < 0.01, out.stdout


def test_pinn_matches_pytorch(tmp_path):
    ours, _ = run_example("pinn_poisson", "ddp", tmp_path, *ARGS)
    theirs, _ = run_example("pinn_poisson", "torch", tmp_path, *ARGS)
    np.testing.assert_allclose(ours, theirs, rtol=1e-3)
