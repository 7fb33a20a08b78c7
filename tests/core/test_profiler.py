"""ddp.profiler (torch.profiler, torch.autograd.profiler): what is recorded, self and total times from known
timings, the table, schedules (against PyTorch's), steps, traces, and that nothing records outside a profile."""
import gzip
import importlib
import json

import numpy as np
import pytest

import ddp
from ddp.core import profiler_events
from ddp.core.profiler_report import build_events, format_memory, format_time
from ddp.profiler import ProfilerAction, ProfilerActivity, profile, record_function, schedule


def _model(lib):
    return lib.nn.Sequential(lib.nn.Linear(6, 5), lib.nn.ReLU(), lib.nn.Linear(5, 2))


def _tutorial(lib):
    """The profiler recipe's program: a named range around inference, then a backward."""
    prof_mod = importlib.import_module(lib.__name__ + ".profiler")
    model, x = _model(lib), lib.randn(4, 6)
    with prof_mod.profile(activities=[prof_mod.ProfilerActivity.CPU], record_shapes=True,
                          profile_memory=True) as prof:
        with prof_mod.record_function("model_inference"):
            out = model(x)
        out.sum().backward()
    return prof


def test_ops_ranges_and_backwards_are_recorded():
    prof = _tutorial(ddp)
    names = [e.name for e in prof.events()]
    assert names[0] == "model_inference"
    assert names.count("Linear") == 2 and "Relu" in names and names.count("LinearBackward") == 2
    rng = prof.events()[0]
    inside = [e for e in prof.events() if e.cpu_parent is rng]
    assert [e.name for e in inside] == ["Linear", "Relu", "Linear"]
    assert rng.self_cpu_time_total == pytest.approx(rng.cpu_time_total - sum(e.cpu_time_total for e in inside))
    linear = next(e for e in prof.events() if e.name == "Linear")
    assert linear.input_shapes == [[4, 6], [5, 6], [5]]
    assert linear.cpu_memory_usage == 4 * 5 * 4  # its float32 output
    averages = {a.key: a for a in prof.key_averages()}
    assert averages["Linear"].count == 2
    assert averages["Linear"].cpu_time == pytest.approx(averages["Linear"].cpu_time_total / 2)
    assert profiler_events.recorder is None  # nothing records after the block


def test_the_table_has_pytorchs_columns():
    torch = pytest.importorskip("torch")
    tables = [_tutorial(lib).key_averages().table(sort_by="cpu_time_total", row_limit=5) for lib in (ddp, torch)]
    headers = [[line for line in t.splitlines() if "Name" in line][0].split("  ") for t in tables]
    assert [h.strip() for h in headers[0] if h.strip()] == [h.strip() for h in headers[1] if h.strip()]
    for t in tables:
        assert "model_inference" in t and t.strip().splitlines()[-1].startswith("Self CPU time total:")


def _raw(name, start_us, end_us, thread=1, memory=0):
    return (name, int(start_us * 1000), int(end_us * 1000), thread, [], memory)


def test_self_and_total_times_from_known_timings():
    """A range of 100us holding ops of 30 and 20us (the second holding one of 5us); another thread's op
    overlapping in time is not a child."""
    events = build_events([_raw("step", 0, 100, memory=None), _raw("A", 10, 40, memory=64), _raw("B", 50, 70, memory=32),
                           _raw("C", 55, 60, memory=8), _raw("other", 20, 90, thread=2, memory=16)])
    by = {e.name: e for e in events}
    assert [e.name for e in events] == ["step", "A", "other", "B", "C"]
    assert by["step"].cpu_time_total == pytest.approx(100)
    assert by["step"].self_cpu_time_total == pytest.approx(50)
    assert by["B"].self_cpu_time_total == pytest.approx(15) and by["C"].cpu_parent is by["B"]
    assert by["other"].cpu_parent is None and by["other"].self_cpu_time_total == pytest.approx(70)
    assert by["step"].cpu_memory_usage == 96 and by["step"].self_cpu_memory_usage == 0
    assert events.self_cpu_time_total == pytest.approx(50 + 30 + 15 + 5 + 70)
    table = events.table(sort_by="self_cpu_time_total")
    rows = [line.split() for line in table.splitlines()[3:-2]]
    assert [r[0] for r in rows] == ["other", "step", "A", "B", "C"]
    assert rows[1][1:3] == ["29.41%", "50.000us"] and rows[1][3:5] == ["58.82%", "100.000us"]  # of 170us
    top = events.table(top_level_events_only=True)
    assert "  A  " not in top and "step" in top and "other" in top
    assert len(events.table(row_limit=2).splitlines()) == 3 + 2 + 2
    total = events.total_average()
    assert total.count == 5 and total.self_cpu_time_total == pytest.approx(170)
    with pytest.raises(AttributeError, match="cannot sort by"):
        events.table(sort_by="speed")


