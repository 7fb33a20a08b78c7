"""DistributedDataParallel on simulated ranks (ddp.parallel.spawn) and on one local rank.

The "N ranks equal one process" references run the same ddp ops and optimizers (ddp_cases.py), so what they
check is the distribution; tests/core checks the ops and optimizers against independent references.
"""
import contextlib
import gc

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.parallel as dp
from ddp.parallel.comm import LocalCommunicator
from ddp.parallel.data_parallel import DistributedDataParallel as DDP
from ddp.parallel.metrics import MetricSums, all_reduce_sum, reduce_metrics

from ddp_cases import (MLP, TwoHeads, cross_entropy, data_parallel, have_conv, make_data, make_model,
                       max_rel_error, single_process)


# ------------------------------------------------------------------------------------- equivalence
@pytest.mark.parametrize("world_size", [2, 4])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_ranks_match_one_process_on_the_global_batch(world_size, optimizer):
    x, y = make_data()
    want = single_process("mlp", optimizer, x, y)
    results = dp.spawn(lambda: data_parallel(dp.init(), "mlp", optimizer, x, y), world_size)
    for params, dmodel in results:
        assert len(dmodel.bucket_layout()) > 1  # small buckets: several collectives per backward
        assert max_rel_error(params, want) < 1e-6
    for params, _ in results[1:]:  # replicas stay bitwise identical
        for a, b in zip(params, results[0][0]):
            assert a.tobytes() == b.tobytes()


@pytest.mark.skipif(not have_conv(), reason="ddp.nn.Conv2d has not landed yet")
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_cnn_ranks_match_one_process(optimizer):
    x, y = make_data("cnn")
    want = single_process("cnn", optimizer, x, y)
    results = dp.spawn(lambda: data_parallel(dp.init(), "cnn", optimizer, x, y), 2)
    for params, _ in results:
        assert max_rel_error(params, want) < 1e-6


def test_one_rank_is_the_plain_model():
    x, y = make_data()
    got, dmodel = data_parallel(LocalCommunicator(), "mlp", "sgd", x, y)
    for a, b in zip(got, single_process("mlp", "sgd", x, y)):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------------- gradient layout
def _grads_after_backward(set_to_none):
    comm = dp.init()
    dmodel = DDP(make_model(), comm, bucket_cap_mb=0.001)
    x, y = make_data()
    for step in range(2):
        dmodel.zero_grad(set_to_none)
        cross_entropy(dmodel(ddp.tensor(x[step, comm.rank::2])), ddp.tensor(y[step, comm.rank::2])).backward()
    flats = [b.flat for b in dmodel._buckets]
    views = [any(np.shares_memory(p.grad.numpy(), f) for f in flats) for p in dmodel.parameters()]
    return views, [p.grad.numpy().copy() for p in dmodel.parameters()]


@pytest.mark.parametrize("set_to_none", [True, False])
def test_grads_are_bucket_views_holding_the_average(set_to_none):
    x, y = make_data()
    model = make_model()
    cross_entropy(model(ddp.tensor(x[1])), ddp.tensor(y[1])).backward()
    results = dp.spawn(lambda: _grads_after_backward(set_to_none), 2)
    for views, grads in results:
        assert all(views)
        assert max_rel_error(grads, [p.grad.numpy() for p in model.parameters()]) < 1e-6


def test_buckets_hold_parameters_in_reverse_order_within_the_cap():
    cap = 600 * 4 / 2 ** 20  # 600 floats: fc2.weight (576) and fc1.bias (24) just fit together
    dmodel = DDP(MLP(), LocalCommunicator(), bucket_cap_mb=cap)
    assert dmodel.bucket_layout() == [["fc3.bias", "fc3.weight", "fc2.bias"], ["fc2.weight", "fc1.bias"],
                                      ["fc1.weight"]]
    assert len(DDP(MLP(), LocalCommunicator()).bucket_layout()) == 1


# ------------------------------------------------------------------------------------ construction
def test_construction_broadcasts_rank0_parameters_and_buffers():
    def run():
        comm = dp.init()
        model = make_model(seed=comm.rank)
        model.register_buffer("steps", ddp.tensor([comm.rank + 10]))
        DDP(model, comm)
        return {k: t.numpy().copy() for k, t in model.state_dict().items()}
    results = dp.spawn(run, 3)
    reference = make_model(seed=0).state_dict()
    for state in results:
        assert state.pop("steps").tolist() == [10]
        for k, t in reference.items():
            np.testing.assert_array_equal(state[k], t.numpy())


