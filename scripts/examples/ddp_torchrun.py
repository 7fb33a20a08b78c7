"""A torchrun-style DistributedDataParallel training script with snapshot resume, as PyTorch users write one.

The launcher sets RANK, LOCAL_RANK and WORLD_SIZE; the script joins the process group with the "gloo"
backend, shards the data with DistributedSampler, wraps the model in DistributedDataParallel, and saves a
snapshot (model, optimizer, steps run) from rank 0 every few steps. Started again after an interruption, it
loads the snapshot and carries on from there, as PyTorch's DDP tutorial does with torchrun's restarts.

Only the imports differ from the PyTorch program (tests/examples/test_ddp_torchrun.py runs both):

    mpirun -n 2 python scripts/examples/ddp_torchrun.py --epochs 3                        # ddp
    torchrun --standalone --nproc_per_node 2 ddp_torchrun_torch.py --epochs 3            # PyTorch

So that both frameworks compute the same numbers, the data and the initial weights come from numpy with
fixed seeds, and the sampler does not shuffle (--shuffle turns it on, with each framework's own order).
"""
import argparse
import os

import numpy as np

import ddp as torch
import ddp.distributed as dist
import ddp.nn as nn
import ddp.nn.functional as F
from ddp.nn.parallel import DistributedDataParallel as DDP
from ddp.utils.data import DataLoader, TensorDataset
from ddp.utils.data.distributed import DistributedSampler


def ddp_setup():
    dist.init_process_group(backend="gloo")


def make_dataset(n, features, classes, seed):
    """Points around `classes` random centres; the label is the centre's index."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((classes, features)).astype(np.float32) * 2
    y = rng.integers(0, classes, n)
    x = centres[y] + rng.standard_normal((n, features)).astype(np.float32)
    return TensorDataset(torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.int64)))


def reset_parameters_from_numpy(model, seed):
    """Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights from numpy: makes both frameworks start equal."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in model.parameters():
            bound = 1.0 / np.sqrt(p.shape[-1])
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


class Trainer:
    def __init__(self, model, train_data, optimizer, save_every, snapshot_path):
        self.local_rank = int(os.environ["LOCAL_RANK"])
        self.global_rank = int(os.environ["RANK"])
        self.world_size = int(os.environ["WORLD_SIZE"])
        self.train_data = train_data
        self.optimizer = optimizer
        self.save_every = save_every
        self.snapshot_path = snapshot_path
        self.steps_run = 0
        if os.path.exists(snapshot_path):
            print(f"[rank {self.global_rank}] loading snapshot {snapshot_path}")
            self._load_snapshot(model, snapshot_path)
        self.model = DDP(model)  # CPU: no device_ids

    def _load_snapshot(self, model, path):
        snapshot = torch.load(path, map_location="cpu")
        model.load_state_dict(snapshot["MODEL_STATE"])
        self.optimizer.load_state_dict(snapshot["OPTIMIZER_STATE"])
        self.steps_run = snapshot["STEPS_RUN"]
        print(f"[rank {self.global_rank}] resuming training at step {self.steps_run}")

    def _save_snapshot(self):
        snapshot = {
            "MODEL_STATE": self.model.module.state_dict(),
            "OPTIMIZER_STATE": self.optimizer.state_dict(),
            "STEPS_RUN": self.steps_run,
        }
        torch.save(snapshot, self.snapshot_path)
        print(f"step {self.steps_run}: snapshot saved at {self.snapshot_path}")

    def _run_batch(self, source, targets):
        self.optimizer.zero_grad()
        output = self.model(source)
        loss = F.cross_entropy(output, targets)
        loss.backward()
        self.optimizer.step()
        return loss.detach()

    def train(self, max_epochs, stop_after=None):
        steps_per_epoch = len(self.train_data)
        for epoch in range(self.steps_run // steps_per_epoch, max_epochs):
            self.train_data.sampler.set_epoch(epoch)
            for i, (source, targets) in enumerate(self.train_data):
                if epoch * steps_per_epoch + i < self.steps_run:
                    continue  # done before the snapshot
                loss = self._run_batch(source, targets)
                dist.all_reduce(loss, op=dist.ReduceOp.SUM)  # the mean over the ranks' batches, for the log
                self.steps_run += 1
                if self.global_rank == 0:
                    print(f"epoch {epoch} step {self.steps_run} loss {loss.item() / self.world_size:.6f}")
                    if self.steps_run % self.save_every == 0:
                        self._save_snapshot()
                if stop_after is not None and self.steps_run == stop_after:
                    return  # as if the job were killed here


def main():
    parser = argparse.ArgumentParser(description="torchrun-style DDP training with snapshots")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8, help="per rank")
    parser.add_argument("--samples", type=int, default=96)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--save-every", type=int, default=4, help="steps between snapshots")
    parser.add_argument("--snapshot", default="snapshot.pt")
    parser.add_argument("--stop-after", type=int, default=None, help="stop after this many steps (a crash)")
    parser.add_argument("--shuffle", action="store_true")
    args = parser.parse_args()

    ddp_setup()
    print(f"[rank {dist.get_rank()}] local rank {os.environ['LOCAL_RANK']} of {os.environ['LOCAL_WORLD_SIZE']}, "
          f"world size {dist.get_world_size()}, backend {dist.get_backend()}")
    dataset = make_dataset(args.samples, features=6, classes=3, seed=0)
    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=False,
                        sampler=DistributedSampler(dataset, shuffle=args.shuffle))
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3))
    reset_parameters_from_numpy(model, seed=1)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    trainer = Trainer(model, loader, optimizer, args.save_every, args.snapshot)
    trainer.train(args.epochs, args.stop_after)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
