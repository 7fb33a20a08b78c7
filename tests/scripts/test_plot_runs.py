"""scripts/plot_runs.py: a PNG of one run or several side by side (when matplotlib is installed), the
default output path, and clear messages for a missing matplotlib or a folder that is no run."""
import math
import struct
import subprocess
import sys

import pytest

import plot_runs
from mpi_launch import ROOT
from runlog import RunLog


def fake_run(folder, epochs=3, steps_per_epoch=20, scale=1.0):
    """A run folder as train_mnist writes it, with a falling loss."""
    with RunLog(folder, {"model": "cnn"}, machine={}) as log:
        for epoch in range(1, epochs + 1):
            for i in range(steps_per_epoch):
                step = (epoch - 1) * steps_per_epoch + i + 1
                log.step(step=step, epoch=epoch, train_loss=scale * 2.3 * math.exp(-step / 15), lr=0.01,
                         samples_per_s=1000.0, time=step * 0.05)
            log.epoch(epoch=epoch, step=step, train_loss=scale * math.exp(-epoch), test_loss=scale * 1.2 *
                      math.exp(-epoch), test_acc=1 - 0.5 * math.exp(-epoch), lr=0.01, samples_per_s=1000.0,
                      time=step * 0.05)
    return folder


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])  # IHDR: width, height


def test_read_run_gives_the_columns_as_numbers(tmp_path):
    run = plot_runs.read_run(fake_run(tmp_path / "a"))
    assert run["name"] == "a" and len(run["steps"]["step"]) == 60 and run["epochs"]["epoch"] == [1.0, 2.0, 3.0]


def test_one_run_draws_curves_png_in_its_folder(tmp_path):
    pytest.importorskip("matplotlib")
    folder = fake_run(tmp_path / "a")
    out = plot_runs.main([str(folder)])
    assert out == folder / "curves.png" and out.stat().st_size > 20_000
    assert png_size(out) == (1100, 750)


def test_several_runs_side_by_side_into_out(tmp_path):
    pytest.importorskip("matplotlib")
    runs = [fake_run(tmp_path / name, scale=s) for name, s in (("one", 1.0), ("four", 1.5), ("four-lin", 1.1))]
    out = tmp_path / "plots" / "cmp.png"
    assert plot_runs.main([*map(str, runs), "--out", str(out)]) == out
    assert out.stat().st_size > 20_000 and png_size(out) == (1100, 750)


def test_a_missing_matplotlib_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    with pytest.raises(SystemExit, match=r'matplotlib is not installed.*pip install -e "\.\[plot\]"'):
        plot_runs.main([str(fake_run(tmp_path / "a"))])


def test_a_folder_that_is_no_run_is_named(tmp_path):
    with pytest.raises(SystemExit, match="is not a run folder: it has no steps.csv"):
        plot_runs.main([str(tmp_path)])


def test_the_script_runs_from_the_command_line(tmp_path):
    pytest.importorskip("matplotlib")
    folder = fake_run(tmp_path / "a")
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "plot_runs.py"), str(folder)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"wrote {folder / 'curves.png'}" in out.stdout
