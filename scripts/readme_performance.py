"""Regenerate the README's scaling-study section from a results.json of scripts/bench_scaling.py.

    python scripts/bench_scaling.py                 # writes runs/scaling/results.json
    python scripts/readme_performance.py            # rewrites README.md between the markers below
    python scripts/readme_performance.py runs/scaling/results.json runs/two-nodes/results.json  # one block each

The section sits between ``<!-- scaling-study:begin -->`` and ``<!-- scaling-study:end -->``; when the
README has no markers yet they are added at the end of its "## Performance" section (or of the file).
Nothing in the section is typed by hand: it states the command, the machine and every figure as the
study measured them.
"""
import argparse
import json
import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- scaling-study:begin -->", "<!-- scaling-study:end -->"


def _pct(entry):
    return "-" if not entry or entry.get("efficiency") is None else f"{entry['efficiency']:.0%}"


def _ms(s):
    return f"{s['median'] * 1e3:.1f} ms ({s['min'] * 1e3:.1f}-{s['max'] * 1e3:.1f})"


def render(results, note=""):
    """The section's markdown (without the markers); `note` (e.g. how loaded the machine was) ends the prose."""
    m, d, st = results["machine"], results["derived"], results["settings"]
    blas = ", ".join(f"{b['internal_api']} {b['version']}" for b in m.get("blas") or []) or "?"
    if m.get("openblas_coretype"):
        blas += f" ({m['openblas_coretype']} kernels, pinned by OPENBLAS_CORETYPE)"
    nodes = st.get("nodes", 1)
    where = "one node" if nodes == 1 else f"{nodes} fake nodes (MPICH's fork launcher; one machine)"
    intro = (f"Measured by `{results['command']}` on {m['cpu']} ({m['logical_cores']} logical / "
             f"{m.get('physical_cores', '?')} physical cores; {m['mpi']}; numpy {m['numpy']} with {blas}; "
             f"Python {m['python']}; PyTorch {m.get('torch') or 'not installed'}), one BLAS thread per rank, "
             f"medians of {st['rounds']} interleaved rounds of {st['steps']} steps (slowest rank), batch "
             f"{st['batch']} per rank (weak) and {st['global_batch']} in all (strong). Efficiency is against "
             f"the 1-rank job of the same study; when ranks outnumber physical cores they share them. Regenerated "
             f"by `python scripts/readme_performance.py` from its `results.json`; the same run wrote `table.txt` "
             f"(with the per-rank breakdown and the bytes moved) and, with the `plot` extra, `scaling.png`, "
             f"`breakdown.png` and `allreduce_fit.png` beside it. {note}").strip()
    lines = [f"### Scaling study, {where}", "", textwrap.fill(intro, 110), ""]
    dp = d["scaling"].get("data_parallel", {})
    pipe, hybrid = d["scaling"].get("pipeline", {}), d["scaling"].get("hybrid", {})
    ranks = sorted({int(p) for modes in dp.values() for fw in modes.values() for p in fw})
    lines += ["| ranks | data parallel weak: ddp / PyTorch DDP (predicted) | strong: ddp / PyTorch DDP | "
              "pipeline weak / strong | hybrid weak / strong | ddp step, weak | DDP sync / raw MPI_Allreduce |",
              "|---|---|---|---|---|---|---|"]
    for p in ranks:
        k = str(p)
        get = lambda tree, *path: _get(tree, *path, k)  # noqa: E731
        pred = _get(d["predicted"], "weak", k)
        sync = _get(d["sync_overhead"], k, "ratio")
        step = get(dp, "weak", "ddp")
        sync_text = "-" if sync is None else f"{sync:.2f}x"
        lines.append(f"| {p} | {_pct(get(dp, 'weak', 'ddp'))} / {_pct(get(dp, 'weak', 'torch'))} ({_pct(pred)}) "
                     f"| {_pct(get(dp, 'strong', 'ddp'))} / {_pct(get(dp, 'strong', 'torch'))} "
                     f"| {_pct(get(pipe, 'weak'))} / {_pct(get(pipe, 'strong'))} "
                     f"| {_pct(get(hybrid, 'weak'))} / {_pct(get(hybrid, 'strong'))} "
                     f"| {_ms(step['step']) if step else '-'} "
                     f"| {sync_text} |")
    per_core = lambda fw, p: _get(dp, "weak", fw, str(p), "efficiency_per_physical_core")  # noqa: E731
    shared = [p for p in ranks if per_core("ddp", p) is not None]
    if shared:
        lines += ["", textwrap.fill(
            f"Where the ranks outnumber the {m.get('physical_cores')} physical cores they share them; counted over "
            f"the cores in use (throughput against cores x the 1-rank throughput), data parallel weak scaling is "
            + ", ".join(f"{per_core('ddp', p):.0%} at {p} ranks" + (
                f" (PyTorch DDP {per_core('torch', p):.0%})" if per_core("torch", p) is not None else "")
                for p in shared) + ".", 110)]
    ab = d.get("alpha_beta")
    if ab:
        lines += ["", textwrap.fill(
            f"Alpha-beta fit of this machine's `MPI_Allreduce` (sizes 4 KiB-16 MiB, all rank counts): alpha "
            f"{ab['alpha'] * 1e6:.1f} us, beta {ab['beta'] * 1e9:.3f} ns/byte, R^2 {ab['r2']:.3f}; the "
            f"predicted column adds one unhidden allreduce of the gradients to the 1-rank step.", 110)]
    losses = sorted(d.get("losses", {}).get("weak", {}).items(), key=lambda kv: int(kv[0]))
    if losses:
        lines += ["", textwrap.fill("Where the weak-scaling step's time went beyond the 1-rank step (phases averaged "
                                    "over ranks): " + "; ".join(_losses(p, x) for p, x in losses) + ".", 110)]
    for p, sweep in sorted(d.get("bucket_sweep", {}).items(), key=lambda kv: int(kv[0])):
        lines += ["", textwrap.fill(f"Bucket sweep at {p} ranks (weak-scaling step): " + ", ".join(
            f"{s['bucket_cap_mb']:g} MiB {s['step']['median'] * 1e3:.1f} ms" for s in sweep) + ".", 110)]
    return "\n".join(lines)


