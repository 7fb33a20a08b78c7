"""ddp.utils.checkpoint (torch.utils.checkpoint): a checkpointed segment gives the plain model's outputs and
gradients, keeps none of its activations between forward and backward, replays its random draws, and
follows PyTorch's two variants where they differ."""
import gc
import warnings
import weakref

import numpy as np
import pytest

import ddp
import ddp.nn as nn
import ddp.parallel as dp
from ddp.utils.checkpoint import checkpoint, checkpoint_sequential


def _block(seed=0):
    ddp.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(0.3), nn.Linear(8, 3))


def _grads(model, x):
    return [p.grad.numpy().copy() for p in model.parameters()] + [x.grad.numpy().copy()]


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_outputs_and_gradients_are_the_plain_models_dropout_included(use_reentrant):
    model, x = _block(), ddp.randn(5, 4, requires_grad=True)
    ddp.manual_seed(7)
    plain = model(x)
    (plain * plain).sum().backward()
    expected = _grads(model, x)
    after_plain = ddp.rand(3).numpy()  # the random stream after one forward
    model.zero_grad()
    x.grad = None
    ddp.manual_seed(7)
    out = checkpoint(model, x, use_reentrant=use_reentrant)
    assert np.array_equal(out.detach().numpy(), plain.detach().numpy())
    (out * out).sum().backward()
    for got, want in zip(_grads(model, x), expected):
        assert np.array_equal(got, want)  # the same masks, the same arithmetic
    assert np.array_equal(ddp.rand(3).numpy(), after_plain)  # recomputing in backward drew nothing new


def test_the_segment_is_one_node_over_its_reads_and_keeps_no_activation():
    model, x = _block(), ddp.randn(5, 4, requires_grad=True)
    inside = []

    def segment(t):
        h = model[1](model[0](t))
        inside.append(weakref.ref(h))  # an activation of the segment
        return model[3](h)
    out = checkpoint(segment, x, use_reentrant=False)
    gc.collect()
    assert inside[0]() is None  # the recorded graph, and the activation with it, is gone
    assert out.grad_fn.name() == "CheckpointFunctionBackward"
    assert len(out.grad_fn.next_functions) == 1 + 4  # x, then the four parameters the segment read
    out.sum().backward()
    assert x.grad is not None and all(p.grad is not None for p in model.parameters())


def test_without_an_input_that_requires_grad_the_variants_differ():
    model, x = _block(), ddp.randn(5, 4)
    out = checkpoint(model, x, use_reentrant=False)  # the parameters alone make it differentiable
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = checkpoint(model, x, use_reentrant=True)
    assert not out.requires_grad and out.grad_fn is None


def test_use_reentrant_unset_warns_and_means_true():
    model, x = _block(), ddp.randn(5, 4)
    with pytest.warns(UserWarning, match="pass use_reentrant explicitly"):
        out = checkpoint(model, x)
    assert not out.requires_grad  # True's rule: no tensor argument requires grad


def test_keyword_arguments_pass_through_only_without_reentrancy():
    lin, x = nn.Linear(3, 3), ddp.randn(2, 3, requires_grad=True)

    def scaled(t, scale=1.0):
        return lin(t) * scale
    checkpoint(scaled, x, scale=2.0, use_reentrant=False).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * lin.weight.numpy().sum(0)[None].repeat(2, 0), rtol=1e-6)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
        checkpoint(scaled, x, scale=2.0, use_reentrant=True)


def test_tuple_outputs_each_carry_gradients_and_other_values_pass_through():
    lin = nn.Linear(3, 3)
    x = ddp.randn(2, 3, requires_grad=True)
    a, b, label = checkpoint(lambda t: (lin(t), t * 3, "tag"), x, use_reentrant=False)
    assert label == "tag"
    (a.sum() + b.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), lin.weight.numpy().sum(0)[None].repeat(2, 0) + 3, rtol=1e-6)
    assert lin.weight.grad is not None


def test_an_identity_segment_returns_a_tensor_tied_to_its_input():
    x = ddp.randn(3, requires_grad=True)
    y = checkpoint(lambda t: t, x, use_reentrant=False)
    y.sum().backward()
    assert np.array_equal(x.grad.numpy(), np.ones(3, np.float32))


