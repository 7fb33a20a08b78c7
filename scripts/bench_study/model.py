"""The study's arithmetic, as pure functions of measured times: throughput, efficiency (per rank and per
physical core), overhead, the ring volume, where weak scaling's time went, and the alpha-beta model of an
allreduce with the scaling curve it predicts.

The alpha-beta model of a ring (or reduce-scatter + allgather) allreduce of n bytes over p ranks:
``t(p, n) = 2(p-1) alpha + 2(p-1)/p n beta``: 2(p-1) message latencies `alpha` (s) and 2(p-1)/p n bytes
through each rank's link at `beta` s/byte. `fit_alpha_beta` finds both by least squares over a sweep
of sizes (and rank counts).
"""
import numpy as np


def throughput(samples_per_step, step_seconds):
    """Samples per second."""
    return samples_per_step / step_seconds


def efficiency(t1, tp, p, mode):
    """Scaling efficiency of p ranks against 1: throughput(p) / (p x throughput(1)).

    `t1`, `tp`: step seconds at 1 and p ranks. Weak scaling ("weak": each rank keeps the 1-rank batch)
    gives t1 / tp; strong scaling ("strong": the global batch is the 1-rank batch) gives t1 / (p tp).
    """
    if mode == "weak":
        return t1 / tp
    if mode == "strong":
        return t1 / (p * tp)
    raise ValueError(f"efficiency: mode must be 'weak' or 'strong', got {mode!r}")


def efficiency_per_core(t1, tp, p, mode, cores):
    """`efficiency` counted over the physical cores that p ranks occupy on a machine of `cores`: with more
    ranks than cores the ranks share them, and min(p, cores) x throughput(1) is what the cores could give.
    """
    return efficiency(t1, tp, p, mode) * p / min(p, cores)


def overhead(framework_seconds, raw_seconds):
    """The framework's time for an allreduce as a multiple of a raw MPI_Allreduce of the same bytes."""
    return framework_seconds / raw_seconds


def allreduce_split(seconds_in):
    """Split the time ranks spend in one blocking allreduce per step into the reduction and the waiting.

    `seconds_in[r][s]`: seconds rank r spent in step s's allreduce. The rank that arrives last waits for
    no one, so a step's least time is its reduction, and each rank's time beyond it is waiting for
    slower ranks to arrive. No clocks are compared across ranks (they need not agree across machines).
    Returns {"allreduce": median over steps of the least time, "waiting": median over steps of the ranks'
    mean waiting}, or None without steps.
    """
    t = np.asarray(seconds_in, float)
    if t.ndim != 2 or t.shape[1] == 0:
        return None
    least = t.min(axis=0)
    return {"allreduce": float(np.median(least)), "waiting": float(np.median((t - least).mean(axis=0)))}


def weak_losses(t1, tp, compute1, compute_p, exposed, split=None):
    """Where a weak-scaling step of p ranks spends the time that the 1-rank step does not (seconds).

    `t1`, `tp`: the step at 1 and p ranks; `compute1`, `compute_p`: a rank's data + forward + backward +
    optimizer at 1 and p ranks (the backward without its exposed communication); `exposed`: a rank's
    communication not hidden behind backward; `split`: `allreduce_split` of DDP's allreduce in those
    steps (None if not measured). tp - t1 splits into
      - "shared_machine": compute_p - compute1, the ranks slowing each other's arithmetic (memory
        bandwidth, caches, clock) with no message sent;
      - `exposed`, itself made of "allreduce" (the reduction once every rank has arrived), "waiting" (for
        slower ranks to arrive) and "ddp_backward" (the rest: what else DDP's backward costs over the
        plain one);
      - "other": what is left (the slowest rank's lead over the mean, time outside the phases).
    "compute_efficiency" = compute1 / compute_p is the efficiency if communication cost nothing: the
    ceiling that the machine sets.
    """
    shared = compute_p - compute1
    out = {"step": tp, "one_rank_step": t1, "shared_machine": shared, "exposed_communication": exposed,
           "allreduce": None, "waiting": None, "ddp_backward": None,
           "other": tp - t1 - shared - exposed, "compute_efficiency": compute1 / compute_p}
    if split is not None:
        out.update(split, ddp_backward=exposed - split["allreduce"] - split["waiting"])
    return out


def ring_bytes(p, nbytes):
    """Bytes each rank sends (and receives) in a bandwidth-optimal allreduce: 2(p-1)/p x nbytes."""
    return 2 * (p - 1) / p * nbytes


def _features(p, nbytes):
    p, nbytes = np.asarray(p, float), np.asarray(nbytes, float)
    return np.stack([2 * (p - 1), 2 * (p - 1) / p * nbytes], axis=-1)


def fit_alpha_beta(samples):
    """Least-squares (alpha, beta) of ``t = 2(p-1) alpha + 2(p-1)/p n beta`` from (p, nbytes, seconds)
    samples with p >= 2. Returns {"alpha", "beta", "r2", "samples"}; None with fewer than 2 samples."""
    samples = [(p, n, t) for p, n, t in samples if p >= 2]
    if len(samples) < 2:
        return None
    p, n, t = (np.array(c, float) for c in zip(*samples))
    a = _features(p, n)
    (alpha, beta), *_ = np.linalg.lstsq(a, t, rcond=None)
    residual = t - a @ np.array([alpha, beta])
    total = ((t - t.mean()) ** 2).sum()
    r2 = 1.0 - (residual ** 2).sum() / total if total > 0 else 1.0
    return {"alpha": float(alpha), "beta": float(beta), "r2": float(r2), "samples": len(samples)}


def predict_allreduce(fit, p, nbytes):
    """Seconds the fitted model gives for an allreduce of `nbytes` over `p` ranks (0 for one rank)."""
    if p < 2:
        return 0.0
    return float(_features(p, nbytes) @ np.array([fit["alpha"], fit["beta"]]))


def predict_scaling(fit, t1, grad_bytes, ranks, mode):
    """{p: {"step", "efficiency"}}: the step time the model predicts at each p, as the 1-rank step (split
    p ways under strong scaling) plus one unhidden allreduce of the gradients: no overlap, so an upper
    bound on the step and a lower bound on the efficiency."""
    out = {}
    for p in ranks:
        compute = t1 if mode == "weak" else t1 / p
        step = compute + predict_allreduce(fit, p, grad_bytes)
        out[p] = {"step": step, "efficiency": efficiency(t1, step, p, mode)}
    return out
