"""The whole training state in one file: `save_checkpoint` writes it from rank 0, `load_checkpoint`
restores it on every rank, so that an interrupted run goes on exactly where it stopped.

What is saved: the model's state dict (a `DistributedDataParallel`'s inner module), the optimizer's and
the scheduler's, the loader's place in its epoch (`DataLoader.state_dict`, which a `DistributedSampler`
keeps as a position in the epoch's global order), every rank's default-generator state, the epoch and
step, the world size, and whatever `extra` holds (e.g. the run's arguments). The file is `ddp.save`'s:
no pickle, written atomically.

Resuming on the same number of ranks continues bitwise; on another number of ranks the epoch goes on
with exactly the samples it had left, in the same global order (each rank takes its saved rank's
generator state when there is one, else rank 0's).
"""
import numpy as np

from ddp.core import random as _random
from ddp.core.serialization import load, save

from . import launch

FORMAT = "ddp.training_state"


def _module(model):
    return getattr(model, "module", model)  # DistributedDataParallel wraps the model


def save_checkpoint(path, model, optimizer=None, scheduler=None, loader=None, epoch=0, step=0, extra=None,
                    comm=None):
    """Collective: write the training state to `path` from rank 0.

    Args:
        path: the file to write (atomically: a crash mid-write leaves the previous one intact).
        model, optimizer, scheduler, loader: what to save (anything with `state_dict()`; None skips it).
        epoch, step: where the run is (the epoch in progress, the steps done so far).
        extra: a dict of plain data to keep with it (numbers, strings, lists, dicts, arrays).
        comm: the communicator (default ``ddp.parallel.get_comm()``).

    Raises:
        OSError: when rank 0 cannot write the file, on every rank (with rank 0's message).
    """
    comm = launch.get_comm() if comm is None else comm
    rng = comm.allgather(_random.get_rng_state().numpy())  # one row per rank
    error = None
    if comm.rank == 0:
        state = {
            "format": FORMAT, "version": 1, "epoch": int(epoch), "step": int(step),
            "world_size": comm.world_size, "rng": rng, "extra": extra or {},
            "model": _module(model).state_dict(),
            "optimizer": None if optimizer is None else optimizer.state_dict(),
            "scheduler": None if scheduler is None else scheduler.state_dict(),
            "loader": None if loader is None else loader.state_dict(),
        }
        try:
            save(state, path)
        except OSError as exc:
            error = f"{type(exc).__name__}: {exc}"
    error = comm.broadcast_object(error, root=0)
    if error is not None:
        raise OSError(f"save_checkpoint: rank 0 could not write {path!r}: {error}")


def load_checkpoint(path, model, optimizer=None, scheduler=None, loader=None, comm=None):
    """Collective: restore what `save_checkpoint` wrote into the given objects on every rank.

    Rank 0 reads the file and sends it to the others, so only rank 0 needs to see it.

    Returns:
        dict with "epoch", "step", "world_size" (of the saved run) and "extra".
    Raises:
        FileNotFoundError / RuntimeError: on every rank, when rank 0 cannot read the file or it is not a
            training state.
    """
    comm = launch.get_comm() if comm is None else comm
    state, error = None, None
    if comm.rank == 0:
        try:
            state = load(path)
            if not isinstance(state, dict) or state.get("format") != FORMAT:
                raise RuntimeError("it is not a training state written by save_checkpoint")
        except (OSError, RuntimeError) as exc:
            state, error = None, (type(exc).__name__, str(exc))
    error = comm.broadcast_object(error, root=0)
    if error is not None:
        kind = FileNotFoundError if error[0] == "FileNotFoundError" else RuntimeError
        raise kind(f"load_checkpoint: cannot resume from {path!r}: {error[1]}")
    if comm.world_size > 1:
        state = comm.broadcast_object(state, root=0)
    _module(model).load_state_dict(state["model"])
    for name, target in (("optimizer", optimizer), ("scheduler", scheduler), ("loader", loader)):
        if target is not None:
            if state[name] is None:
                raise RuntimeError(f"load_checkpoint: {path!r} holds no {name} state to restore")
            target.load_state_dict(state[name])
    rng = state["rng"]
    mine = rng[comm.rank] if comm.rank < len(rng) else rng[0]
    _random.set_rng_state(_tensor(mine))
    return {"epoch": state["epoch"], "step": state["step"], "world_size": state["world_size"],
            "extra": state["extra"]}


def _tensor(array):
    from ddp.core.tensor import Tensor
    return array if isinstance(array, Tensor) else Tensor(np.asarray(array, np.uint8))
