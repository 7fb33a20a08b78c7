"""PNG plots of results.json (the `plot` extra, matplotlib): throughput and efficiency against ranks,
measured beside predicted; the per-rank breakdown and where weak scaling's time went as stacked bars;
the allreduce sweep with its fit."""
from . import model

PHASES = ("data", "forward", "backward", "exposed_communication", "optimizer")
LOSSES = (("shared_machine", "ranks sharing the machine"), ("allreduce", "allreduce"),
          ("waiting", "waiting for slower ranks"), ("ddp_backward", "rest of DDP's backward"),
          ("exposed_communication", "exposed communication (not split)"), ("other", "other"))


def _loss(x, key):
    """Seconds of one part of `model.weak_losses`; the exposed communication counts only when not split."""
    if key == "exposed_communication":
        return x[key] if x["allreduce"] is None else 0.0
    return x[key] or 0.0


def plot_all(results, out_dir):
    """Write the PNGs into `out_dir`; returns their paths ([] without matplotlib)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    results = _int_keys(results)  # as read back from results.json, rank counts are strings
    d, paths = results["derived"], []
    fig, (ax_t, ax_e) = plt.subplots(1, 2, figsize=(11, 4))
    for kind, modes in d["scaling"].items():
        for mode, fws in modes.items():
            fws = fws if kind == "data_parallel" else {"ddp": fws}
            for fw, curve in fws.items():
                ps = sorted(curve)
                label = f"{kind} {mode} ({fw})"
                ax_t.plot(ps, [curve[p]["samples_per_s"] for p in ps], "o-", label=label)
                if all("efficiency" in curve[p] for p in ps):
                    ax_e.plot(ps, [curve[p]["efficiency"] for p in ps], "o-", label=label)
    for mode, pred in d["predicted"].items():
        ps = sorted(pred)
        ax_e.plot(ps, [pred[p]["efficiency"] for p in ps], "k--", alpha=0.6, label=f"alpha-beta prediction, {mode}")
    ax_t.set(xlabel="ranks", ylabel="samples/s", title="throughput")
    ax_e.set(xlabel="ranks", ylabel="efficiency vs 1 rank", title="scaling efficiency", ylim=(0, 1.2))
    for ax in (ax_t, ax_e):
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    paths.append(_save(fig, out_dir / "scaling.png", plt))

    breakdown = d["breakdown"].get("weak", {})
    if breakdown:
        losses = d.get("losses", {}).get("weak", {})
        fig, axes = plt.subplots(1, 2 if losses else 1, figsize=(13 if losses else 8, 4), squeeze=False)
        bars = [(p, r, b) for p, ranks in sorted(breakdown.items()) for r, b in enumerate(ranks)]
        _stacked(axes[0][0], [f"p={p}\nrank {r}" for p, r, _ in bars],
                 [(phase.replace("_", " "), [b[phase] for _, _, b in bars]) for phase in PHASES])
        axes[0][0].set(ylabel="ms per step", title="data parallel, weak scaling: where a step goes")
        if losses:
            ps = sorted(losses)
            _stacked(axes[0][1], [f"p={p}" for p in ps],
                     [(label, [_loss(losses[p], key) for p in ps]) for key, label in LOSSES])
            axes[0][1].set(ylabel="ms per step", title="the step beyond the 1-rank step: where the time went")
        paths.append(_save(fig, out_dir / "breakdown.png", plt))

    sweeps = {p: j["allreduce_sweep"] for p, j in results["jobs"].items() if j.get("allreduce_sweep")}
    if sweeps and d["alpha_beta"]:
        fig, ax = plt.subplots(figsize=(6, 4))
        for p, sweep in sorted(sweeps.items()):
            sizes = [s["bytes"] for s in sweep]
            line, = ax.loglog(sizes, [s["median"] for s in sweep], "o", label=f"measured, p={p}")
            ax.loglog(sizes, [model.predict_allreduce(d["alpha_beta"], p, n) for n in sizes], "--",
                      color=line.get_color(), label=f"alpha-beta fit, p={p}")
        ax.set(xlabel="bytes", ylabel="seconds", title="MPI_Allreduce: measured and fitted")
        ax.legend(fontsize=7)
        paths.append(_save(fig, out_dir / "allreduce_fit.png", plt))
    return paths


def _int_keys(obj):
    if isinstance(obj, dict):
        return {int(k) if isinstance(k, str) and k.isdigit() else k: _int_keys(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_int_keys(v) for v in obj]
    return obj


def _stacked(ax, labels, series):
    """Stacked bars, one per label; `series` = [(name, seconds per label)]; negative parts, and series
    with nothing to show, are left out."""
    bottoms = [0.0] * len(labels)
    for name, values in series:
        heights = [max(v, 0.0) * 1e3 for v in values]
        if not any(heights):
            continue
        ax.bar(labels, heights, bottom=bottoms, label=name)
        bottoms = [b + h for b, h in zip(bottoms, heights)]
    ax.legend(fontsize=7)


def _save(fig, path, plt):
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
