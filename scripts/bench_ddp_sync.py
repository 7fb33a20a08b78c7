"""Gradient synchronisation of DistributedDataParallel against a raw MPI_Allreduce of the same bytes.

Run under mpirun, one BLAS thread per rank:

    OMP_NUM_THREADS=1 mpirun -n 2 python scripts/bench_ddp_sync.py [--model mlp] [--rounds 50]

Measurements, interleaved (A B C D ... then B C D A ...), each the slowest rank's time, median over rounds:
- raw: ``MPI.COMM_WORLD.Allreduce(IN_PLACE, buf, SUM)`` on one float32 buffer of the model's gradient size;
- comm: ``ddp.parallel`` communicator's ``allreduce(buf, op="mean")`` on the same bytes (between ranks of one
  node it goes through shared memory, shm_allreduce.py);
- ddp, default: the DDP hooks of every parameter fire with the gradients already in the buckets, as
  Linear's and Conv2d's backward leave them after ``optimizer.zero_grad()``, and the buckets are averaged;
- ddp, fresh grads: as above, but each gradient arrives as a separate array that the hook copies into its
  bucket (ops that cannot write into the buckets, weights used twice).
The ratio ddp / raw is the cost of synchronising through DDP against MPI alone (target <= 1.15 at the
default 25 MiB buckets). Bus bandwidth = bytes x 2(p-1)/p / time. The "no watchdog" cases switch the
watchdog's per-call records off (ddp/parallel/watchdog.py): their difference is what the watchdog costs;
"timeline" records the per-rank timeline (timeline.py) in memory: its difference is what recording costs.

It also times a whole forward + backward at `--batch` samples per rank, with and without DDP (same rank,
same data): the difference is the synchronisation that backward did not hide, waiting for the slower rank
included.

With ``--paths`` it times the sync and blocks of ``--block`` forward+backward steps three ways, interleaved:
the buckets before the last reduced by MPI_Iallreduce (``DDP_SHM_IALLREDUCE=0``, the old default), through
shared memory advanced by DDP's hooks only (``DDP_SHM_PROGRESS=0``), and through shared memory with the
progress thread (the default). ``--model deep --bucket-cap-mb 4`` gives nine buckets of up to 4 MiB.
"""
import argparse
import platform
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ddp  # noqa: E402
import ddp.nn.functional as F  # noqa: E402
import ddp.parallel as dp  # noqa: E402
from ddp.parallel.data_parallel import DistributedDataParallel  # noqa: E402
from bench_study.timing import interleaved  # noqa: E402
from mnist_models import build_model  # noqa: E402


def model(name):
    """One of mnist_models.py's, or "deep": several large buckets, each a long backward away from the next."""
    if name != "deep":
        return build_model(name)
    widths = [784, 1024, 1024, 1024, 1024, 1024]
    layers = [ddp.nn.Flatten()]
    for i, o in zip(widths, widths[1:]):
        layers += [ddp.nn.Linear(i, o), ddp.nn.ReLU()]
    return ddp.nn.Sequential(*layers, ddp.nn.Linear(widths[-1], 10))


