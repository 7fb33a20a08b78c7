"""scripts/examples/seq2seq.py: the attention seq2seq learns to reverse digit sequences under ddp (the
validation loss falls, most validation sequences come out exactly right, beam search agrees with greedy
decoding), resuming from its checkpoint changes nothing, and, with torch installed, the very same program
under PyTorch prints the same losses and accuracies with either attention. Training is chaotic enough that
float32 rounding differences grow by ~10x per epoch after the fourth, so the comparison runs 4 epochs."""
import re

import numpy as np
import pytest

from example_runner import run_example

BATCHES = 8  # 256 training pairs in batches of 32


def _exact(stdout):
    return [float(v) for v in re.findall(r"exact ([0-9.]+)", stdout)]


def _decoded(stdout):
    return re.findall(r"^source (.*) -> greedy (.*), beam (.*) \(", stdout, re.M)


def test_seq2seq_learns_to_reverse_under_ddp(tmp_path):
    losses, out = run_example("seq2seq", "ddp", tmp_path)
    assert len(losses) == 10 * (BATCHES + 1) + 1 and all(np.isfinite(losses)), out.stdout  # + the resume line
    valid = [float(v) for v in re.findall(r"validation loss ([0-9.]+)", out.stdout)]
    assert valid[-1] < 0.5 * valid[0]
    assert _exact(out.stdout)[-1] > 0.5
    assert "resumed after epoch 5" in out.stdout
    decoded = _decoded(out.stdout)
    assert len(decoded) == 3
    for source, greedy, beam in decoded:
        assert beam == " ".join(reversed(source.split())), out.stdout  # beam search gets these three right
    assert "attention of the first output on the source" in out.stdout


def test_seq2seq_resumes_exactly_from_its_checkpoint(tmp_path):
    args = ("--epochs", "4", "--max-len", "5")
    resumed, out = run_example("seq2seq", "ddp", tmp_path, *args, "--resume-at", "1")
    straight, out_s = run_example("seq2seq", "ddp", tmp_path, *args, "--resume-at", "0")
    assert "resumed after epoch 1" in out.stdout and "resumed" not in out_s.stdout
    resumed.pop(BATCHES + 1)  # the resume line's loss
    assert resumed == straight


@pytest.mark.parametrize("args", [(), ("--attention", "luong", "--teacher-forcing", "0.5")],
                         ids=["bahdanau", "luong"])
def test_seq2seq_matches_pytorch(tmp_path, args):
    ours, out = run_example("seq2seq", "ddp", tmp_path, "--epochs", "4", *args)
    theirs, out_t = run_example("seq2seq", "torch", tmp_path, "--epochs", "4", *args)
    assert len(ours) == len(theirs) == 4 * (BATCHES + 1) + 1
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    assert _exact(out.stdout) == _exact(out_t.stdout)
    assert [d[:2] for d in _decoded(out.stdout)] == [d[:2] for d in _decoded(out_t.stdout)]
