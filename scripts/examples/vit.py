"""A tiny vision transformer on synthetic 16x16 colour images of stripes, written as a PyTorch user writes one
(in the shape of PyTorch's vision_transformer example and the usual ViT training recipe).

Each image is cut into square patches, and each patch is embedded (by a Conv2d whose stride is the patch
size, or by unfolding the image into patch vectors and a Linear layer); a learned class token is prepended
and a learned position embedding added, and a pre-norm nn.TransformerEncoder with GELU feed-forward layers
mixes the tokens (or, with `--blocks custom`, hand-written pre-norm blocks whose attention is
F.scaled_dot_product_attention, with stochastic depth). The class token's final state (or the mean of all
tokens) goes through a LayerNorm and a linear head. Training uses AdamW with weight decay on the weight
matrices only (biases, norms, the class token and the position embedding are exempt), a linear warm-up then a
cosine decay of the learning rate (LambdaLR), gradient clipping by norm, and cross entropy with label
smoothing, optionally on mixup's soft targets; the validation set reports top-1 and top-2 accuracy.

Only the imports differ from the PyTorch program (tests/examples/test_vit.py runs both). So that both
frameworks compute the same numbers, the images, the initial weights, the shuffling order and mixup's draws
come from numpy with fixed seeds, and dropout and stochastic depth are 0 by default.

    python scripts/examples/vit.py --epochs 4 --patch-embed conv
    python scripts/examples/vit.py --patch-embed unfold --pool mean --blocks custom --mixup 0.4
"""
import argparse
import math

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F
from ddp import optim
from ddp.optim.lr_scheduler import LambdaLR
from ddp.utils.data import DataLoader, Sampler, TensorDataset


def make_stripes(n, size, channels, classes, seed):
    """n images of stripes in one of `classes` orientations (the label), random colour, phase and noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    angles = np.pi * labels / classes
    rows, cols = np.meshgrid(np.arange(size), np.arange(size), indexing='ij')
    period = rng.uniform(3.0, 6.0, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    along = np.cos(angles)[:, None, None] * cols + np.sin(angles)[:, None, None] * rows
    wave = np.sin(2 * np.pi * along / period[:, None, None] + phase[:, None, None])
    colour = rng.uniform(0.3, 1.0, (n, channels))
    images = colour[:, :, None, None] * wave[:, None] + 0.3 * rng.standard_normal((n, channels, size, size))
    return images.astype(np.float32), labels.astype(np.int64)


class NumpySampler(Sampler):
    """A random permutation per epoch drawn from numpy, so both frameworks visit the data in one order."""

    def __init__(self, data_source, seed):
        self.data_source = data_source
        self.rng = np.random.default_rng(seed)

    def __iter__(self):
        return iter(self.rng.permutation(len(self.data_source)).tolist())

    def __len__(self):
        return len(self.data_source)


class PatchEmbed(nn.Module):
    """Image (B, C, H, W) to patch tokens (B, N, D), N = (H / patch) * (W / patch)."""

    def __init__(self, img_size, patch_size, in_chans, embed_dim, mode='conv'):
        super().__init__()
        assert img_size % patch_size == 0, f'image size {img_size} is not a multiple of the patch size {patch_size}'
        self.patch_size = patch_size
        self.num_patches = (img_size // patch_size) ** 2
        self.mode = mode
        if mode == 'conv':
            self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)
        else:
            self.proj = nn.Linear(in_chans * patch_size * patch_size, embed_dim)

    def forward(self, x):
        B, C, H, W = x.shape
        p = self.patch_size
        if self.mode == 'conv':
            return self.proj(x).flatten(2).transpose(1, 2)
        # (B, C, H/p, W/p, p, p) -> (B, H/p, W/p, C, p, p) -> (B, N, C*p*p): the same order as the conv's weight
        patches = x.unfold(2, p, p).unfold(3, p, p).permute(0, 2, 3, 1, 4, 5).contiguous()
        return self.proj(patches.view(B, -1, C * p * p))


class Attention(nn.Module):
    """Multi-head self-attention written out: one Linear for q, k and v, F.scaled_dot_product_attention."""

    def __init__(self, dim, num_heads, attn_drop=0.0, proj_drop=0.0):
        super().__init__()
        assert dim % num_heads == 0, 'dim should be divisible by num_heads'
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.attn_drop = attn_drop
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)  # each (B, heads, N, head_dim)
        x = F.scaled_dot_product_attention(q, k, v, dropout_p=self.attn_drop if self.training else 0.0)
        x = x.transpose(1, 2).reshape(B, N, C)
        return self.proj_drop(self.proj(x))


def drop_path(x, drop_prob=0.0, training=False):
    """Stochastic depth: zero a sample's whole residual branch with probability drop_prob (rescaling the rest)."""
    if drop_prob == 0.0 or not training:
        return x
    keep_prob = 1 - drop_prob
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    random_tensor = x.new_empty(shape).bernoulli_(keep_prob)
    if keep_prob > 0.0:
        random_tensor.div_(keep_prob)
    return x * random_tensor


