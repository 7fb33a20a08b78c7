"""A siamese network that tells whether two small synthetic "glyph" images show the same class, written as
a PyTorch user writes one (in the shape of PyTorch's siamese_network example).

Ten classes each have a random 12x12 prototype stroke pattern; a sample is its class's prototype shifted by
a pixel or so, with noise. A Dataset hands out pairs: even indices two images of one class (target 1), odd
indices two images of different classes (target 0). One convolutional tower embeds both images; the head
either concatenates the two embeddings or takes their absolute difference and scores the pair with a linear
layer (BCEWithLogitsLoss), or, with `--loss contrastive`, the embeddings' F.pairwise_distance is trained
with the contrastive loss of Hadsell, Chopra and LeCun (2006) and thresholded at half the margin.
Adadelta with a StepLR schedule trains it; the best model so far is kept with copy.deepcopy.

Only the imports differ from the PyTorch program (tests/examples/test_siamese.py runs both). So that both
frameworks compute the same numbers, the images, the pairs (Python's `random`, seeded) and the initial
weights come from outside either framework, and the default `--shuffle numpy` orders each epoch with a
Sampler driven by numpy. `--shuffle torch` uses DataLoader(shuffle=True, generator=torch.Generator()), as
the PyTorch program would; each framework's generator then orders the pairs its own way.

    python scripts/examples/siamese.py --epochs 3 --head concat
"""
import argparse
import copy
import math
import random

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F
import ddp.optim as optim
from ddp.optim.lr_scheduler import StepLR
from ddp.utils.data import DataLoader, Dataset, Sampler


def make_glyphs(n, side, classes, seed):
    """n noisy, shifted copies of `classes` random prototypes: images (n, side, side) and labels (n,)."""
    rng = np.random.default_rng(seed)
    prototypes = (rng.random((classes, side, side)) < 0.3).astype(np.float64)
    labels = np.arange(n) % classes
    images = np.empty((n, side, side))
    for k in range(n):
        dy, dx = rng.integers(-1, 2, 2)
        images[k] = np.roll(prototypes[labels[k]], (dy, dx), axis=(0, 1))
    images += 0.2 * rng.standard_normal(images.shape)
    return images.astype(np.float32), labels


class PairDataset(Dataset):
    """Pairs of images: the same class at even indices (target 1), different classes at odd ones (0)."""

    def __init__(self, images, labels, seed):
        super(PairDataset, self).__init__()
        self.data = torch.from_numpy(images).unsqueeze(1).clone()  # (N, 1, H, W)
        self.classes = sorted(set(labels.tolist()))
        self.grouped_examples = {c: np.where(labels == c)[0] for c in self.classes}
        self.random = random.Random(seed)

    def __len__(self):
        return self.data.shape[0]

    def _pick(self, cls, avoid=None):
        members = self.grouped_examples[cls]
        index = self.random.randint(0, len(members) - 1)
        while members[index] == avoid:
            index = self.random.randint(0, len(members) - 1)
        return int(members[index])

    def __getitem__(self, index):
        first_class = self.random.choice(self.classes)
        index_1 = self._pick(first_class)
        if index % 2 == 0:
            index_2 = self._pick(first_class, avoid=index_1)
            target = torch.tensor(1, dtype=torch.float)
        else:
            other_class = self.random.choice([c for c in self.classes if c != first_class])
            index_2 = self._pick(other_class)
            target = torch.tensor(0, dtype=torch.float)
        return self.data[index_1].clone().float(), self.data[index_2].clone().float(), target


class NumpyPermutationSampler(Sampler):
    """A fresh numpy permutation of the dataset's indices each epoch."""

    def __init__(self, data_source, seed):
        self.data_source = data_source
        self.rng = np.random.default_rng(seed)

    def __iter__(self):
        return iter(self.rng.permutation(len(self.data_source)).tolist())

    def __len__(self):
        return len(self.data_source)


class SiameseNetwork(nn.Module):
    """One convolutional tower for both images, then a head that scores the pair."""

    def __init__(self, head='concat', embedding=16):
        super(SiameseNetwork, self).__init__()
        self.head = head
        self.tower = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(8),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d((3, 3)),
        )
        self.embed = nn.Linear(16 * 3 * 3, embedding)
        width = 2 * embedding if head == 'concat' else embedding
        self.fc = nn.Sequential(
            nn.Linear(width, 32),
            nn.ReLU(inplace=True),
            nn.Linear(32, 1),
        )
        self.init_rng = np.random.default_rng(7)
        self.apply(self.init_weights)

    def init_weights(self, m):
        """Xavier-uniform weights (drawn by numpy, so that both frameworks agree) and 0.01 biases."""
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(m.weight)
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            values = self.init_rng.uniform(-bound, bound, tuple(m.weight.shape)).astype(np.float32)
            m.weight.data.copy_(torch.from_numpy(values))
            if m.bias is not None:
                m.bias.data.fill_(0.01)

    def forward_once(self, x):
        output = self.tower(x)
        output = output.view(output.size()[0], -1)
        return self.embed(output)

    def forward(self, input1, input2):
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)
        if self.head == 'concat':
            features = torch.cat((output1, output2), 1)
        else:
            features = torch.abs(output1 - output2)
        return self.fc(features), output1, output2


