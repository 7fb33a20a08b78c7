"""What a profile shows: its events with self and total times, their averages by name, PyTorch's table and a
Chrome trace (chrome://tracing, Perfetto).

Times are in microseconds, as PyTorch's. An event's total time is its duration; its self time leaves out the
events nested directly inside it on the same thread (a record_function range's ops, a custom Function's Tensor
ops). Memory is what an op's outputs allocate (forward: its result; backward: the gradients it returns); frees
are not tracked.
"""
import gzip
import json
import os

_SORT_KEYS = ("cpu_time", "cpu_time_total", "self_cpu_time_total", "count", "cpu_memory_usage",
              "self_cpu_memory_usage", "device_time", "device_time_total", "self_device_time_total", "cuda_time",
              "cuda_time_total", "self_cuda_time_total", "device_memory_usage", "self_device_memory_usage",
              "cuda_memory_usage", "self_cuda_memory_usage")


class FunctionEvent:
    """One timed op, backward step or range."""

    def __init__(self, id, name, start_ns, end_ns, thread, input_shapes, memory):  # noqa: A002 - PyTorch's name
        self.id, self.name, self.thread = id, name, thread
        self.start_us, self.end_us = start_ns / 1e3, end_ns / 1e3
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.cpu_memory_usage = memory
        self.cpu_parent, self.cpu_children = None, []
        self.count = 1

    key = property(lambda self: self.name)
    cpu_time_total = property(lambda self: self.end_us - self.start_us)
    cpu_time = cpu_time_total
    self_cpu_time_total = property(lambda self: self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children))
    self_cpu_memory_usage = property(lambda self: self.cpu_memory_usage - sum(c.cpu_memory_usage
                                                                              for c in self.cpu_children))
    device_time_total = self_device_time_total = cuda_time_total = self_cuda_time_total = 0.0
    device_memory_usage = self_device_memory_usage = 0

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} cpu_time_total={self.cpu_time_total:.3f}us "
                f"self_cpu_time_total={self.self_cpu_time_total:.3f}us input_shapes={self.input_shapes}>")


class FunctionEventAvg:
    """The events of one name (and, when grouped so, one list of input shapes), summed."""

    def __init__(self, key, input_shapes):
        self.key, self.input_shapes = key, input_shapes
        self.count = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0

    def add(self, event):
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        self.cpu_memory_usage += event.cpu_memory_usage
        self.self_cpu_memory_usage += event.self_cpu_memory_usage
        return self

    cpu_time = property(lambda self: self.cpu_time_total / self.count if self.count else 0.0)
    device_time = device_time_total = self_device_time_total = cuda_time = cuda_time_total = 0.0
    self_cuda_time_total = 0.0
    device_memory_usage = self_device_memory_usage = cuda_memory_usage = self_cuda_memory_usage = 0

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total:.3f}us "
                f"cpu_time={self.cpu_time:.3f}us input_shapes={self.input_shapes}>")


def build_events(raw):
    """FunctionEvents from the recorder's tuples, each linked to the event directly around it (same thread)."""
    events = [FunctionEvent(i, *r) for i, r in enumerate(sorted(raw, key=lambda r: (r[3], r[1], -r[2])))]
    open_ = []
    for e in events:
        while open_ and (open_[-1].thread != e.thread or open_[-1].end_us <= e.start_us):
            open_.pop()
        if open_:
            e.cpu_parent = open_[-1]
            open_[-1].cpu_children.append(e)
        open_.append(e)
    for e in reversed(events):  # children after parents: a range's memory is what the ops inside allocate
        if e.cpu_memory_usage is None:
            e.cpu_memory_usage = sum(c.cpu_memory_usage for c in e.cpu_children)
    events.sort(key=lambda e: (e.start_us, -e.end_us))
    return EventList(events)


