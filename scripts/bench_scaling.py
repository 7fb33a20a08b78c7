"""The scaling study in one command: data parallel, pipeline and hybrid at 1, 2, 4, ... ranks, weak and
strong, beside PyTorch DDP (gloo), with a per-rank breakdown, where weak scaling's time went (ranks
sharing the machine, the allreduce, waiting for slower ranks), DDP's sync against a raw MPI_Allreduce,
an alpha-beta fit of the machine's allreduce and the scaling it predicts, and a bucket-size sweep.

    python scripts/bench_scaling.py                        # launches mpirun -n 1, 2, 4 itself
    python scripts/bench_scaling.py --ranks 1 2 4 8 16 --batch 256
    python scripts/bench_scaling.py --nodes 2 --ranks 2 4  # two fake nodes (MPICH's fork launcher)
    mpirun -n 4 python scripts/bench_scaling.py            # inside a job: 4 ranks, and rank 0 alone

Each rank count runs as its own MPI job (bench_study/launch.py) with one BLAS thread per rank; inside a
job the contenders run in rotated interleaved rounds after a warm-up round, and every figure is the
median (with the range) of the slowest rank's time per round. Efficiency compares with the 1-rank job
of the same study. Under an existing mpirun, the 1-rank figures come from rank 0 alone while the
others sleep. Writes the table, results.json (every figure and the machine) and, with matplotlib
(the `plot` extra), PNG plots into --out; scripts/readme_performance.py puts them in the README.
"""
import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy starts its BLAS threads
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench_study import launch, report  # noqa: E402
from bench_study.plot import plot_all  # noqa: E402


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 4], help="rank counts, one job each")
    parser.add_argument("--nodes", type=int, default=1, help="spread each job over this many fake nodes")
    parser.add_argument("--batch", type=int, default=128, help="samples per rank (weak scaling)")
    parser.add_argument("--global-batch", type=int, default=256, help="samples over all ranks (strong scaling)")
    parser.add_argument("--micro-batches", type=int, default=4, help="per pipeline step")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (after one warm-up round)")
    parser.add_argument("--steps", type=int, default=3, help="steps per round")
    parser.add_argument("--sync-rounds", type=int, default=10, help="rounds of the allreduce timings")
    parser.add_argument("--no-torch", action="store_true", help="leave out PyTorch DDP even if installed")
    parser.add_argument("--no-pipeline", action="store_true", help="leave out pipeline and hybrid")
    parser.add_argument("--no-bucket-sweep", action="store_true")
    parser.add_argument("--hook", action="store_true",
                        help="also time DDP with each communication hook (allreduce, fp16, bf16, PowerSGD r=1, 4)")
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("--port", type=int, default=29533, help="gloo's TCP port (+ the rank count)")
    parser.add_argument("--out", type=Path, default=Path("runs/scaling"))
    parser.add_argument("--timeout", type=float, default=600, help="seconds per job")
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)  # set by the launcher
    return parser.parse_args(argv)


def torch_usable(args):
    return not args.no_torch and importlib.util.find_spec("torch") is not None


def run_measurements(comm, args):
    """measure() on `comm`, with PyTorch's gloo group of the same ranks around it when p > 1."""
    from bench_study.measure import measure
    use_torch = torch_usable(args)
    if use_torch and comm.world_size > 1:
        import torch
        import torch.distributed as tdist
        torch.set_num_threads(1)
        tdist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{args.port + comm.world_size}",
                                 rank=comm.rank, world_size=comm.world_size)
    try:
        return measure(comm, args, use_torch)
    finally:
        if use_torch and comm.world_size > 1:
            tdist.destroy_process_group()


def worker(args):
    """Inside `mpirun`: this job's measurements, written by rank 0 to --worker-out."""
    import ddp.parallel as dp
    comm = dp.init()
    result = run_measurements(comm, args)
    if comm.rank == 0:
        args.worker_out.write_text(json.dumps(result))


def inside_job(args, argv):
    """Started under a user's mpirun: rank 0 alone (the others sleep in a barrier), then every rank."""
    import ddp.parallel as dp
    comm = dp.init()
    alone = comm.split(0 if comm.rank == 0 else None)
    jobs = {}
    if alone is not None:
        jobs[1] = run_measurements(alone, args)
    request = comm.comm.Ibarrier()
    while not request.Test():
        time.sleep(0.01)  # idle ranks sleep: a spinning wait would take a core from rank 0
    jobs[comm.world_size] = run_measurements(comm, args)
    if comm.rank == 0:
        finish(jobs, args, f"mpirun -n {comm.world_size} python scripts/bench_scaling.py {' '.join(argv)}".strip(),
               one_machine=jobs[comm.world_size]["nodes"] == 1)


def launcher(args, argv):
    """Not under MPI: one job per rank count (each given the same arguments), then the report."""
    forwarded = list(argv)
    jobs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for p in args.ranks:
            out = Path(tmp) / f"job{p}.json"
            started = time.perf_counter()
            launch.run_job(p, args.nodes, [Path(__file__).resolve(), *forwarded, "--worker-out", out], args.timeout)
            print(f"# {p} rank(s) measured in {time.perf_counter() - started:.0f} s", flush=True)
            jobs[p] = json.loads(out.read_text())
    finish(jobs, args, f"python scripts/bench_scaling.py {' '.join(forwarded)}".strip())


def finish(jobs, args, command, one_machine=True):
    """Derive, print and write the report (rank 0 or the launcher). `one_machine`: every rank ran on this
    machine (the launcher's jobs, fake nodes included), so efficiency per physical core applies."""
    machine = report.machine()
    results = {"command": command, "machine": machine,
               "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                            if k != "worker_out"},
               "jobs": jobs, "derived": report.derive(jobs, machine.get("physical_cores") if one_machine else None)}
    text = report.table(results)
    print(text)
    report.write(args.out, results, text)
    plots = [] if args.no_plots else plot_all(results, args.out)
    why = "--no-plots" if args.no_plots else "matplotlib not installed"
    print(f"# wrote {args.out / 'results.json'}, {args.out / 'table.txt'}"
          + (", " + ", ".join(str(p) for p in plots) if plots else f" (no plots: {why})"))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    args = parse(argv)
    from ddp.parallel.launch import launched_by_mpi
    if args.worker_out is not None:
        worker(args)
    elif launched_by_mpi():
        inside_job(args, argv)
    else:
        launcher(args, argv)


if __name__ == "__main__":
    main()
