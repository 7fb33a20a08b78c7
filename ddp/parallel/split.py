"""Cut a sequential model into consecutive pipeline stages, by an explicit balance or by measured cost."""
import time

import numpy as np

from .comm import Communicator


def _stage_class():
    """The stage Module class, made on first use so that ddp.parallel imports without ddp.nn."""
    from ddp.core.nn.module import Module

    class PipelineStage(Module):
        """The layers one rank runs, under the names they had in the whole model (so `0.weight` stays
        `0.weight`), applied in order."""

        def __init__(self, layers, index, num_stages):
            super().__init__()
            for name, layer in layers:
                self.add_module(name, layer)
            self.index = index
            self.num_stages = num_stages

        @property
        def is_first(self):
            return self.index == 0

        @property
        def is_last(self):
            return self.index == self.num_stages - 1

        def forward(self, x):
            for layer in self._modules.values():
                x = layer(x)
            return x

        def extra_repr(self):
            return f"stage {self.index} of {self.num_stages}"

    return PipelineStage


class Plan:
    """Which layers each stage holds, with parameters and estimated cost per stage; prints as a table."""

    def __init__(self, names, kinds, params, costs, balance, cost_unit):
        self.names, self.kinds, self.params, self.costs = names, kinds, params, costs
        self.balance, self.cost_unit = list(balance), cost_unit
        bounds = np.cumsum([0] + self.balance)
        self.ranges = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]

    @property
    def num_stages(self):
        return len(self.balance)

    def stage_cost(self, s):
        a, b = self.ranges[s]
        return float(sum(self.costs[a:b]))

    def stage_params(self, s):
        a, b = self.ranges[s]
        return int(sum(self.params[a:b]))

    @property
    def imbalance(self):
        """Slowest stage over the mean stage, minus one (0 means perfectly balanced)."""
        costs = [self.stage_cost(s) for s in range(self.num_stages)]
        mean = sum(costs) / len(costs)
        return max(costs) / mean - 1 if mean > 0 else 0.0

    def __str__(self):
        unit = "est. ms" if self.cost_unit == "time" else "cost"
        rows = [("stage", "layers", "params", unit)]
        for s, (a, b) in enumerate(self.ranges):
            layers = ", ".join(f"{n}:{k}" for n, k in zip(self.names[a:b], self.kinds[a:b]))
            cost = self.stage_cost(s) * (1e3 if self.cost_unit == "time" else 1)
            rows.append((str(s), layers, f"{self.stage_params(s):,}", f"{cost:.3g}"))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        lines.append(f"imbalance (slowest stage / mean - 1): {self.imbalance:.1%}")
        return "\n".join(lines)

    __repr__ = __str__


def partition(costs, parts, required=None):
    """Split `costs` into `parts` consecutive non-empty groups minimising the largest group sum.

    `required` (bools, one per item) asks that every group hold at least one marked item (split marks
    the layers with parameters, so that no stage is left without any); when no partition can satisfy
    it, it is dropped. Returns the number of items per group. Dynamic programming over prefix sums.
    """
    n = len(costs)
    if required is not None and sum(map(bool, required)) < parts:
        required = None
    marked = np.concatenate([[0], np.cumsum(np.asarray(required if required is not None else [1] * n,
                                                        dtype=bool), dtype=np.int64)])
    prefix = np.concatenate([[0.0], np.cumsum(costs, dtype=np.float64)])
    best = np.full((parts + 1, n + 1), np.inf)
    cut = np.zeros((parts + 1, n + 1), dtype=np.int64)
    best[0, 0] = 0.0
    for k in range(1, parts + 1):
        for i in range(k, n - (parts - k) + 1):
            for j in range(k - 1, i):
                if marked[i] == marked[j]:
                    continue  # the group j..i would hold no marked item
                value = max(best[k - 1, j], prefix[i] - prefix[j])
                if value < best[k, i]:
                    best[k, i], cut[k, i] = value, j
    sizes, i = [], n
    for k in range(parts, 0, -1):
        j = int(cut[k, i])
        sizes.append(i - j)
        i = j
    return sizes[::-1]


