"""Everything the study times inside one MPI job of p ranks: `measure(comm, args)` returns, on every rank,
a dict of medians and ranges (seconds, slowest rank per round) that rank 0 writes out.

Within a job the contenders of a group run in rotated interleaved rounds (timing.py), so slow phases of
a loaded machine hit all of them alike: data parallel weak / strong (ddp, the plain backward that
gives the exposed communication, PyTorch DDP; DDP's blocking allreduce is split into the reduction and
the waiting), DDP's sync against a raw MPI_Allreduce of the same bytes, the allreduce size sweep, the
bucket-size sweep, and pipeline / hybrid weak / strong.
"""
import numpy as np
from mpi4py import MPI

from . import model
from .timing import interleaved, summary
from .workloads import PIPELINE_MAX_STAGES, DdpDataParallel, PipelineRun, TorchDataParallel

SWEEP_BYTES = [1 << k for k in range(12, 25, 2)]  # 4 KiB .. 16 MiB
BUCKET_MB = [0.25, 1, 5, 25]


def _per_step(times, steps):
    return {name: summary([t / steps for t in ts]) for name, ts in times.items()}


def node_count(comm):
    node = comm.comm.Split_type(MPI.COMM_TYPE_SHARED, key=comm.rank)
    first = node.bcast(comm.rank, root=0)
    node.Free()
    return len(set(comm.allgather_object(first)))


def data_parallel(comm, args, use_torch):
    """Weak (`args.batch` per rank) and strong (`args.global_batch` over all ranks) data parallel."""
    p = comm.world_size
    batches = {"weak": args.batch}
    if args.global_batch % p == 0:
        batches["strong"] = args.global_batch // p
    runs, cases = {}, {}
    for mode, b in batches.items():
        runs[mode] = DdpDataParallel(comm, b)
        cases[f"ddp {mode}"] = (lambda r: lambda: r.steps(args.steps))(runs[mode])
        cases[f"plain backward {mode}"] = (lambda r: lambda: r.plain_steps(args.steps))(runs[mode])
        if use_torch:
            cases[f"torch {mode}"] = (lambda r: lambda: r.steps(args.steps))(TorchDataParallel(comm, b))
    rounds_done = [0]

    def forget_warmup():  # the phases of the warm-up round are not part of the breakdown
        rounds_done[0] += 1
        if rounds_done[0] == 1:
            for r in runs.values():
                for v in r.phases.values():
                    v.clear()
    times = _per_step(interleaved(comm, cases, args.rounds, between=forget_warmup), args.steps)
    out = {}
    for mode, r in runs.items():
        per_rank = comm.allgather_object(r.breakdown())
        samples = batches[mode] * p
        out[mode] = {"per_rank_batch": batches[mode], "global_batch": samples,
                     "ddp": times[f"ddp {mode}"], "torch": times.get(f"torch {mode}"),
                     "breakdown_per_rank": per_rank,
                     "allreduce_split": model.allreduce_split(comm.allgather_object(r.phases["allreduce"])),
                     "grad_bytes": r.grad_bytes,
                     "allreduce_bytes_per_step": r.allreduce_bytes, "buckets": r.buckets}
    return out, runs["weak"]


def sync_overhead(comm, run, args):
    """DDP's gradient sync against a raw MPI_Allreduce of the same bytes (p >= 2)."""
    raw, sync = run.sync_cases()
    times = interleaved(comm, {"raw": raw, "ddp": sync}, args.sync_rounds, warmup=2)
    return {name: summary(ts) for name, ts in times.items()}