def _losses(p, x):
    ms = lambda s: f"{s * 1e3:+.1f} ms"  # noqa: E731
    comm = (f"exposed communication {ms(x['exposed_communication'])}" if x["allreduce"] is None else
            f"allreduce {ms(x['allreduce'])}, waiting for slower ranks {ms(x['waiting'])}, the rest of DDP's "
            f"backward {ms(x['ddp_backward'])}")
    return (f"{p} ranks: ranks sharing the machine {ms(x['shared_machine'])} (compute alone "
            f"{x['compute_efficiency']:.0%} efficient), {comm}, other {ms(x['other'])}")


def _get(tree, *path):
    for key in path:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


def update(readme, section):
    """`readme` with `section` between the markers (added at the end of "## Performance" if missing)."""
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in readme and END in readme:
        start, end = readme.index(BEGIN), readme.index(END) + len(END)
        return readme[:start] + block + readme[end:]
    heading = re.search(r"^## Performance\s*$", readme, re.M)
    if heading is None:
        return readme.rstrip("\n") + "\n\n" + block + "\n"
    following = re.search(r"^## ", readme[heading.end():], re.M)
    cut = heading.end() + following.start() if following else len(readme)
    return readme[:cut].rstrip("\n") + "\n\n" + block + "\n\n" + readme[cut:].lstrip("\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="*", type=Path, default=[ROOT / "runs" / "scaling" / "results.json"],
                        help="one or more results.json files, one block each")
    parser.add_argument("--note", default="", help="a sentence about the runs, added to each block")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args(argv)
    section = "\n\n".join(render(json.loads(path.read_text()), args.note) for path in args.results)
    args.readme.write_text(update(args.readme.read_text(), section))
    print(f"updated {args.readme} from {', '.join(map(str, args.results))}")


if __name__ == "__main__":
    main()
