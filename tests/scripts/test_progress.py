"""scripts/progress.py: plain lines at a bounded rate when stdout is not a terminal (never a carriage
return), a tqdm bar on a terminal, nothing when disabled."""
import io

import pytest

from progress import Progress


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def run_epoch(progress, clock, total, seconds_per_step):
    progress.start("epoch 1/3", total)
    for step in range(1, total + 1):
        clock.t += seconds_per_step
        progress.update(step, 0.5, 64)
    progress.finish()


def test_fast_steps_print_a_line_every_tenth_of_the_epoch():
    out, clock = io.StringIO(), Clock()
    run_epoch(Progress(stream=out, interactive=False, clock=clock), clock, total=125, seconds_per_step=0.01)
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert len(lines) == 10
    assert [line.split()[2] for line in lines] == [f"{s}/125" for s in (13, 25, 38, 50, 63, 75, 88, 100, 113, 125)]
    assert lines[-1].startswith("epoch 1/3: 125/125 steps (100%) loss 0.5000 6,400 samples/s eta 0s")


def test_slow_steps_print_a_line_every_ten_seconds():
    out, clock = io.StringIO(), Clock()
    run_epoch(Progress(stream=out, interactive=False, clock=clock), clock, total=1000, seconds_per_step=1.0)
    lines = out.getvalue().splitlines()
    # 1000 s: one line per 10 s (the 10% marks fall on them), the last at the epoch's end
    assert len(lines) == 100 and "\r" not in out.getvalue()
    assert lines[0].startswith("epoch 1/3: 10/1000 steps (1%)") and lines[0].endswith("eta 16m30s")


def test_a_short_epoch_prints_each_step_once():
    out, clock = io.StringIO(), Clock()
    run_epoch(Progress(stream=out, interactive=False, clock=clock), clock, total=3, seconds_per_step=0.01)
    assert [line.split()[2] for line in out.getvalue().splitlines()] == ["1/3", "2/3", "3/3"]


def test_disabled_prints_nothing():
    out, clock = io.StringIO(), Clock()
    run_epoch(Progress(enabled=False, stream=out, clock=clock), clock, total=50, seconds_per_step=1.0)
    assert out.getvalue() == ""


def test_a_stream_that_is_not_a_terminal_gets_lines_by_default():
    assert Progress(stream=io.StringIO()).interactive is False


def test_a_terminal_gets_a_tqdm_bar():
    pytest.importorskip("tqdm")

    class Terminal(io.StringIO):
        def isatty(self):
            return True
    out, clock = Terminal(), Clock()
    progress = Progress(stream=out, clock=clock)
    assert progress.interactive
    run_epoch(progress, clock, total=20, seconds_per_step=0.01)
    text = out.getvalue()
    assert "epoch 1/3" in text and "20/20" in text and "loss 0.5000" in text and "\r" in text
