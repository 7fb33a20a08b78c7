"""The loop idioms of a modern CPU training script, on a small image task, written as a PyTorch user writes it.

Each sample is a noisy 8x8 image with one bright blob: the model classifies which quadrant holds the blob
and regresses its brightness (cross entropy plus mean squared error). Around that sits the scaffolding that
training scripts carry: global switches (`torch.backends.cudnn.benchmark`, TF32 flags, matmul precision),
mixed-precision wrappers shipped disabled (`torch.autocast(..., enabled=False)`, `torch.amp.GradScaler`;
`--grad-scaler` turns on the scaler, which on the CPU scales the loss and unscales before clipping),
a train/validation split, a TensorDataset behind a DataLoader with drop_last and a collate_fn that builds
dicts, gradient accumulation over micro-batches (`loss / accum_steps`), `clip_grad_norm_` (its total norm is
printed), a per-batch schedule (OneCycleLR with AdamW, or CosineAnnealingWarmRestarts stepped with fractional
epochs with SGD), an exponential moving average of the weights kept under no_grad (or by
swa_utils.AveragedModel), Dropout and BatchNorm that behave differently in train() and eval(), metrics
gathered with .item(), a checkpoint dict saved every epoch, and resuming from it (`--stop-after` ends the
run early, `--resume` goes on). `--model cnn` trains a small CNN in channels_last memory format; `--compile`
wraps the model with torch.compile (and saves `model._orig_mod`'s state dict).

Only the imports differ from the PyTorch program (tests/examples/test_training_loop_idioms.py runs both). So
that both frameworks compute the same numbers, the data and initial weights come from numpy, and the default
`--rng numpy` splits the data with a numpy permutation and orders each epoch with a numpy sampler seeded by
the epoch. `--rng torch` uses random_split and DataLoader(shuffle=True) with a seeded torch.Generator, as
many scripts do: each framework's generator then splits and orders the data its own way, so such runs agree
only in structure. Dropout masks, likewise, come from each framework's generator (compare with --dropout 0).

    python scripts/examples/training_loop_idioms.py --epochs 4 --scheduler onecycle --model mlp
"""
import argparse
import copy
import json
import os

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F
from ddp.optim.lr_scheduler import CosineAnnealingWarmRestarts, OneCycleLR
from ddp.utils.data import DataLoader, Sampler, Subset, TensorDataset, random_split


def make_blobs(n, side, seed):
    """n images (n, 1, side, side): noise plus a Gaussian blob in one quadrant, its class and brightness."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, n)
    brightness = rng.uniform(0.5, 1.5, n)
    half = side // 2
    cy = (labels // 2) * half + rng.uniform(0.5, half - 0.5, n)
    cx = (labels % 2) * half + rng.uniform(0.5, half - 0.5, n)
    yy, xx = np.mgrid[0:side, 0:side]
    blobs = np.exp(-((yy[None] - cy[:, None, None]) ** 2 + (xx[None] - cx[:, None, None]) ** 2) / 2.0)
    images = brightness[:, None, None] * blobs + 0.3 * rng.standard_normal((n, side, side))
    return images[:, None].astype(np.float32), labels.astype(np.int64), brightness.astype(np.float32)


class MLP(nn.Module):
    def __init__(self, side, hidden, dropout):
        super().__init__()
        self.body = nn.Sequential(
            nn.Flatten(),
            nn.Linear(side * side, hidden, bias=False),  # the BatchNorm after it subtracts any bias
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.classifier = nn.Linear(hidden, 4)
        self.regressor = nn.Linear(hidden, 1)

    def forward(self, x):
        h = self.body(x)
        return self.classifier(h), self.regressor(h).squeeze(-1)


class CNN(nn.Module):
    def __init__(self, side, hidden, dropout):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(8),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
        )
        self.head = nn.Sequential(
            nn.Flatten(1),
            nn.Linear(16 * (side // 2) ** 2, hidden, bias=False),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Dropout(p=dropout),
        )
        self.classifier = nn.Linear(hidden, 4)
        self.regressor = nn.Linear(hidden, 1)

    def forward(self, x):
        h = self.head(self.features(x))
        return self.classifier(h), self.regressor(h).squeeze(-1)


def reset_parameters_from_numpy(model, seed):
    """Weights uniform in +-1/sqrt(fan_in) drawn by numpy, biases zero: both frameworks start equal."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                bound = 1.0 / np.sqrt(m.weight[0].numel())
                m.weight.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(m.weight.shape)).astype(np.float32)))
                if m.bias is not None:
                    nn.init.zeros_(m.bias)


