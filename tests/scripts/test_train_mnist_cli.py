"""train_mnist's command line as a newcomer meets it: --help states every default (the per-model ones
too), progress lines without carriage returns when stdout is not a terminal, the dataset sizes, the
offline hint's command that works from here, and a failed --download that leaves no empty folder."""
import re
import shlex
from pathlib import Path

import pytest

import ddp
import ddp.parallel as dp
import mnist_options
import train_mnist
from mnist_models import DEFAULTS


def test_help_states_every_default(capsys):
    with pytest.raises(SystemExit):
        train_mnist.parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines: compare with single spaces
    for action in mnist_options.build_parser("x")._actions:
        if action.default not in (None, False, "==SUPPRESS=="):
            assert f"(default: {action.default})" in text, action.option_strings
    assert "learning-rate decay per epoch (StepLR); default: 0.7 for cnn and cnn2, 0.3 for mlp" in text
    assert "default: 0.01 for cnn and cnn2, 0.001 for mlp" in text
    assert "default: sgd for cnn and cnn2, adam for mlp" in text
    assert "--quiet, --no-progress" in text and "--scale-lr" in text and "(default: none)" in text
    assert DEFAULTS["mlp"]["gamma"] == 0.3  # what the text above states


def test_progress_lines_without_a_terminal(mnist_root, capsys):
    train_mnist.main(["--data-dir", str(mnist_root), "--model", "mlp", "--max-steps", "125", "--no-log"])
    out = capsys.readouterr().out
    assert "\r" not in out
    lines = [line for line in out.splitlines() if re.match(r"epoch 1/3: \d+/125 steps", line)]
    assert 1 <= len(lines) <= 11 and lines[-1].startswith("epoch 1/3: 125/125 steps (100%) loss ")
    assert "data: 8000 training images, 2000 test images" in out


def test_quiet_prints_no_progress(mnist_root, capsys):
    train_mnist.main(["--data-dir", str(mnist_root), "--model", "mlp", "--max-steps", "20", "--no-log", "--quiet"])
    out = capsys.readouterr().out
    assert "steps (" not in out and "epoch 1/3: train_loss=" in out


def test_the_offline_hint_is_a_command_that_names_real_files(tmp_path):
    with pytest.raises(FileNotFoundError) as error:
        train_mnist.main(["--data-dir", str(tmp_path / "none"), "--max-steps", "1", "--no-log"])
    command = re.search(r"`(python [^`]*)`", str(error.value)).group(1)
    words = shlex.split(command)
    assert words[1].endswith("make_offline_mnist.py") and Path(words[1]).is_file()
    assert words[2] == "--src" and (Path(words[3]) / "t10k-images-idx3-ubyte.gz").is_file()
    assert words[4:] == ["--out", str(tmp_path / "none")]


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_download_leaves_no_empty_folder(tmp_path, monkeypatch, existing):
    monkeypatch.setenv("DDP_MNIST_MIRROR", "http://127.0.0.1:9/")  # nothing listens: refused at once
    if existing:
        (tmp_path / "data").mkdir()
    root = tmp_path / "data" / "mnist"
    args = train_mnist.parse_args(["--data-dir", str(root), "--download"])
    with pytest.raises((OSError, ddp.data.DatasetError), match="cannot load MNIST"):
        train_mnist.load_datasets(args, dp.init())
    assert not root.exists()
    assert (tmp_path / "data").exists() == existing  # a folder that was there before stays
