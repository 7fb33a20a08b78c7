"""A one-line progress bar (carriage return): step, loss, throughput. No dependency, silent when disabled."""
import sys
import time


class Progress:
    """`start(title, total)`, then `update(step, loss, samples)` per step, then `finish()`.

    Redraws at most 10 times a second; `samples` is the number of samples the step processed on all ranks.
    """

    def __init__(self, enabled=True, stream=None, width=24):
        self.enabled, self.stream, self.width = enabled, stream or sys.stdout, width

    def start(self, title, total):
        self.title, self.total, self.samples = title, total, 0
        self.begin = self.last = time.perf_counter()

    def update(self, step, loss, samples):
        self.samples += samples
        now = time.perf_counter()
        if not self.enabled or (now - self.last < 0.1 and step < self.total):
            return
        self.last = now
        done = int(self.width * step / max(self.total, 1))
        rate = self.samples / max(now - self.begin, 1e-9)
        bar = "#" * done + "." * (self.width - done)
        self.stream.write(f"\r{self.title} [{bar}] {step}/{self.total} loss {loss:.4f} {rate:,.0f} samples/s ")
        self.stream.flush()

    def finish(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
