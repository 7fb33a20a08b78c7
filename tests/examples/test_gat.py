"""scripts/examples/gat.py: the graph attention network trains under ddp (its losses fall, it stops early,
restores its best weights and beats chance on the test nodes) and, with torch installed, the very same
program under PyTorch prints the same losses, the same model and the same test result.

Dropout masks come from each framework's own generator, so the runs compared with PyTorch use `--dropout 0`
(F.dropout is still called, in training and in eval mode); the run with dropout is checked under ddp alone."""
import re

import numpy as np

from example_runner import run_example


def _epochs(stdout):
    return len(re.findall(r"^Epoch: ", stdout, flags=re.M))


def _model(stdout):
    return stdout.split("\nEpoch: 0001")[0]


def test_gat_trains_under_ddp_with_dropout_and_stops_early(tmp_path):
    losses, out = run_example("gat", "ddp", tmp_path)
    epochs = _epochs(out.stdout)
    assert "early stop after epoch" in out.stdout and epochs < 200, out.stdout
    assert len(losses) == 2 * epochs + 1 and all(np.isfinite(losses))
    train, val = losses[0:-1:2], losses[1:-1:2]
    assert np.mean(train[-10:]) < np.mean(train[:10]) - 0.2
    best = int(re.search(r"Loading epoch (\d+)", out.stdout).group(1))
    assert val[best - 1] == min(val) and epochs == best + 10  # patience 10
    assert "<All keys matched successfully>" in out.stdout
    assert float(re.search(r"accuracy= ([0-9.]+)", out.stdout).group(1)) > 0.6  # chance: 1/3
    assert (tmp_path / "gat_best.pt").exists()


def test_gat_edge_list_layer_computes_what_the_dense_layer_does(tmp_path):
    dense, _ = run_example("gat", "ddp", tmp_path, "--dropout", "0", "--epochs", "40")
    edges, _ = run_example("gat", "ddp", tmp_path, "--dropout", "0", "--epochs", "40", "--out-layer", "edges")
    assert len(dense) == len(edges) == 81
    np.testing.assert_allclose(edges, dense, rtol=1e-5)


def test_gat_matches_pytorch(tmp_path):
    for args in [("--dropout", "0"), ("--dropout", "0", "--out-layer", "edges", "--epochs", "40")]:
        ours, out = run_example("gat", "ddp", tmp_path, *args)
        theirs, out_t = run_example("gat", "torch", tmp_path, *args)
        assert len(ours) == len(theirs) == 2 * _epochs(out.stdout) + 1, args
        np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=1e-6, err_msg=str(args))
        assert _model(out.stdout) == _model(out_t.stdout)
        assert out.stdout.splitlines()[-3:] == out_t.stdout.splitlines()[-3:]  # best epoch, load result, test