# DDP_SHM_IALLREDUCE=0; DDP_SHM_PROGRESS=0; the default (a thread every DDP_SHM_PROGRESS seconds, 0.02)
PATHS = {"mpi": "MPI_Iallreduce", "poll": "shared memory, advanced by the hooks",
         "thread": "shared memory + progress thread"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="mlp", choices=["mlp", "cnn", "cnn2", "deep"],
                        help="deep: an MLP of five 1024-wide layers (21 MB of gradients; try --bucket-cap-mb 4)")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--block", type=int, default=10, help="steps per sample of the watchdog/timeline cost")
    parser.add_argument("--bucket-cap-mb", type=float, default=25)
    parser.add_argument("--batch", type=int, default=256, help="samples per rank for the backward timing")
    parser.add_argument("--paths", action="store_true",
                        help="also time the sync and blocks of --block steps with the buckets before the last reduced "
                             "by MPI_Iallreduce (DDP_SHM_IALLREDUCE=0), shared memory without a progress thread "
                             "(DDP_SHM_PROGRESS=0) and with one (the default)")
    args = parser.parse_args()

    from mpi4py import MPI
    comm = dp.init()
    ddp.manual_seed(0)
    dmodel = DistributedDataParallel(model(args.model), comm, bucket_cap_mb=args.bucket_cap_mb)
    plain = model(args.model)
    plain.load_state_dict(dmodel.module.state_dict())
    params = [p for p in dmodel.parameters() if p.requires_grad][::-1]  # the order backward produces them
    rng = np.random.default_rng(comm.rank)
    fresh = [ddp.Tensor(rng.standard_normal(p.shape).astype(np.float32)) for p in params]
    nbytes = sum(g.numpy().nbytes for g in fresh)
    raw = np.concatenate([g.numpy().ravel() for g in fresh])
    mean = raw.copy()

    def ddp_fresh():
        for p, g in zip(params, fresh):  # what the engine does, then the post-accumulate hook
            p.grad = g
            dmodel._grad_ready(p)

    in_bucket = [dmodel._slots[id(p)].grad for p in params]  # Tensors on the bucket views

    def ddp_default():
        for p, g in zip(params, in_bucket):  # what Linear's backward and the engine leave, then the hook
            p.grad = g
            dmodel._grad_ready(p)

    def raw_allreduce():
        MPI.COMM_WORLD.Allreduce(MPI.IN_PLACE, raw, op=MPI.SUM)

    def comm_allreduce():
        comm.allreduce(mean, op="mean")

    x = ddp.tensor(rng.standard_normal((args.batch, 1, 28, 28)).astype(np.float32))
    y = ddp.tensor(rng.integers(0, 10, args.batch))

    def backward(model):
        model.zero_grad()
        F.cross_entropy(model(x), y).backward()

    from ddp.parallel.mpi_comm import MPICommunicator

    def unwatched(fn):  # the same call with the watchdog's records switched off (its thread still runs)
        def run():
            watch, MPICommunicator.watch = MPICommunicator.watch, (None, False)
            try:
                fn()
            finally:
                MPICommunicator.watch = watch
        return run

    from ddp.parallel import timeline
    recorder = timeline.Timeline(Path("/dev/null"), comm)  # records in memory; never written

    def with_timeline(fn):  # the same call while the per-rank timeline records (timeline.py)
        def run():
            timeline.active = recorder
            try:
                fn()
            finally:
                timeline.active = None
                recorder.events.clear()
        return run

    def steps(model):
        return lambda: [backward(model) for _ in range(args.block)]

    def reducing(path, fn):  # the same call with the earlier buckets reduced one way (see PATHS)
        from ddp.parallel import mpi_comm, shm_progress

        def run():
            saved = mpi_comm.SHM_IALLREDUCE, shm_progress.INTERVAL
            mpi_comm.SHM_IALLREDUCE = path != "mpi"
            shm_progress.INTERVAL = 0.0 if path == "poll" else saved[1] or 0.02
            try:
                fn()
            finally:
                mpi_comm.SHM_IALLREDUCE, shm_progress.INTERVAL = saved
        return run

    paths = {path: {"ddp, default": reducing(path, ddp_default), "forward+backward, ddp": reducing(path, steps(dmodel))}
             for path in PATHS} if args.paths else {}
    cases = {"raw MPI_Allreduce": raw_allreduce, "comm.allreduce mean": comm_allreduce,
             "ddp, default": ddp_default, "ddp, fresh grads": ddp_fresh,
             "ddp, default, no watchdog": unwatched(ddp_default),
             "forward+backward, ddp": lambda: backward(dmodel), "forward+backward, plain": lambda: backward(plain),
             "steps, ddp": steps(dmodel),  # blocks of --block steps: the watchdog's and the timeline's cost
             "steps, ddp, no watchdog": unwatched(steps(dmodel)),
             "steps, ddp, timeline": with_timeline(steps(dmodel)),
             **{f"{name} [{path}]": fn for path, named in paths.items() for name, fn in named.items()}}
    # rotated rounds, 3 of warm-up; halving `raw` after each keeps its sums bounded (outside the timed region)
    times = interleaved(comm, cases, args.rounds, warmup=3, between=lambda: np.multiply(raw, 0.5, out=raw))
    if comm.rank == 0:
        p = comm.world_size
        print(f"# {platform.processor() or platform.machine()}, {p} ranks, Python {platform.python_version()}, "
              f"numpy {np.__version__}, {MPI.Get_library_version().splitlines()[0]}")
        print(f"# {args.model}: {nbytes / 1e6:.2f} MB of float32 gradients in {len(dmodel.bucket_layout())} "
              f"bucket(s) of at most {args.bucket_cap_mb:g} MiB; median of {args.rounds} rounds, slowest rank")
        base = np.median(times["raw MPI_Allreduce"])
        for name in list(cases)[:5]:
            t = np.median(times[name])
            busbw = nbytes * 2 * (p - 1) / p / t / 1e9
            print(f"{name:26s} {t * 1e3:8.3f} ms   bus bandwidth {busbw:6.2f} GB/s   ratio {t / base:5.2f}x")
        with_ddp, without = np.median(times["forward+backward, ddp"]), np.median(times["forward+backward, plain"])
        print(f"forward+backward at batch {args.batch} per rank: {with_ddp * 1e3:.3f} ms with DDP, "
              f"{without * 1e3:.3f} ms without; exposed sync {(with_ddp - without) * 1e3:.3f} ms "
              f"= {(with_ddp - without) / base:.2f}x the raw Allreduce")
        block = {name: np.median(times[f"steps, ddp{suffix}"]) / args.block
                 for name, suffix in (("on", ""), ("off", ", no watchdog"), ("timeline", ", timeline"))}
        print(f"watchdog: a DDP forward+backward (blocks of {args.block}) takes {block['on'] * 1e3:.3f} ms with it, "
              f"{block['off'] * 1e3:.3f} ms without ({(block['on'] / block['off'] - 1):+.1%}); the sync alone "
              f"{(np.median(times['ddp, default']) / np.median(times['ddp, default, no watchdog']) - 1):+.1%}")
        print(f"timeline: {block['timeline'] * 1e3:.3f} ms while recording, {block['on'] * 1e3:.3f} ms without "
              f"({(block['timeline'] / block['on'] - 1):+.1%})")
        for path in paths:
            sync = np.median(times[f"ddp, default [{path}]"])
            step = np.median(times[f"forward+backward, ddp [{path}]"]) / args.block
            print(f"earlier buckets by {PATHS[path]:44s} sync {sync * 1e3:7.3f} ms   forward+backward "
                  f"{step * 1e3:7.3f} ms")


if __name__ == "__main__":
    main()
