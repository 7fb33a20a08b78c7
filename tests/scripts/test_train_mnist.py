"""scripts/train_mnist.py in-process: accuracy floors, data-parallel and pipeline runs equal one process,
checkpoints, and the missing-dataset error. The one-process runs use the same ddp ops and optimizers as the
distributed ones (tests/core checks those against finite differences and numpy update rules)."""
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
    # the weights agree to rounding only, so one test image near a tie may flip (the reduction itself is
    # exact: test_evaluation_over_three_unequal_shards_is_exact)
    assert abs(two["test_acc"] - one["test_acc"]) * 2000 <= 1
    out = capsys.readouterr().out
    assert out.count("summary:") == 2 and "global_batch=64" in out  # rank 0 alone prints


def test_evaluation_over_three_unequal_shards_is_exact(mnist_root):
    """2000 test images over 3 ranks (667, 667, 666, unpadded) count every image once: the same weights give
    exactly one process's accuracy and, up to float32 rounding, its loss."""
    args = train_mnist.parse_args(["--data-dir", str(mnist_root), "--model", "mlp"])
    _, test_set = train_mnist.load_datasets(args, dp.init())
    ddp.manual_seed(0)
    weights = build_model("mlp").state_dict()

    def evaluate():
        model = build_model("mlp")
        model.load_state_dict(weights)
        runner = train_mnist.make_runner(model, args, dp.init())
        _, loader = train_mnist.make_loaders(test_set, test_set, args, runner)
        return len(loader.sampler), train_mnist.evaluate(runner, loader)
    (count, one), = dp.spawn(evaluate, world_size=1)
    three = dp.spawn(evaluate, world_size=3)
    assert count == 2000 and [n for n, _ in three] == [667, 667, 666]
    for _, m in three:
        assert m.count == 2000 and m.accuracy == one.accuracy  # exactly, not approximately
        assert m.loss == pytest.approx(one.loss, rel=1e-6)


def record_gradients(monkeypatch):
    """Wrap train_mnist's optimizers so that each run logs its parameters' gradients at every step."""
    runs, make = [], train_mnist.make_optimizer

    def make_and_record(params, args):
        opt, log = make(params, args), []
        runs.append(log)
        step = opt.step

        def logged_step(*a, **k):
            log.append([p.grad.numpy().copy() for g in opt.param_groups for p in g["params"]])
            return step(*a, **k)
        opt.step = logged_step
        return opt
    monkeypatch.setattr(train_mnist, "make_optimizer", make_and_record)
    return runs


def test_adam_over_two_ranks_equals_one_rank(train, monkeypatch):
    """The reference is the same ddp model and Adam in one process (test_optim_numpy.py checks Adam itself)."""
    grads = record_gradients(monkeypatch)
    one = train("--model", "mlp", "--batch-size", 64, "--max-steps", 5)
    two = train("--model", "mlp", "--batch-size", 32, "--max-steps", 5, "--simulate-ranks", 2)
    np.testing.assert_allclose(two["losses"], one["losses"], rtol=1e-6)
    # Adam's step lr m / (sqrt(v) + 1e-8) is insensitive to rounding except where a gradient is within ~100x
    # of that 1e-8: a border pixel whose gradient cancels to ~1e-9 keeps only a few correct bits, whatever
    # the summation order, and its first step (up to lr = 1e-3) follows those bits. Such coordinates (a
    # gradient below 1e-5 of its layer's largest at some step, but not exactly zero) may differ by up to 5%
    # of one step; every other coordinate must agree to 0.5% of one step.
    lr = 1e-3
    for i, (k, v) in enumerate(one["state_dict"].items()):
        g = np.abs(np.stack([step[i] for step in grads[0]]))
        tiny = ((g < 1e-5 * g.max(axis=tuple(range(1, g.ndim)), keepdims=True)) & (g > 0)).any(axis=0)
        assert tiny.mean() < 0.01, f"{k}: {tiny.mean():.1%} of its gradients are tiny; the exemption is too wide"
        diff = np.abs(two["state_dict"][k] - v)
        assert diff[~tiny].max(initial=0) <= 5e-3 * lr, f"{k} differs by {diff[~tiny].max():.2e} off tiny gradients"
        assert diff[tiny].max(initial=0) <= 5e-2 * lr, f"{k} differs by {diff[tiny].max():.2e} at a tiny gradient"


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
