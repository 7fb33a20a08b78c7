"""torch.profiler (and the older torch.autograd.profiler): time each op's forward and backward in a block of
code, to see where a step's time goes.

    with ddp.profiler.profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        with ddp.profiler.record_function("model_inference"):
            model(inputs)
    print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))
    prof.export_chrome_trace("trace.json")

Ops are ddp's own Functions (Linear, Conv2d, ReLU; their backwards as LinearBackward...), not PyTorch's aten
ops. With a `schedule`, `prof.step()` marks the end of each training step: steps are skipped, warmed up or
recorded as the schedule says, and `on_trace_ready(prof)` runs at the end of each recorded cycle
(`tensorboard_trace_handler(dir)` writes it as a trace file there). ddp runs on the CPU: CUDA activity is
accepted and records nothing.
"""
import enum
import os
import socket
import sys
import time

from . import profiler_events
from .profiler_report import EventList, FunctionEvent, FunctionEventAvg, build_events  # noqa: F401

__all__ = ["ProfilerAction", "ProfilerActivity", "profile", "record_function", "schedule",
           "tensorboard_trace_handler", "supported_activities"]


class ProfilerActivity(enum.Enum):
    CPU = 0
    CUDA = 1
    XPU = 2
    MTIA = 3
    HPU = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What the profiler does during a step, as a schedule decides."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities():
    return {ProfilerActivity.CPU}


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """The step -> ProfilerAction function of PyTorch: after `skip_first` steps, cycles of `wait` idle steps,
    `warmup` steps and `active` recorded ones (the last of them RECORD_AND_SAVE), `repeat` times (0: for
    ever). With `skip_first_wait`, the first cycle starts at its warm-up."""
    if min(wait, warmup, repeat, skip_first, skip_first_wait) < 0 or active <= 0:
        raise ValueError("Invalid profiler schedule arguments: wait, warmup, repeat and skip_first must be >= 0 "
                         "and active > 0")
    cycle = wait + warmup + active

    def action(step):
        if step < 0:
            raise ValueError(f"profiler schedule: step must be >= 0, got {step}")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait:
            step += wait
        if repeat > 0 and step >= repeat * cycle:
            return ProfilerAction.NONE
        phase = step % cycle
        if phase < wait:
            return ProfilerAction.NONE
        if phase < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if phase < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return action


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    """An on_trace_ready that writes each recorded cycle to `dir_name` as
    `<worker>.<time in ms>.pt.trace.json` (worker: host_pid by default), the files TensorBoard's profiler
    plugin reads."""
    def handler(prof):
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker}.{time.time_ns() // 1_000_000}.pt.trace.json" + (".gz" if use_gzip else "")
        prof.export_chrome_trace(os.path.join(dir_name, name))

    return handler


class record_function:
    """A named range in the profile (a context manager or a decorator); its time includes the ops inside.
    Costs nothing when no profile records."""

    def __init__(self, name, args=None):
        self.name, self.args = name, args
        self._start = None

    def __enter__(self):
        self._start = time.perf_counter_ns()
        return self

    def __exit__(self, *exc):
        recorder = profiler_events.recorder
        if recorder is not None and self._start is not None:
            recorder.add_range(self.name, self._start)
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with record_function(self.name):
                return fn(*args, **kwargs)
        return wrapped


class profile:
    """Records ops while active (a context manager, or start()/stop()); see the module docstring.

    Args accepted for PyTorch's signature and ignored: with_stack, with_flops, with_modules,
    experimental_config, execution_trace_observer, acc_events, use_cuda. `profile_memory` records the bytes
    each op's outputs allocate.
    """

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False, use_cuda=None,
                 custom_trace_id_callback=None, enabled=True):
        self.activities = set(activities) if activities is not None else supported_activities()
        self.schedule = schedule
        self.on_trace_ready = on_trace_ready
        self.record_shapes, self.profile_memory = record_shapes, profile_memory
        self.enabled = enabled
        self.step_num = 0
        self._recorder = self._previous = None
        self._step_start = None
        self._events = EventList()
        self._action = ProfilerAction.NONE

    # ---- life cycle
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        self.step_num = 0
        self._enter(self._action_at(0))

    def stop(self):
        if self._recorder is not None:
            self._leave(save=True)
        self._action = ProfilerAction.NONE

    def step(self):
        """The end of a training step: move to the next step's action (saving a finished cycle)."""
        previous = self._action
        self.step_num += 1
        following = self._action_at(self.step_num)
        if self._recorder is not None:
            cycle_done = previous == ProfilerAction.RECORD_AND_SAVE or following not in _RECORDING
            if cycle_done:
                self._leave(save=True)
            else:
                self._mark_step()
        self._enter(following)

    def _action_at(self, step):
        if not self.enabled:
            return ProfilerAction.NONE
        return ProfilerAction.RECORD if self.schedule is None else self.schedule(step)

    def _enter(self, action):
        self._action = action
        if action in _RECORDING and self._recorder is None:
            self._recorder = profiler_events.Recorder(self.record_shapes, self.profile_memory)
            self._previous = profiler_events.install(self._recorder)
        if self._recorder is not None and self.schedule is not None:
            self._step_start = time.perf_counter_ns()

    def _mark_step(self):
        """Close the range "ProfilerStep#N" of the step that just ended (only under a schedule, as PyTorch)."""
        if self.schedule is not None and self._step_start is not None:
            self._recorder.add_range(f"ProfilerStep#{self.step_num - 1}", self._step_start)
            self._step_start = None

    def _leave(self, save):
        self._mark_step()
        profiler_events.install(self._previous)
        self._events = build_events(self._recorder.events)
        self._recorder = self._previous = None
        if save and self.on_trace_ready is not None:
            self.on_trace_ready(self)

    # ---- results (of the last recorded cycle)
    def events(self):
        """The recorded FunctionEvents, in order of start."""
        return self._events

    @property
    def function_events(self):  # torch.autograd.profiler.profile's name
        return self._events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        return self._events.key_averages(group_by_input_shape, group_by_stack_n)

    def table(self, *args, **kwargs):
        return self._events.table(*args, **kwargs)

    def total_average(self):
        return self._events.total_average()

    @property
    def self_cpu_time_total(self):
        return self._events.self_cpu_time_total

    def export_chrome_trace(self, path):
        self._events.export_chrome_trace(path)

    def __str__(self):
        return self._events.table()


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)


for _name in ("ddp.autograd.profiler", "ddp.core.autograd.profiler"):  # torch.autograd.profiler's path too
    sys.modules.setdefault(_name, sys.modules[__name__])
