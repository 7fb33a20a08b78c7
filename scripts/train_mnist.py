"""Train an MNIST classifier with ddp: in one process, data parallel, pipelined, or both (hybrid).

    mpirun -n 4 python scripts/train_mnist.py --model cnn --epochs 3            # data parallel, 4 ranks
    python scripts/train_mnist.py --model cnn --simulate-ranks 4                # the same, 4 threads
    mpirun -n 4 python scripts/train_mnist.py --parallel pipeline --stages 4 --micro-batches 8
    mpirun -n 4 python scripts/train_mnist.py --parallel hybrid --stages 2      # 2 pipelines of 2 stages

`--batch-size` is per data-parallel replica; the global batch is printed. Rank 0 prints the progress and
the summary, and writes the checkpoint (`--save`); evaluation is split over the ranks and reduced exactly.
Each run's configuration, machine, per-step and per-epoch metrics and periodic checkpoints go to a run
folder (--log-dir, default runs/<date-time>-<model>-<parallel>); scripts/plot_runs.py draws its curves.
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
from ddp.data import DataLoader, DatasetError  # noqa: E402
from ddp.parallel import timeline  # noqa: E402
from ddp.parallel.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from ddp.parallel.metrics import reduce_metrics  # noqa: E402
import mnist_options  # noqa: E402
from mnist_data import load_datasets, mnist_transform, offline_hint  # noqa: E402,F401 (tests use them from here)
from mnist_models import build_model  # noqa: E402
from progress import Progress  # noqa: E402
from runlog import RunLog, default_folder, machine_info  # noqa: E402
from runners import make_runner  # noqa: E402


def parse_args(argv=None):
    """The options (scripts/mnist_options.py), with the model's defaults filled in."""
    return mnist_options.parse_args(argv, description=__doc__)


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


def train_epoch(runner, loader, optimizer, epoch, args, progress, steps_left, checkpoint, warmup):
    """One pass over this replica's shard (or `steps_left` steps).

    Returns the per-step mean losses over the replicas, the learning rate of each step and the time
    (perf_counter) at which each step ended. `warmup(step_in_epoch)` runs before every step (it sets the
    warm-up learning rate), `checkpoint(step_in_epoch)` after it (it writes the periodic checkpoints)."""
    loader.sampler.set_epoch(epoch)
    total = len(loader) if steps_left is None else min(len(loader), steps_left)
    losses, lrs, ends = np.zeros(total, np.float64), np.zeros(total, np.float64), np.zeros(total, np.float64)
    progress.start(f"epoch {epoch + 1}/{args.epochs}", total)
    batches = iter(loader)
    for step in range(total):
        with timeline.span("data", "data"):
            x, y = next(batches)
        warmup(step)
        lrs[step] = optimizer.param_groups[0]["lr"]
        losses[step] = runner.train_step(x, y, optimizer)
        ends[step] = time.perf_counter()
        progress.update(step + 1, losses[step], len(y) * runner.num_replicas)
        checkpoint(step + 1)
    progress.finish()
    return runner.mean_over_replicas(losses), lrs, ends


def make_warmup(optimizer, args, replicas, steps_per_epoch, steps_done):
    """--scale-lr linear: the learning rate is args.lr x replicas, reached by a linear ramp from args.lr over
    --warmup-epochs (Goyal et al., 2017). Returns warmup(step_in_epoch), which sets the rate while the ramp
    lasts and then leaves it to the StepLR scheduler; a no-op for --scale-lr none or one replica."""
    if args.scale_lr == "none" or replicas == 1:
        return lambda step: None
    peak, ramp = args.lr * replicas, max(round(args.warmup_epochs * steps_per_epoch), 0)
    if steps_done() == 0:  # a fresh start (a resumed run has its rate back from the checkpoint)
        for group in optimizer.param_groups:
            group["lr"] = peak if ramp == 0 else args.lr  # no ramp: the scaled rate from the first step

    def warmup(step_in_epoch):
        done = steps_done() + step_in_epoch
        if done < ramp:
            lr = args.lr + (peak - args.lr) * (done + 1) / ramp  # the scaled rate at the ramp's last step
            for group in optimizer.param_groups:
                group["lr"] = lr
    return warmup


