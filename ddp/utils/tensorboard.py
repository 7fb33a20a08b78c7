"""`ddp.utils.tensorboard` (torch.utils.tensorboard): `SummaryWriter` writes TensorBoard event files.

Needs the `tensorboard` package (`pip install tensorboard`, or `pip install -e ".[tensorboard]"`), whose
event-file writer and protocol buffers it uses; ddp itself never depends on it.

    >>> from ddp.utils.tensorboard import SummaryWriter
    >>> with SummaryWriter("runs/exp1") as writer:
    ...     writer.add_scalar("loss/train", 0.25, global_step=10)
"""
import datetime
import os
import socket
import time

import numpy as np

try:
    from tensorboard.compat.proto.event_pb2 import Event
    from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
except ImportError as exc:
    raise ImportError("ddp.utils.tensorboard needs the tensorboard package, which is not installed: "
                      "pip install tensorboard (or pip install -e \".[tensorboard]\")") from exc

__all__ = ["SummaryWriter"]


class SummaryWriter:
    """Writes scalars and histograms to an event file in `log_dir`, as PyTorch's SummaryWriter does.

    Args:
        log_dir: the folder (default: runs/<date-time>_<hostname><comment>).
        comment: appended to the default log_dir.
        purge_step: accepted for PyTorch's signature; ddp never purges events.
        max_queue: events held before they are written.
        flush_secs: seconds between automatic flushes.
        filename_suffix: appended to the event file's name.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if log_dir is None:
            stamp = datetime.datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = os.fspath(log_dir)
        self.max_queue, self.flush_secs, self.filename_suffix = max_queue, flush_secs, filename_suffix
        self.purge_step = purge_step
        self._writer = EventFileWriter(self.log_dir, max_queue, flush_secs, filename_suffix)
        self._children = {}  # add_scalars' writers, one per sub-tag (its own folder, as PyTorch)

    def get_logdir(self):
        """The folder the event files go to."""
        return self.log_dir

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Record one value of the series `tag` at `global_step`."""
        summary = Summary(value=[Summary.Value(tag=tag, simple_value=_scalar(scalar_value, "add_scalar"))])
        self._add(self._writer, summary, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several series in one chart: each key of `tag_scalar_dict` goes to log_dir/<main_tag>_<key>."""
        if not isinstance(tag_scalar_dict, dict):
            raise TypeError(f"add_scalars: tag_scalar_dict must be a dict of tag -> value, "
                            f"got {type(tag_scalar_dict).__name__}")
        walltime = time.time() if walltime is None else walltime
        for tag, value in tag_scalar_dict.items():
            folder = os.path.join(self.log_dir, f"{main_tag.replace('/', '_')}_{tag}")
            if folder not in self._children:
                self._children[folder] = EventFileWriter(folder, self.max_queue, self.flush_secs,
                                                         self.filename_suffix)
            summary = Summary(value=[Summary.Value(tag=main_tag, simple_value=_scalar(value, "add_scalars"))])
            self._add(self._children[folder], summary, global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """A histogram of `values` (a Tensor or array); `bins` as numpy.histogram takes it, or
        "tensorflow" for TensorFlow's default exponential buckets."""
        array = np.asarray(values.numpy() if hasattr(values, "numpy") else values, dtype=np.float64).ravel()
        if array.size == 0:
            raise ValueError(f"add_histogram: '{tag}' got no values")
        if not np.isfinite(array).all():
            raise ValueError(f"add_histogram: '{tag}' has NaN or infinite values")
        edges = _tensorflow_edges() if bins == "tensorflow" else bins
        counts, limits = np.histogram(array, bins=edges)
        if max_bins is not None and len(counts) > max_bins:
            counts, limits = _merge(counts, limits, max_bins)
        keep = np.flatnonzero(counts)  # empty buckets carry nothing; TensorBoard reads the limits
        first, last = max(keep[0] - 1, 0), min(keep[-1] + 2, len(counts))
        histogram = HistogramProto(min=float(array.min()), max=float(array.max()), num=int(array.size),
                                   sum=float(array.sum()), sum_squares=float(np.dot(array, array)),
                                   bucket_limit=limits[first + 1:last + 1].tolist(),
                                   bucket=counts[first:last].astype(np.float64).tolist())
        self._add(self._writer, Summary(value=[Summary.Value(tag=tag, histo=histogram)]), global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """A text note (shown in TensorBoard's Text tab)."""
        from tensorboard.plugins.text.summary_v2 import text_pb

        self._add(self._writer, text_pb(tag, text_string), global_step, walltime)

    def flush(self):
        """Write every pending event to disk."""
        for writer in (self._writer, *self._children.values()):
            writer.flush()

    def close(self):
        """Flush and close the event files; the writer takes no more events."""
        for writer in (self._writer, *self._children.values()):
            writer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _add(self, writer, summary, step, walltime):
        event = Event(summary=summary, wall_time=time.time() if walltime is None else walltime)
        if step is not None:
            event.step = int(step)
        writer.add_event(event)


def _scalar(value, op):
    """A Python float of a number, a one-element array or a one-element Tensor."""
    if hasattr(value, "item"):
        size = value.numel() if hasattr(value, "numel") else np.size(value)
        if size != 1:
            raise ValueError(f"{op}: the value must be a single number, got {size} elements")
        value = value.item()
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: the value must be a number, got {type(value).__name__}") from None


def _tensorflow_edges():
    """TensorFlow's default histogram buckets: +-1e-12 x 1.1^k up to 1e20, and 0."""
    positive = 1e-12 * 1.1 ** np.arange(int(np.ceil(np.log(1e32) / np.log(1.1))) + 1)
    return np.concatenate([-positive[::-1], [0.0], positive])


def _merge(counts, limits, max_bins):
    """At most max_bins buckets: neighbours summed in groups of equal size (the last may be shorter)."""
    group = -(-len(counts) // max_bins)
    starts = np.arange(0, len(counts), group)
    return np.add.reduceat(counts, starts), np.append(limits[starts], limits[-1])
