"""How train_mnist.py gets MNIST: every rank loads it, rank 0 downloads it first if asked (collective
errors, so no rank waits forever), and a failed download leaves no empty folder behind."""
import os
from pathlib import Path

from ddp.data import MNIST, DatasetError, transforms as T

HERE = Path(__file__).resolve().parent


def offline_hint(root):
    """The command that builds the small offline MNIST into `root`, with paths that work from here."""
    script = _relative(HERE / "make_offline_mnist.py")
    src = _relative(HERE.parent.parent / "shared" / "data" / "mnist")
    return f"on a machine without internet, build the small offline copy with `python {script} --src {src} --out {root}`"


def _relative(path):
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def mnist_transform():
    """ToTensor + Normalize with MNIST's mean and std, as in the PyTorch examples."""
    return T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])


def load_datasets(args, comm):
    """(train, test) MNIST on every rank; rank 0 downloads first if asked.

    Collective: if loading fails on any rank, every rank raises the same error, so no rank waits forever.
    """
    error = None
    if args.download and comm.rank == 0:
        top = _first_missing(Path(args.data_dir))
        error = _try(lambda: [MNIST(args.data_dir, train=t, download=True) for t in (True, False)])
        if error is not None and top is not None:
            _remove_empty_folders(top)  # a failed download leaves no empty data folder behind
    datasets = None
    if error is None and not (args.download and comm.world_size > 1 and comm.rank != 0):
        datasets, error = _load(args)
    errors = comm.allgather_object(error)
    failed = [r for r, e in enumerate(errors) if e is not None]
    if failed:
        kind, message = errors[failed[0]]
        where = f" (on rank {failed[0]})" if comm.world_size > 1 else ""
        hint = offline_hint(args.data_dir)
        raise (FileNotFoundError if kind == "FileNotFoundError" else DatasetError)(
            f"train_mnist: cannot load MNIST from {args.data_dir!r}{where}: {message} Pass --download to fetch "
            f"it, or {hint}.")
    if datasets is None:  # waited for rank 0's download
        datasets, error = _load(args)
        if error is not None:
            raise DatasetError(f"train_mnist: cannot load MNIST after the download: {error[1]}")
    return datasets


def _first_missing(path):
    """The outermost folder of `path` that does not exist yet (None if `path` exists)."""
    path = path.absolute()
    if path.exists():
        return None
    while not path.parent.exists():
        path = path.parent
    return path


def _remove_empty_folders(top):
    """Remove `top` and the folders below it, bottom up, as long as they hold no file."""
    if not top.is_dir():
        return
    for folder in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    if not any(top.iterdir()):
        top.rmdir()


def _load(args):
    result = []
    error = _try(lambda: result.extend(MNIST(args.data_dir, train=t, transform=mnist_transform())
                                       for t in (True, False)))
    return (tuple(result) if error is None else None), error


def _try(fn):
    """None if fn() succeeds, else (exception type name, message) of a data loading error."""
    try:
        fn()
    except (OSError, DatasetError) as exc:
        return type(exc).__name__, str(exc)
    return None
