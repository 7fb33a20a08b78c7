"""A small regression trained the way many PyTorch tutorials write it: device selection, seeding, a
DataLoader with its own generator, mixed-precision scaffolding left disabled, legacy `Variable`s, a whole-model
checkpoint and a state-dict checkpoint with `map_location`, resumed training, and inference-mode evaluation.

    python scripts/examples/regression_checkpoint.py --steps 30
"""
import argparse
import os
import tempfile

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F
from ddp.autograd import Variable
from ddp.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, d_in, hidden):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.fc2(F.tanh(self.fc1(x)))


def reset_parameters_from_numpy(model, seed):
    """Set every parameter from numpy once after construction: it makes both frameworks start equal."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))


def train(model, loader, optimizer, scaler, device, steps, first_step):
    model.train()
    step = first_step
    while step < first_step + steps:
        for x, y in loader:  # one batch holds every sample: shuffling changes no loss
            x, y = Variable(x.to(device, non_blocking=True)), Variable(y.to(device))
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device_type=device.type, enabled=False):
                loss = F.mse_loss(model(x).squeeze(-1), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            print(f"step {step} loss {loss.item():.6f}")
            step += 1
    return step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--samples", type=int, default=64)
    args = parser.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(0)
    torch.cuda.manual_seed_all(0)
    torch.set_num_threads(1)

    rng = np.random.default_rng(1)
    x = rng.standard_normal((args.samples, 4)).astype(np.float32)
    y = (np.sin(x[:, 0]) + 0.5 * x[:, 1] * x[:, 2]).astype(np.float32)
    dataset = TensorDataset(torch.from_numpy(x), torch.tensor(y, dtype=torch.float32))
    loader = DataLoader(dataset, batch_size=args.samples, shuffle=True, num_workers=0, pin_memory=False,
                        generator=torch.Generator().manual_seed(0))

    model = Net(4, 16).to(device)
    reset_parameters_from_numpy(model, seed=2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scaler = torch.cuda.amp.GradScaler(enabled=False)
    half = args.steps // 2
    step = train(model, loader, optimizer, scaler, device, half, 0)

    with tempfile.TemporaryDirectory() as folder:
        whole, state = os.path.join(folder, "model.pt"), os.path.join(folder, "state.pt")
        torch.save(model, whole)
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}, state)
        restored = torch.load(whole, weights_only=False)  # a whole model needs the opt-in
        checkpoint = torch.load(state, map_location=device)  # a state dict loads with weights_only=True
    assert type(restored).__name__ == "Net"
    model = Net(4, 16).to(device)
    model.load_state_dict(checkpoint["model"])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    optimizer.load_state_dict(checkpoint["optimizer"])
    train(model, loader, optimizer, scaler, device, args.steps - half, checkpoint["step"])

    model.eval()
    with torch.inference_mode():
        full = torch.from_numpy(x).to(device)
        print(f"eval loss {F.mse_loss(model(full).squeeze(-1), torch.from_numpy(y)).item():.6f}")
        same = F.mse_loss(restored(full).squeeze(-1), torch.from_numpy(y)).item()
        print(f"restored at step {half}: eval mse {same:.6f}")


if __name__ == "__main__":
    main()