@pytest.mark.parametrize("change, needle", [
    (lambda m: setattr(m, "fc3", nn.Linear(24, 7)), "'fc3.weight' is a parameter of shape (5, 24) and dtype ddp."
                                                   "float32 on rank 0 but a parameter of shape (7, 24)"),
    (lambda m: setattr(m, "extra", nn.Linear(2, 2)), "'extra.weight' is missing on rank 0 but a parameter of "
                                                    "shape (2, 2) and dtype ddp.float32 on rank 2"),
    (lambda m: m.fc1.bias.requires_grad_(False), "'fc1.bias' is a parameter of shape (24,) and dtype ddp.float32 "
                                                 "on rank 0 but a parameter of shape (24,) and dtype ddp.float32 with "
                                                 "requires_grad=False on rank 2"),
    (lambda m: m._modules.move_to_end("fc1"),
     "ranks 0 and 2 register the same parameters and buffers in a different order (entry 0 is 'fc1.weight' "
     "on rank 0 but 'fc2.weight' on rank 2)"),
])
def test_mismatched_models_raise_on_every_rank(change, needle):
    def run():
        comm = dp.init()
        model = make_model()
        if comm.rank == 2:
            change(model)
        try:
            DDP(model, comm)
        except RuntimeError as exc:
            return str(exc)
    messages = dp.spawn(run, 3)
    assert all(m is not None and needle in m and "on rank 2" in m for m in messages), messages


def test_bad_arguments():
    with pytest.raises(ValueError, match="bucket_cap_mb must be a positive number, got 0"):
        DDP(MLP(), LocalCommunicator(), bucket_cap_mb=0)
    with pytest.raises(TypeError, match="module must be a ddp.nn.Module, got int"):
        DDP(3, LocalCommunicator())
    frozen = MLP().requires_grad_(False)
    with pytest.raises(RuntimeError, match="no parameter that requires grad"):
        DDP(frozen, LocalCommunicator())


