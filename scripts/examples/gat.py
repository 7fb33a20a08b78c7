"""A two-layer graph attention network (Velickovic et al., 2018) classifying the nodes of a synthetic graph,
written as a PyTorch user writes one with a dense adjacency matrix (in the shape of the popular pyGAT code).

The graph is a stochastic block model: nodes of one class link to each other more often than to others, and
each node carries sparse binary "word" features drawn more often from its class's vocabulary. The hidden layer
is a ModuleList of single-head attention layers whose outputs are concatenated after F.elu; the output layer
holds all its heads in one batched layer and averages them. Attention logits are LeakyReLU(a^T [W h_i || W h_j]);
non-edges are masked to -9e15 (with torch.where in the single-head layer, masked_fill in the batched one)
before a softmax over each node's neighbours; `--out-layer edges` computes the output layer over an edge list
(`adj.nonzero()`) instead, with scatter_reduce("amax") and index_add_ as graph libraries do. Training
minimises F.nll_loss of log_softmax over the training nodes (a boolean mask), with Adam and weight decay, and
stops early when the validation loss has not improved for `--patience` epochs; the best weights are kept as a
deep copy of model.state_dict(), saved, and loaded back for the test.

Only the imports differ from the PyTorch program (tests/examples/test_gat.py runs both). So that both
frameworks compute the same numbers the graph, the features and the initial weights come from numpy with
fixed seeds; dropout masks come from each framework's own generator, so runs are compared with `--dropout 0`.

    python scripts/examples/gat.py --epochs 60 --heads 4 --dropout 0.6
"""
import argparse
import copy
import math
import time

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F
import ddp.optim as optim


def make_graph(nodes, classes, features, seed, p_in=0.12, p_out=0.03):
    """A stochastic block model: adjacency (nodes, nodes) with self-loops, binary features, labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, nodes)
    same = labels[:, None] == labels[None, :]
    upper = np.triu(rng.random((nodes, nodes)) < np.where(same, p_in, p_out), 1)
    adj = (upper | upper.T | np.eye(nodes, dtype=bool)).astype(np.float32)
    words_per_class = features // classes
    prob = np.full((nodes, features), 0.05)
    for c in range(classes):
        prob[labels == c, c * words_per_class:(c + 1) * words_per_class] = 0.15
    feats = (rng.random((nodes, features)) < prob).astype(np.float32)
    feats[feats.sum(1) == 0, rng.integers(0, features)] = 1.0  # no empty rows: every node says something
    return adj, feats, labels


class GraphAttentionLayer(nn.Module):
    """One attention head: h' = softmax over neighbours j of LeakyReLU(a^T [W h_i || W h_j]), times W h."""

    def __init__(self, in_features, out_features, dropout, alpha, concat=True):
        super(GraphAttentionLayer, self).__init__()
        self.dropout = dropout
        self.in_features = in_features
        self.out_features = out_features
        self.alpha = alpha
        self.concat = concat
        self.W = nn.Parameter(torch.empty(size=(in_features, out_features)))
        nn.init.xavier_uniform_(self.W.data, gain=1.414)
        self.a = nn.Parameter(torch.empty(size=(2 * out_features, 1)))
        nn.init.xavier_uniform_(self.a.data, gain=1.414)
        self.leakyrelu = nn.LeakyReLU(self.alpha)

    def forward(self, h, adj):
        Wh = torch.mm(h, self.W)  # (N, out_features)
        e = self._attention_logits(Wh)
        zero_vec = -9e15 * torch.ones_like(e)
        attention = torch.where(adj > 0, e, zero_vec)
        attention = F.softmax(attention, dim=1)
        attention = F.dropout(attention, self.dropout, training=self.training)
        h_prime = torch.matmul(attention, Wh)
        return F.elu(h_prime) if self.concat else h_prime

    def _attention_logits(self, Wh):
        # a^T [Wh_i || Wh_j] = a_1 . Wh_i + a_2 . Wh_j: two (N, 1) products, broadcast to (N, N)
        Wh1 = torch.matmul(Wh, self.a[:self.out_features, :])
        Wh2 = torch.matmul(Wh, self.a[self.out_features:, :])
        return self.leakyrelu(Wh1 + Wh2.T)

    def __repr__(self):
        return self.__class__.__name__ + ' (' + str(self.in_features) + ' -> ' + str(self.out_features) + ')'


