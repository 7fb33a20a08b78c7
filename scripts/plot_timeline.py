"""Draw a ddp timeline (the Chrome-trace JSON that DDP_TIMELINE or --timeline writes) as a PNG.

    python scripts/plot_timeline.py trace.json [--out timeline.png] [--steps 2]

One row per rank and lane (compute, communication); spans are coloured by kind (forward, backward,
bucket reductions, waits, data, optimizer, pipeline transfers). `--steps N` draws only the last N
backward passes' time range, so a long run stays readable. Needs matplotlib (`pip install -e ".[plot]"`).
"""
import argparse
import json
import sys
from pathlib import Path

COLOURS = {"forward": "#4c72b0", "backward": "#55a868", "data": "#8172b2", "optimizer": "#ccb974",
           "wait": "#c44e52", "allreduce": "#dd8452", "send": "#64b5cd", "recv": "#937860"}


def colour(name):
    for key, value in COLOURS.items():
        if name.startswith(key):
            return value
    return "#999999"


def spans(events):
    """(rank, lane, start ms, duration ms, name) for complete spans and for async reductions."""
    out, open_ = [], {}
    for e in events:
        if e["ph"] == "X":
            out.append((e["pid"], e["tid"], e["ts"] / 1e3, e["dur"] / 1e3, e["name"]))
        elif e["ph"] == "b":
            open_[e["id"]] = e
        elif e["ph"] == "e" and e["id"] in open_:
            b = open_.pop(e["id"])
            out.append((b["pid"], b["tid"], b["ts"] / 1e3, (e["ts"] - b["ts"]) / 1e3, b["name"]))
    return out


def window(all_spans, steps):
    """The time range of the last `steps` backward passes (of rank 0), or everything."""
    backward = sorted(s for s in all_spans if s[4] == "backward" and s[0] == 0)
    if not steps or len(backward) < steps:
        return None
    first = backward[-steps]
    forward = [s for s in all_spans if s[4] == "forward" and s[2] <= first[2]]
    start = max(s[2] for s in forward) if forward else first[2]
    return start - 0.5, backward[-1][2] + backward[-1][3] + 0.5


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("trace", help="the timeline JSON")
    p.add_argument("--out", default="timeline.png", help="the PNG to write (default: timeline.png)")
    p.add_argument("--steps", type=int, default=2, help="draw the last N steps only (0: all; default 2)")
    args = p.parse_args(argv)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit('plot_timeline: matplotlib is not installed; pip install -e ".[plot]"')
    events = json.loads(Path(args.trace).read_text())["traceEvents"]
    all_spans = spans(events)
    ranks = sorted({s[0] for s in all_spans})
    lanes = [(r, lane) for r in ranks for lane in (0, 1)]
    row = {key: i for i, key in enumerate(lanes)}
    fig, ax = plt.subplots(figsize=(12, 0.6 * len(lanes) + 1.2))
    for rank, lane, start, duration, name in sorted(all_spans, key=lambda s: -s[3]):  # nested spans on top
        y = row[(rank, lane)]
        height = 0.8 if lane == 0 else 0.5
        ax.broken_barh([(start, max(duration, 1e-3))], (y - height / 2, height), facecolors=colour(name),
                       edgecolor="white", linewidth=0.3)
    limits = window(all_spans, args.steps)
    if limits:
        ax.set_xlim(*limits)
    ax.set_yticks(range(len(lanes)), [f"rank {r} {'compute' if lane == 0 else 'comm'}" for r, lane in lanes])
    ax.invert_yaxis()
    ax.set_xlabel("ms since the common start")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in COLOURS.values()]
    ax.legend(handles, list(COLOURS), loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    ax.set_title(f"ddp timeline: {Path(args.trace).name}, {len(ranks)} ranks")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
