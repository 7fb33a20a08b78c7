"""The study's report: the machine, the figures derived from every job (model.py), the terminal table and
results.json."""
import json
import os
import platform
import subprocess

from . import model

MODES = ("weak", "strong")
COMPUTE = ("data", "forward", "backward", "optimizer")  # the breakdown's phases that are not communication


def machine():
    """CPU model, logical and physical cores, MPI library, numpy, BLAS (threadpoolctl), Python, torch."""
    info = {"cpu": platform.processor() or platform.machine(), "logical_cores": os.cpu_count(),
            "python": platform.python_version(), "platform": platform.platform()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        fields = dict(line.split(":", 1) for line in lscpu.splitlines() if ":" in line)
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        info["cpu"] = fields.get("Model name", info["cpu"])
        cores, sockets = fields.get("Core(s) per socket"), fields.get("Socket(s)")
        if cores and sockets and cores.isdigit() and sockets.isdigit():
            info["physical_cores"] = int(cores) * int(sockets)
    except (OSError, subprocess.SubprocessError):
        pass
    import numpy
    from mpi4py import MPI
    import mpi4py
    info["mpi"] = " ".join(MPI.Get_library_version().splitlines()[0].split())
    info["mpi4py"], info["numpy"] = mpi4py.__version__, numpy.__version__
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [{k: pool.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
                        for pool in threadpool_info() if pool.get("user_api") == "blas"]
    except ImportError:
        info["blas"] = None
    # the kernels OpenBLAS runs can be pinned from outside (this project's machines pin Haswell's AVX2 ones)
    info["openblas_coretype"] = os.environ.get("OPENBLAS_CORETYPE")
    try:
        import torch
        info["torch"] = torch.__version__
    except ImportError:
        info["torch"] = None
    return info


def _curve(jobs, pick, samples_of, mode, cores=None):
    """{p: {"step", "samples_per_s", "efficiency"}} of one contender; efficiency against its 1-rank job, and
    "efficiency_per_physical_core" where p ranks outnumber the machine's `cores`."""
    out = {}
    base = pick(jobs[1]) if 1 in jobs else None
    for p, job in sorted(jobs.items()):
        step = pick(job)
        if step is None:
            continue
        entry = {"step": step, "samples_per_s": model.throughput(samples_of(job), step["median"])}
        if base is not None:
            entry["efficiency"] = model.efficiency(base["median"], step["median"], p, mode)
            if cores and p > cores:
                entry["efficiency_per_physical_core"] = model.efficiency_per_core(
                    base["median"], step["median"], p, mode, cores)
        out[p] = entry
    return out


def derive(jobs, physical_cores=None):
    """Every figure of the report from the jobs' measurements ({p: measure.measure(...)}). `physical_cores`:
    those of the one machine that ran every rank (None when unknown or the ranks spanned machines)."""
    out = {"scaling": {}, "breakdown": {}, "bytes": {}, "sync_overhead": {}, "bucket_sweep": {}, "hook_sweep": {}}
    for mode in MODES:
        dp = {p: j["data_parallel"][mode] for p, j in jobs.items() if mode in j["data_parallel"]}
        for fw in ("ddp", "torch"):
            curve = _curve(dp, lambda d, fw=fw: d[fw], lambda d: d["global_batch"], mode, physical_cores)
            if curve:
                out["scaling"].setdefault("data_parallel", {}).setdefault(mode, {})[fw] = curve
        out["breakdown"][mode] = {p: d["breakdown_per_rank"] for p, d in dp.items()}
        for kind in ("pipeline", "hybrid"):
            runs = {p: j["pipelines"][kind][mode] for p, j in jobs.items()
                    if kind in j.get("pipelines", {}) and mode in j["pipelines"][kind]}
            base = {1: jobs[1]["pipelines"]["pipeline"][mode]} if kind == "hybrid" and 1 in jobs and \
                mode in jobs[1].get("pipelines", {}).get("pipeline", {}) else {}
            curve = _curve({**base, **runs}, lambda r: r["step"], lambda r: r["global_batch"], mode, physical_cores)
            if runs:
                out["scaling"].setdefault(kind, {})[mode] = {p: c for p, c in curve.items() if p in runs}
    for p, j in jobs.items():
        weak = j["data_parallel"]["weak"]
        out["bytes"][p] = {"grad_bytes": weak["grad_bytes"], "allreduce_bytes_per_step": weak["allreduce_bytes_per_step"],
                           "ring_bytes": model.ring_bytes(p, weak["grad_bytes"])}
        if "sync" in j:
            s = j["sync"]
            out["sync_overhead"][p] = {**s, "ratio": model.overhead(s["ddp"]["median"], s["raw"]["median"])}
        if "bucket_sweep" in j:
            out["bucket_sweep"][p] = j["bucket_sweep"]
        if "hook_sweep" in j:
            out["hook_sweep"][p] = j["hook_sweep"]
    out["losses"] = {"weak": _weak_losses(jobs)}
    samples = [(p, s["bytes"], s["median"]) for p, j in jobs.items() for s in j.get("allreduce_sweep", [])]
    out["alpha_beta"] = model.fit_alpha_beta(samples)
    out["predicted"] = {}
    if out["alpha_beta"] and 1 in jobs:
        for mode in MODES:
            if mode in jobs[1]["data_parallel"]:
                t1 = jobs[1]["data_parallel"][mode]["ddp"]["median"]
                grad = jobs[1]["data_parallel"][mode]["grad_bytes"]
                out["predicted"][mode] = model.predict_scaling(out["alpha_beta"], t1, grad, sorted(jobs), mode)
    return out


def _weak_losses(jobs):
    """{p: model.weak_losses(...)} of ddp's weak data parallel for every p >= 2, from the step medians and
    the breakdown's phases averaged over ranks; {} without a 1-rank job and its breakdown."""
    one = jobs[1]["data_parallel"]["weak"] if 1 in jobs else {}
    if not one.get("breakdown_per_rank"):
        return {}
    mean = lambda ranks, keys: sum(sum(b[k] for k in keys) for b in ranks) / len(ranks)  # noqa: E731
    compute1 = mean(one["breakdown_per_rank"], COMPUTE)
    out = {}
    for p, j in sorted(jobs.items()):
        weak = j["data_parallel"]["weak"]
        if p < 2 or not weak["breakdown_per_rank"]:
            continue
        ranks = weak["breakdown_per_rank"]
        out[p] = model.weak_losses(one["ddp"]["median"], weak["ddp"]["median"], compute1, mean(ranks, COMPUTE),
                                   mean(ranks, ("exposed_communication",)), weak.get("allreduce_split"))
    return out


def _ms(s):
    return f"{s['median'] * 1e3:.1f} ({s['min'] * 1e3:.1f}-{s['max'] * 1e3:.1f})"


def _pct(x):
    return "-" if x is None else f"{x:.0%}"


def table(results):
    """The terminal table (also saved as table.txt)."""
    m, d, lines = results["machine"], results["derived"], []
    lines.append(f"# {results['command']}")
    lines.append(f"# {m['cpu']}, {m['logical_cores']} logical / {m.get('physical_cores', '?')} physical cores, "
                 f"{m['mpi']}, numpy {m['numpy']}, BLAS {_blas(m)}, Python {m['python']}, torch {m['torch']}")
    lines.append(f"# medians (min-max) over {results['settings']['rounds']} interleaved rounds of "
                 f"{results['settings']['steps']} steps, slowest rank; 1 BLAS thread per rank; per core: the "
                 f"efficiency over the physical cores in use, where ranks outnumber them")
    for kind, modes in d["scaling"].items():
        for mode, fws in modes.items():
            lines.append(f"\n{kind}, {mode} scaling")
            lines.append(f"{'ranks':>5} {'framework':>9} {'step ms (range)':>22} {'samples/s':>10} {'efficiency':>10} "
                         f"{'predicted':>9} {'per core':>8}")
            fws = fws if kind == "data_parallel" else {"ddp": fws}
            for fw, curve in fws.items():
                for p, c in curve.items():
                    pred = d["predicted"].get(mode, {}).get(p) if kind == "data_parallel" and fw == "ddp" else None
                    lines.append(f"{p:>5} {fw:>9} {_ms(c['step']):>22} {c['samples_per_s']:>10,.0f} "
                                 f"{_pct(c.get('efficiency')):>10} {_pct(pred and pred['efficiency']):>9} "
                                 f"{_pct(c.get('efficiency_per_physical_core')):>8}")
    lines.append("\nbreakdown per rank and step, data parallel weak scaling, ms: data / forward / backward / "
                 "exposed communication / optimizer")
    for p, ranks in d["breakdown"].get("weak", {}).items():
        for r, b in enumerate(ranks):
            lines.append(f"  p={p} rank {r}: " + " / ".join(f"{b[k] * 1e3:.2f}" for k in
                         ("data", "forward", "backward", "exposed_communication", "optimizer")))
    losses = d.get("losses", {}).get("weak", {})
    if losses:
        lines.append("\nwhere weak scaling's step time went, ms (phases averaged over ranks; model.weak_losses)")
    for p, x in losses.items():
        parts = [("1 rank", x["one_rank_step"]), ("shared machine", x["shared_machine"])]
        parts += ([("exposed communication", x["exposed_communication"])] if x["allreduce"] is None else
                  [("allreduce", x["allreduce"]), ("waiting for slower ranks", x["waiting"]),
                   ("DDP's backward", x["ddp_backward"])])
        lines.append(f"  p={p}: step {x['step'] * 1e3:.2f} = " + " + ".join(f"{name} {v * 1e3:.2f}" for name, v in
                     parts + [("other", x["other"])]) + f"; compute alone {_pct(x['compute_efficiency'])} efficient")
    lines.append("\nallreduce bytes per rank and step: handed to allreduce vs ring volume 2(p-1)/p x gradient bytes")
    for p, b in d["bytes"].items():
        lines.append(f"  p={p}: {b['allreduce_bytes_per_step'] / 1e6:.2f} MB handed over, ring volume "
                     f"{b['ring_bytes'] / 1e6:.2f} MB, gradients {b['grad_bytes'] / 1e6:.2f} MB")
    for p, s in d["sync_overhead"].items():
        lines.append(f"DDP sync p={p}: {_ms(s['ddp'])} ms vs raw MPI_Allreduce {_ms(s['raw'])} ms: {s['ratio']:.2f}x")
    ab = d["alpha_beta"]
    if ab:
        lines.append(f"alpha-beta fit of MPI_Allreduce: alpha {ab['alpha'] * 1e6:.1f} us, beta {ab['beta'] * 1e9:.3f} "
                     f"ns/byte ({1 / ab['beta'] / 1e9 if ab['beta'] > 0 else float('inf'):.2f} GB/s), "
                     f"R^2 {ab['r2']:.3f} over {ab['samples']} sizes")
    for p, sweep in d["bucket_sweep"].items():
        lines.append(f"bucket sweep p={p}: " + ", ".join(f"{s['bucket_cap_mb']:g} MiB ({s['buckets']} buckets) "
                                                         f"{s['step']['median'] * 1e3:.1f} ms" for s in sweep))
    for p, sweep in d.get("hook_sweep", {}).items():
        lines.append(f"comm hooks p={p}: " + ", ".join(f"{s['hook']} {s['bytes_per_step'] / 1e6:.3f} MB "
                                                       f"{s['step']['median'] * 1e3:.1f} ms" for s in sweep))
    return "\n".join(lines)


def _blas(m):
    if not m.get("blas"):
        return "?"
    libraries = ", ".join(f"{b['internal_api']} {b['version']} ("
                          + (f"{b['architecture']} kernels, " if b.get("architecture") else "")
                          + f"{b['num_threads']} thread)" for b in m["blas"])
    pinned = m.get("openblas_coretype")
    return libraries + (f", kernels pinned by OPENBLAS_CORETYPE={pinned}" if pinned else "")


def _keys_to_str(obj):
    if isinstance(obj, dict):
        return {str(k): _keys_to_str(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_keys_to_str(v) for v in obj]
    return obj


def write(out_dir, results, text):
    """results.json and table.txt in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(_keys_to_str(results), indent=1))
    (out_dir / "table.txt").write_text(text + "\n")