def _layers(model):
    named = list(model.named_children())
    if not named:
        raise TypeError(f"split: {type(model).__name__} has no child layers to place on stages")
    return named


def _measure(layers, sample, repeats=3):
    """Forward+backward seconds of each layer on the activations that `sample` produces (median of repeats)."""
    import ddp

    times = np.zeros((repeats, len(layers)))
    for r in range(repeats):
        x = sample
        for i, (_, layer) in enumerate(layers):
            x = x.detach().requires_grad_(x.dtype.kind == "f")
            start = time.perf_counter()
            y = layer(x)
            if y.requires_grad:
                y.backward(ddp.ones_like(y))
            times[r, i] = time.perf_counter() - start
            x = y.detach()
    for _, layer in layers:
        layer.zero_grad()
    return list(np.median(times, axis=0))


def _world(comm):
    if comm is None:
        from . import init

        comm = init()
    if not isinstance(comm, Communicator):
        raise TypeError(f"split: comm must be a Communicator, got {type(comm).__name__}")
    return comm


def split(model, stages=None, balance=None, sample=None, comm=None):
    """Cut `model` (a Sequential, or any module with ordered children) into pipeline stages.

    Args:
        model: the whole model, built identically on every rank.
        stages: number of stages; defaults to the world size. With world_size = stages x replicas, ranks
            r and r + stages hold the same stage (hybrid parallelism; see `Pipeline`).
        balance: layers per stage, e.g. [2, 3]; by default the layers are balanced by their measured
            forward+backward time on `sample`, or by parameter count when no sample is given, such
            that every stage holds parameters whenever the model has at least `stages` layers with some.
        sample: an input batch used to time each layer (timed on rank 0, broadcast to the others).
        comm: the communicator (default: `ddp.parallel.init()`).
    Returns:
        (stage, plan): this rank's stage, a Module whose parameters keep their names in the whole model,
        and the `Plan` that prints as a table.
    Raises:
        ValueError for more stages than layers, a balance that does not sum to the layer count, or a world
        size that is not a multiple of the stage count.

    Warning:
        With `sample`, ranks synchronize (the balance is broadcast from rank 0).
    """
    comm = _world(comm)
    layers = _layers(model)
    stages = comm.world_size if stages is None else int(stages)
    if stages < 1:
        raise ValueError(f"split: stages must be >= 1, got {stages}")
    if stages > len(layers):
        raise ValueError(f"split: {stages} stages but the model has only {len(layers)} layers")
    names = [n for n, _ in layers]
    kinds = [type(m).__name__ for _, m in layers]
    params = [sum(p.numel() for p in m.parameters()) for _, m in layers]
    if sample is not None:
        costs, unit = (_measure(layers, sample) if comm.rank == 0 else None), "time"
        costs = comm.broadcast_object(costs, root=0)
    else:
        costs, unit = [float(p) for p in params], "params"
    if balance is None:  # every stage gets parameters when the model has enough layers with some
        balance = partition(costs, stages, required=[p > 0 for p in params])
    balance = [int(b) for b in balance]
    if len(balance) != stages:
        raise ValueError(f"split: balance {balance} has {len(balance)} entries for {stages} stages")
    if any(b < 1 for b in balance) or sum(balance) != len(layers):
        raise ValueError(
            f"split: balance {balance} must be positive and sum to the model's {len(layers)} layers "
            f"(it sums to {sum(balance)})"
        )
    if comm.world_size % stages:
        raise ValueError(
            f"split: world size {comm.world_size} does not match {stages} stages "
            f"(it must be a multiple of the stage count: stages x replicas)"
        )
    plan = Plan(names, kinds, params, costs, balance, unit)
    index = comm.rank % stages
    a, b = plan.ranges[index]
    return _stage_class()(layers[a:b], index, stages), plan
