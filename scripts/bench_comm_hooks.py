"""Bytes per step and step time of DistributedDataParallel with each communication hook.

    mpirun -n 4 python scripts/bench_comm_hooks.py            # the MLP (784-512-256-10), 64 samples a rank
    python scripts/bench_comm_hooks.py --simulate-ranks 2     # 2 ranks as threads

For every hook: a few warm-up steps (PowerSGD's plain-allreduce warm-up among them), then the timed steps.
"bytes" is the payload each rank hands to its collectives per step (counted by the hooks); "ms" the median
step time of rank 0 (forward, backward with its reductions, SGD step). On one node the transport is shared
memory, so compression buys less time here than on a network: the bytes column is the portable number.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ddp  # noqa: E402
import ddp.nn as nn  # noqa: E402
import ddp.nn.functional as F  # noqa: E402
import ddp.parallel as dp  # noqa: E402
from ddp.parallel.comm_hooks import allreduce_hook, bf16_compress_hook, fp16_compress_hook  # noqa: E402
from ddp.parallel.powersgd_hook import PowerSGDState, powerSGD_hook  # noqa: E402


class Counted:
    """The state of a hook that takes a process group: DDP's own group, and a byte counter."""

    process_group = None

    def __init__(self):
        self.bytes_sent = 0


def hooks(warmup):
    """name -> (make state, hook or None)."""
    def powersgd(rank):
        return lambda: PowerSGDState(None, matrix_approximation_rank=rank, start_powerSGD_iter=max(warmup, 2))
    return {"none": (Counted, None), "allreduce": (Counted, allreduce_hook), "fp16": (Counted, fp16_compress_hook),
            "bf16": (Counted, bf16_compress_hook), "powerSGD r=1": (powersgd(1), powerSGD_hook),
            "powerSGD r=4": (powersgd(4), powerSGD_hook)}


def measure(name, make_state, hook, args):
    comm = dp.init()
    ddp.manual_seed(0)
    net = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    model = dp.DistributedDataParallel(net, comm)
    state = make_state()
    if hook is not None:
        model.register_comm_hook(state, hook)
    opt = ddp.optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(comm.rank)
    x = ddp.tensor(rng.standard_normal((args.batch, 784)).astype(np.float32))
    y = ddp.tensor(rng.integers(0, 10, args.batch))
    times, counted = [], 0
    for step in range(args.warmup + args.steps):
        if step == args.warmup:
            counted = state.bytes_sent
        comm.barrier()
        start = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        times.append(time.perf_counter() - start)
    if hook is None:  # no hook counts: the unhooked reduction sends every gradient once
        sent = sum(p.numel() * 4 for p in net.parameters()) * args.steps
    else:
        sent = state.bytes_sent - counted
    return {"hook": name, "bytes_per_step": sent // args.steps, "ms": 1000 * statistics.median(times[args.warmup:])}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64, help="samples per rank")
    parser.add_argument("--steps", type=int, default=10, help="timed steps per hook")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (PowerSGD's plain steps)")
    parser.add_argument("--simulate-ranks", type=int, default=0, help="run as this many threads instead")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    rows = []
    for name, (make_state, hook) in hooks(args.warmup).items():
        if args.simulate_ranks:
            rows.append(dp.spawn(lambda: measure(name, make_state, hook, args), args.simulate_ranks)[0])
        else:
            rows.append(measure(name, make_state, hook, args))
    if dp.init().rank == 0:
        ranks = args.simulate_ranks or dp.init().world_size
        print(f"{ranks} ranks, batch {args.batch} per rank, {args.steps} timed steps")
        print(f"{'hook':14} {'bytes/step':>12} {'ms/step':>9}")
        for row in rows:
            print(f"{row['hook']:14} {row['bytes_per_step']:12d} {row['ms']:9.2f}")
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1))
    return rows


if __name__ == "__main__":
    main()
