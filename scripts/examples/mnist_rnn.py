"""Digit classification with a recurrent network that reads each 28x28 image one row at a time, written as
a PyTorch user writes it (in the shape of PyTorch's mnist_rnn example), on synthetic digit-like images.

Each image is one of ten 7x5 bitmap digits, drawn three pixels to a bit at a random place in a 28x28 frame,
with uneven ink and noise, stored as uint8 like MNIST. A custom Dataset returns (tensor, int) pairs; its
transform scales to [0, 1] and normalises with MNIST's mean and standard deviation (0.1307, 0.3081), the
ToTensor + Normalize that torchvision would do. The model is an nn.LSTM (or nn.GRU, or a plain tanh nn.RNN)
with batch_first=True over the 28 rows; the classifier reads the last step's output (or the mean over
steps) through BatchNorm1d, dropout and two linear layers into log_softmax. Adadelta (or RMSprop) trains it
with F.nll_loss and a StepLR(gamma=0.7) schedule; the test pass sums the loss with reduction='sum' and counts
`pred.eq(target.view_as(pred))`.

Only the imports differ from the PyTorch program (tests/examples/test_mnist_rnn.py runs both). So that both
frameworks compute the same numbers, the images and initial weights come from numpy, and batches are
formed by a numpy batch sampler; dropout masks come from each framework's generator (compare with
--dropout 0).

    python scripts/examples/mnist_rnn.py --epochs 3 --cell lstm --pool last
"""
import argparse

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F
import ddp.optim as optim
from ddp.optim.lr_scheduler import StepLR
from ddp.utils.data import DataLoader, Dataset, Sampler

GLYPHS = {  # 7 rows of 5 bits per digit
    0: ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
    1: ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
    2: ["01110", "10001", "00001", "00110", "01000", "10000", "11111"],
    3: ["11110", "00001", "00001", "01110", "00001", "00001", "11110"],
    4: ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
    5: ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
    6: ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
    7: ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
    8: ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
    9: ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
}


def make_digits(n, seed):
    """n uint8 images (n, 28, 28) of noisy, shifted bitmap digits and their labels (n,)."""
    rng = np.random.default_rng(seed)
    bitmaps = np.array([[[int(b) for b in row] for row in GLYPHS[d]] for d in range(10)], dtype=np.float64)
    strokes = np.kron(bitmaps, np.ones((3, 3)))  # (10, 21, 15)
    labels = rng.integers(0, 10, n)
    images = np.zeros((n, 28, 28))
    for k in range(n):
        top, left = rng.integers(0, 28 - 21 + 1), rng.integers(0, 28 - 15 + 1)
        ink = rng.uniform(0.6, 1.0) * (1 - 0.3 * rng.random((21, 15)))
        images[k, top:top + 21, left:left + 15] = strokes[labels[k]] * ink
    images += 0.15 * rng.standard_normal(images.shape)
    return (np.clip(images, 0, 1) * 255).round().astype(np.uint8), labels


def to_normalized_tensor(image, mean=0.1307, std=0.3081):
    """uint8 (H, W) to float (1, H, W) in [0, 1], then (x - mean) / std, as ToTensor + Normalize."""
    x = torch.from_numpy(image).float().div(255).unsqueeze(0)
    return (x - mean) / std


class SyntheticDigits(Dataset):
    def __init__(self, images, labels, transform=None):
        self.images, self.targets, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        img, target = self.images[index], int(self.targets[index])
        if self.transform is not None:
            img = self.transform(img)
        return img, target


class NumpyBatchSampler(Sampler):
    """Batches of indices, shuffled by numpy each epoch (the last batch may be short)."""

    def __init__(self, size, batch_size, shuffle, seed):
        self.size, self.batch_size, self.shuffle = size, batch_size, shuffle
        self.rng = np.random.default_rng(seed)

    def __iter__(self):
        order = self.rng.permutation(self.size) if self.shuffle else np.arange(self.size)
        for start in range(0, self.size, self.batch_size):
            yield order[start:start + self.batch_size].tolist()

    def __len__(self):
        return (self.size + self.batch_size - 1) // self.batch_size


class Net(nn.Module):
    def __init__(self, cell="lstm", hidden=64, layers=1, pool="last", dropout=0.25, bidirectional=False,
                 zero_state=False):
        super(Net, self).__init__()
        self.pool, self.zero_state = pool, zero_state
        rnn_kwargs = dict(input_size=28, hidden_size=hidden, num_layers=layers, batch_first=True,
                          bidirectional=bidirectional)
        if cell == "lstm":
            self.rnn = nn.LSTM(**rnn_kwargs)
        elif cell == "gru":
            self.rnn = nn.GRU(**rnn_kwargs)
        else:
            self.rnn = nn.RNN(nonlinearity="tanh", **rnn_kwargs)
        features = hidden * (2 if bidirectional else 1)
        self.batchnorm = nn.BatchNorm1d(features)
        self.dropout1 = nn.Dropout(dropout)
        self.fc1 = nn.Linear(features, 32)
        self.dropout2 = nn.Dropout(2 * dropout)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, input):
        input = input.reshape(-1, 28, 28)  # (N, 1, 28, 28) -> 28 steps of 28 pixels
        self.rnn.flatten_parameters()
        if self.zero_state:  # the initial state spelled out, as many tutorials do
            directions = 2 if self.rnn.bidirectional else 1
            h0 = torch.zeros(self.rnn.num_layers * directions, input.size(0), self.rnn.hidden_size).to(input.device)
            state = (h0, torch.zeros_like(h0)) if isinstance(self.rnn, nn.LSTM) else h0
            output, _ = self.rnn(input, state)
        else:
            output, _ = self.rnn(input)
        if self.pool == "mean":
            output = output.mean(dim=1)
        else:
            output = output[:, -1, :]
        output = self.batchnorm(output)
        output = self.dropout1(output)
        output = F.relu(self.fc1(output))
        output = self.dropout2(output)
        output = self.fc2(output)
        return F.log_softmax(output, dim=1)


