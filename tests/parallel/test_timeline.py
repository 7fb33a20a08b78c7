"""The per-rank timeline: one Chrome-trace JSON with a track per rank, every gradient bucket's reduction,
properly nested spans; off by default, at no cost."""
import json

import pytest

import ddp.parallel as dp
from ddp.parallel import timeline
from mpi_launch import requires_mpirun, run_python

JOB = """
import numpy as np
import ddp, ddp.nn as nn, ddp.nn.functional as F
import ddp.parallel as dp
from ddp.parallel import timeline
comm = dp.init()
ddp.manual_seed(0)
model = dp.DistributedDataParallel(nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 4)), comm,
                                   bucket_cap_mb=0.005)  # a bucket per layer, about
opt = ddp.optim.SGD(model.parameters(), lr=0.1)
for step in range(STEPS):
    with timeline.span("data", "data"):
        x, y = ddp.randn(8, 32), ddp.randint(0, 4, (8,))
    opt.zero_grad()
    F.cross_entropy(model(x), y).backward()
    with timeline.span("optimizer", "compute"):
        opt.step()
"""


def check_nesting(events):
    """Within one rank's lane, complete events nest: each starts and ends inside any it starts within."""
    lanes = {}
    for e in events:
        if e["ph"] == "X":
            lanes.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"], e["name"]))
    for spans in lanes.values():
        spans.sort(key=lambda s: (s[0], -s[1]))
        stack = []
        for start, end, name in spans:
            while stack and stack[-1][1] <= start:
                stack.pop()
            if stack:
                assert end <= stack[-1][1] + 1e-3, f"{name} overlaps the end of {stack[-1][2]}"
            stack.append((start, end, name))


@pytest.mark.parametrize("n", [2, 4])
@pytest.mark.parametrize("marks", [pytest.param(None, marks=requires_mpirun)])
def test_a_trace_of_every_rank_under_mpirun(n, marks, tmp_path, monkeypatch):
    script = tmp_path / "job.py"
    script.write_text(JOB.replace("STEPS", "3"))
    trace = tmp_path / "trace.json"
    monkeypatch.setenv("DDP_TIMELINE", str(trace))
    out = run_python(n, [script], timeout=120)
    assert out.returncode == 0, out.stderr
    events = json.loads(trace.read_text())["traceEvents"]
    names = {e["pid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    assert names == {r: f"rank {r}" for r in range(n)}  # one track per rank
    for r in range(n):
        mine = [e for e in events if e.get("pid") == r and e["ph"] != "M"]
        count = lambda name: sum(e["name"] == name and e["ph"] == "X" for e in mine)  # noqa: E731
        assert count("forward") == count("backward") == count("data") == count("optimizer") == 3
        begins = [e for e in mine if e["ph"] == "b"]
        buckets = {e["name"] for e in begins}
        assert len(buckets) >= 2 and len(begins) == 3 * len(buckets)  # every bucket, every step
        assert all(e["args"]["bytes"] > 0 for e in begins)
        ends = {e["id"] for e in mine if e["ph"] == "e"}
        assert {e["id"] for e in begins} == ends
    check_nesting(events)


def test_off_by_default_and_spans_cost_nothing():
    assert timeline.active is None and timeline.now() is None
    with timeline.span("anything") as s:
        assert s is None  # the shared no-op context


def test_one_process_writes_its_track(tmp_path):
    comm = dp.LocalCommunicator()
    timeline.start(tmp_path / "t.json", comm)
    try:
        with timeline.span("outer"):
            with timeline.span("inner", lane=timeline.COMMUNICATION, bytes=4):
                pass
    finally:
        path = timeline.finish()
    events = json.loads(open(path).read())["traceEvents"]
    spans = {e["name"]: e for e in events if e["ph"] == "X"}
    assert set(spans) == {"outer", "inner"} and spans["inner"]["args"] == {"bytes": 4}
    assert spans["inner"]["tid"] == timeline.COMMUNICATION and timeline.active is None
    check_nesting(events)


def test_the_plot_script_draws_a_trace(tmp_path):
    pytest.importorskip("matplotlib")
    import sys
    from mpi_launch import ROOT
    sys.path.insert(0, str(ROOT / "scripts"))
    import plot_timeline
    comm = dp.LocalCommunicator()
    timeline.start(tmp_path / "t.json", comm)
    for _ in range(3):
        with timeline.span("forward"):
            pass
        with timeline.span("backward"):
            start = timeline.now()
            timeline.active.flow("allreduce bucket 0", "communication", start, timeline.now(), bytes=8)
    path = timeline.finish()
    out = tmp_path / "t.png"
    plot_timeline.main([str(path), "--out", str(out)])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5000
