"""scripts/train_mnist.py in-process: accuracy floors, data-parallel and pipeline runs equal one process,
checkpoints, and the missing-dataset error."""
import numpy as np
import pytest

import ddp
import ddp.parallel as dp
import train_mnist
from mnist_models import build_model


def assert_same_params(a, b, rtol):
    assert a.keys() == b.keys()
    for k in a:
        scale = np.abs(b[k]).max()
        assert np.abs(a[k] - b[k]).max() <= rtol * scale, f"{k} differs"


@pytest.mark.parametrize("model, floor", [("mlp", 0.95), ("cnn", 0.96), ("cnn2", 0.975)])
def test_accuracy_floor_after_three_epochs(train, model, floor, capsys):
    summary = train("--model", model, "--epochs", 3)
    assert summary["test_acc"] >= floor
    assert summary["epochs"] == 3 and summary["steps"] == 3 * 125
    out = capsys.readouterr().out
    assert f"summary: model={model} parallel=data ranks=1 epochs=3 global_batch=64 test_acc=" in out
    assert out.count("epoch ") >= 3


def test_two_simulated_ranks_equal_one_rank_with_twice_the_batch(train, capsys):
    one = train("--model", "cnn", "--batch-size", 64, "--max-steps", 6)
    two = train("--model", "cnn", "--batch-size", 32, "--max-steps", 6, "--simulate-ranks", 2)
    assert two["ranks"] == 2 and two["global_batch"] == 64
    assert_same_params(two["state_dict"], one["state_dict"], rtol=1e-6)
    np.testing.assert_allclose(two["losses"], one["losses"], rtol=1e-6)
    assert two["test_acc"] == pytest.approx(one["test_acc"], abs=1e-3)  # exact sums over unequal shards
    out = capsys.readouterr().out
    assert out.count("summary:") == 2 and "global_batch=64" in out  # rank 0 alone prints


def test_adam_over_two_ranks_equals_one_rank(train):
    one = train("--model", "mlp", "--batch-size", 64, "--max-steps", 5)
    two = train("--model", "mlp", "--batch-size", 32, "--max-steps", 5, "--simulate-ranks", 2)
    np.testing.assert_allclose(two["losses"], one["losses"], rtol=1e-6)
    # Adam divides by sqrt(v): a gradient of ~1e-9 (a border pixel) moves its weight by up to lr whatever its
    # rounding, so compare to a small fraction of one step (lr = 1e-3) rather than relatively
    for k, v in one["state_dict"].items():
        np.testing.assert_allclose(two["state_dict"][k], v, rtol=0, atol=1e-2 * 1e-3, err_msg=k)


@pytest.mark.parametrize("flags, ranks", [
    (("--parallel", "pipeline", "--micro-batches", 4), 2),
    (("--parallel", "pipeline", "--stages", 4, "--micro-batches", 8, "--schedule", "gpipe"), 4),
    (("--parallel", "hybrid", "--stages", 2, "--micro-batches", 2), 4),
])
def test_pipeline_and_hybrid_equal_one_process(train, flags, ranks, capsys):
    one = train("--model", "cnn", "--batch-size", 64, "--max-steps", 4)
    replicas = 2 if "hybrid" in flags else 1
    piped = train("--model", "cnn", "--batch-size", 64 // replicas, "--max-steps", 4,
                  "--simulate-ranks", ranks, *flags)
    assert piped["global_batch"] == 64
    assert_same_params(piped["state_dict"], one["state_dict"], rtol=1e-5)
    np.testing.assert_allclose(piped["losses"], one["losses"], rtol=1e-5)
    assert piped["test_acc"] == pytest.approx(one["test_acc"], abs=1e-3)
    assert "imbalance" in piped["plan"] and piped["plan"] in capsys.readouterr().out


def test_save_writes_a_checkpoint_that_loads_into_a_fresh_model(train, tmp_path):
    for flags in [(), ("--simulate-ranks", 2, "--parallel", "pipeline")]:
        path = tmp_path / f"ckpt{len(flags)}" / "cnn.pt"
        summary = train("--model", "cnn", "--max-steps", 2, "--save", path, *flags)
        model = build_model("cnn")
        model.load_state_dict(ddp.load(path))
        assert_same_params({k: v.numpy() for k, v in model.state_dict().items()}, summary["state_dict"], 0)


def test_max_steps_stops_early_and_still_evaluates(train):
    summary = train("--model", "mlp", "--epochs", 3, "--max-steps", 130)
    assert summary["steps"] == 130 and summary["epochs"] == 2 and len(summary["losses"]) == 130
    assert 0 < summary["test_acc"] <= 1


def test_missing_dataset_names_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"--download.*make_offline_mnist.py"):
        train_mnist.main(["--data-dir", str(tmp_path / "none"), "--max-steps", "1"])


def test_missing_dataset_fails_on_every_rank_with_the_same_message(tmp_path):
    args = train_mnist.parse_args(["--data-dir", str(tmp_path / "none")])

    def load():
        try:
            train_mnist.load_datasets(args, dp.init())
        except FileNotFoundError as exc:
            return str(exc)
    messages = dp.spawn(load, world_size=3)
    assert messages[0] is not None and messages == [messages[0]] * 3
    assert "on rank 0" in messages[0]


def test_failed_download_on_rank_0_fails_every_rank(tmp_path, monkeypatch):
    monkeypatch.setenv("DDP_MNIST_MIRROR", "http://127.0.0.1:9/")  # nothing listens: refused at once
    args = train_mnist.parse_args(["--data-dir", str(tmp_path / "none"), "--download"])

    def load():
        try:
            train_mnist.load_datasets(args, dp.init())
        except (OSError, ddp.data.DatasetError) as exc:
            return type(exc).__name__, str(exc)
    results = dp.spawn(load, world_size=2)
    assert results[0] is not None and results == [results[0]] * 2
    assert "on rank 0" in results[0][1]


@pytest.mark.parametrize("flags", [["--epochs", "0"], ["--model", "vgg"], ["--simulate-ranks", "0"]])
def test_bad_flags_are_rejected(flags):
    with pytest.raises(SystemExit):
        train_mnist.parse_args(flags)


def test_model_defaults_follow_the_model():
    assert train_mnist.parse_args(["--model", "mlp"]).optimizer == "adam"
    args = train_mnist.parse_args(["--model", "cnn2", "--lr", "0.05"])
    assert (args.optimizer, args.lr, args.momentum) == ("sgd", 0.05, 0.9)
