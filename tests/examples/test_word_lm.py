"""scripts/examples/word_lm.py: the word-level language model trains under ddp (the validation loss falls, the
whole-model checkpoint reloads, it generates text) with an LSTM, a GRU and a Transformer, and, with torch
installed, the very same program under PyTorch prints the same losses, the same printed model and the same
generated words. Dropout draws from each framework's own generator, so the dropout run is checked under ddp
alone (finite losses that fall)."""
import re

import numpy as np
import pytest

from example_runner import run_example

TRAIN_STEPS = 3 * 17  # 3 epochs of 17 windows of 10 words (200 training sentences in 8 columns)


def _valid(stdout):
    return [float(v) for v in re.findall(r"valid loss ([0-9.]+)", stdout)]


def _model(stdout):
    """The printed model: the lines before the vocabulary summary."""
    return stdout.split("\nvocab size")[0]


def _generated(stdout):
    return re.search(r"^generated: .*$", stdout, re.M).group(0)


def test_word_lm_trains_under_ddp(tmp_path):
    losses, out = run_example("word_lm", "ddp", tmp_path)
    assert len(losses) == TRAIN_STEPS + 3 + 1, out.stdout  # each step, each epoch's validation, the test
    assert all(np.isfinite(losses))
    valid = _valid(out.stdout)
    assert valid[-1] < valid[0] - 0.5, f"validation loss went from {valid[0]} to {valid[-1]}"
    assert losses[-1] < 2.0  # the test loss of the reloaded best model (uniform guessing: log 16 = 2.8)
    assert len(_generated(out.stdout).split()) == 1 + 1 + 8


def test_word_lm_with_dropout_and_tied_weights_trains_under_ddp(tmp_path):
    args = ("--model", "GRU", "--nlayers", "2", "--dropout", "0.2", "--tied", "--nhid", "16", "--save-state-dict")
    losses, out = run_example("word_lm", "ddp", tmp_path, *args)
    assert len(losses) == TRAIN_STEPS + 3 + 1 and all(np.isfinite(losses)), out.stdout
    assert np.mean(losses[-17:]) < np.mean(losses[:17])
    assert "<All keys matched successfully>" in out.stdout


@pytest.mark.parametrize("args", [
    (),  # LSTM, whole-model checkpoint
    ("--model", "GRU", "--tied", "--nhid", "16", "--save-state-dict"),
    ("--model", "Transformer", "--nlayers", "2", "--lr", "2", "--save-state-dict"),
], ids=["lstm", "gru-tied", "transformer"])
def test_word_lm_matches_pytorch(tmp_path, args):
    ours, out = run_example("word_lm", "ddp", tmp_path, *args)
    theirs, out_t = run_example("word_lm", "torch", tmp_path, *args)
    assert len(ours) == len(theirs) == TRAIN_STEPS + 3 + 1
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    assert _model(out.stdout) == _model(out_t.stdout)
    assert _generated(out.stdout) == _generated(out_t.stdout)
