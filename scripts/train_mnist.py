"""Train an MNIST classifier with ddp: in one process, data parallel, pipelined, or both (hybrid).

    mpirun -n 4 python scripts/train_mnist.py --model cnn --epochs 3            # data parallel, 4 ranks
    python scripts/train_mnist.py --model cnn --simulate-ranks 4                # the same, 4 threads
    mpirun -n 4 python scripts/train_mnist.py --parallel pipeline --stages 4 --micro-batches 8
    mpirun -n 4 python scripts/train_mnist.py --parallel hybrid --stages 2      # 2 pipelines of 2 stages

`--batch-size` is per data-parallel replica; the global batch is printed. Rank 0 prints the progress and
the summary, and writes the checkpoint (`--save`); evaluation is split over the ranks and reduced exactly.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # run from a checkout without installing ddp

import ddp  # noqa: E402
import ddp.nn.functional as F  # noqa: E402
import ddp.parallel as dp  # noqa: E402
from ddp.data import MNIST, DataLoader, transforms as T  # noqa: E402
from ddp.data import DatasetError  # noqa: E402
from ddp.parallel.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from ddp.parallel.metrics import reduce_metrics  # noqa: E402
from mnist_models import DEFAULTS, MODELS, build_model  # noqa: E402
from progress import Progress  # noqa: E402
from runners import make_runner  # noqa: E402

OFFLINE_HINT = ("on a machine without internet, build the small offline copy with "
                "`python scripts/make_offline_mnist.py --src ../shared/data/mnist --out {root}`")


class _Parser(argparse.ArgumentParser):
    """Reports a bad option once, from rank 0, when every rank of an mpirun job parses the same line."""

    def error(self, message):
        if os.environ.get("PMI_RANK", os.environ.get("OMPI_COMM_WORLD_RANK", "0")) == "0":
            self.print_usage(sys.stderr)
            sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


def parse_args(argv=None):
    p = _Parser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=sorted(MODELS), default="cnn")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64, help="per data-parallel replica (default 64)")
    p.add_argument("--test-batch-size", type=int, default=1000)
    p.add_argument("--optimizer", choices=["sgd", "adam"], help="default: adam for mlp, sgd for the CNNs")
    p.add_argument("--lr", type=float, help="default: 1e-3 for mlp, 0.01 for the CNNs")
    p.add_argument("--momentum", type=float, help="SGD momentum (default 0.9 for the CNNs)")
    p.add_argument("--gamma", type=float, help="learning-rate decay per epoch (StepLR; default 0.7)")
    p.add_argument("--data-dir", default="data", help="MNIST root (default: ./data)")
    p.add_argument("--download", action="store_true", help="download MNIST if missing (rank 0 does it)")
    p.add_argument("--seed", type=int, default=1, help="initial weights and data order")
    p.add_argument("--save", metavar="PATH", help="write the trained model's state dict here (ddp.save)")
    p.add_argument("--checkpoint-every", type=int, metavar="STEPS",
                   help="write the whole training state every STEPS steps (to --checkpoint-dir)")
    p.add_argument("--checkpoint-dir", default="checkpoints", help="where periodic checkpoints go")
    p.add_argument("--keep", type=int, default=3, help="periodic checkpoints to keep (older ones are removed)")
    p.add_argument("--resume", metavar="PATH",
                   help="continue from a checkpoint file, or from the latest one in a directory")
    p.add_argument("--parallel", choices=["data", "pipeline", "hybrid"], default="data")
    p.add_argument("--stages", type=int, help="pipeline stages (default: all ranks; hybrid: 2)")
    p.add_argument("--micro-batches", type=int, default=4, help="micro-batches per pipeline step")
    p.add_argument("--schedule", choices=["1f1b", "gpipe"], default="1f1b")
    p.add_argument("--balance", help="layers per pipeline stage, e.g. 3,3,4 (default: measured)")
    p.add_argument("--simulate-ranks", type=int, metavar="N", help="run N ranks as threads of this process")
    p.add_argument("--max-steps", type=int, help="stop training after this many steps (for quick checks)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar, only per-epoch lines")
    args = p.parse_args(argv)
    for key, value in DEFAULTS[args.model].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    for name in ("epochs", "batch_size", "test_batch_size", "micro_batches", "keep", "max_steps", "stages",
                 "simulate_ranks", "checkpoint_every"):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if not args.lr > 0:
        p.error(f"--lr must be positive, got {args.lr:g}")
    if not 0 < args.gamma <= 1:
        p.error(f"--gamma must be in (0, 1] (the learning rate is multiplied by it each epoch), got {args.gamma:g}")
    if not 0 <= args.momentum < 1:
        p.error(f"--momentum must be in [0, 1), got {args.momentum:g}")
    if args.parallel != "data" and (args.resume or args.checkpoint_every):
        p.error("--checkpoint-every and --resume need --parallel data (rank 0 then holds the whole model)")
    if args.balance is not None:
        try:
            args.balance = [int(b) for b in args.balance.split(",")]
        except ValueError:
            p.error(f"--balance takes layer counts separated by commas, e.g. 3,3,4; got {args.balance!r}")
        if min(args.balance) < 1:
            p.error(f"--balance: every stage needs at least one layer, got {args.balance}")
    return args


def check_outputs(args, comm):
    """Collective: rank 0 makes sure it can write what the run will write (and read what it resumes
    from) before any training, so a bad path fails in seconds, with one message on every rank."""
    error = None
    if comm.rank == 0:
        targets = [Path(args.save).parent] if args.save else []
        if args.checkpoint_every:
            targets.append(Path(args.checkpoint_dir))
        try:
            for folder in targets:
                folder.mkdir(parents=True, exist_ok=True)
                probe = folder / f".train_mnist.{os.getpid()}.probe"
                probe.write_bytes(b"")
                probe.unlink()
            if args.resume and not Path(args.resume).exists():
                raise FileNotFoundError(f"--resume {args.resume}: no such file or directory")
        except OSError as exc:
            error = f"{exc}"
    error = comm.broadcast_object(error, root=0)
    if error is not None:
        raise OSError(f"train_mnist: cannot write or read the run's files: {error}")


def resume_path(path):
    """A checkpoint file, or the newest periodic checkpoint in a directory."""
    path = Path(path)
    if not path.is_dir():
        return path
    found = sorted(path.glob("step-*.ddp"))
    if not found:
        raise FileNotFoundError(f"--resume {path}: the directory holds no step-*.ddp checkpoint")
    return found[-1]


def mnist_transform():
    """ToTensor + Normalize with MNIST's mean and std, as in the PyTorch examples."""
    return T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])