def reset_parameters_from_numpy(model, seed):
    """Uniform(-1/sqrt(fan), 1/sqrt(fan)) from numpy (fan: a recurrent layer's hidden size, a linear layer's
    inputs); BatchNorm keeps its ones and zeros. Both frameworks then start equal."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.startswith("batchnorm"):
                continue
            fan = model.rnn.hidden_size if name.startswith("rnn") else p.shape[-1]
            bound = 1.0 / np.sqrt(fan)
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


def init_forget_gate_bias(lstm, value=1.0):
    """Start every LSTM forget gate open: its quarter of each bias (gates in order i, f, g, o) set to value."""
    for names in lstm._all_weights:
        for name in filter(lambda n: "bias" in n, names):
            bias = getattr(lstm, name)
            n = bias.size(0)
            bias.data[n // 4:n // 2].fill_(value / 2)  # bias_ih and bias_hh add up


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tloss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))
            if args.dry_run:
                break


def test(args, model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # get the index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)
    print('\nTest set: Average loss: {:.6f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
        test_loss, correct, len(test_loader.dataset), 100. * correct / len(test_loader.dataset)))
    return correct


def main():
    parser = argparse.ArgumentParser(description='recurrent digit classifier on synthetic 28x28 digits')
    parser.add_argument('--batch-size', type=int, default=64, metavar='N')
    parser.add_argument('--test-batch-size', type=int, default=200, metavar='N')
    parser.add_argument('--train-samples', type=int, default=1920)
    parser.add_argument('--test-samples', type=int, default=400)
    parser.add_argument('--epochs', type=int, default=3, metavar='N')
    parser.add_argument('--optimizer', default='adadelta', choices=['adadelta', 'rmsprop'])
    parser.add_argument('--lr', type=float, default=None, help='default: 1.0 for Adadelta, 0.003 for RMSprop')
    parser.add_argument('--gamma', type=float, default=0.7, metavar='M', help='learning rate step gamma')
    parser.add_argument('--cell', default='lstm', choices=['lstm', 'gru', 'rnn'])
    parser.add_argument('--layers', type=int, default=1)
    parser.add_argument('--bidirectional', action='store_true')
    parser.add_argument('--pool', default='last', choices=['last', 'mean'])
    parser.add_argument('--hidden', type=int, default=64)
    parser.add_argument('--zero-state', action='store_true', help='pass zero initial states explicitly')
    parser.add_argument('--dropout', type=float, default=0.25)
    parser.add_argument('--no-accel', action='store_true', help='disables accelerators')
    parser.add_argument('--dry-run', action='store_true', help='quickly check a single pass')
    parser.add_argument('--seed', type=int, default=1, metavar='S')
    parser.add_argument('--log-interval', type=int, default=5, metavar='N')
    parser.add_argument('--save-model', action='store_true')
    args = parser.parse_args()

    use_accel = not args.no_accel and torch.accelerator.is_available()
    torch.manual_seed(args.seed)
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")

    train_kwargs = {'batch_sampler': NumpyBatchSampler(args.train_samples, args.batch_size, True, args.seed)}
    test_kwargs = {'batch_size': args.test_batch_size}
    if use_accel:
        accel_kwargs = {'num_workers': 1, 'pin_memory': True}
        train_kwargs.update(accel_kwargs)
        test_kwargs.update(accel_kwargs)

    images, labels = make_digits(args.train_samples + args.test_samples, args.seed)
    transform = to_normalized_tensor
    dataset1 = SyntheticDigits(images[:args.train_samples], labels[:args.train_samples], transform=transform)
    dataset2 = SyntheticDigits(images[args.train_samples:], labels[args.train_samples:], transform=transform)
    train_loader = torch.utils.data.DataLoader(dataset1, **train_kwargs)
    test_loader = DataLoader(dataset2, shuffle=False, **test_kwargs)

    model = Net(args.cell, args.hidden, args.layers, args.pool, args.dropout, args.bidirectional,
                args.zero_state).to(device)
    reset_parameters_from_numpy(model, args.seed + 1)
    if isinstance(model.rnn, nn.LSTM):
        init_forget_gate_bias(model.rnn)
    print(model)
    if args.optimizer == 'adadelta':
        optimizer = optim.Adadelta(model.parameters(), lr=args.lr or 1.0)
    else:
        optimizer = optim.RMSprop(model.parameters(), lr=args.lr or 0.003, alpha=0.9)

    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        test(args, model, device, test_loader)
        scheduler.step()

    if args.save_model:
        torch.save(model.state_dict(), "mnist_rnn.pt")


if __name__ == '__main__':
    main()
