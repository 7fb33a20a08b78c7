"""Pipeline model parallelism on simulated ranks (threads): equivalence, schedules, split and errors.

The one-process references run the same ddp ops and optimizers (pipeline_cases.py): they check the
pipelining, while tests/core checks the ops and optimizers against independent references.
"""
import numpy as np
import pytest

import ddp
import ddp.nn as nn
from ddp.parallel import LocalCommunicator, spawn
from ddp.parallel.pipeline import Pipeline, gpipe_schedule, one_f_one_b_schedule
from ddp.parallel.split import partition, split
from pipeline_cases import assert_matches_reference, mlp, train_both


def run_case(world, **case):
    def body():
        stage, reference, pipe, losses = train_both(ddp.parallel.init(), **case)
        assert_matches_reference(stage, reference, losses)
        return [n for n, _ in stage.named_parameters()]

    return spawn(body, world_size=world)


@pytest.mark.parametrize("schedule", ["1f1b", "gpipe"])
@pytest.mark.parametrize("world,stages", [(2, 2), (4, 4), (4, 2)])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_pipelined_training_equals_single_process(schedule, world, stages, optimizer):
    names = run_case(world, stages=stages, schedule=schedule, optimizer=optimizer)
    groups = [names[r:r + stages] for r in range(0, world, stages)]
    for group in groups:  # each layer's parameters on exactly one rank of a pipeline group
        flat = [n for stage_names in group for n in stage_names]
        assert sorted(flat) == sorted(n for n, _ in mlp().named_parameters())


@pytest.mark.parametrize("micro_batches", [1, 2, 3, 8])
@pytest.mark.parametrize("stages", [2, 4])
def test_every_micro_batch_count_completes(micro_batches, stages):
    run_case(stages, stages=stages, micro_batches=micro_batches, steps=1, per_replica=8)


def test_cnn_pipeline_equals_single_process():
    pytest.importorskip("ddp.core.nn.conv")
    run_case(2, model="cnn", stages=2, micro_batches=3)


def schedule_in_flight(ops):
    live, most = 0, 0
    for kind, _ in ops:
        live += 1 if kind == "F" else -1
        most = max(most, live)
    return most


@pytest.mark.parametrize("m", [1, 2, 4, 8])
@pytest.mark.parametrize("p", [2, 4])
def test_schedules_run_each_micro_batch_once_forward_before_backward(m, p):
    for stage in range(p):
        for make in (gpipe_schedule, one_f_one_b_schedule):
            ops = make(m, stage, p)
            assert sorted(i for k, i in ops if k == "F") == list(range(m))
            assert sorted(i for k, i in ops if k == "B") == list(range(m))
            for i in range(m):
                assert ops.index(("F", i)) < ops.index(("B", i))
        assert schedule_in_flight(one_f_one_b_schedule(m, stage, p)) <= min(p - stage, m)
        assert schedule_in_flight(gpipe_schedule(m, stage, p)) == m


def test_partition_minimises_the_slowest_stage():
    assert partition([1, 1, 1, 1], 2) == [2, 2]
    assert partition([5, 1, 1, 1, 1, 1], 2) == [1, 5]
    assert partition([1, 2, 3, 4, 5], 5) == [1, 1, 1, 1, 1]
    assert sum(partition(list(np.arange(10.0)), 3)) == 10


def test_split_keeps_names_and_prints_a_plan():
    comm = LocalCommunicator()
    stage, plan = split(mlp(), stages=1, comm=comm)
    assert [n for n, _ in stage.named_parameters()] == [n for n, _ in mlp().named_parameters()]
    text = str(plan)
    assert "stage" in text and "imbalance" in text and "0:Linear" in text


def test_split_balances_by_measured_time_with_a_sample():
    def body():
        model = mlp()
        stage, plan = split(model, stages=2, sample=ddp.randn(8, 12))
        return plan.balance, plan.cost_unit

    (b0, unit), (b1, _) = spawn(body, world_size=2)
    assert b0 == b1 and sum(b0) == 5 and unit == "time"


@pytest.mark.parametrize("kwargs,message", [
    (dict(stages=6), "6 stages but the model has only 5 layers"),
    (dict(stages=2, balance=[2, 2]), "must be positive and sum to the model's 5 layers"),
    (dict(stages=2, balance=[5]), "has 1 entries for 2 stages"),
])
def test_bad_plans_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        split(mlp(), comm=LocalCommunicator(), **kwargs)


def test_world_size_must_be_a_multiple_of_the_stages():
    def body():
        split(mlp(), stages=2)

    with pytest.raises(ValueError, match="world size 3 does not match 2 stages"):
        spawn(body, world_size=3)


def test_pipeline_rejects_bad_arguments():
    stage, _ = split(mlp(), stages=1, comm=LocalCommunicator())
    with pytest.raises(ValueError, match="unknown schedule"):
        Pipeline(stage, schedule="zigzag", comm=LocalCommunicator())
    pipe = Pipeline(stage, micro_batches=8, comm=LocalCommunicator())
    with pytest.raises(ValueError, match="batch of 4 cannot be split into 8 micro-batches"):
        pipe.step(ddp.randn(4, 12), ddp.tensor([0, 1, 2, 3]), nn.functional.cross_entropy)


def test_predict_and_full_state_dict_round_trip():
    def body():
        ddp.manual_seed(0)
        stage, _ = split(mlp(), stages=2)
        pipe = Pipeline(stage, micro_batches=2)
        x = ddp.randn(5, 12, generator=np.random.default_rng(3))
        return pipe.predict(x).numpy(), pipe.full_state_dict()

    (out0, full), (out1, none) = spawn(body, world_size=2)
    assert none is None
    ddp.manual_seed(0)
    whole = mlp()
    assert list(full) == list(whole.state_dict())
    fresh = mlp()
    fresh.load_state_dict(full)
    x = ddp.randn(5, 12, generator=np.random.default_rng(3))
    np.testing.assert_allclose(out0, whole(x).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(out0, out1)
    np.testing.assert_array_equal(fresh(x).numpy(), whole(x).numpy())
