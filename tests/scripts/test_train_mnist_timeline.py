"""train_mnist.py --timeline under mpirun: one trace with every rank's data loading and optimizer step
(the spans the script adds) beside DDP's own events, and the rejection of --simulate-ranks with it."""
import json

import pytest

import train_mnist
from mpi_launch import ROOT, requires_mpirun, run_python


@pytest.mark.parametrize("marks", [pytest.param(None, marks=requires_mpirun)])
def test_timeline_holds_each_ranks_data_and_optimizer_spans(marks, mnist_root, tmp_path):
    trace = tmp_path / "trace.json"
    out = run_python(2, [ROOT / "scripts" / "train_mnist.py", "--data-dir", mnist_root, "--model", "mlp",
                         "--max-steps", 4, "--timeline", trace, "--log-dir", tmp_path / "run"], timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"timeline: {trace}" in out.stdout
    spans = [e for e in json.loads(trace.read_text())["traceEvents"] if e.get("ph") == "X"]
    for rank in (0, 1):
        names = [e["name"] for e in spans if e["pid"] == rank]
        assert names.count("data") == 4 and names.count("optimizer step") == 4 and "forward" in names
    # the optimizer step follows the step's forward on the same rank
    rank0 = sorted((e for e in spans if e["pid"] == 0), key=lambda e: e["ts"])
    first_step = next(e for e in rank0 if e["name"] == "optimizer step")
    assert any(e["name"] == "forward" and e["ts"] + e["dur"] <= first_step["ts"] for e in rank0)


def test_timeline_with_simulated_ranks_is_refused(capsys):
    with pytest.raises(SystemExit):
        train_mnist.parse_args(["--timeline", "t.json", "--simulate-ranks", "2"])
    assert "--timeline records one track per process" in capsys.readouterr().err