def load_datasets(args, comm):
    """(train, test) MNIST on every rank; rank 0 downloads first if asked.

    Collective: if loading fails on any rank, every rank raises the same error, so no rank waits forever.
    """
    error = None
    if args.download and comm.rank == 0:
        error = _try(lambda: [MNIST(args.data_dir, train=t, download=True) for t in (True, False)])
    datasets = None
    if error is None and not (args.download and comm.world_size > 1 and comm.rank != 0):
        datasets, error = _load(args)
    errors = comm.allgather_object(error)
    failed = [r for r, e in enumerate(errors) if e is not None]
    if failed:
        kind, message = errors[failed[0]]
        where = f" (on rank {failed[0]})" if comm.world_size > 1 else ""
        hint = OFFLINE_HINT.format(root=args.data_dir)
        raise (FileNotFoundError if kind == "FileNotFoundError" else DatasetError)(
            f"train_mnist: cannot load MNIST from {args.data_dir!r}{where}: {message} Pass --download to fetch "
            f"it, or {hint}.")
    if datasets is None:  # waited for rank 0's download
        datasets, error = _load(args)
        if error is not None:
            raise DatasetError(f"train_mnist: cannot load MNIST after the download: {error[1]}")
    return datasets


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


def make_loaders(train_set, test_set, args, runner):
    """Loaders over this replica's shards: shuffled training, exact (unpadded) evaluation shards."""
    train_sampler = dp.DistributedSampler(train_set, runner.num_replicas, runner.replica, shuffle=True,
                                          seed=args.seed)
    tail = len(train_sampler) % args.batch_size
    drop_last = runner.min_batch > 1 and 0 < tail < runner.min_batch  # a pipeline cannot split a tiny tail
    train = DataLoader(train_set, args.batch_size, sampler=train_sampler, drop_last=drop_last)
    test_sampler = dp.DistributedSampler(test_set, runner.num_replicas, runner.replica, shuffle=False, pad=False)
    test = DataLoader(test_set, args.test_batch_size, sampler=test_sampler)
    return train, test