class EpochPermutationSampler(Sampler):
    """A numpy permutation per epoch, seeded by (seed, epoch) as DistributedSampler does: resumable."""

    def __init__(self, data_source, seed):
        self.data_source, self.seed, self.epoch = data_source, seed, 0

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __iter__(self):
        rng = np.random.default_rng([self.seed, self.epoch])
        return iter(rng.permutation(len(self.data_source)).tolist())

    def __len__(self):
        return len(self.data_source)


def collate(batch):
    """A list of (image, label, brightness) triples to a dict of stacked tensors."""
    images, labels, brightness = zip(*batch)
    return {"image": torch.stack(images), "label": torch.stack(labels), "brightness": torch.stack(brightness)}


def compute_loss(model, batch, args):
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16, enabled=args.amp):
        logits, value = model(batch["image"])
        loss_cls = F.cross_entropy(logits, batch["label"], label_smoothing=args.label_smoothing)
        loss_reg = F.mse_loss(value, batch["brightness"])
    return loss_cls + loss_reg, logits


def to_device(batch, device, channels_last):
    batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
    if channels_last:
        batch["image"] = batch["image"].contiguous(memory_format=torch.channels_last)
    return batch


@torch.no_grad()
def update_ema(ema_model, model, decay):
    for p_ema, p in zip(ema_model.parameters(), model.parameters()):
        p_ema.mul_(decay).add_(p.detach(), alpha=1 - decay)
    for b_ema, b in zip(ema_model.buffers(), model.buffers()):
        b_ema.copy_(b)


def evaluate(model, loader, device, args):
    model.eval()
    total_loss, correct, seen, abs_error = 0.0, 0, 0, 0.0
    with torch.no_grad():
        for batch in loader:
            batch = to_device(batch, device, args.channels_last)
            loss, logits = compute_loss(model, batch, args)
            n = batch["label"].size(0)
            total_loss += loss.item() * n
            correct += (logits.argmax(dim=1) == batch["label"]).sum().item()
            abs_error += (model(batch["image"])[1] - batch["brightness"]).abs().sum().item()
            seen += n
    return total_loss / seen, correct / seen, abs_error / seen


