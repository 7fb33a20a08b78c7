"""RandomChoice and RandomOrder: which transforms run, how often, in what order."""
import numpy as np
import pytest

from ddp.core.data import transforms as T
from ddp.core.random import Generator


def gen(seed=0):
    return Generator().manual_seed(seed)


def add(k):
    return T.Lambda(lambda x: x + [k])


def test_random_choice_applies_one_with_the_given_weights():
    t = T.RandomChoice([add(0), add(1), add(2)], p=[1, 0, 3], generator=gen())
    picks = [t([])[0] for _ in range(2000)]
    counts = np.bincount(picks, minlength=3)
    assert counts[1] == 0 and 0.70 < counts[2] / 2000 < 0.80
    even = T.RandomChoice([add(0), add(1)], generator=gen())
    assert {even([])[0] for _ in range(50)} == {0, 1}
    assert not t.batched


def test_random_choice_errors():
    with pytest.raises(ValueError, match="at least one transform"):
        T.RandomChoice([])
    with pytest.raises(ValueError, match="one non-negative weight per transform"):
        T.RandomChoice([add(0), add(1)], p=[1.0])


def test_random_order_applies_all_in_a_shuffled_order():
    t = T.RandomOrder([add(0), add(1), add(2)], generator=gen())
    orders = {tuple(t([])) for _ in range(200)}
    assert all(sorted(o) == [0, 1, 2] for o in orders) and len(orders) == 6 and not t.batched
