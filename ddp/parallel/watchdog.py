"""The MPI watchdog: no silent hang. A communication call that does not finish in time, or a rank that
leaves while the others still talk to it, ends the whole job with one report.

Every call of an `MPICommunicator` records what it is before it blocks: sequence number, op, dtype,
shape, root and the user's call site (`Call`). A daemon thread on each rank wakes every `POLL` seconds
and looks at its own rank's current call. At half the timeout it warns; at the timeout it asks every
rank's watchdog what its rank is doing, prints one report (for every rank: its call or last call, and
which ranks never arrived) and aborts the job. The watchdogs talk on their own duplicate of
``COMM_WORLD``, so their messages never mix with the user's collectives, and the main thread's calls
stay MPI's blocking ones (the only cost on the hot path is the record: about a microsecond).

A rank that ends (``sys.exit(n)``, or the script returning) tells the other watchdogs how and where,
then waits at exit until every rank has ended. A rank still waiting in a call that needs the one that
left aborts the job with a message naming it, instead of hanging in ``MPI_Finalize`` forever. A job
whose ranks all end normally meets at exit at once: no added delay.
"""
import atexit
import sys
import threading
import time

from mpi4py import MPI

from .callsite import call_site, format_site

POLL = 0.1  # seconds between the watchdog's looks at its rank
ASK_WAIT = 2.0  # seconds a report waits for the other ranks' answers
FORWARD = 0.5  # seconds between printing the report and aborting the job
GRACE = 2.0  # seconds a call may still finish after a rank it needs has ended
_ASK, _STATE, _EXIT = 1, 2, 3  # message tags on the watchdogs' communicator


class Call:
    """One communication call: what, on which communicator (`comm`, its world ranks `members`), with
    which buffer, from where, since when. Formatted only when a report needs it."""

    __slots__ = ("seq", "op", "comm", "members", "dtype", "shape", "root", "peer", "site", "start")

    def __init__(self, seq, op, comm, members, arr=None, root=None, peer=None):
        self.seq, self.op, self.comm, self.members = seq, op, comm, members
        self.dtype, self.shape = (None, None) if arr is None else (arr.dtype, arr.shape)
        self.root, self.peer = root, peer
        self.site = call_site()
        self.start = time.monotonic()

    def fingerprint(self):
        """What every rank's call of one collective must agree on."""
        return (self.seq, self.op, str(self.dtype), self.shape, self.root)

    def spec(self):
        """'float32[68362]', with the root or peer of the call when it has one."""
        if self.dtype is None:
            spec = "object" if self.op.endswith("_object") else ""
        else:
            spec = f"{self.dtype}[{', '.join(map(str, self.shape))}]"
        extras = [spec] if spec else []
        if self.root is not None:
            extras.append(f"root {self.root}")
        if self.peer is not None:
            extras.append(f"peer {self.peer}")
        return ", ".join(extras)

    def describe(self):
        where = "" if self.comm == "world" else f" on {self.comm}"
        spec = self.spec()
        spec = f" ({spec})" if spec else ""
        return f"{self.op} #{self.seq}{where}{spec} at {format_site(self.site)}"