def test_time_and_memory_formats():
    assert [format_time(t) for t in (12, 1234.5, 2.5e6)] == ["12.000us", "1.234ms", "2.500s"]
    assert format_time(1500, "us") == "1500.000us"
    assert [format_memory(b) for b in (8, 12 * 1024, 1.5 * 1024 ** 2, -2048)] == ["8 B", "12.00 KB", "1.50 MB",
                                                                               "-2.00 KB"]


SCHEDULES = [dict(wait=1, warmup=1, active=2), dict(wait=0, warmup=0, active=1, repeat=2),
             dict(wait=2, warmup=1, active=3, repeat=1, skip_first=2), dict(wait=1, warmup=0, active=2, skip_first_wait=1)]


@pytest.mark.parametrize("kwargs", SCHEDULES)
def test_schedule_actions_match_pytorch(kwargs):
    torch = pytest.importorskip("torch")
    mine = [schedule(**kwargs)(s).name for s in range(16)]
    theirs = [torch.profiler.schedule(**kwargs)(s).name for s in range(16)]
    assert mine == theirs


def test_schedule_without_pytorch():
    actions = [schedule(wait=1, warmup=1, active=2, repeat=1)(s) for s in range(6)]
    assert actions == [ProfilerAction.NONE, ProfilerAction.WARMUP, ProfilerAction.RECORD,
                       ProfilerAction.RECORD_AND_SAVE, ProfilerAction.NONE, ProfilerAction.NONE]
    with pytest.raises(ValueError, match="Invalid profiler schedule"):
        schedule(wait=0, warmup=0, active=0)


def test_steps_record_what_the_schedule_says():
    model, x = _model(ddp), ddp.randn(4, 6)
    saved = []
    with profile(schedule=schedule(wait=1, warmup=1, active=2, repeat=2),
                 on_trace_ready=lambda p: saved.append([e.name for e in p.events() if e.cpu_parent is None])) as prof:
        for _ in range(10):
            model(x).sum().backward()
            prof.step()
    assert saved == [["ProfilerStep#2", "ProfilerStep#3"], ["ProfilerStep#6", "ProfilerStep#7"]]
    averages = {a.key: a.count for a in prof.key_averages()}
    assert averages["ProfilerStep*"] == 2 and averages["Linear"] == 4
    assert profiler_events.recorder is None


def test_record_function_as_decorator_and_outside_a_profile():
    @record_function("loss")
    def loss(x):
        return (x * x).sum()

    assert loss(ddp.ones(3)).item() == 3.0  # no profile: just runs
    with profile() as prof:
        loss(ddp.ones(3))
    assert [e.name for e in prof.events()][0] == "loss"
    assert [e.name for e in prof.events() if e.cpu_parent is not None] == ["Mul", "Sum"]


def test_a_failing_block_still_stops_recording():
    with pytest.raises(ValueError):
        with profile():
            ddp.ones(2) + 1
            raise ValueError("boom")
    assert profiler_events.recorder is None


def test_chrome_trace_and_tensorboard_handler(tmp_path):
    prof = _tutorial(ddp)
    prof.export_chrome_trace(tmp_path / "trace.json")
    trace = json.loads((tmp_path / "trace.json").read_text())
    events = trace["traceEvents"]
    assert {e["ph"] for e in events} == {"X"} and events[0]["name"] == "model_inference"
    linear = next(e for e in events if e["name"] == "Linear")
    assert linear["args"]["Input Dims"] == [[4, 6], [5, 6], [5]] and linear["dur"] > 0
    prof.export_chrome_trace(tmp_path / "trace.json.gz")
    assert json.loads(gzip.open(tmp_path / "trace.json.gz", "rt").read())["traceEvents"] == events
    with profile(on_trace_ready=ddp.profiler.tensorboard_trace_handler(str(tmp_path / "tb"), worker_name="w0")):
        ddp.ones(2) * 2
    files = list((tmp_path / "tb").iterdir())
    assert len(files) == 1 and files[0].name.startswith("w0.") and files[0].name.endswith(".pt.trace.json")


def test_older_autograd_profiler_path():
    import ddp.autograd.profiler as legacy
    with ddp.autograd.profiler.profile(record_shapes=True) as prof:
        with legacy.record_function("block"):
            ddp.ones(2, 3).sum()
    assert prof.function_events[0].name == "block" and prof.self_cpu_time_total > 0
    assert "block" in str(prof.key_averages())
    assert ProfilerActivity.CPU in ddp.profiler.supported_activities()


def test_profile_memory_counts_new_arrays_not_views():
    with profile(profile_memory=True) as prof:
        x = ddp.ones(10, 10)
        x.view(100)
        x * 2
    memory = {e.name: e.cpu_memory_usage for e in prof.events()}
    assert memory["Mul"] == 400
    assert all(v == 0 for k, v in memory.items() if k != "Mul")
    assert np.isfinite(prof.self_cpu_time_total)