class BatchedGraphAttention(nn.Module):
    """`heads` attention heads at once: one Linear for every head's W, logits of shape (heads, N, N)."""

    def __init__(self, in_features, out_features, heads, dropout, alpha, concat=False):
        super().__init__()
        self.heads, self.out_features, self.concat = heads, out_features, concat
        self.dropout, self.alpha = dropout, alpha
        self.lin = nn.Linear(in_features, heads * out_features, bias=False)
        self.att_src = nn.Parameter(torch.empty(1, heads, out_features))
        self.att_dst = nn.Parameter(torch.empty(1, heads, out_features))
        self.bias = nn.Parameter(torch.zeros(out_features if not concat else heads * out_features))

    def forward(self, x, adj):
        n = x.size(0)
        h = self.lin(x).view(n, self.heads, self.out_features)        # (N, H, F)
        alpha_src = (h * self.att_src).sum(dim=-1)                      # (N, H)
        alpha_dst = (h * self.att_dst).sum(dim=-1)
        e = alpha_dst.t().unsqueeze(2) + alpha_src.t().unsqueeze(1)     # (H, N, N): e[k, i, j]
        e = F.leaky_relu(e, negative_slope=self.alpha)
        e = e.masked_fill(adj.unsqueeze(0) == 0, float('-9e15'))
        attention = torch.softmax(e, dim=-1)
        attention = F.dropout(attention, p=self.dropout, training=self.training)
        out = torch.bmm(attention, h.permute(1, 0, 2))                  # (H, N, F)
        if self.concat:
            out = out.permute(1, 0, 2).reshape(n, self.heads * self.out_features)
        else:
            out = out.mean(dim=0)
        return out + self.bias


class EdgeGraphAttention(BatchedGraphAttention):
    """The same heads over an edge list (2, E) instead of a dense adjacency: per-edge logits, a softmax
    over the edges into each node by scatter (max, then sums with index_add_), messages summed likewise."""

    def forward(self, x, edge_index):
        n = x.size(0)
        src, dst = edge_index[0], edge_index[1]
        h = self.lin(x).view(n, self.heads, self.out_features)
        alpha = (h * self.att_src).sum(-1)[src] + (h * self.att_dst).sum(-1)[dst]  # (E, H)
        alpha = F.leaky_relu(alpha, self.alpha)
        index = dst.unsqueeze(-1).expand_as(alpha)
        alpha_max = torch.full((n, self.heads), float('-inf')).scatter_reduce(
            0, index, alpha.detach(), reduce='amax', include_self=True)
        alpha = (alpha - alpha_max.index_select(0, dst)).exp()
        denominator = torch.zeros(n, self.heads).index_add_(0, dst, alpha)
        alpha = alpha / denominator[dst]
        alpha = F.dropout(alpha, p=self.dropout, training=self.training)
        messages = h[src] * alpha.unsqueeze(-1)                          # (E, H, F)
        out = torch.zeros(n, self.heads, self.out_features).index_add_(0, dst, messages)
        out = out.flatten(1) if self.concat else out.mean(dim=1)
        return out + self.bias


class GAT(nn.Module):
    def __init__(self, nfeat, nhid, nclass, dropout, alpha, nheads, out_heads, out_layer='dense'):
        super(GAT, self).__init__()
        self.dropout = dropout
        self.out_layer = out_layer
        self.attentions = nn.ModuleList(
            [GraphAttentionLayer(nfeat, nhid, dropout=dropout, alpha=alpha, concat=True) for _ in range(nheads)])
        for i, attention in enumerate(self.attentions):
            self.add_module('attention_{}'.format(i), attention)  # pyGAT's habit: the same modules, twice named
        layer = EdgeGraphAttention if out_layer == 'edges' else BatchedGraphAttention
        self.out_att = layer(nhid * nheads, nclass, out_heads, dropout=dropout, alpha=alpha)

    def forward(self, x, adj):
        x = F.dropout(x, self.dropout, training=self.training)
        x = torch.cat([att(x, adj) for att in self.attentions], dim=1)
        x = F.dropout(x, self.dropout, training=self.training)
        if self.out_layer == 'edges':
            x = self.out_att(x, adj.nonzero().t().contiguous())  # edge_index: (source, target) rows
        else:
            x = self.out_att(x, adj)
        return F.log_softmax(x, dim=1)


