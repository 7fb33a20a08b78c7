"""`split` gives every stage parameters whenever the model allows it (the balance search is constrained),
and the README's pipelined example works on an ordinary model."""
import ddp
import ddp.nn as nn
import ddp.nn.functional as F
import ddp.parallel as dp
from ddp.parallel.split import partition


def test_partition_keeps_a_marked_item_in_every_group():
    assert partition([1, 10, 1, 1], 3) == [1, 1, 2]  # the middle group would hold no parameters
    assert partition([1, 10, 1, 1], 3, required=[True, False, True, True]) == [1, 2, 1]
    assert partition([5, 1, 1, 5], 2, required=[True, False, False, False]) == [2, 2]  # impossible: dropped


def test_an_eight_layer_mlp_on_four_stages_has_parameters_on_every_stage():
    def run():
        ddp.manual_seed(0)
        layers = []
        for _ in range(4):
            layers += [nn.Linear(32, 32), nn.ReLU()]
        model = nn.Sequential(*layers)
        stage, plan = dp.split(model, stages=4, sample=ddp.randn(64, 32))
        return plan.balance, [plan.stage_params(s) for s in range(plan.num_stages)], len(list(stage.parameters()))
    for balance, params, mine in dp.spawn(run, 4):
        assert sum(balance) == 8 and all(p > 0 for p in params), (balance, params)
        assert mine > 0


def test_the_readme_pipeline_example_trains_an_ordinary_model():
    def run():
        ddp.manual_seed(0)
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
        x, y = ddp.randn(64, 1, 28, 28), ddp.randint(0, 10, (64,))
        stage, plan = dp.split(model, stages=2, sample=x[:64])
        pipe = dp.Pipeline(stage, micro_batches=8, schedule="1f1b")
        opt = ddp.optim.SGD(stage.parameters(), lr=0.01)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            losses.append(pipe.step(x, y, F.cross_entropy))
            opt.step()
        return losses
    losses = dp.spawn(run, 2)
    assert losses[0] == losses[1] and losses[0][-1] < losses[0][0]


def test_hybrid_mode_reduces_each_stage_with_distributed_data_parallel():
    from ddp.parallel.data_parallel import DistributedDataParallel

    def run():
        ddp.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 4))
        stage, _ = dp.split(model, stages=2, balance=[2, 1])
        pipe = dp.Pipeline(stage, micro_batches=2)
        x, y = ddp.randn(8, 8), ddp.randint(0, 4, (8,))
        pipe.step(x, y, F.cross_entropy)
        return type(pipe._replicated), [p.grad.numpy().copy() for p in stage.parameters()]
    results = dp.spawn(run, 4)  # 2 stages x 2 replicas
    assert all(kind is DistributedDataParallel for kind, _ in results)
    for r in (0, 1):  # the replicas of a stage hold the same averaged gradient, bitwise
        assert all(a.tobytes() == b.tobytes() for a, b in zip(results[r][1], results[r + 2][1]))
