"""scripts/runlog.py and train_mnist's run folder: config.json (options + machine), steps.csv and
epochs.csv with their columns, the periodic checkpoints inside it, --no-log, and --scale-lr's ramp."""
import csv
import datetime
import json

import pytest

import train_mnist
from runlog import EPOCH_COLUMNS, STEP_COLUMNS, RunLog, default_folder


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, rows


def test_runlog_writes_config_and_both_csv_files(tmp_path):
    with RunLog(tmp_path / "run", {"lr": 0.1, "model": "cnn"}, argv=["--lr", "0.1"]) as log:
        log.step(step=1, epoch=1, train_loss=2.5, lr=0.1, samples_per_s=1000.0, time=0.5)
        log.epoch(epoch=1, step=1, train_loss=2.5, test_loss=2.0, test_acc=0.5, lr=0.1, samples_per_s=900.0,
                  time=1.0)
    info = json.loads((tmp_path / "run" / "config.json").read_text())
    assert info["config"] == {"lr": 0.1, "model": "cnn"} and info["argv"] == ["--lr", "0.1"]
    for key in ("hostname", "processor", "cpu_count", "python", "numpy"):
        assert key in info["machine"]
    header, rows = read_csv(tmp_path / "run" / "steps.csv")
    assert tuple(header) == STEP_COLUMNS and rows == [{"step": "1", "epoch": "1", "train_loss": "2.5", "lr": "0.1",
                                                       "samples_per_s": "1000", "time": "0.5"}]
    header, rows = read_csv(tmp_path / "run" / "epochs.csv")
    assert tuple(header) == EPOCH_COLUMNS and rows[0]["test_acc"] == "0.5"


def test_a_reopened_log_appends_without_a_second_header(tmp_path):
    for step in (1, 2):
        with RunLog(tmp_path, {}, machine={}) as log:
            log.step(step=step, epoch=1, train_loss=1.0, lr=0.1, samples_per_s=1.0, time=float(step))
    header, rows = read_csv(tmp_path / "steps.csv")
    assert [r["step"] for r in rows] == ["1", "2"]


def test_a_row_without_a_column_is_refused(tmp_path):
    with RunLog(tmp_path, {}, machine={}) as log:
        with pytest.raises(ValueError, match="RunLog: the row lacks the column.*samples_per_s"):
            log.step(step=1, epoch=1, train_loss=1.0, lr=0.1, time=0.0)


def test_runs_started_in_the_same_second_get_their_own_folders(tmp_path):
    now = datetime.datetime(2026, 1, 2, 3, 4, 5)
    folders = [default_folder("cnn", "data", root=tmp_path, now=now) for _ in range(3)]
    assert [f.name for f in folders] == ["20260102-030405-cnn-data", "20260102-030405-cnn-data-2",
                                         "20260102-030405-cnn-data-3"]
    assert all(f.is_dir() for f in folders)


def test_train_mnist_writes_its_run_folder(train, tmp_path):
    run = tmp_path / "run"
    summary = train("--model", "mlp", "--epochs", 2, "--max-steps", 130, "--log-dir", run, "--checkpoint-every", 65)
    assert summary["log_dir"] == str(run)
    info = json.loads((run / "config.json").read_text())
    assert info["config"]["model"] == "mlp" and info["config"]["max_steps"] == 130
    assert info["machine"]["world_size"] == 1
    header, steps = read_csv(run / "steps.csv")
    assert tuple(header) == STEP_COLUMNS and [int(r["step"]) for r in steps] == list(range(1, 131))
    assert [float(r["train_loss"]) for r in steps] == pytest.approx(summary["losses"], rel=1e-6)
    assert {r["epoch"] for r in steps} == {"1", "2"} and all(float(r["samples_per_s"]) > 0 for r in steps)
    times = [float(r["time"]) for r in steps]
    assert times == sorted(times)
    header, epochs = read_csv(run / "epochs.csv")
    assert tuple(header) == EPOCH_COLUMNS and [r["step"] for r in epochs] == ["125", "130"]
    assert float(epochs[-1]["test_acc"]) == pytest.approx(summary["test_acc"])
    assert [float(r["lr"]) for r in epochs] == pytest.approx([1e-3, 3e-4])  # StepLR, gamma 0.3 for mlp
    # the periodic checkpoints go into the run folder unless --checkpoint-dir says otherwise
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["step-00000065.ddp", "step-00000130.ddp"]


def test_the_default_run_folder_is_under_runs(train, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    train("--model", "mlp", "--max-steps", 2, "--simulate-ranks", 2)
    (folder,) = (tmp_path / "runs").iterdir()
    assert folder.name.endswith("-mlp-data") and (folder / "steps.csv").exists()
    assert f"run log in {folder.relative_to(tmp_path)}" in capsys.readouterr().out


def test_no_log_writes_no_folder(train, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert train("--model", "mlp", "--max-steps", 2, "--no-log")["log_dir"] is None
    assert list(tmp_path.iterdir()) == []


def test_scale_lr_linear_ramps_to_replicas_times_lr(train, tmp_path):
    """2 replicas x 64 over 8,000 images: 63 steps an epoch. With a one-epoch warm-up the lr climbs from
    1e-3 to 2e-3 at step 63, then StepLR multiplies it by gamma each epoch; with a quarter epoch it
    reaches 2e-3 at step 16; with none (the default) it starts there."""
    lrs = {}
    for warmup in ("1", "0.25", "0"):
        run = tmp_path / warmup
        train("--model", "mlp", "--epochs", 2, "--max-steps", 70, "--simulate-ranks", 2, "--scale-lr", "linear",
              "--warmup-epochs", warmup, "--log-dir", run)
        lrs[warmup] = [float(r["lr"]) for r in read_csv(run / "steps.csv")[1]]
    ramp = lrs["1"]
    assert ramp[0] == pytest.approx(1e-3 * (1 + 1 / 63)) and ramp[62] == pytest.approx(2e-3)
    assert all(a < b for a, b in zip(ramp[:62], ramp[1:63]))
    assert ramp[63:] == pytest.approx([2e-3 * 0.3] * 7)
    assert lrs["0.25"][15:63] == pytest.approx([2e-3] * 48) and lrs["0.25"][14] < 2e-3
    assert lrs["0"] == pytest.approx([2e-3] * 63 + [6e-4] * 7)


def test_scale_lr_is_off_by_default_and_one_replica_is_never_scaled(train, tmp_path):
    assert train_mnist.parse_args([]).scale_lr == "none" and train_mnist.parse_args([]).warmup_epochs == 0
    train("--model", "mlp", "--max-steps", 3, "--scale-lr", "linear", "--log-dir", tmp_path)
    assert [float(r["lr"]) for r in read_csv(tmp_path / "steps.csv")[1]] == [1e-3] * 3