class DropPath(nn.Module):
    def __init__(self, drop_prob=0.0):
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, x):
        return drop_path(x, self.drop_prob, self.training)

    def extra_repr(self):
        return f'drop_prob={round(self.drop_prob, 3):0.3f}'


class Block(nn.Module):
    """A pre-norm transformer block: x + attn(norm1(x)), then x + mlp(norm2(x)), each with stochastic depth."""

    def __init__(self, dim, num_heads, mlp_ratio=2.0, drop=0.0, drop_path=0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, num_heads, attn_drop=drop, proj_drop=drop)
        self.drop_path = DropPath(drop_path) if drop_path > 0.0 else nn.Identity()
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(approximate='tanh'), nn.Dropout(drop),
                                 nn.Linear(hidden, dim), nn.Dropout(drop))

    def forward(self, x):
        x = x + self.drop_path(self.attn(self.norm1(x)))
        return x + self.drop_path(self.mlp(self.norm2(x)))


class ViT(nn.Module):
    def __init__(self, img_size=16, patch_size=4, in_chans=3, num_classes=4, embed_dim=32, depth=2, num_heads=4,
                 mlp_ratio=2.0, dropout=0.0, drop_path_rate=0.0, patch_embed='conv', pool='cls', blocks='torch'):
        super().__init__()
        self.pool = pool
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim, patch_embed)
        num_patches = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, embed_dim))
        self.pos_drop = nn.Dropout(p=dropout)
        if blocks == 'torch':
            layer = nn.TransformerEncoderLayer(embed_dim, num_heads, dim_feedforward=int(embed_dim * mlp_ratio),
                                               dropout=dropout, activation="gelu", batch_first=True, norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, num_layers=depth, enable_nested_tensor=False)
        else:  # hand-written blocks, with a stochastic depth rising linearly over the blocks
            dpr = [x.item() for x in torch.linspace(0, drop_path_rate, depth)]
            self.encoder = nn.Sequential(*[Block(embed_dim, num_heads, mlp_ratio, dropout, dpr[i])
                                           for i in range(depth)])
        self.norm = nn.LayerNorm(embed_dim, eps=1e-6)
        self.head = nn.Linear(embed_dim, num_classes)
        nn.init.trunc_normal_(self.pos_embed, std=.02)
        nn.init.trunc_normal_(self.cls_token, std=.02)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=.02)
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.LayerNorm):
            nn.init.constant_(m.bias, 0)
            nn.init.constant_(m.weight, 1.0)

    def forward(self, x):
        x = self.patch_embed(x)
        cls_tokens = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat((cls_tokens, x), dim=1)
        x = self.pos_drop(x + self.pos_embed)
        x = self.norm(self.encoder(x))
        x = x[:, 0] if self.pool == 'cls' else x[:, 1:].mean(dim=1)
        return self.head(x)


