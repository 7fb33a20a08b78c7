"""spawn(): simulated ranks, rank-order reductions, failures and deadlock reports."""

import importlib.util
import threading

import numpy as np
import pytest

import ddp.parallel as dp


def test_results_ranks_and_init():
    def run(scale):
        comm = dp.init()
        return comm is dp.init(), dp.is_initialized(), dp.get_rank() * scale, dp.get_world_size()
    assert dp.spawn(run, world_size=3, args=(10,)) == [(True, True, 10 * r, 3) for r in range(3)]


def test_sum_in_rank_order_is_bitwise_and_shared():
    xs = [np.random.default_rng(r).standard_normal(1000).astype(np.float32) for r in range(4)]

    def run():
        x = xs[dp.get_rank()].copy()
        dp.init().allreduce(x)
        return x
    got = dp.spawn(run, world_size=4)
    ref = ((xs[0] + xs[1]) + xs[2]) + xs[3]
    for x in got:
        np.testing.assert_array_equal(x.view(np.uint32), ref.view(np.uint32))


def test_broadcast_result_is_not_aliased_to_root_buffer():
    """The root may change its buffer right after broadcast; the others still get the old value."""
    changed = threading.Event()

    def run():
        comm = dp.init()
        x = np.full(3, float(comm.rank))
        comm.broadcast(x, root=0)
        if comm.rank == 0:
            x[:] = -1
            changed.set()
        else:
            assert changed.wait(30)  # read only after the root has overwritten its buffer
        return x.copy()
    got = dp.spawn(run, world_size=3)
    np.testing.assert_array_equal(got[1], np.zeros(3))
    np.testing.assert_array_equal(got[2], np.zeros(3))


def test_exception_is_reraised_with_rank_and_others_are_released():
    seen = {}

    def run():
        comm = dp.init()
        if comm.rank == 1:
            raise ValueError("bad batch on one rank")
        try:
            comm.barrier()  # the others wait here for rank 1
        except BaseException as exc:
            seen[comm.rank] = f"{type(exc).__name__}: {exc}"
            raise
    with pytest.raises(ValueError, match="bad batch") as info:
        dp.spawn(run, world_size=3, timeout=30)
    assert any("rank 1 of 3" in note for note in info.value.__notes__)
    for rank in (0, 2):  # released by rank 1's failure, not by the 30 s timeout
        assert seen[rank] == (f"Aborted: simulated rank {rank} stopped in barrier #0 on 'world': rank 1 raised "
                              f"ValueError: bad batch on one rank")
    assert not [t for t in threading.enumerate() if t.name.startswith("ddp-rank-")]


def test_rank_that_exits_early_is_reported_at_once():
    def run():
        if dp.get_rank() == 0:
            dp.init().allreduce(np.ones(2))
    with pytest.raises(RuntimeError, match=r"rank 0 waits in allreduce #0 on 'world', but rank 1 "
                                           r"has exited"):  # not "timed out after 30 s"
        dp.spawn(run, world_size=2, timeout=30)


def test_deadlock_times_out_with_a_report_of_every_rank():
    def run():
        comm = dp.init()
        comm.barrier()
        if comm.rank == 0:
            comm.recv(np.empty(2), source=1)  # rank 1 never sends: it waits in the barrier
        comm.barrier()
    with pytest.raises(RuntimeError, match="timed out after 1 s") as info:  # time for every rank to arrive
        dp.spawn(run, world_size=3, timeout=1)
    msg = str(info.value)
    assert "waiting in recv from rank 1 (tag 0) on 'world'" in msg
    assert "waiting in barrier #1 on 'world'" in msg


def test_a_rank_in_the_debugger_pauses_the_timeout(tmp_path):
    """Frames from a file named bdb.py (pdb's engine) on a rank's stack stop the clock."""
    (tmp_path / "bdb.py").write_text("import time\ndef stopped(entered):\n    entered.set()\n    time.sleep(0.8)\n")
    spec = importlib.util.spec_from_file_location("fake_pdb_stop", tmp_path / "bdb.py")
    fake = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fake)
    entered = threading.Event()

    def run():
        if dp.get_rank() == 1:
            fake.stopped(entered)  # "sitting at a breakpoint" for 4 timeouts
        else:
            assert entered.wait(30)  # start waiting only once rank 1 is in the "debugger"
        dp.init().barrier()
        return True
    assert dp.spawn(run, world_size=2, timeout=0.2) == [True, True]


