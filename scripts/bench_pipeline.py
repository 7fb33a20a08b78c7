"""Pipeline benchmark: per-stage forward / backward / waiting times and the bubble, next to its bounds.

Run under mpirun with one rank per stage, e.g.

    mpirun -n 2 python scripts/bench_pipeline.py
    mpirun -n 4 python scripts/bench_pipeline.py --micro-batches 1 4 8 16

For each micro-batch count m and both schedules it reports (median over rounds, steps of a batch):
- the step time, and per stage its compute (forward + backward minus time spent waiting in receives);
- the measured bubble, 1 - (slowest stage's compute) / step time, next to GPipe's bound (p-1)/(m+p-1);
- the slowest-stage bound (m+p-1) x max_s (forward+backward of one micro-batch on stage s), that compute taken
  from the same steps, and the ratio of the step time to it (target <= 1.15: what is left over is transfer
  time and Python overhead);
- 1F1B's step time relative to GPipe's (target <= 1.05), and the activations each holds at most.
Stages must not share cores for the figures to mean anything: p ranks need p free cores.
"""
import argparse
import platform

import numpy as np

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
import ddp.parallel as dp
from ddp.parallel.pipeline import Pipeline, SCHEDULES
from ddp.parallel.split import split


def model(width, depth):
    layers = [nn.Linear(784, width), nn.ReLU()]
    for _ in range(depth - 2):
        layers += [nn.Linear(width, width), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width, 10))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--micro-batches", type=int, nargs="+", default=[1, 4, 8, 16])
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--depth", type=int, default=8, help="number of Linear layers")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    comm = dp.init()
    p = comm.world_size
    ddp.manual_seed(0)
    full = model(args.width, args.depth)
    x = ddp.randn(args.batch_size, 784)
    y = ddp.randint(0, 10, (args.batch_size,))
    stage, plan = split(full, stages=p, sample=x[:64])
    opt = ddp.optim.SGD(stage.parameters(), lr=1e-3)
    if comm.rank == 0:
        print(f"# pipeline benchmark: {p} stages, batch {args.batch_size}, MLP {args.depth}x{args.width}, "
              f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
        print(plan)
        print(f"{'m':>3} {'schedule':>8} {'step ms':>8} {'bubble':>7} {'GPipe bound':>11} "
              f"{'slowest-stage bound ms':>22} {'step/bound':>10} {'1F1B/GPipe':>10}")
    for m in args.micro_batches:
        pipes = {name: Pipeline(stage, micro_batches=m, schedule=name, comm=comm) for name in SCHEDULES}
        steps, busy = {name: [] for name in pipes}, {name: [] for name in pipes}
        for r in range(args.rounds + 2):  # schedules interleaved round by round; two warm-up rounds
            for name, pipe in pipes.items():
                comm.barrier()
                opt.zero_grad()
                pipe.step(x, y, F.cross_entropy)
                if r >= 2:
                    stats = pipe.stats
                    steps[name].append(stats["step"])
                    busy[name].append(stats["forward"] + stats["backward"] - stats["waiting"])
        results = {}
        for name in pipes:
            step = max(comm.allgather_object(float(np.median(steps[name]))))
            work = max(comm.allgather_object(float(np.median(busy[name]))))  # the slowest stage's compute
            results[name] = (step, 1 - work / step, (m + p - 1) * work / m)
        if comm.rank == 0:
            for name, (step, bubble, bound) in results.items():
                vs = results["1f1b"][0] / results["gpipe"][0] if name == "1f1b" else 1.0
                print(f"{m:>3} {name:>8} {step * 1e3:>8.1f} {bubble:>7.1%} {(p - 1) / (m + p - 1):>11.1%} "
                      f"{bound * 1e3:>22.1f} {step / bound:>10.2f} {vs:>10.2f}")


if __name__ == "__main__":
    main()