class ContrastiveLoss(nn.Module):
    """Pulls same-class embeddings together, pushes others at least `margin` apart."""

    def __init__(self, margin=2.0):
        super(ContrastiveLoss, self).__init__()
        self.margin = margin

    def forward(self, output1, output2, target):
        distance = F.pairwise_distance(output1, output2, keepdim=True).squeeze(1)
        same = target * distance.pow(2)
        different = (1 - target) * torch.clamp(self.margin - distance, min=0.0).pow(2)
        return torch.mean(same + different) / 2


def loss_and_match(args, model, images_1, images_2, targets, criterion):
    """The loss of a batch and, per pair, 1.0 where the model calls the two images the same class."""
    logits, output1, output2 = model(images_1, images_2)
    if args.loss == 'contrastive':
        match = (F.pairwise_distance(output1, output2) < args.margin / 2).float()
        return criterion(output1, output2, targets), match
    logits = logits.squeeze()
    return criterion(logits, targets), torch.sigmoid(logits)


def train(args, model, device, train_loader, optimizer, criterion, epoch):
    model.train()
    for batch_idx, (images_1, images_2, targets) in enumerate(train_loader):
        images_1, images_2, targets = images_1.to(device), images_2.to(device), targets.to(device)
        optimizer.zero_grad()
        loss, _ = loss_and_match(args, model, images_1, images_2, targets, criterion)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tloss {:.6f}'.format(
                epoch, batch_idx * len(images_1), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


def test(args, model, device, test_loader, criterion):
    model.eval()
    test_loss = 0
    correct = 0
    accuracies = []
    with torch.no_grad():
        for (images_1, images_2, targets) in test_loader:
            images_1, images_2, targets = images_1.to(device), images_2.to(device), targets.to(device)
            loss, outputs = loss_and_match(args, model, images_1, images_2, targets, criterion)
            test_loss += loss.sum().item() * len(targets)  # the batch's mean loss, summed over its pairs
            pred = torch.where(outputs > 0.5, 1, 0)
            correct += pred.eq(targets.view_as(pred)).sum().item()
            accuracies.append(((outputs > 0.5).float() == targets).float().mean())
    test_loss /= len(test_loader.dataset)
    accuracy = torch.stack(accuracies).mean().item()
    print('Test set: average loss {:.6f}, Accuracy: {}/{} ({:.0f}%), mean batch accuracy {:.4f}'.format(
        test_loss, correct, len(test_loader.dataset), 100. * correct / len(test_loader.dataset), accuracy))
    return correct / len(test_loader.dataset)


def main():
    parser = argparse.ArgumentParser(description='a siamese network on synthetic glyph pairs')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--test-batch-size', type=int, default=64)
    parser.add_argument('--samples', type=int, default=384)
    parser.add_argument('--test-samples', type=int, default=128)
    parser.add_argument('--side', type=int, default=12)
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--lr', type=float, default=1.0)
    parser.add_argument('--gamma', type=float, default=0.9)
    parser.add_argument('--head', default='absdiff', choices=['absdiff', 'concat'])
    parser.add_argument('--loss', default='bce', choices=['bce', 'contrastive'])
    parser.add_argument('--margin', type=float, default=2.0)
    parser.add_argument('--shuffle', default='numpy', choices=['numpy', 'torch'])
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=2)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cpu")
    images, labels = make_glyphs(args.samples + args.test_samples, args.side, 10, args.seed)
    train_dataset = PairDataset(images[:args.samples], labels[:args.samples], args.seed + 1)
    test_dataset = PairDataset(images[args.samples:], labels[args.samples:], args.seed + 2)
    if args.shuffle == 'torch':
        generator = torch.Generator().manual_seed(args.seed)
        train_loader = DataLoader(train_dataset, batch_size=args.batch_size, shuffle=True, generator=generator)
    else:
        sampler = NumpyPermutationSampler(train_dataset, args.seed + 3)
        train_loader = DataLoader(train_dataset, batch_size=args.batch_size, sampler=sampler)
    test_loader = DataLoader(test_dataset, batch_size=args.test_batch_size, shuffle=False)

    model = SiameseNetwork(args.head).to(device)
    print(model)
    criterion = ContrastiveLoss(args.margin) if args.loss == 'contrastive' else nn.BCEWithLogitsLoss()
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    best_accuracy, best_model = -1.0, None
    for epoch in range(1, args.epochs + 1):
        print(f"epoch {epoch} lr {scheduler.get_last_lr()[0]:.6f}")
        train(args, model, device, train_loader, optimizer, criterion, epoch)
        accuracy = test(args, model, device, test_loader, criterion)
        if accuracy > best_accuracy:
            best_accuracy, best_model = accuracy, copy.deepcopy(model)
        scheduler.step()
    print(f"best test accuracy {best_accuracy:.4f}")
    best_model.eval()
    again = test(args, best_model, device, test_loader, criterion)
    print(f"best model re-tested: accuracy {again:.4f}")


if __name__ == '__main__':
    main()