def reset_parameters_from_numpy(model, seed):
    """Xavier-uniform (gain 1.414) weights drawn by numpy, so that both frameworks start equal."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('bias'):
                p.zero_()
                continue
            fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(p)
            bound = 1.414 * math.sqrt(6.0 / (fan_in + fan_out))
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


def accuracy(output, labels):
    preds = output.max(1)[1].type_as(labels)
    correct = preds.eq(labels).double()
    correct = correct.sum()
    return correct / len(labels)


def main():
    parser = argparse.ArgumentParser(description='a graph attention network on a synthetic block-model graph')
    parser.add_argument('--nodes', type=int, default=150)
    parser.add_argument('--classes', type=int, default=3)
    parser.add_argument('--features', type=int, default=60)
    parser.add_argument('--epochs', type=int, default=200)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--weight_decay', type=float, default=5e-4)
    parser.add_argument('--hidden', type=int, default=8)
    parser.add_argument('--heads', type=int, default=4)
    parser.add_argument('--out-heads', type=int, default=2)
    parser.add_argument('--dropout', type=float, default=0.6)
    parser.add_argument('--alpha', type=float, default=0.2, help='negative slope of the LeakyReLU')
    parser.add_argument('--out-layer', default='dense', choices=['dense', 'edges'])
    parser.add_argument('--patience', type=int, default=10)
    parser.add_argument('--seed', type=int, default=72)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    adj, features, labels = make_graph(args.nodes, args.classes, args.features, args.seed)
    adj = torch.FloatTensor(adj)
    features = torch.FloatTensor(features)
    features = features / features.sum(1, keepdim=True)  # row-normalised, as in the GAT paper
    labels = torch.LongTensor(labels)
    train_mask = torch.zeros(args.nodes, dtype=torch.bool)
    train_mask[:args.nodes // 5] = True
    idx_val = torch.LongTensor(range(args.nodes // 5, args.nodes // 2))
    idx_test = torch.arange(args.nodes // 2, args.nodes)
    print(f"graph: {args.nodes} nodes, {int((adj.sum() - args.nodes).item()) // 2} edges, "
          f"{int(train_mask.sum())} training nodes")

    model = GAT(nfeat=features.shape[1], nhid=args.hidden, nclass=int(labels.max()) + 1, dropout=args.dropout,
                alpha=args.alpha, nheads=args.heads, out_heads=args.out_heads, out_layer=args.out_layer)
    reset_parameters_from_numpy(model, args.seed + 1)
    print(model)
    print(f"{sum(p.numel() for p in model.parameters() if p.requires_grad)} parameters")
    optimizer = optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)

    def train(epoch):
        t = time.time()
        model.train()
        optimizer.zero_grad()
        output = model(features, adj)
        loss_train = F.nll_loss(output[train_mask], labels[train_mask])
        acc_train = accuracy(output[train_mask], labels[train_mask])
        loss_train.backward()
        optimizer.step()

        model.eval()
        with torch.no_grad():
            output = model(features, adj)
        loss_val = F.nll_loss(output[idx_val], labels[idx_val])
        acc_val = accuracy(output[idx_val], labels[idx_val])
        print('Epoch: {:04d}'.format(epoch + 1),
              'train loss: {:.6f}'.format(loss_train.data.item()),
              'acc_train: {:.4f}'.format(acc_train.data.item()),
              'val loss: {:.6f}'.format(loss_val.data.item()),
              'acc_val: {:.4f}'.format(acc_val.data.item()),
              'time: {:.4f}s'.format(time.time() - t))
        return loss_val.data.item()

    best, best_epoch, bad_counter, best_state = float('inf'), 0, 0, None
    for epoch in range(args.epochs):
        loss_val = train(epoch)
        if loss_val < best:
            best, best_epoch, bad_counter = loss_val, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            bad_counter += 1
        if bad_counter == args.patience:
            print(f"early stop after epoch {epoch + 1}: no better validation loss for {args.patience} epochs")
            break

    torch.save(best_state, 'gat_best.pt')
    print('Loading epoch {}'.format(best_epoch + 1))
    print(model.load_state_dict(torch.load('gat_best.pt', weights_only=True)))
    assert all(torch.equal(v, best_state[k]) for k, v in model.state_dict().items())
    model.eval()
    with torch.no_grad():
        output = model(features, adj)
        loss_test = F.nll_loss(output[idx_test], labels[idx_test])
        acc_test = accuracy(output[idx_test], labels[idx_test])
    print("Test set results:", "loss= {:.6f}".format(loss_test.item()), "accuracy= {:.4f}".format(acc_test.item()))


if __name__ == '__main__':
    main()
