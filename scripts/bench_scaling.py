"""Data-parallel scaling benchmark: DistributedDataParallel training steps at p ranks vs 1 rank, same run.

    mpirun -n 2 python scripts/bench_scaling.py                  # weak scaling, MLP, batch 256 per rank
    mpirun -n 4 python scripts/bench_scaling.py --strong         # strong: global batch fixed
    mpirun -n 4 python scripts/bench_scaling.py --torch          # also PyTorch DDP (gloo, CPU) side by side
    mpirun -n 4 python scripts/bench_scaling.py --mpi-only       # also ddp with plain MPI_Allreduce

Rounds alternate (A B A B ...): in A, rank 0 trains alone (one process, no communication) while the others
wait; in B, all p ranks train with DDP. Efficiency = throughput(p) / (p x throughput(1)), medians over rounds.
One BLAS thread per rank. With --torch, the same two measurements run for torch.nn.parallel.
DistributedDataParallel over gloo (init over TCP on 127.0.0.1), interleaved with ddp's.
"""
import argparse
import os
import platform
import time

import numpy as np

import ddp
import ddp.nn as nn
import ddp.nn.functional as F
import ddp.parallel as dp


def mlp():
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))


class DdpRunner:
    """ddp: a wrapped model on all ranks, and a plain model for the 1-rank rounds."""

    def __init__(self, comm, batch):
        ddp.manual_seed(0)
        self.comm = comm
        self.single = mlp()
        self.single_opt = ddp.optim.SGD(self.single.parameters(), lr=0.01, momentum=0.9)
        self.model = dp.DistributedDataParallel(mlp(), comm)
        self.opt = ddp.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
        rng = np.random.default_rng(comm.rank)
        self.x = {b: ddp.tensor(rng.standard_normal((b, 784)).astype(np.float32)) for b in set(batch.values())}
        self.y = {b: ddp.tensor(rng.integers(0, 10, b)) for b in set(batch.values())}

    def step(self, model, opt, b):
        opt.zero_grad()
        F.cross_entropy(model(self.x[b]), self.y[b]).backward()
        opt.step()

    def alone(self, b):
        self.step(self.single, self.single_opt, b)

    def together(self, b):
        self.step(self.model, self.opt, b)


class TorchRunner:
    """PyTorch DDP over gloo, the same MLP, batch and optimizer."""

    def __init__(self, comm, batch, port):
        import torch
        import torch.distributed as tdist

        torch.set_num_threads(1)
        tdist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=comm.rank,
                                 world_size=comm.world_size)
        make = lambda: torch.nn.Sequential(  # noqa: E731
            torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 256), torch.nn.ReLU(),
            torch.nn.Linear(256, 10))
        self.torch = torch
        self.single = make()
        self.single_opt = torch.optim.SGD(self.single.parameters(), lr=0.01, momentum=0.9)
        self.model = torch.nn.parallel.DistributedDataParallel(make())
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
        gen = torch.Generator().manual_seed(comm.rank)
        self.x = {b: torch.randn(b, 784, generator=gen) for b in set(batch.values())}
        self.y = {b: torch.randint(0, 10, (b,), generator=gen) for b in set(batch.values())}

    def step(self, model, opt, b):
        opt.zero_grad()
        self.torch.nn.functional.cross_entropy(model(self.x[b]), self.y[b]).backward()
        opt.step()

    def alone(self, b):
        self.step(self.single, self.single_opt, b)

    def together(self, b):
        self.step(self.model, self.opt, b)


def measure(comm, runner, batch, rounds, steps):
    """Median seconds per step: rank 0 alone (others idle), and all ranks together; interleaved rounds."""
    alone, together = [], []
    for r in range(rounds + 1):
        comm.barrier()
        if comm.rank == 0:
            start = time.perf_counter()
            for _ in range(steps):
                runner.alone(batch["one"])
            alone.append((time.perf_counter() - start) / steps)
        comm.barrier()
        start = time.perf_counter()
        for _ in range(steps):
            runner.together(batch["each"])
        comm.barrier()
        together.append((time.perf_counter() - start) / steps)
    return np.median(alone[1:]) if comm.rank == 0 else None, np.median(together[1:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=256, help="per rank (weak) or global (--strong)")
    parser.add_argument("--strong", action="store_true", help="keep the global batch fixed")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=10, help="steps per round")
    parser.add_argument("--torch", action="store_true", help="also measure PyTorch DDP (gloo)")
    parser.add_argument("--port", type=int, default=29517)
    parser.add_argument("--mpi-only", action="store_true",
                        help="also measure ddp with every allreduce through MPI (no shared-memory path)")
    args = parser.parse_args()

    comm = dp.init()
    p = comm.world_size
    if args.strong and args.batch_size % p:
        parser.error(f"--strong needs a global batch divisible by {p} ranks")
    per_rank = args.batch_size // p if args.strong else args.batch_size
    # the 1-rank rounds train the global batch under strong scaling, the per-rank batch under weak scaling
    batch = {"one": args.batch_size if args.strong else per_rank, "each": per_rank}
    runners = {"ddp": DdpRunner(comm, batch)}
    if args.mpi_only:
        from mpi4py import MPI
        from ddp.parallel.mpi_comm import MPICommunicator
        runners["ddp-mpi"] = DdpRunner(MPICommunicator(MPI.COMM_WORLD.Dup(), shared_memory=False), batch)
    if args.torch:
        runners["torch"] = TorchRunner(comm, batch, args.port)
    results = {name: measure(comm, r, batch, args.rounds, args.steps) for name, r in runners.items()}
    if comm.rank == 0:
        kind = "strong" if args.strong else "weak"
        print(f"# {kind} scaling, MLP 784-512-256-10, {p} ranks, batch {per_rank} per rank "
              f"(global {per_rank * p}), 1 BLAS thread per rank, {os.cpu_count()} cores, "
              f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
        print(f"{'framework':>9} {'1-rank step ms':>14} {'p-rank step ms':>14} {'samples/s (p)':>13} {'efficiency':>10}")
        for name, (t1, tp) in results.items():
            thr1, thrp = batch["one"] / t1, per_rank * p / tp
            print(f"{name:>9} {t1 * 1e3:>14.2f} {tp * 1e3:>14.2f} {thrp:>13,.0f} {thrp / (p * thr1):>10.1%}")


if __name__ == "__main__":
    main()