def make_optimizer(params, args):
    """The optimizer of args; a pipeline stage without parameters (pooling, ReLU) gets an empty group."""
    params = list(params) or [{"params": []}]
    if args.optimizer == "adam":
        return ddp.optim.Adam(params, lr=args.lr)
    return ddp.optim.SGD(params, lr=args.lr, momentum=args.momentum)


def train_epoch(runner, loader, optimizer, epoch, args, progress, steps_left, checkpoint):
    """One pass over this replica's shard (or `steps_left` steps); returns the per-step mean losses.

    `checkpoint(step_in_epoch)` runs after every step (it writes the periodic checkpoints)."""
    loader.sampler.set_epoch(epoch)
    total = len(loader) if steps_left is None else min(len(loader), steps_left)
    losses = np.zeros(total, np.float64)
    progress.start(f"epoch {epoch + 1}/{args.epochs}", total)
    for step, (x, y) in enumerate(loader):
        if step == total:
            break
        losses[step] = runner.train_step(x, y, optimizer)
        progress.update(step + 1, losses[step], len(y) * runner.num_replicas)
        checkpoint(step + 1)
    progress.finish()
    return runner.mean_over_replicas(losses)


def evaluate(runner, loader):
    """Exact test loss and accuracy over the whole test set (each rank evaluates its shard). Collective."""
    runner.eval()
    loss_sum, correct, count = 0.0, 0, 0
    with ddp.no_grad():
        for x, y in loader:
            out = runner.predict(x)
            loss_sum += float(F.cross_entropy(out, y).item()) * len(y)
            correct += int((out.numpy().argmax(axis=1) == y.numpy()).sum())
            count += len(y)
    runner.train()
    m = reduce_metrics(loss_sum, correct, count, runner.metrics_comm)
    return m._replace(loss=float(m.loss), accuracy=float(m.accuracy))


