"""A run's folder: its configuration and machine (config.json), per-step and per-epoch metrics (CSV).

    runs/20261201-221500-cnn-data/
        config.json    {"config": {...the parsed options...}, "argv": [...], "machine": {...}, "started": ...}
        steps.csv      step,epoch,train_loss,lr,samples_per_s,time
        epochs.csv     epoch,step,train_loss,test_loss,test_acc,lr,samples_per_s,time
        checkpoints/   the periodic checkpoints (unless --checkpoint-dir says otherwise)

CSV because every tool reads it (a spreadsheet, pandas, `column -s, -t`), and the rows are written as they
happen (line-buffered), so a run that is killed keeps what it logged. `time` is seconds since the run
began. `scripts/plot_runs.py` draws the curves from these files.
"""
import csv
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
from pathlib import Path

STEP_COLUMNS = ("step", "epoch", "train_loss", "lr", "samples_per_s", "time")
EPOCH_COLUMNS = ("epoch", "step", "train_loss", "test_loss", "test_acc", "lr", "samples_per_s", "time")


def default_folder(model, mode, root="runs", now=None):
    """Create and return runs/<date-time>-<model>-<mode>, adding -2, -3, ... if that folder exists (two runs
    started in the same second, even by two processes, get two folders)."""
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(root) / f"{stamp}-{model}-{mode}"
    folder, n = base, 1
    while True:
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            n += 1
            folder = base.with_name(f"{base.name}-{n}")


class RunLog:
    """Writes one run's files into `folder` (created). `config` is a JSON-able dict of the options."""

    def __init__(self, folder, config, machine=None, argv=None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        info = {"config": config, "argv": sys.argv[1:] if argv is None else list(argv),
                "machine": machine_info() if machine is None else machine,
                "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds")}
        (self.folder / "config.json").write_text(json.dumps(info, indent=2, default=str) + "\n")
        self._files, self._writers = [], {}
        for name, columns in (("steps", STEP_COLUMNS), ("epochs", EPOCH_COLUMNS)):
            path = self.folder / f"{name}.csv"
            resumed = path.exists() and path.stat().st_size > 0  # a resumed run appends to its own log
            handle = open(path, "a", newline="", buffering=1)
            writer = csv.DictWriter(handle, columns)
            if not resumed:
                writer.writeheader()
            self._files.append(handle)
            self._writers[name] = writer

    def step(self, **row):
        """One training step: the columns of STEP_COLUMNS."""
        self._writers["steps"].writerow(_rounded(row, STEP_COLUMNS))

    def epoch(self, **row):
        """One epoch's end: the columns of EPOCH_COLUMNS."""
        self._writers["epochs"].writerow(_rounded(row, EPOCH_COLUMNS))

    def close(self):
        for handle in self._files:
            handle.close()
        self._files = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _rounded(row, columns):
    """The row with exactly `columns` (a missing one is an error), floats to 7 significant digits."""
    missing = set(columns) - row.keys()
    if missing:
        raise ValueError(f"RunLog: the row lacks the column(s) {', '.join(sorted(missing))}; got {sorted(row)}")
    return {k: f"{v:.7g}" if isinstance(v, float) else v for k, v in row.items()}


def machine_info(comm=None):
    """Where the run ran: host, OS, CPU, Python and library versions, BLAS, MPI and the ranks."""
    import numpy

    info = {"hostname": socket.gethostname(), "platform": platform.platform(), "machine": platform.machine(),
            "processor": _cpu_name(), "cpu_count": os.cpu_count(), "python": platform.python_version(),
            "numpy": numpy.__version__, "ddp_commit": _git_commit()}
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [{k: lib.get(k) for k in ("internal_api", "version", "num_threads")}
                        for lib in threadpool_info()]
    except ImportError:
        pass
    if comm is not None:
        info["world_size"] = comm.world_size
    try:
        from mpi4py import MPI
        info["mpi"] = MPI.Get_library_version().strip().splitlines()[0]
    except Exception:  # mpi4py missing, or no MPI library behind it: the run did not use MPI
        info["mpi"] = None
    return info


def _cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _git_commit():
    """The checkout's commit, or None outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None
