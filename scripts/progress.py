"""Progress of a training epoch that shows wherever the job runs.

On a terminal: a live tqdm bar (steps, ETA, loss, samples/s). tqdm redraws in place at a bounded rate and
sizes itself to the terminal, which is what a live bar needs and what a hand-made one gets wrong. When
stdout is not a terminal (under `mpirun`, redirected to a log file, in a batch scheduler) a bar would be
carriage-return spam, so a plain line is printed instead every 10% of the epoch or every 10 s,
whichever comes first. The caller enables it on rank 0 only.
"""
import sys
import time

try:
    from tqdm import tqdm
except ImportError:  # the plain lines need no dependency
    tqdm = None


class Progress:
    """`start(title, total)`, then `update(step, loss, samples)` per step, then `finish()`.

    `samples` is the number of samples the step processed on all ranks. `interactive` picks the bar
    (True) or the plain lines (False); by default the bar when `stream` is a terminal and tqdm is installed.
    `parts` (a line every 1/parts of the epoch) and `interval` (seconds) bound how often a plain line is
    printed.
    """

    def __init__(self, enabled=True, stream=None, interactive=None, parts=10, interval=10.0,
                 clock=time.perf_counter):
        self.enabled, self.stream = enabled, stream or sys.stdout
        if interactive is None:
            interactive = tqdm is not None and _isatty(self.stream)
        self.interactive, self.parts, self.interval, self.clock = interactive, parts, interval, clock
        self.bar = None

    def start(self, title, total):
        self.title, self.total, self.samples = title, total, 0
        self.begin = self.last = self.clock()
        self.next_step = self._part_step(1)  # the step at which the next 10% line is due
        if self.enabled and self.interactive:
            self.bar = tqdm(total=total, desc=title, unit="step", file=self.stream, dynamic_ncols=True,
                            leave=True)

    def update(self, step, loss, samples):
        self.samples += samples
        if not self.enabled:
            return
        now = self.clock()
        rate = self.samples / max(now - self.begin, 1e-9)
        if self.bar is not None:
            self.bar.set_postfix_str(f"loss {loss:.4f}, {rate:,.0f} samples/s", refresh=False)
            self.bar.update(step - self.bar.n)
            return
        if step < self.next_step and now - self.last < self.interval and step < self.total:
            return
        self.last = now
        self.next_step = self._part_step(step * self.parts // max(self.total, 1) + 1)
        eta = (now - self.begin) / step * (self.total - step)
        self.stream.write(f"{self.title}: {step}/{self.total} steps ({step / max(self.total, 1):.0%}) "
                          f"loss {loss:.4f} {rate:,.0f} samples/s eta {_duration(eta)}\n")
        self.stream.flush()

    def finish(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _part_step(self, k):
        """The first step at or past k parts of the epoch (exact integer arithmetic)."""
        return max(1, -(-k * self.total // self.parts))


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


def _duration(seconds):
    """12s, 3m05s, 1h02m."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m"