def run(args):
    """The training body of one rank; returns the summary dict (the state dict only on rank 0)."""
    comm = dp.init()
    say = print if comm.rank == 0 else (lambda *a, **k: None)
    check_outputs(args, comm)
    ddp.manual_seed(args.seed)
    train_set, test_set = load_datasets(args, comm)
    model = build_model(args.model)
    sample = next(iter(DataLoader(train_set, args.batch_size)))[0]  # times the layers to balance a pipeline
    runner = make_runner(model, args, comm, sample)
    optimizer = make_optimizer(runner.parameters(), args)
    scheduler = ddp.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=args.gamma)
    train_loader, test_loader = make_loaders(train_set, test_set, args, runner)
    global_batch = args.batch_size * runner.num_replicas
    say(f"model={args.model} parallel={args.parallel} ranks={comm.world_size} {runner.describe()}"
        f"batch={args.batch_size} per replica, global_batch={global_batch} optimizer={args.optimizer} "
        f"lr={args.lr:g} gamma={args.gamma:g}" + (f" momentum={args.momentum:g}" if args.optimizer == "sgd" else ""), flush=True)
    if runner.plan is not None:
        say(runner.plan, flush=True)
    progress = Progress(enabled=comm.rank == 0 and not args.no_progress and sys.stdout.isatty())
    history, log, steps, train_time, first_epoch = [], [], 0, 0.0, 0
    if args.resume:
        path = resume_path(args.resume)
        saved = load_checkpoint(path, runner.module_for_checkpoint(), optimizer, scheduler, train_loader, comm=comm)
        first_epoch, steps = saved["epoch"], saved["step"]
        say(f"resumed from {path}: epoch {first_epoch + 1}, step {steps} (saved by {saved['world_size']} ranks)",
            flush=True)
    state = {"epoch": first_epoch}

    def checkpoint(step_in_epoch):
        """Every --checkpoint-every steps: the whole training state, keeping the newest --keep files."""
        done = steps + step_in_epoch
        if not args.checkpoint_every or done % args.checkpoint_every:
            return
        folder = Path(args.checkpoint_dir)
        save_checkpoint(folder / f"step-{done:08d}.ddp", runner.module_for_checkpoint(), optimizer, scheduler,
                        train_loader, epoch=state["epoch"], step=done, extra={"argv": sys.argv[1:]}, comm=comm)
        if comm.rank == 0:
            for old in sorted(folder.glob("step-*.ddp"))[:-args.keep]:
                old.unlink()

    begin = time.perf_counter()
    for epoch in range(first_epoch, args.epochs):
        left = None if args.max_steps is None else args.max_steps - steps
        if left is not None and left <= 0:
            break
        state["epoch"] = epoch
        start = time.perf_counter()
        losses = train_epoch(runner, train_loader, optimizer, epoch, args, progress, left, checkpoint)
        train_time += time.perf_counter() - start
        steps += len(losses)
        scheduler.step()
        history.extend(losses.tolist())
        m = evaluate(runner, test_loader)
        train_loss = float(losses.mean()) if len(losses) else float("nan")  # nan: resumed at the epoch's end
        log.append({"epoch": epoch + 1, "train_loss": train_loss, "test_loss": m.loss, "test_acc": m.accuracy})
        say(f"epoch {epoch + 1}/{args.epochs}: train_loss={train_loss:.4f} test_loss={m.loss:.4f} "
            f"test_acc={m.accuracy:.2%} ({m.count} images)", flush=True)
    elapsed = time.perf_counter() - begin
    state = runner.state_dict()  # collective for a pipeline
    if args.save and comm.rank == 0:
        Path(args.save).parent.mkdir(parents=True, exist_ok=True)
        ddp.save(state, args.save)
        say(f"saved {args.save}")
    samples = steps * global_batch
    summary = {"model": args.model, "parallel": args.parallel, "ranks": comm.world_size, "epochs": len(log),
               "steps": steps, "global_batch": global_batch, "test_acc": log[-1]["test_acc"] if log else None,
               "test_loss": log[-1]["test_loss"] if log else None, "time": elapsed,
               "throughput": samples / train_time if train_time else 0.0, "losses": history, "log": log,
               "plan": None if runner.plan is None else str(runner.plan),
               "state_dict": None if state is None or comm.rank != 0 else
               {k: v.numpy().copy() for k, v in state.items()}}
    if log:
        say(f"summary: model={args.model} parallel={args.parallel} ranks={comm.world_size} epochs={len(log)} "
            f"global_batch={global_batch} test_acc={summary['test_acc']:.2%} test_loss={summary['test_loss']:.4f} "
            f"time={elapsed:.1f}s throughput={summary['throughput']:,.0f} samples/s", flush=True)
    return summary


def main(argv=None):
    """Parse `argv` and train; returns rank 0's summary dict (other MPI ranks return their own)."""
    args = parse_args(argv)
    if args.simulate_ranks is None:
        return run(args)
    if dp.launched_by_mpi():
        raise SystemExit("train_mnist: --simulate-ranks runs ranks as threads; do not combine it with mpirun")
    return dp.spawn(run, world_size=args.simulate_ranks, args=(args,), timeout=600)[0]


if __name__ == "__main__":
    try:
        main()
    except (OSError, DatasetError) as exc:  # the same message on every rank: print it once
        if dp.get_rank() == 0:
            print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