def size_sweep(comm, args):
    """Median seconds of a raw MPI_Allreduce of float32 buffers of each size in SWEEP_BYTES (p >= 2)."""
    bufs = {n: np.ones(n // 4, np.float32) for n in SWEEP_BYTES}
    cases = {n: (lambda b: lambda: comm.comm.Allreduce(MPI.IN_PLACE, b, op=MPI.SUM))(b) for n, b in bufs.items()}
    reset = lambda: [b.fill(1) for b in bufs.values()]  # noqa: E731  (sums stay bounded)
    times = interleaved(comm, cases, args.sync_rounds, warmup=2, between=reset)
    return [{"bytes": n, **summary(ts)} for n, ts in times.items()]


def bucket_sweep(comm, args):
    """Weak-scaling step time of ddp's DDP at each bucket cap in BUCKET_MB (p >= 2)."""
    runs = {mb: DdpDataParallel(comm, args.batch, bucket_cap_mb=mb) for mb in BUCKET_MB}
    cases = {mb: (lambda r: lambda: r.steps(args.steps))(r) for mb, r in runs.items()}
    times = _per_step(interleaved(comm, cases, args.rounds), args.steps)
    return [{"bucket_cap_mb": mb, "buckets": runs[mb].buckets, "step": times[mb]} for mb in BUCKET_MB]


def hook_sweep(comm, args):
    """Weak-scaling step time and bytes per step of ddp's DDP with each communication hook (p >= 2, --hook).
    The bytes are what the hook hands to its collectives per step in the last round; every run first takes
    2 untimed steps, PowerSGD's plain-allreduce warm-up."""
    from ddp.parallel.comm_hooks import allreduce_hook, bf16_compress_hook, fp16_compress_hook
    from ddp.parallel.powersgd_hook import PowerSGDState, powerSGD_hook

    class Counted:  # a hook state: DDP's own group and a byte counter
        process_group, bytes_sent = None, 0
    hooks = {"allreduce": (Counted(), allreduce_hook), "fp16": (Counted(), fp16_compress_hook),
             "bf16": (Counted(), bf16_compress_hook)}
    for rank in (1, 4):
        hooks[f"powerSGD r={rank}"] = (PowerSGDState(None, matrix_approximation_rank=rank, start_powerSGD_iter=2),
                                       powerSGD_hook)
    runs = {name: DdpDataParallel(comm, args.batch, comm_hook=hook) for name, hook in hooks.items()}
    for run in runs.values():
        run.steps(2)
    sent = {}

    def case(name):
        state = hooks[name][0]

        def run():
            before = state.bytes_sent
            runs[name].steps(args.steps)
            sent[name] = (state.bytes_sent - before) // args.steps
        return run
    times = _per_step(interleaved(comm, {name: case(name) for name in runs}, args.rounds), args.steps)
    return [{"hook": name, "bytes_per_step": sent[name], "step": times[name]} for name in runs]


def pipeline_shapes(p):
    """{kind: stages} of the pipelined runs at p ranks: "pipeline" (p stages) while the model has a layer
    for each stage, "hybrid" (2 stages x p/2 replicas) from 4 ranks, when p is even."""
    shapes = {"pipeline": p} if p <= PIPELINE_MAX_STAGES else {}
    if p >= 4 and p % 2 == 0:
        shapes["hybrid"] = 2
    return shapes


def pipelines(comm, args):
    """Pipeline (p stages, while the model has a layer for each: p <= PIPELINE_MAX_STAGES) and hybrid
    (2 stages x p/2 replicas, p >= 4 even), weak (global batch `args.batch` x p) and strong
    (`args.global_batch`)."""
    p = comm.world_size
    runs = {}
    for kind, stages in pipeline_shapes(p).items():
        replicas = p // stages
        for mode, batch in (("weak", args.batch * p), ("strong", args.global_batch)):
            if batch % (replicas * args.micro_batches) == 0:
                runs[kind, mode] = PipelineRun(comm, stages, batch, args.micro_batches)
    cases = {f"{kind} {mode}": (lambda r: lambda: r.steps(args.steps))(r) for (kind, mode), r in runs.items()}
    times = _per_step(interleaved(comm, cases, args.rounds), args.steps)
    out = {}
    for (kind, mode), r in runs.items():
        batch = args.batch * p if mode == "weak" else args.global_batch
        out.setdefault(kind, {})[mode] = {"stages": r.pipe.stages, "replicas": r.pipe.num_replicas,
                                          "micro_batches": args.micro_batches, "global_batch": batch,
                                          "step": times[f"{kind} {mode}"]}
    return out


def measure(comm, args, use_torch):
    """The whole job's figures (collective)."""
    p = comm.world_size
    result = {"ranks": p, "nodes": node_count(comm)}
    result["data_parallel"], weak = data_parallel(comm, args, use_torch)
    if p >= 2:
        result["sync"] = sync_overhead(comm, weak, args)
        result["allreduce_sweep"] = size_sweep(comm, args)
        if not args.no_bucket_sweep:
            result["bucket_sweep"] = bucket_sweep(comm, args)
        if getattr(args, "hook", False):
            result["hook_sweep"] = hook_sweep(comm, args)
    if not args.no_pipeline:
        result["pipelines"] = pipelines(comm, args)
    return result