class Watchdog:
    """The watchdog of this rank (one per process; see the module docstring).

    Args:
        timeout: seconds a call may block before the job ends; it warns at half of it.
    """

    def __init__(self, timeout):
        world = MPI.COMM_WORLD
        self.rank, self.size = world.Get_rank(), world.Get_size()
        self.timeout = float(timeout)
        self.side = world.Dup()  # collective: init() runs on every rank
        self.current = None  # the Call the main thread is blocked in, if any
        self.last = None  # the last Call that finished
        self.ended = {}  # world rank -> (how it ended, when this rank heard), from its _EXIT message
        self.exit_info = None  # (code, site) recorded by sys.exit on this rank
        self._warned = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ddp-watchdog", daemon=True)
        self._thread.start()
        self._real_exit = sys.exit
        sys.exit = self._exit
        atexit.register(self._at_exit)  # after mpi4py's own atexit: runs before MPI_Finalize

    # -- the main thread's side: records ---------------------------------------------------------
    def enter(self, call):
        self.current = call

    def leave(self):
        self.last, self.current = self.current, None

    def _exit(self, code=None):
        self.exit_info = (code, call_site())
        self._real_exit(code)

    # -- the thread: look, warn, report ----------------------------------------------------------
    def _run(self):
        while not self._stop.wait(POLL):
            try:
                self._serve()
                self._look()
            except Exception as exc:  # the watchdog must never take a healthy job down
                sys.stderr.write(f"[rank {self.rank}] ddp watchdog stopped: {exc!r}\n")
                return

    def _look(self):
        call = self.current
        if call is None:
            return
        now = time.monotonic()
        waited = now - call.start
        gone = [r for r, (_, heard) in self.ended.items()
                if r in call.members and now - max(heard, call.start) > GRACE]
        if gone:
            r = gone[0]
            self._report(call, f"rank {r} {self.ended[r][0]} while rank {self.rank} waits in "
                               f"{call.describe()}, which needs it")
        elif waited > self.timeout:
            self._report(call, f"rank {self.rank} waited {waited:.0f} s (DDP_TIMEOUT={self.timeout:g}) "
                               f"in {call.describe()}")
        elif waited > self.timeout / 2 and self._warned is not call:
            self._warned = call
            states = self._ask()
            if self._lowest_waiting(states) == self.rank:
                sys.stderr.write(f"[rank {self.rank}] ddp watchdog: waiting {waited:.1f} s in "
                                 f"{call.describe()}; the job ends at {self.timeout:g} s.\n"
                                 f"{_table(states, call)}\n")
                sys.stderr.flush()

    def _report(self, call, headline):
        states = self._ask()
        lowest = self._lowest_waiting(states)
        if lowest is not None and lowest != self.rank:  # the lowest waiting rank reports: answer it
            deadline = time.monotonic() + ASK_WAIT + 2 * POLL
            while time.monotonic() < deadline:  # and report only if it has not ended the job by then
                self._serve()
                time.sleep(0.01)
        sys.stderr.write(f"[rank {self.rank}] ddp watchdog: {headline}; ending the job.\n"
                         f"{_table(states, call)}\n")
        sys.stderr.flush()
        time.sleep(FORWARD)  # the launcher forwards the report before the abort tears its streams down
        MPI.COMM_WORLD.Abort(1)

    def _lowest_waiting(self, states):
        waiting = [r for r, s in states.items() if s and s["phase"] == "waiting"]
        return min(waiting) if waiting else None

    # -- the watchdogs' conversation -------------------------------------------------------------
    def _state(self):
        call = self.current
        if self.exit_info is not None or self._stop.is_set():
            phase = "ended"
        else:
            phase = "running" if call is None else "waiting"
        return {
            "phase": phase, "host": MPI.Get_processor_name(),
            "call": None if call is None else (call.describe(), call.comm, call.seq, time.monotonic() - call.start),
            "last": None if self.last is None else self.last.describe(),
            "ended": self._ending(),
        }

    def _serve(self, state=None):
        """Answer the questions and note the endings that have arrived."""
        status = MPI.Status()
        while self.side.iprobe(source=MPI.ANY_SOURCE, tag=MPI.ANY_TAG, status=status):
            source, tag = status.Get_source(), status.Get_tag()
            message = self.side.recv(source=source, tag=tag)
            if tag == _ASK:
                self.side.send(state or self._state(), dest=source, tag=_STATE)
            elif tag == _EXIT:
                self.ended[source] = (message, time.monotonic())

    def _ask(self):
        """Every rank's state (None where a rank did not answer in time), this one's included."""
        states = {r: None for r in range(self.size)}
        states[self.rank] = self._state()
        for r in range(self.size):
            if r != self.rank:
                self.side.send(None, dest=r, tag=_ASK)
        deadline = time.monotonic() + ASK_WAIT
        status = MPI.Status()
        while time.monotonic() < deadline and any(s is None for s in states.values()):
            if self.side.iprobe(source=MPI.ANY_SOURCE, tag=MPI.ANY_TAG, status=status):
                source, tag = status.Get_source(), status.Get_tag()
                message = self.side.recv(source=source, tag=tag)
                if tag == _STATE:
                    states[source] = message
                elif tag == _ASK:
                    self.side.send(states[self.rank], dest=source, tag=_STATE)
                elif tag == _EXIT:
                    self.ended[source] = (message, time.monotonic())
            else:
                time.sleep(0.01)
        for r, (message, _) in self.ended.items():
            if states[r] is None:
                states[r] = {"phase": "ended", "call": None, "last": None, "ended": message, "host": "?"}
        return states

    # -- ending ----------------------------------------------------------------------------------
    def _ending(self):
        if self.exit_info is None:
            return "ended its script (returned, or raised SystemExit)" if self._stop.is_set() else None
        code, site = self.exit_info
        return f"called sys.exit({code!r}) at {format_site(site)}"

    def _at_exit(self):
        """Tell the others how this rank ended, then meet them at exit, answering questions meanwhile."""
        sys.exit = self._real_exit
        self._stop.set()
        self._thread.join()
        how = self._ending()
        for r in range(self.size):
            if r != self.rank:
                self.side.send(how, dest=r, tag=_EXIT)
        barrier, state = self.side.Ibarrier(), self._state()
        while not barrier.Test():
            self._serve(state)
            time.sleep(0.005)
        self._serve(state)  # drain: no message may stay unreceived at MPI_Finalize
        self.side.Free()


def _table(states, call):
    """One line per rank, then the ranks that never arrived at `call`."""
    lines, missing = [], []
    for r, s in sorted(states.items()):
        if s is None:
            lines.append(f"  rank {r}: no answer (busy outside Python, or gone)")
            missing.append(r)
            continue
        if s["phase"] == "waiting":
            desc, comm, seq, waited = s["call"]
            lines.append(f"  rank {r} ({s['host']}): waiting {waited:.1f} s in {desc}")
            if (comm, seq) != (call.comm, call.seq) or not desc.startswith(call.op + " "):
                missing.append(r)
        else:
            last = s["last"] or "none"
            what = f"ended: {s['ended']}" if s["phase"] == "ended" else "running, not in a communication call"
            lines.append(f"  rank {r} ({s['host']}): {what}; last call: {last}")
            missing.append(r)
    lines.append(f"  never arrived at {call.op} #{call.seq}: "
                 f"{', '.join(f'rank {r}' for r in missing) or 'none (every rank is in a call)'}")
    return "\n".join(lines)
