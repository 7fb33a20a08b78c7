"""Non-blocking shared-memory allreduces: a queue of reductions in flight, advanced in the order they started.

A shared-memory allreduce (shm_allreduce.py) is a generator of steps: between steps it yields the MPI
request it waits for (a barrier of the node, a message of the cross-node chain). `Pending` keeps the
reductions started on one node communicator in a FIFO queue and advances only its head, so that every rank
issues the node's barriers in one order, whatever the timing. Three things advance the head:

- ``Work.is_completed()`` (DistributedDataParallel's hooks call it after every gradient): non-blocking;
- ``Work.wait()``: drives the queue, blocking, up to and including that reduction;
- the progress thread (`Progress`, when MPI runs with MPI_THREAD_MULTIPLE and `INTERVAL` > 0): it
  wakes every `INTERVAL` seconds while a queue holds work and makes the non-blocking calls, so a
  reduction goes on while the main thread blocks elsewhere (a receive from a rank that sends only after
  its own wait), as MPI's ``Iallreduce`` does. Without it (``DDP_SHM_PROGRESS=0``, or no
  MPI_THREAD_MULTIPLE) only the caller's tests and waits advance the queue: DDP never blocks between
  starting a bucket and waiting for it, but other code that does so could wait forever.

Nothing blocks in the thread: it tests and sleeps, so it takes little of a core that backward needs, and
it is a daemon that stops at exit before ``MPI_Finalize``. An exception in a step is kept and raised by
``wait()`` on the main thread (for that reduction and every later one of the queue, whose order is then
lost). The blocking allreduce, and any call that makes the node's collectives, first drains the queue.

Measured (``scripts/bench_ddp_sync.py --model deep --bucket-cap-mb 4 --rounds 10 --block 2 --batch 64
--paths``: 20 MB of gradients in nine buckets, two ranks on two cores, interleaved rounds): the earlier
buckets through shared memory instead of MPI_Iallreduce make the sync 1.6x faster and a forward+backward
step 7-11% faster (three runs). The progress thread never measured faster than polling on this machine,
where it shares the core with backward: looking every 0.2 ms made a step of the MNIST MLP (four buckets)
1% faster to 8% slower at two ranks and 60% slower at four, every 5 ms 2-6% slower, every 20 ms (the
default) under 1%, within the noise. So it stays, as a lazy
safety net; on machines with spare cores a shorter ``DDP_SHM_PROGRESS`` may pay off (not measured).
"""
import atexit
import collections
import os
import threading
import time

# seconds between the progress thread's looks while a queue holds work; 0: no thread. A safety net, not a
# speed-up: DDP's hooks advance the queue after every gradient (see "Measured" above)
INTERVAL = float(os.environ.get("DDP_SHM_PROGRESS", "0.02"))


class _Item:
    __slots__ = ("steps", "request", "done", "error")

    def __init__(self, steps):
        self.steps, self.request, self.done, self.error = steps, None, False, None


class Pending:
    """The non-blocking reductions of one node communicator, in the order they started (FIFO)."""

    def __init__(self):
        self._items = collections.deque()
        self._lock = threading.Lock()  # one driver at a time: the main thread or the progress thread

    def __bool__(self):
        return bool(self._items)

    def push(self, steps, thread):
        """Start the generator `steps`; returns its (wait, test) pair. Its first step runs once it heads
        the queue; `thread`: let the progress thread advance it too (needs MPI_THREAD_MULTIPLE)."""
        item = _Item(steps)
        with self._lock:
            self._items.append(item)
            self._advance(block=False)
        if thread and not item.done:
            Progress.get().watch(self)
        return (lambda: self.wait(item)), (lambda: self.test(item))

    def test(self, item):
        """Advance without blocking (unless another thread drives just now); True once `item` is done."""
        if not item.done:
            self.advance()
        return item.done

    def wait(self, item):
        """Drive the queue until `item` is done; raise the error of a step that failed."""
        if not item.done:
            with self._lock:
                while not item.done:
                    self._advance(block=True, until=item)
        if item.error is not None:
            raise RuntimeError(f"shared-memory allreduce failed: {item.error!r}") from item.error

    def drain(self):
        """Finish every reduction in flight (before the caller uses the node's communicator itself)."""
        if self._items:
            with self._lock:
                self._advance(block=True)

    def advance(self):
        """Advance without blocking, unless another thread drives just now (the progress thread's look,
        and `test`'s)."""
        if self._lock.acquire(blocking=False):
            try:
                self._advance(block=False)
            finally:
                self._lock.release()

    def _advance(self, block, until=None):
        """Run the head's steps while their requests are complete (wait for them when `block`)."""
        items = self._items
        while items:
            head = items[0]
            if head.request is not None:
                if block:
                    head.request.Wait()
                elif not head.request.Test():
                    return
            try:
                head.request = next(head.steps)
                continue
            except StopIteration:
                head.done, head.request = True, None
                items.popleft()
            except BaseException as exc:  # the node's ranks are out of step now: fail the rest too
                for item in items:
                    item.done, item.error, item.request = True, exc, None
                items.clear()
            if head is until:
                return


class Progress:
    """The process's progress thread: advances every watched `Pending` while it holds work."""

    _instance = None
    _create = threading.Lock()

    @classmethod
    def get(cls):
        with cls._create:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __init__(self):
        self._queues = []  # Pending queues seen so far (a handful: one per node communicator)
        self._wake = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="ddp-shm-progress", daemon=True)
        self._thread.start()
        atexit.register(self.stop)  # registered after mpi4py's: runs before MPI_Finalize

    def watch(self, queue):
        with self._wake:
            if queue not in self._queues:
                self._queues.append(queue)
            self._wake.notify()

    def stop(self):
        with self._wake:
            self._stop = True
            self._wake.notify()
        self._thread.join(timeout=5)

    def _run(self):
        while True:
            with self._wake:
                while not self._stop and not any(self._queues):
                    self._wake.wait()
                if self._stop:
                    return
                queues = list(self._queues)
            time.sleep(max(INTERVAL, 1e-4))  # not at once: the main thread has just advanced what it started
            for queue in queues:
                queue.advance()