def reset_parameters_from_numpy(model, seed):
    """Weights and embeddings from numpy (uniform in +-1/sqrt(fan_in), N(0, 0.02) for the tokens), zero biases
    and unit LayerNorm scales: both frameworks start equal."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            shape = tuple(p.shape)
            if name in ('cls_token', 'pos_embed'):
                values = 0.02 * rng.standard_normal(shape)
            elif 'norm' in name:
                values = np.ones(shape) if name.endswith('weight') else np.zeros(shape)
            elif p.ndim == 1:
                values = np.zeros(shape)
            else:
                bound = 1.0 / math.sqrt(np.prod(shape[1:]))
                values = rng.uniform(-bound, bound, shape)
            p.copy_(torch.from_numpy(values.astype(np.float32)))


def param_groups(model, weight_decay):
    """Weight decay for the weight matrices and kernels; none for biases, norms and the tokens."""
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim <= 1 or name.endswith('.bias') or name in ('cls_token', 'pos_embed'):
            no_decay.append(param)
        else:
            decay.append(param)
    return [{'params': decay, 'weight_decay': weight_decay}, {'params': no_decay, 'weight_decay': 0.0}]


def cosine_with_warmup(warmup_steps, total_steps, min_ratio=0.0):
    def lr_lambda(step):
        if step < warmup_steps:
            return float(step + 1) / float(max(1, warmup_steps))
        progress = float(step - warmup_steps) / float(max(1, total_steps - warmup_steps))
        return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))
    return lr_lambda


def mixup(images, labels, num_classes, alpha, rng):
    """Convex combinations of the batch with a permutation of itself (Zhang et al., 2018): mixed images and
    soft targets, with the mixing weight and the permutation from numpy."""
    lam = float(rng.beta(alpha, alpha))
    perm = torch.from_numpy(rng.permutation(images.size(0)))
    targets = F.one_hot(labels, num_classes).float()
    return lam * images + (1 - lam) * images[perm], lam * targets + (1 - lam) * targets[perm]


def accuracy(output, target, topk=(1,)):
    """The percentage of samples whose label is among the k highest scores, for each k in topk."""
    maxk = max(topk)
    batch_size = target.size(0)
    _, pred = output.topk(maxk, 1, True, True)
    pred = pred.t()
    correct = pred.eq(target.view(1, -1).expand_as(pred))
    return [correct[:k].reshape(-1).float().sum(0, keepdim=True).mul_(100.0 / batch_size) for k in topk]


def train(model, loader, optimizer, scheduler, args, epoch, rng):
    model.train()
    for batch_idx, (images, labels) in enumerate(loader):
        optimizer.zero_grad()
        targets = labels
        if args.mixup > 0:
            images, targets = mixup(images, labels, args.classes, args.mixup, rng)
        logits = model(images)
        loss = F.cross_entropy(logits, targets, label_smoothing=args.label_smoothing)
        loss.backward()
        grad_norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=args.clip)
        optimizer.step()
        lr = scheduler.get_last_lr()[0]
        scheduler.step()
        acc = (logits.argmax(dim=-1) == labels).float().mean().item()
        print(f'epoch {epoch} step {batch_idx} lr {lr:.6f} loss {loss.item():.6f} '
              f'grad norm {grad_norm.item():.4f} acc {acc:.3f}')


@torch.inference_mode()
def evaluate(model, loader, criterion):
    model.eval()
    total_loss, correct, top2, count = 0.0, 0, 0.0, 0
    for images, labels in loader:
        logits = model(images)
        total_loss += criterion(logits, labels).item() * labels.size(0)
        correct += (logits.argmax(dim=-1) == labels).sum().item()
        top2 += accuracy(logits, labels, topk=(2,))[0].item() * labels.size(0) / 100.0
        count += labels.size(0)
    return total_loss / count, correct / count, top2 / count


def main():
    parser = argparse.ArgumentParser(description='a tiny ViT on synthetic stripes')
    parser.add_argument('--img-size', type=int, default=16)
    parser.add_argument('--patch-size', type=int, default=4)
    parser.add_argument('--channels', type=int, default=3)
    parser.add_argument('--classes', type=int, default=4)
    parser.add_argument('--embed-dim', type=int, default=32)
    parser.add_argument('--depth', type=int, default=2)
    parser.add_argument('--heads', type=int, default=4)
    parser.add_argument('--dropout', type=float, default=0.0)
    parser.add_argument('--patch-embed', choices=['conv', 'unfold'], default='conv')
    parser.add_argument('--pool', choices=['cls', 'mean'], default='cls')
    parser.add_argument('--blocks', choices=['torch', 'custom'], default='torch',
                        help='nn.TransformerEncoder, or hand-written blocks with scaled_dot_product_attention')
    parser.add_argument('--drop-path', type=float, default=0.0, help='stochastic depth of the custom blocks')
    parser.add_argument('--mixup', type=float, default=0.0, help='mixup alpha (0: no mixup)')
    parser.add_argument('--train-size', type=int, default=256)
    parser.add_argument('--val-size', type=int, default=128)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--epochs', type=int, default=4)
    parser.add_argument('--lr', type=float, default=3e-3)
    parser.add_argument('--weight-decay', type=float, default=0.05)
    parser.add_argument('--warmup-steps', type=int, default=4)
    parser.add_argument('--label-smoothing', type=float, default=0.1)
    parser.add_argument('--clip', type=float, default=1.0)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed + 2)  # mixup's draws
    x_train, y_train = make_stripes(args.train_size, args.img_size, args.channels, args.classes, args.seed)
    x_val, y_val = make_stripes(args.val_size, args.img_size, args.channels, args.classes, args.seed + 100)
    train_set = TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train))
    val_set = TensorDataset(torch.tensor(x_val), torch.tensor(y_val))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, sampler=NumpySampler(train_set, args.seed),
                              drop_last=True)
    val_loader = DataLoader(val_set, batch_size=64, shuffle=False)

    model = ViT(args.img_size, args.patch_size, args.channels, args.classes, args.embed_dim, args.depth, args.heads,
                dropout=args.dropout, drop_path_rate=args.drop_path, patch_embed=args.patch_embed, pool=args.pool,
                blocks=args.blocks)
    reset_parameters_from_numpy(model, args.seed + 1)
    print(model)
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f'{n_params} trainable parameters')

    optimizer = optim.AdamW(param_groups(model, args.weight_decay), lr=args.lr, betas=(0.9, 0.999))
    total_steps = args.epochs * len(train_loader)
    scheduler = LambdaLR(optimizer, lr_lambda=cosine_with_warmup(args.warmup_steps, total_steps))
    criterion = nn.CrossEntropyLoss()
    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, optimizer, scheduler, args, epoch, rng)
        val_loss, val_acc, val_top2 = evaluate(model, val_loader, criterion)
        print(f'epoch {epoch} validation loss {val_loss:.6f} top-1 accuracy {val_acc:.4f} top-2 {val_top2:.4f}')


if __name__ == '__main__':
    main()
