"""Time forward + backward of the two MNIST CNN conv stacks in ddp against PyTorch CPU (if installed).

Stacks: cnn  = conv 1->10 k5, relu, maxpool 2, conv 10->20 k5, relu, maxpool 2;
        cnn2 = conv 1->32 k3 p1, relu, maxpool 2, conv 32->64 k3 p1, relu, maxpool 2.
One BLAS/OpenMP thread each, rounds interleaved (ddp, torch, ddp, ...), median times and median ratio.

    python scripts/bench_conv.py [--batch 64] [--rounds 20]
"""
import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

import ddp
from ddp.core.nn.functional_conv import conv2d
from ddp.core.nn.functional_pool import max_pool2d

STACKS = {"cnn": [(1, 10, 5, 0), (10, 20, 5, 0)], "cnn2": [(1, 32, 3, 1), (32, 64, 3, 1)]}


def make_params(layers, rng):
    params = []
    for cin, cout, k, _ in layers:
        bound = 1 / np.sqrt(cin * k * k)
        params.append((rng.uniform(-bound, bound, (cout, cin, k, k)).astype(np.float32),
                       rng.uniform(-bound, bound, cout).astype(np.float32)))
    return params


def ddp_step(x, params, layers):
    h = ddp.from_numpy(x)
    ws = [(ddp.Tensor(w, requires_grad=True), ddp.Tensor(b, requires_grad=True)) for w, b in params]
    for (w, b), (_, _, _, pad) in zip(ws, layers):
        h = max_pool2d(ddp.relu(conv2d(h, w, b, padding=pad)), 2)
    h.sum().backward()


def torch_step(torch, x, params, layers):
    F = torch.nn.functional
    h = torch.from_numpy(x)
    ws = [(torch.from_numpy(w).requires_grad_(), torch.from_numpy(b).requires_grad_()) for w, b in params]
    for (w, b), (_, _, _, pad) in zip(ws, layers):
        h = F.max_pool2d(F.relu(F.conv2d(h, w, b, padding=pad)), 2)
    h.sum().backward()


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, 1, 28, 28)).astype(np.float32)
    with threadpool_limits(1):
        for name, layers in STACKS.items():
            params = make_params(layers, rng)
            ours, theirs = [], []
            for r in range(args.rounds + 2):  # two warm-up rounds
                t = timed(lambda: ddp_step(x, params, layers))
                if torch is not None:
                    u = timed(lambda: torch_step(torch, x, params, layers))
                if r >= 2:
                    ours.append(t)
                    theirs.append(u if torch is not None else float("nan"))
            line = f"{name:5s} batch {args.batch}: ddp {1e3 * statistics.median(ours):7.2f} ms"
            if torch is not None:
                ratio = statistics.median(a / b for a, b in zip(ours, theirs))
                line += f"  torch {1e3 * statistics.median(theirs):7.2f} ms  ratio {ratio:.2f}x"
            print(line, flush=True)


if __name__ == "__main__":
    main()
