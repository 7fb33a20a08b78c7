"""Simulated ranks name both call sites of mismatched collectives, as MPI's debug mode does."""
import numpy as np
import pytest

import ddp.parallel as dp


def test_mismatched_collectives_name_each_call_site():
    def run():
        comm = dp.init()
        if comm.rank == 0:
            comm.allreduce(np.ones(2))  # line A
        else:
            comm.broadcast(np.ones(2))  # line B
    with pytest.raises(RuntimeError) as info:
        dp.spawn(run, world_size=2, timeout=10)
    text = str(info.value)
    assert "collective mismatch in call #0 on 'world'" in text
    here = __file__.rsplit("/", 1)[-1]
    import inspect
    lines = inspect.getsource(run).splitlines()
    first = run.__code__.co_firstlineno
    a = first + next(i for i, l in enumerate(lines) if "line A" in l)
    b = first + next(i for i, l in enumerate(lines) if "line B" in l)
    assert "rank 0 called allreduce at " in text and f"{here}:{a}" in text, text
    assert "rank 1 called broadcast at " in text and f"{here}:{b}" in text, text