def test_an_input_modified_in_place_before_backward_is_an_error():
    lin = nn.Linear(3, 3)
    x = ddp.randn(2, 3, requires_grad=True)
    h = x * 1  # a non-leaf input, modifiable in place
    out = checkpoint(lin, h, use_reentrant=False)
    with ddp.no_grad():
        h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_a_recomputation_of_other_shapes_is_an_error():
    calls = []

    def unstable(t):
        calls.append(1)
        return t[: len(calls)] * 2
    out = checkpoint(unstable, ddp.randn(4, requires_grad=True), use_reentrant=False)
    with pytest.raises(RuntimeError, match="recomputation gave outputs of other shapes"):
        out.sum().backward()


def test_without_grad_mode_the_function_just_runs():
    model, x = _block(), ddp.randn(5, 4, requires_grad=True)
    with ddp.no_grad():
        out = checkpoint(model, x, use_reentrant=False)
    assert out.grad_fn is None and not out.requires_grad


def test_unpreserved_random_state_draws_new_masks_in_backward():
    ddp.manual_seed(3)
    x = ddp.ones(1000, requires_grad=True)
    drop = nn.Dropout(0.5)
    out = checkpoint(drop, x, use_reentrant=False, preserve_rng_state=False)
    out.sum().backward()
    kept_forward, kept_backward = out.detach().numpy() != 0, x.grad.numpy() != 0
    assert not np.array_equal(kept_forward, kept_backward)  # another mask (2^-1000 odds of a match)


def test_unsupported_options_are_refused():
    x = ddp.randn(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match="context_fn"):
        checkpoint(lambda t: t, x, use_reentrant=False, context_fn=lambda: (None, None))
    with pytest.raises(ValueError, match="determinism_check"):
        checkpoint(lambda t: t, x, use_reentrant=False, determinism_check="strict")


def test_gradcheck_through_a_checkpointed_segment():
    w = ddp.randn(3, 3, dtype=ddp.float64, requires_grad=True)
    x = ddp.randn(2, 3, dtype=ddp.float64, requires_grad=True)
    assert ddp.autograd.gradcheck(lambda a, b: checkpoint(lambda s, t: (s @ t).tanh() * s.sum(), a, b,
                                                          use_reentrant=False), (x, w))


@pytest.mark.parametrize("segments", [1, 2, 3])
def test_checkpoint_sequential_is_the_plain_sequential(segments):
    ddp.manual_seed(0)
    model = nn.Sequential(*[m for _ in range(5) for m in (nn.Linear(4, 4), nn.ReLU())])
    x = ddp.randn(3, 4, requires_grad=True)
    model(x).sum().backward()
    expected = _grads(model, x)
    model.zero_grad()
    x.grad = None
    checkpoint_sequential(model, segments, x, use_reentrant=False).sum().backward()
    for got, want in zip(_grads(model, x), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_data_parallel_over_checkpointed_blocks_equals_one_process():
    """DistributedDataParallel's hooks fire for gradients that reach parameters through the checkpoint
    node: 2 simulated ranks on half batches equal one process on the whole batch."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 4)).astype(np.float32), rng.standard_normal((8, 3)).astype(np.float32)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            ddp.manual_seed(0)
            self.a, self.b = nn.Linear(4, 6), nn.Linear(6, 3)

        def forward(self, t):
            return self.b(checkpoint(lambda s: self.a(s).relu(), t, use_reentrant=False))

    def train(comm, xs, ys):
        net = Net()
        model = dp.DistributedDataParallel(net, comm) if comm is not None else net
        ddp.nn.functional.mse_loss(model(ddp.tensor(xs)), ddp.tensor(ys)).backward()
        return [p.grad.numpy().copy() for p in net.parameters()]

    def rank():
        comm = dp.init()
        half = slice(4 * comm.rank, 4 * comm.rank + 4)
        return train(comm, x[half], y[half])
    alone = train(None, x, y)
    for grads in dp.spawn(rank, world_size=2):
        for got, want in zip(grads, alone):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_matches_torch_utils_checkpoint():
    torch = pytest.importorskip("torch")
    model, x = _block(), ddp.randn(5, 4, requires_grad=True)
    model.eval()  # dropout off: the two frameworks draw different masks
    twin = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Dropout(0.3), torch.nn.Linear(8, 3))
    twin.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})
    twin.eval()
    tx = torch.from_numpy(x.numpy().copy()).requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (torch.utils.checkpoint.checkpoint(twin, tx, use_reentrant=False) ** 2).sum().backward()
    (checkpoint(model, x, use_reentrant=False) ** 2).sum().backward()
    for p, q in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_reachable_as_torch_spells_it():
    assert ddp.utils.checkpoint.checkpoint is checkpoint
    assert ddp.utils.checkpoint.checkpoint_sequential is checkpoint_sequential
