"""What the data-parallel toolbox costs: ZeRO-1, SyncBatchNorm and tensor parallelism beside their plain
counterparts, timed in the same run (interleaved rounds, the slowest rank, medians).

    OMP_NUM_THREADS=1 mpirun -n 2 python scripts/bench_toolbox.py [--rounds 20]

- ZeRO: a DDP training step of the MLP (784-512-256-10, 64 samples a rank) with Adam sharded by
  `ZeroRedundancyOptimizer` against plain Adam; and the optimizer-state bytes each rank holds.
- SyncBatchNorm: forward + backward of conv-BN-ReLU (16 channels, 32 images of 28x28 a rank) with the
  statistics synchronised against plain BatchNorm2d.
- Tensor parallelism: a training step of a 2-layer MLP (1024-4096-1024, 64 samples) split over the ranks
  (`ParallelMLP`) against the whole MLP on every rank.
"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ddp  # noqa: E402
import ddp.nn as nn  # noqa: E402
import ddp.nn.functional as F  # noqa: E402
import ddp.parallel as dp  # noqa: E402
from bench_study.timing import interleaved  # noqa: E402


def zero_cases(comm, rng):
    def step_of(sharded):
        ddp.manual_seed(0)
        model = dp.DistributedDataParallel(ddp.models.mlp(), comm)
        opt = (dp.ZeroRedundancyOptimizer(model.parameters(), ddp.optim.Adam, lr=1e-3) if sharded
               else ddp.optim.Adam(model.parameters(), lr=1e-3))
        x = ddp.tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
        y = ddp.tensor(rng.integers(0, 10, 64))

        def step():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        step()  # creates the state
        return step, opt
    sharded, zero = step_of(True)
    plain, adam = step_of(False)
    full = sum(v.numpy().nbytes for s in adam.state.values() for v in s.values() if hasattr(v, "numpy"))
    return {"ZeRO-1 Adam step": sharded, "Adam step": plain}, (zero.state_nbytes(), full)


def syncbn_cases(comm, rng):
    x = ddp.tensor(rng.standard_normal((32, 1, 28, 28)).astype(np.float32))

    def of(sync):
        ddp.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(1, 16, 3), nn.BatchNorm2d(16), nn.ReLU())
        net = nn.SyncBatchNorm.convert_sync_batchnorm(net) if sync else net
        return lambda: net(x).sum().backward()
    return {"SyncBatchNorm fwd+bwd": of(True), "BatchNorm2d fwd+bwd": of(False)}


def tensor_parallel_cases(comm, rng):
    x = ddp.tensor(rng.standard_normal((64, 1024)).astype(np.float32))
    ddp.manual_seed(0)
    split = dp.ParallelMLP(1024, 4096, process_group=comm)
    whole = nn.Sequential(nn.Linear(1024, 4096), nn.GELU(), nn.Linear(4096, 1024))

    def step(model):
        def run():
            model.zero_grad()
            F.mse_loss(model(x), x).backward()
        return run
    return {"ParallelMLP step": step(split), "whole MLP step": step(whole)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    comm = dp.init()
    rng = np.random.default_rng(comm.rank)
    zero, (zero_bytes, adam_bytes) = zero_cases(comm, rng)
    shares = comm.allgather_object(zero_bytes)
    cases = {**zero, **syncbn_cases(comm, rng), **tensor_parallel_cases(comm, rng)}
    times = interleaved(comm, cases, args.rounds, warmup=2)
    if comm.rank == 0:
        med = {name: float(np.median(t)) for name, t in times.items()}
        print(f"# {comm.world_size} ranks, median of {args.rounds} interleaved rounds, slowest rank")
        for a, b in [("ZeRO-1 Adam step", "Adam step"), ("SyncBatchNorm fwd+bwd", "BatchNorm2d fwd+bwd"),
                     ("ParallelMLP step", "whole MLP step")]:
            print(f"{a:24s} {med[a] * 1e3:8.2f} ms   {b:22s} {med[b] * 1e3:8.2f} ms   ratio {med[a] / med[b]:.2f}x")
        print(f"optimizer state per rank: {', '.join(f'{b / 1e6:.2f}' for b in shares)} MB with ZeRO-1 "
              f"({', '.join(f'{b / adam_bytes:.0%}' for b in shares)}), {adam_bytes / 1e6:.2f} MB without; "
              "whole parameters are dealt, so the MLP's 784x512 weight (75% of it) stays on one rank")


if __name__ == "__main__":
    main()