def main():
    parser = argparse.ArgumentParser(description="training-loop idioms on synthetic blob images")
    parser.add_argument("--model", default="mlp", choices=["mlp", "cnn"])
    parser.add_argument("--samples", type=int, default=320)
    parser.add_argument("--side", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--batch-size", type=int, default=16, help="the micro-batch")
    parser.add_argument("--accum-steps", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--scheduler", default="onecycle", choices=["onecycle", "restarts"])
    parser.add_argument("--clip", type=float, default=1.0)
    parser.add_argument("--label-smoothing", type=float, default=0.05)
    parser.add_argument("--ema-decay", type=float, default=0.9)
    parser.add_argument("--ema", default="manual", choices=["manual", "averaged"],
                        help="p_ema.mul_(d).add_(p, alpha=1 - d) by hand, or swa_utils.AveragedModel")
    parser.add_argument("--rng", default="numpy", choices=["numpy", "torch"])
    parser.add_argument("--amp", action="store_true", help="ship it, keep it off: CPU scripts run it disabled")
    parser.add_argument("--grad-scaler", action="store_true", help="scale the loss (a real scaler on the CPU)")
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--checkpoint", default="checkpoint.pt")
    parser.add_argument("--stop-after", type=int, default=0, help="end after this epoch, as if interrupted")
    parser.add_argument("--resume", default="")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.channels_last = args.model == "cnn"

    torch.manual_seed(args.seed)
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    torch.set_float32_matmul_precision("high")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    images, labels, brightness = make_blobs(args.samples, args.side, args.seed)
    dataset = TensorDataset(torch.from_numpy(images), torch.from_numpy(labels), torch.from_numpy(brightness))
    if args.rng == "torch":
        generator = torch.Generator().manual_seed(args.seed)
        train_set, val_set = random_split(dataset, [0.75, 0.25], generator=generator)
        with open("split.json", "w") as f:  # keep the split, to evaluate on the same samples later
            json.dump({"train": train_set.indices, "val": val_set.indices}, f)
        loader_kwargs = dict(shuffle=True, generator=generator)
    else:
        order = np.random.default_rng(args.seed + 1).permutation(len(dataset)).tolist()
        cut = int(0.75 * len(dataset))
        train_set, val_set = Subset(dataset, order[:cut]), Subset(dataset, order[cut:])
        sampler = EpochPermutationSampler(train_set, args.seed + 2)
        loader_kwargs = dict(sampler=sampler)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, drop_last=True, num_workers=0,
                              pin_memory=False, collate_fn=collate, **loader_kwargs)
    val_loader = DataLoader(val_set, batch_size=64, shuffle=False, collate_fn=collate)
    print(f"train {len(train_set)} val {len(val_set)} micro-batches per epoch {len(train_loader)} "
          f"(workers: {train_loader.num_workers})")

    model = (CNN if args.model == "cnn" else MLP)(args.side, args.hidden, args.dropout)
    reset_parameters_from_numpy(model, args.seed + 3)
    model = model.to(device)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    if args.ema == "averaged":  # torch.optim.swa_utils keeps the average (and averages BatchNorm's buffers)
        ema_model = torch.optim.swa_utils.AveragedModel(
            model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(args.ema_decay), use_buffers=True)
    else:
        ema_model = copy.deepcopy(model)
        for p in ema_model.parameters():
            p.requires_grad_(False)
    if args.compile:
        model = torch.compile(model)
    raw_model = model._orig_mod if args.compile else model

    decay, no_decay = [], []
    for name, p in raw_model.named_parameters():
        (no_decay if p.ndim <= 1 else decay).append(p)  # no weight decay on biases and norm weights
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    steps_per_epoch = len(train_loader) // args.accum_steps
    if args.scheduler == "onecycle":
        optimizer = torch.optim.AdamW(groups, lr=args.lr)
        scheduler = OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=steps_per_epoch,
                               pct_start=0.25)
    else:
        optimizer = torch.optim.SGD(groups, lr=args.lr, momentum=0.9, nesterov=True)
        scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=2, T_mult=1, eta_min=args.lr / 20)
    scaler = torch.amp.GradScaler(device.type, enabled=args.grad_scaler)

    start_epoch = 0
    if args.resume:
        checkpoint = torch.load(args.resume, map_location=device)
        raw_model.load_state_dict(checkpoint["model"])
        ema_model.load_state_dict(checkpoint["ema"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
        scaler.load_state_dict(checkpoint["scaler"])
        start_epoch = checkpoint["epoch"] + 1
        print(f"resumed from {args.resume} at epoch {start_epoch}, lr {scheduler.get_last_lr()[0]:.6f}")

    for epoch in range(start_epoch, args.epochs):
        if hasattr(train_loader.sampler, "set_epoch"):
            train_loader.sampler.set_epoch(epoch)
        model.train()
        optimizer.zero_grad(set_to_none=True)
        running, iters = 0.0, len(train_loader)
        for i, batch in enumerate(train_loader):
            batch = to_device(batch, device, args.channels_last)
            loss, _ = compute_loss(model, batch, args)
            loss = loss / args.accum_steps
            scaler.scale(loss).backward()
            running += loss.item()
            if (i + 1) % args.accum_steps != 0:
                continue
            scaler.unscale_(optimizer)
            total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=args.clip)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
            if args.scheduler == "onecycle":
                scheduler.step()
            else:
                scheduler.step(epoch + (i + 1) / iters)
            if args.ema == "averaged":
                ema_model.update_parameters(raw_model)
            else:
                update_ema(ema_model, raw_model, args.ema_decay)
            step = epoch * steps_per_epoch + (i + 1) // args.accum_steps
            print(f"epoch {epoch} step {step} loss {running:.6f} grad_norm {total_norm.item():.6f} "
                  f"lr {scheduler.get_last_lr()[0]:.6f} scale {scaler.get_scale():.0f}")
            running = 0.0

        val_loss, val_acc, val_mae = evaluate(model, val_loader, device, args)
        ema_loss, ema_acc, _ = evaluate(ema_model, val_loader, device, args)
        print(f"epoch {epoch} val loss {val_loss:.6f} acc {val_acc:.4f} mae {val_mae:.4f} "
              f"ema loss {ema_loss:.6f} ema acc {ema_acc:.4f}")

        torch.save({
            "model": raw_model.state_dict(),
            "ema": ema_model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "scaler": scaler.state_dict(),
            "epoch": epoch,
            "args": vars(args),
        }, args.checkpoint)
        if args.stop_after and epoch + 1 == args.stop_after:
            print(f"stopping after epoch {epoch}; checkpoint in {os.path.basename(args.checkpoint)}")
            return
    print(f"final val acc {val_acc:.4f} ema acc {ema_acc:.4f}")


if __name__ == "__main__":
    main()