# ---------------------------------------------------------------------------------- pass-through
def test_state_dict_has_no_prefix_and_loads_into_a_plain_model():
    dmodel = DDP(make_model(seed=3), LocalCommunicator())
    plain = make_model(seed=4)
    assert list(dmodel.state_dict()) == ["module." + k for k in plain.state_dict()]  # PyTorch's layout
    plain.load_state_dict(dmodel.module.state_dict())
    for a, b in zip(plain.parameters(), dmodel.module.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(RuntimeError, match="keys start with 'module.'; load a plain model's state dict with "
                                           "model.module.load_state_dict"):
        dmodel.load_state_dict(make_model(seed=5).state_dict())
    dmodel.load_state_dict({"module." + k: v for k, v in make_model(seed=5).state_dict().items()})
    np.testing.assert_array_equal(dmodel.module.fc1.weight.numpy(), make_model(seed=5).fc1.weight.numpy())


def test_module_methods_pass_through():
    model = make_model()
    dmodel = DDP(model, LocalCommunicator())
    assert dmodel.module is model
    assert [n for n, _ in dmodel.named_parameters()] == ["module." + n for n, _ in model.named_parameters()]
    assert all(a is b for a, b in zip(dmodel.parameters(), model.parameters()))
    assert dmodel.eval() is dmodel and not model.training and not dmodel.training
    assert dmodel.train() is dmodel and model.training
    x = ddp.randn(3, 12)
    np.testing.assert_array_equal(dmodel(x).numpy(), model(x).numpy())
    assert "(module): MLP(" in repr(dmodel)


def test_buffers_are_broadcast_after_each_synchronized_forward():
    """PyTorch's rule (checked against PyTorch's gloo DDP): a forward broadcasts rank 0's buffers when the
    forward before it recorded outside no_sync (or it is the first); so the eval forward after training
    sees rank 0's statistics on every rank, whatever the mode."""
    def run():
        comm = dp.init()
        dmodel = DDP(make_model(), comm)
        dmodel.module.register_buffer("stat", ddp.zeros(3))
        x, seen = ddp.randn(2, 12), []

        def forward(grad=True, sync=True, train=True):
            dmodel.module.stat.numpy()[...] = comm.rank + 1  # e.g. running stats that drifted apart
            dmodel.train(train)
            with contextlib.ExitStack() as stack:
                if not grad:
                    stack.enter_context(ddp.no_grad())
                if not sync:
                    stack.enter_context(dmodel.no_sync())
                out = dmodel(x)
                if grad:
                    out.sum().backward()
            seen.append(int(dmodel.module.stat.numpy()[0]))

        forward(train=False)  # the first forward
        forward(grad=False, train=False)  # after a recorded one
        forward(grad=False, train=False)  # after one under no_grad: no broadcast
        forward()  # likewise
        forward()
        forward(sync=False)  # after a synchronized one
        forward()  # after one under no_sync: no broadcast
        return seen
    r0, r1 = dp.spawn(run, 2)
    assert r0 == [1] * 7 and r1 == [1, 1, 2, 2, 1, 1, 2]


# --------------------------------------------------------------------------- accumulation, unused
def test_no_sync_accumulates_then_reduces_the_sum():
    x, y = make_data(steps=3)
    model = make_model()
    for xb, yb in zip(x, y):
        cross_entropy(model(ddp.tensor(xb)), ddp.tensor(yb)).backward()
    want = [p.grad.numpy() for p in model.parameters()]

    def run():
        comm = dp.init()
        dmodel = DDP(make_model(), comm, bucket_cap_mb=0.001)
        rows = slice(comm.rank, None, comm.world_size)
        with dmodel.no_sync():
            for xb, yb in zip(x[:-1], y[:-1]):
                cross_entropy(dmodel(ddp.tensor(xb[rows])), ddp.tensor(yb[rows])).backward()
            local = [p.grad.numpy().copy() for p in dmodel.parameters()]
        cross_entropy(dmodel(ddp.tensor(x[-1, rows])), ddp.tensor(y[-1, rows])).backward()
        return local, [p.grad.numpy().copy() for p in dmodel.parameters()]
    (local0, g0), (local1, g1) = dp.spawn(run, 2)
    assert max_rel_error(local0, local1) > 1e-3  # no communication inside no_sync
    assert max_rel_error(g0, want) < 1e-6
    assert all(a.tobytes() == b.tobytes() for a, b in zip(g0, g1))


def _two_heads_grads(find_unused, steps=2, static_graph=False):
    comm = dp.init()
    ddp.manual_seed(0)
    dmodel = DDP(TwoHeads(), comm, bucket_cap_mb=1e-5, find_unused_parameters=find_unused, static_graph=static_graph)
    dmodel.module.use_head = comm.rank == 0
    x = ddp.tensor(np.arange(8, dtype=np.float32).reshape(2, 4) / 8 + comm.rank)
    for _ in range(steps):
        dmodel.zero_grad()
        dmodel(x).sum().backward()
    return {n: None if p.grad is None else p.grad.numpy().copy() for n, p in dmodel.module.named_parameters()}


@pytest.mark.parametrize("static_graph", [False, True], ids=["find_unused", "static_graph"])
def test_unused_parameters_are_zero_filled_or_stay_none(static_graph):
    got = dp.spawn(lambda: _two_heads_grads(not static_graph, static_graph=static_graph), 2)
    local = []
    for rank in range(2):
        ddp.manual_seed(0)
        model = TwoHeads()
        model.use_head = rank == 0
        model(ddp.tensor(np.arange(8, dtype=np.float32).reshape(2, 4) / 8 + rank)).sum().backward()
        local.append({n: p.grad for n, p in model.named_parameters()})
    for grads in got:
        assert grads["spare.weight"] is None and grads["spare.bias"] is None  # unused on every rank
        np.testing.assert_allclose(grads["head.weight"], local[0]["head.weight"].numpy() / 2, rtol=1e-6)
        body = (local[0]["body.weight"].numpy() + local[1]["body.weight"].numpy()) / 2
        np.testing.assert_allclose(grads["body.weight"], body, rtol=1e-6)
    assert all(got[0][n] is None or got[0][n].tobytes() == got[1][n].tobytes() for n in got[0])


def test_unused_parameters_without_find_unused_raise_at_the_next_forward():
    # whichever rank raises first is reported; rank 1 also lists 'head.*', which it does not use
    with pytest.raises(RuntimeError, match=r"a new forward started before the gradients of the previous "
                                           r"backward were reduced: on rank [01], parameters 'spare.bias', "
                                           r"'spare.weight'(, 'head.bias', 'head.weight')? received no gradient"
                                           r".*find_unused_parameters=True"):
        dp.spawn(lambda: _two_heads_grads(False), 2)


def test_incomplete_reduction_is_reported_by_finish_gradient_synchronization():
    dmodel = DDP(TwoHeads(), LocalCommunicator(), bucket_cap_mb=1e-5)
    dmodel.finish_gradient_synchronization()  # nothing pending
    dmodel.module.use_head = False
    dmodel(ddp.randn(2, 4)).sum().backward()
    with pytest.raises(RuntimeError, match="finish_gradient_synchronization\\(\\) was called before .* parameters "
                                           "'spare.bias', 'spare.weight', 'head.bias', 'head.weight' received"):
        dmodel.finish_gradient_synchronization()


def test_gradient_for_a_parameter_marked_unused_raises():
    dmodel = DDP(TwoHeads(), LocalCommunicator(), bucket_cap_mb=1e-5, find_unused_parameters=True)
    out = dmodel(ddp.randn(2, 4))
    dmodel.module.use_head = False
    dmodel(ddp.randn(2, 4))  # the unused set is that of the latest forward
    with pytest.raises(RuntimeError, match="'head.(weight|bias)' was marked unused by find_unused_parameters"):
        out.sum().backward()


def test_forward_without_backward_needs_no_communication():
    def run():
        comm = dp.init()
        dmodel = DDP(TwoHeads(), comm, find_unused_parameters=True)
        if comm.rank == 0:
            dmodel(ddp.randn(2, 4))  # e.g. a validation loss in train mode, on one rank only
        dmodel(ddp.randn(2, 4)).sum().backward()
        dmodel.finish_gradient_synchronization()
        return dmodel.module.body.weight.grad.numpy().copy()
    g0, g1 = dp.spawn(run, 2)
    assert g0.tobytes() == g1.tobytes()


class CountingComm(LocalCommunicator):
    calls = 0

    def _allreduce(self, arr, op):
        CountingComm.calls += 1


def test_a_discarded_wrapper_stops_reducing():
    model = make_model()
    dmodel = DDP(model, CountingComm())
    cross_entropy(dmodel(ddp.randn(4, 12)), ddp.tensor([0, 1, 2, 3])).backward()
    assert CountingComm.calls == 1  # one bucket
    assert all(p._grad_buffer is not None for p in model.parameters())  # gradients go to the buckets
    del dmodel
    gc.collect()  # in case anything still held it in a reference cycle
    assert all(p._grad_buffer is None for p in model.parameters())  # and to fresh arrays again
    second = DDP(model, LocalCommunicator(), bucket_cap_mb=0.001)
    cross_entropy(second(ddp.randn(4, 12)), ddp.tensor([0, 1, 2, 3])).backward()
    assert CountingComm.calls == 1


# --------------------------------------------------------------------------------------- metrics
def test_metrics_reduce_exactly_over_unequal_shards():
    rng = np.random.default_rng(0)
    logits, target = rng.standard_normal((11, 4)).astype(np.float32), rng.integers(0, 4, 11)
    losses = rng.random(11)

    def run():
        comm = dp.init()
        rows = np.arange(comm.rank, 11, comm.world_size)  # 4, 4, 3 samples
        sums = MetricSums()
        for half in np.array_split(rows, 2):
            sums.update(ddp.tensor(losses[half].mean()), ddp.tensor(logits[half]), ddp.tensor(target[half]))
        totals = all_reduce_sum({"n": len(rows), "v": np.ones(2) * comm.rank}, comm)
        return sums.compute(), totals, reduce_metrics(1.0, 1, 1, comm)
    for metrics, totals, ones in dp.spawn(run, 3):
        assert metrics.count == 11
        assert metrics.loss == pytest.approx(losses.mean(), rel=1e-6)
        assert metrics.accuracy == pytest.approx((logits.argmax(1) == target).mean())
        assert totals["n"] == 11.0 and totals["v"].tolist() == [3.0, 3.0]
        assert ones == (1.0, 1.0, 3)


def test_metric_errors():
    with pytest.raises(ValueError, match="pass the batch size n or the target"):
        MetricSums().update(0.5)
    empty = MetricSums().compute(LocalCommunicator())
    assert empty.count == 0 and np.isnan(empty.loss)


# --------------------------------------------------------------------------- the wrapper is a Module
def test_the_wrapper_is_a_module_its_parent_saves_and_moves():
    class WithDDP(nn.Module):
        def __init__(self):
            super().__init__()
            self.g = DDP(nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)), LocalCommunicator())
            self.head = nn.Linear(2, 1)

    model = WithDDP()
    assert isinstance(model.g, nn.Module) and len(list(model.parameters())) == 6
    assert list(model.state_dict()) == ["g.module.0.weight", "g.module.0.bias", "g.module.1.weight",
                                        "g.module.1.bias", "g.module.1.running_mean", "g.module.1.running_var",
                                        "g.module.1.num_batches_tracked", "head.weight", "head.bias"]
    model.eval()
    assert not model.g.training and not model.g.module[1].training
    assert model.g.to("cpu") is model.g and model.g.get_submodule("module.0") is model.g.module[0]
    assert [type(m).__name__ for m in model.g.modules()] == ["DistributedDataParallel", "Sequential", "Linear",
                                                             "BatchNorm1d"]
    calls = []
    model.g.register_forward_hook(lambda m, args, out: calls.append(out.shape))
    model.g.apply(lambda m: None)
    model.g.train()
    model.g(ddp.randn(3, 2)).sum().backward()
    assert calls == [(3, 2)]
    assert repr(model.g).startswith("DistributedDataParallel(\n  (module): Sequential(")