def open_log_dir(args, comm):
    """Collective: rank 0 creates the run's folder (--log-dir, or a new runs/<date-time>-<model>-<parallel>)
    and every rank learns its path; the periodic checkpoints default to its checkpoints/ folder."""
    folder, error = None, None
    if comm.rank == 0 and not args.no_log:
        try:
            if args.log_dir:
                Path(args.log_dir).mkdir(parents=True, exist_ok=True)
                folder = args.log_dir
            else:
                folder = str(default_folder(args.model, args.parallel))
        except OSError as exc:
            error = str(exc)
    folder, error = comm.broadcast_object((folder, error), root=0)
    if error is not None:
        raise OSError(f"train_mnist: cannot write or read the run's files: {error}")
    args.log_dir = folder
    if args.checkpoint_dir is None:
        args.checkpoint_dir = str(Path(folder) / "checkpoints") if folder else "checkpoints"


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
    args = argparse.Namespace(**vars(args))  # simulated ranks share the caller's args: each gets its own
    comm = dp.init(timeline=args.timeline) if args.timeline else dp.init()
    say = print if comm.rank == 0 else (lambda *a, **k: None)
    open_log_dir(args, comm)
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
    scaled = args.scale_lr == "linear" and runner.num_replicas > 1
    say(f"model={args.model} parallel={args.parallel} ranks={comm.world_size} {runner.describe()}"
        f"batch={args.batch_size} per replica, global_batch={global_batch} optimizer={args.optimizer} "
        f"lr={args.lr:g}" + (f" scaled to {args.lr * runner.num_replicas:g} over {args.warmup_epochs:g} warm-up epochs"
                             if scaled else "")
        + f" gamma={args.gamma:g}" + (f" momentum={args.momentum:g}" if args.optimizer == "sgd" else ""), flush=True)
    say(f"data: {len(train_set)} training images, {len(test_set)} test images in {args.data_dir}"
        + (f"; run log in {args.log_dir}" if args.log_dir else ""), flush=True)
    if runner.plan is not None:
        say(runner.plan, flush=True)
    runlog = None
    if comm.rank == 0 and args.log_dir:
        runlog = RunLog(args.log_dir, {k: v for k, v in vars(args).items() if k != "no_progress"},
                        machine=dict(machine_info(comm), model_description=runner.describe().strip() or None))
    progress = Progress(enabled=comm.rank == 0 and not args.quiet)
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

    warmup = make_warmup(optimizer, args, runner.num_replicas, len(train_loader), lambda: steps)
    begin = time.perf_counter()
    for epoch in range(first_epoch, args.epochs):
        left = None if args.max_steps is None else args.max_steps - steps
        if left is not None and left <= 0:
            break
        state["epoch"] = epoch
        start = time.perf_counter()
        losses, lrs, ends = train_epoch(runner, train_loader, optimizer, epoch, args, progress, left, checkpoint,
                                        warmup)
        epoch_time = time.perf_counter() - start
        train_time += epoch_time
        if runlog is not None:
            log_steps(runlog, steps, epoch, losses, lrs, ends, start, begin, global_batch)
        steps += len(losses)
        scheduler.step()
        history.extend(losses.tolist())
        m = evaluate(runner, test_loader)
        train_loss = float(losses.mean()) if len(losses) else float("nan")  # nan: resumed at the epoch's end
        log.append({"epoch": epoch + 1, "train_loss": train_loss, "test_loss": m.loss, "test_acc": m.accuracy})
        if runlog is not None:
            runlog.epoch(epoch=epoch + 1, step=steps, train_loss=train_loss, test_loss=m.loss, test_acc=m.accuracy,
                         lr=float(lrs[-1]) if len(lrs) else float("nan"),
                         samples_per_s=len(losses) * global_batch / epoch_time, time=time.perf_counter() - begin)
        say(f"epoch {epoch + 1}/{args.epochs}: train_loss={train_loss:.4f} test_loss={m.loss:.4f} "
            f"test_acc={m.accuracy:.2%} ({m.count} images)", flush=True)
    elapsed = time.perf_counter() - begin
    state = runner.state_dict()  # collective for a pipeline
    if args.save and comm.rank == 0:
        Path(args.save).parent.mkdir(parents=True, exist_ok=True)
        ddp.save(state, args.save)
        say(f"saved {args.save}")
    if args.timeline:
        say(f"timeline: {timeline.finish()} (open it in ui.perfetto.dev or chrome://tracing)", flush=True)
    if runlog is not None:
        runlog.close()
    samples = steps * global_batch
    summary = {"model": args.model, "parallel": args.parallel, "ranks": comm.world_size, "epochs": len(log),
               "steps": steps, "global_batch": global_batch, "test_acc": log[-1]["test_acc"] if log else None,
               "test_loss": log[-1]["test_loss"] if log else None, "time": elapsed,
               "throughput": samples / train_time if train_time else 0.0, "losses": history, "log": log,
               "log_dir": args.log_dir, "plan": None if runner.plan is None else str(runner.plan),
               "state_dict": None if state is None or comm.rank != 0 else
               {k: v.numpy().copy() for k, v in state.items()}}
    if log:
        say(f"summary: model={args.model} parallel={args.parallel} ranks={comm.world_size} epochs={len(log)} "
            f"global_batch={global_batch} test_acc={summary['test_acc']:.2%} test_loss={summary['test_loss']:.4f} "
            f"time={elapsed:.1f}s throughput={summary['throughput']:,.0f} samples/s", flush=True)
    return summary


def log_steps(runlog, steps_before, epoch, losses, lrs, ends, start, begin, global_batch):
    """The epoch's step rows (written at its end, when the losses are averaged over the replicas)."""
    durations = np.diff(ends, prepend=start)
    for i in range(len(losses)):
        runlog.step(step=steps_before + i + 1, epoch=epoch + 1, train_loss=float(losses[i]), lr=float(lrs[i]),
                    samples_per_s=global_batch / max(float(durations[i]), 1e-9), time=float(ends[i] - begin))


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