def test_iallreduce_is_completed_only_when_every_rank_joined():
    looked = threading.Event()

    def run():
        comm = dp.init()
        if comm.rank == 1:
            assert looked.wait(30)  # join only after rank 0 has looked
        work = comm.iallreduce(np.ones(2))
        early = work.is_completed()
        if comm.rank == 0:
            looked.set()
        x = work.wait()
        return early, work.is_completed(), x.tolist()
    got = dp.spawn(run, world_size=2)
    assert got[0] == (False, True, [2.0, 2.0]) and got[1][1:] == (True, [2.0, 2.0])


def test_timeout_from_environment(monkeypatch):
    monkeypatch.setenv("DDP_SPAWN_TIMEOUT", "0.2")
    done = threading.Event()

    def run():
        if dp.get_rank() == 0:
            dp.init().recv(np.empty(1), source=1)
        else:
            done.wait(30)  # busy in user code until the test has its report
    try:
        with pytest.raises(RuntimeError, match=r"timed out after 0.2 s waiting in recv from rank 1.*"
                                               r"\n  rank 1: running user code \(last call: no call"):
            dp.spawn(run, world_size=2)
    finally:
        done.set()


def test_mismatched_collectives_are_named():
    def run():
        comm = dp.init()
        if comm.rank == 0:
            comm.allreduce(np.ones(2))
        else:
            comm.broadcast(np.ones(2))
    with pytest.raises(RuntimeError, match="collective mismatch in call #0 on 'world': rank 0 "
                                           "called allreduce, rank 1 called broadcast|rank 1 "
                                           "called broadcast, rank 0 called allreduce|mismatch"):
        dp.spawn(run, world_size=2, timeout=10)


def test_shape_mismatch_raises_on_every_rank():
    def run():
        comm = dp.init()
        try:
            comm.allreduce(np.ones(2 + comm.rank))
        except ValueError as exc:
            return str(exc)
    msgs = dp.spawn(run, world_size=2, timeout=10)
    assert msgs[0] == msgs[1]
    assert "allreduce: buffers differ" in msgs[0] and "rank 1: (3,) float64" in msgs[0]


def test_different_roots_or_ops_are_errors():
    def run():
        comm = dp.init()
        errors = []
        for call in (lambda: comm.broadcast(np.ones(2), root=comm.rank),
                     lambda: comm.allreduce(np.ones(2), op=["sum", "max"][comm.rank])):
            try:
                call()
            except ValueError as exc:
                errors.append(str(exc))
        return errors
    errors = dp.spawn(run, world_size=2, timeout=10)[0]
    assert "different root" in errors[0] and "different op" in errors[1]


def test_recv_checks_dtype_and_message_kind():
    def run():
        comm = dp.init()
        errors = []
        if comm.rank == 0:
            comm.send(np.ones(2, np.float32), 1)
            comm.send_object("hello", 1)
        else:
            for call in (lambda: comm.recv(np.empty(2, np.float64), 0),
                         lambda: comm.recv(np.empty(2), 0)):
                try:
                    call()
                except RuntimeError as exc:
                    errors.append(str(exc))
        return errors
    errors = dp.spawn(run, world_size=2, timeout=10)[1]
    assert "dtype float32" in errors[0] and "sent with send_object" in errors[1]


def test_spawn_limits_blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not threadpoolctl.threadpool_info():
        pytest.skip("no BLAS thread pool found")

    def run():
        return {p["num_threads"] for p in threadpoolctl.threadpool_info()
                if p["user_api"] == "blas"}
    assert dp.spawn(run, world_size=2, blas_threads=1)[0] == {1}  # an empty set would be no check


def test_spawn_rejects_bad_world_size():
    with pytest.raises(ValueError, match="world_size must be a positive int"):
        dp.spawn(print, world_size=0)
