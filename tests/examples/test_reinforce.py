"""scripts/examples/reinforce.py: REINFORCE, actor-critic and PPO learn to walk the corridor under ddp (the
reward rises, the greedy policy walks straight to the goal), also when Categorical.sample draws the actions
from ddp's own generator; with torch installed, the very same program under PyTorch prints the same losses,
takes the same steps and ends on the same greedy path."""
import re

import numpy as np
import pytest

from example_runner import run_example

GOAL_PATH = "greedy path: 1 2 3 4 5"  # from cell 1 to the goal, cell 5 of 6


def _rewards(stdout):
    return [float(v) for v in re.findall(r"\breward (-?[0-9.]+) loss", stdout)]


def _steps(stdout):
    return re.findall(r"\bsteps ([0-9]+)", stdout)


@pytest.mark.parametrize("algo, args", [
    ("reinforce", ("--episodes", "60")),
    ("actor-critic", ("--episodes", "60")),
    ("ppo", ("--episodes", "60")),
    ("reinforce", ("--episodes", "60", "--sampler", "torch")),
], ids=["reinforce", "actor-critic", "ppo", "reinforce-own-sampler"])
def test_policy_gradients_learn_the_corridor_under_ddp(tmp_path, algo, args):
    losses, out = run_example("reinforce", "ddp", tmp_path, "--algo", algo, *args)
    updates = 15 if algo == "ppo" else 60  # PPO: 4 episodes per iteration
    assert len(losses) == updates and all(np.isfinite(losses)), out.stdout
    rewards = _rewards(out.stdout)
    assert np.mean(rewards[-3:]) > 0.85 > np.mean(rewards[:3]), rewards  # the goal in 5 steps pays 0.9
    assert GOAL_PATH in out.stdout


@pytest.mark.parametrize("algo", ["reinforce", "actor-critic", "ppo"])
def test_policy_gradients_match_pytorch(tmp_path, algo):
    ours, out = run_example("reinforce", "ddp", tmp_path, "--algo", algo, "--episodes", "48")
    theirs, out_t = run_example("reinforce", "torch", tmp_path, "--algo", algo, "--episodes", "48")
    assert len(ours) == len(theirs) == (12 if algo == "ppo" else 48)
    # the normalised returns weigh sums of ~30 log-probabilities: float32 rounding shows at ~1e-5
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=5e-5)
    assert _steps(out.stdout) == _steps(out_t.stdout)  # every action chosen alike
    assert GOAL_PATH in out.stdout and GOAL_PATH in out_t.stdout
