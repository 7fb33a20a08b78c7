"""The Communicator contract on the local (one rank) and thread (spawn) backends."""

import pytest

from comm_cases import CASES
from ddp.parallel import LocalCommunicator, spawn


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__[5:])
def test_local(case):
    case(LocalCommunicator())


@pytest.mark.parametrize("world_size", [1, 2, 3, 4])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__[5:])
def test_spawn(case, world_size):
    def run():
        import ddp.parallel
        case(ddp.parallel.init())
    spawn(run, world_size=world_size, timeout=20)