class EventList(list):
    """A list of events (or of their averages) with PyTorch's views of them."""

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        """One FunctionEventAvg per name (per name and input shapes with `group_by_input_shape`), in order of
        first appearance."""
        groups = {}
        for e in self:
            name = "ProfilerStep*" if e.key.startswith("ProfilerStep#") else e.key  # the steps as one row
            key = (name, str(e.input_shapes)) if group_by_input_shape else name
            if key not in groups:
                groups[key] = FunctionEventAvg(name, e.input_shapes if group_by_input_shape else None)
            groups[key].add(e)
        return EventList(groups.values())

    def total_average(self):
        """All events summed into one FunctionEventAvg named "Total"."""
        total = FunctionEventAvg("Total", None)
        for e in self:
            total.add(e)
        return total

    @property
    def self_cpu_time_total(self):
        return sum(e.self_cpu_time_total for e in self)

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False, time_unit=None):
        """PyTorch's profiler table: one row per entry, sorted by `sort_by` (descending), at most `row_limit`
        rows, with the total self time below."""
        return format_table(self, sort_by, row_limit, max_name_column_width, max_shapes_column_width, header,
                            top_level_events_only, time_unit)

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (JSON; gzipped when `path` ends in .gz)."""
        trace = {"traceEvents": [_trace_event(e) for e in self if isinstance(e, FunctionEvent)],
                 "displayTimeUnit": "ms"}
        text = json.dumps(trace)
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(os.fspath(path), "wt") as f:
            f.write(text)


def _trace_event(e):
    args = {"Input Dims": e.input_shapes} if e.input_shapes else {}
    kind = "user_annotation" if e.name.startswith("ProfilerStep#") or not e.name[:1].isupper() else "cpu_op"
    return {"ph": "X", "cat": kind, "name": e.name, "pid": os.getpid(), "tid": e.thread, "ts": e.start_us,
            "dur": e.cpu_time_total, "args": args}


def format_time(us, unit=None):
    """Microseconds as PyTorch writes them: 12.000us, 1.234ms, 2.500s (or in `unit`: "s", "ms", "us")."""
    if unit is None:
        unit = "s" if us >= 1e6 else "ms" if us >= 1e3 else "us"
    return f"{us / {'s': 1e6, 'ms': 1e3, 'us': 1.0}[unit]:.3f}{unit}"


def format_memory(nbytes):
    """Bytes as PyTorch writes them: 1.50 MB, 12.00 KB, 8 B."""
    for size, unit in ((1024 ** 3, "GB"), (1024 ** 2, "MB"), (1024, "KB")):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} B"


def format_table(entries, sort_by, row_limit, name_width, shapes_width, header, top_only, unit):
    if sort_by is not None and sort_by not in _SORT_KEYS:
        raise AttributeError(f"profiler table: cannot sort by {sort_by!r}; use one of {', '.join(_SORT_KEYS[:6])}")
    rows = [e for e in entries if not (top_only and getattr(e, "cpu_parent", None) is not None)]
    if sort_by is not None:
        rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
    if row_limit is not None and row_limit > 0:
        rows = rows[:row_limit]
    total = sum(e.self_cpu_time_total for e in entries) or 1.0
    memory = any(e.cpu_memory_usage for e in entries)
    shapes = any(e.input_shapes for e in entries)
    columns = [("Name", lambda e: _clip(e.key, name_width)),
               ("Self CPU %", lambda e: f"{100 * e.self_cpu_time_total / total:.2f}%"),
               ("Self CPU", lambda e: format_time(e.self_cpu_time_total, unit)),
               ("CPU total %", lambda e: f"{100 * e.cpu_time_total / total:.2f}%"),
               ("CPU total", lambda e: format_time(e.cpu_time_total, unit)),
               ("CPU time avg", lambda e: format_time(e.cpu_time_total / max(e.count, 1), unit))]
    if memory:
        columns += [("CPU Mem", lambda e: format_memory(e.cpu_memory_usage)),
                    ("Self CPU Mem", lambda e: format_memory(e.self_cpu_memory_usage))]
    columns.append(("# of Calls", lambda e: str(e.count)))
    if shapes:
        columns.append(("Input Shapes", lambda e: _clip(str(e.input_shapes), shapes_width)))
    cells = [[value(e) for _, value in columns] for e in rows]
    widths = [max([12, len(title)] + [len(r[i]) for r in cells]) for i, (title, _) in enumerate(columns)]
    rule = "  ".join("-" * w for w in widths) + "  "

    def line(values):
        return "  ".join(v.rjust(w) for v, w in zip(values, widths)) + "  "

    out = ([header] if header else []) + [rule, line([t for t, _ in columns]), rule]
    out += [line(r) for r in cells]
    out += [rule, f"Self CPU time total: {format_time(sum(e.self_cpu_time_total for e in entries), unit)}"]
    return "\n".join(out) + "\n"


def _clip(text, width):
    return text if width is None or len(text) <= width else text[:max(width - 3, 0)] + "..."
