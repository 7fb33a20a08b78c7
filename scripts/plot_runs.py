"""Draw the loss and accuracy curves of one or more train_mnist runs into one PNG.

    python scripts/plot_runs.py runs/20261201-221500-cnn-data runs/20261201-223000-cnn-data --out cmp.png

Four panels: loss against step and against epoch (train solid, test dashed), test accuracy against step
and against epoch; each run in its own colour, named by its folder. Reads the run folders' steps.csv and
epochs.csv (scripts/runlog.py). Needs matplotlib: `pip install -e ".[plot]"`.
"""
import argparse
import csv
import math
import sys
from pathlib import Path

MISSING_MATPLOTLIB = ('plot_runs: matplotlib is not installed; install the plotting extra with '
                      '`pip install -e ".[plot]"` (or `pip install matplotlib`)')


def read_run(folder):
    """{"name", "steps": {column: [floats]}, "epochs": {column: [floats]}} of one run folder."""
    folder = Path(folder)
    run = {"name": folder.name}
    for table in ("steps", "epochs"):
        path = folder / f"{table}.csv"
        if not path.is_file():
            raise FileNotFoundError(f"plot_runs: {folder} is not a run folder: it has no {table}.csv "
                                    "(train_mnist.py writes one into --log-dir)")
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        columns = rows[0].keys() if rows else []
        run[table] = {c: [_number(r[c]) for r in rows] for c in columns}
    return run


def _number(text):
    try:
        return float(text)
    except ValueError:
        return math.nan


def plot(runs, out):
    """Write the four panels of `runs` (from read_run) to the PNG `out`; returns its path."""
    try:
        import matplotlib
    except ImportError:
        raise SystemExit(MISSING_MATPLOTLIB) from None
    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), constrained_layout=True)
    (loss_step, loss_epoch), (acc_step, acc_epoch) = axes
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, run in enumerate(runs):
        colour, steps, epochs = colours[i % len(colours)], run["steps"], run["epochs"]
        if steps:
            loss_step.plot(steps["step"], steps["train_loss"], color=colour, lw=0.8, alpha=0.8,
                           label=f"{run['name']} train")
        if epochs:
            loss_step.plot(epochs["step"], epochs["test_loss"], "--o", color=colour, ms=3, label=f"{run['name']} test")
            loss_epoch.plot(epochs["epoch"], epochs["train_loss"], "-o", color=colour, ms=3, label=f"{run['name']} train")
            loss_epoch.plot(epochs["epoch"], epochs["test_loss"], "--o", color=colour, ms=3, label=f"{run['name']} test")
            acc = [100 * a for a in epochs["test_acc"]]
            acc_step.plot(epochs["step"], acc, "--o", color=colour, ms=3, label=f"{run['name']} test")
            acc_epoch.plot(epochs["epoch"], acc, "--o", color=colour, ms=3, label=f"{run['name']} test")
    for ax, x, y in ((loss_step, "step", "loss"), (loss_epoch, "epoch", "loss"),
                     (acc_step, "step", "test accuracy (%)"), (acc_epoch, "epoch", "test accuracy (%)")):
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.grid(alpha=0.3)
    loss_step.set_yscale("log")
    loss_epoch.legend(fontsize="small")
    fig.suptitle("train_mnist: " + ", ".join(run["name"] for run in runs), fontsize="medium")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run folders written by train_mnist.py --log-dir")
    p.add_argument("--out", metavar="FILE", help="the PNG to write (default: curves.png in the first RUN_DIR)")
    args = p.parse_args(argv)
    try:
        runs = [read_run(folder) for folder in args.runs]
    except FileNotFoundError as exc:
        raise SystemExit(str(exc)) from None
    out = plot(runs, args.out or Path(args.runs[0]) / "curves.png")
    print(f"wrote {out}")
    return out


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
