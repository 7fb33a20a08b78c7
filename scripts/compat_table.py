"""Write docs/compat.md: for the PyTorch names that training programs use, whether ddp has each one and
whether the tests check its behaviour against PyTorch.

    python scripts/compat_table.py            # rewrite docs/compat.md
    python scripts/compat_table.py --check    # exit 1 if docs/compat.md is out of date

"ddp has it" means the name resolves in ddp under the import mapping below. "Checked against PyTorch"
means a test file that compares with torch (it imports torch or calls importorskip("torch")) names it
(a method as `.name(`, anything else as a word): a file-level reading, so it says where to look, not that every argument is covered.
"""
import argparse
import importlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "compat.md"

# The import mapping: a PyTorch (or torchvision) prefix and the ddp module that stands for it.
PREFIXES = [
    ("torchvision.datasets", "ddp.data"),
    ("torchvision.transforms", "ddp.data.transforms"),
    ("torchvision.utils", "ddp.data.utils"),
    ("torch", "ddp"),
]

FAMILIES = {
    "Devices, dtypes and global switches": """
        torch.device torch.Tensor.device torch.Tensor.to torch.Tensor.cpu torch.Tensor.cuda torch.Tensor.type
        torch.Tensor.float torch.Tensor.double torch.Tensor.long torch.Tensor.int torch.Tensor.bool
        torch.Tensor.half torch.nn.Module.to torch.nn.Module.float torch.nn.Module.double
        torch.nn.Module.half torch.cuda.is_available torch.cuda.device_count torch.cuda.manual_seed
        torch.cuda.manual_seed_all torch.cuda.amp.GradScaler torch.autocast torch.amp.autocast
        torch.backends.cudnn torch.set_num_threads torch.get_num_threads torch.inference_mode torch.no_grad
        torch.enable_grad torch.set_grad_enabled torch.compile torch.jit.script torch.jit.trace torch.float32 torch.float64 torch.float16
        torch.bfloat16 torch.int64 torch.int32 torch.uint8 torch.bool torch.get_default_dtype
        torch.set_default_dtype torch.use_deterministic_algorithms
    """,
    "Namespaces": """
        torch.utils.data torch.utils.data.distributed torch.nn.parallel torch.nn.utils torch.nn.utils.rnn
        torch.nn.modules torch.distributed torch.multiprocessing torch.cuda torch.linalg torch.autograd
        torch.optim.lr_scheduler torch.nn.init torch.nn.functional torch.utils.checkpoint torch.special
    """,
    "Data (torch.utils.data)": """
        torch.utils.data.Dataset torch.utils.data.DataLoader torch.utils.data.TensorDataset
        torch.utils.data.random_split torch.utils.data.Subset torch.utils.data.ConcatDataset
        torch.utils.data.RandomSampler torch.utils.data.SequentialSampler torch.utils.data.BatchSampler
        torch.utils.data.SubsetRandomSampler torch.utils.data.WeightedRandomSampler
        torch.utils.data.distributed.DistributedSampler torch.utils.data.default_collate
        torch.utils.data.IterableDataset torch.utils.data.ChainDataset torch.utils.data.get_worker_info
    """,
    "Legacy forms": """
        torch.autograd.Variable torch.FloatTensor torch.DoubleTensor torch.LongTensor torch.IntTensor
        torch.ByteTensor torch.BoolTensor
    """,
    "torch.distributed": """
        torch.distributed.init_process_group torch.distributed.destroy_process_group
        torch.distributed.is_available torch.distributed.is_initialized torch.distributed.get_rank
        torch.distributed.get_world_size torch.distributed.get_backend torch.distributed.barrier
        torch.distributed.all_reduce torch.distributed.broadcast torch.distributed.reduce
        torch.distributed.all_gather torch.distributed.all_gather_into_tensor torch.distributed.gather
        torch.distributed.scatter torch.distributed.reduce_scatter torch.distributed.all_to_all
        torch.distributed.send torch.distributed.recv torch.distributed.isend torch.distributed.irecv
        torch.distributed.all_gather_object torch.distributed.broadcast_object_list
        torch.distributed.new_group torch.distributed.ReduceOp
        torch.nn.parallel.DistributedDataParallel torch.multiprocessing.spawn
        torch.distributed.optim.ZeroRedundancyOptimizer torch.distributed.algorithms.join.Join
        torch.distributed.algorithms.ddp_comm_hooks.default_hooks.allreduce_hook
        torch.distributed.algorithms.ddp_comm_hooks.default_hooks.fp16_compress_hook
        torch.distributed.algorithms.ddp_comm_hooks.default_hooks.bf16_compress_hook
        torch.distributed.algorithms.ddp_comm_hooks.powerSGD_hook.powerSGD_hook
        torch.distributed.algorithms.ddp_comm_hooks.powerSGD_hook.PowerSGDState torch.nn.SyncBatchNorm
    """,
    "Layers": """
        torch.nn.Linear torch.nn.Bilinear torch.nn.Identity torch.nn.Conv1d torch.nn.Conv2d
        torch.nn.ConvTranspose2d torch.nn.MaxPool2d torch.nn.AvgPool2d torch.nn.AdaptiveAvgPool2d
        torch.nn.AdaptiveMaxPool2d torch.nn.BatchNorm1d torch.nn.BatchNorm2d torch.nn.BatchNorm3d
        torch.nn.LayerNorm torch.nn.GroupNorm torch.nn.InstanceNorm2d torch.nn.Dropout torch.nn.Dropout1d
        torch.nn.Dropout2d torch.nn.Dropout3d torch.nn.Embedding torch.nn.RNN torch.nn.LSTM torch.nn.GRU
        torch.nn.RNNCell torch.nn.LSTMCell torch.nn.GRUCell torch.nn.MultiheadAttention torch.nn.Transformer
        torch.nn.TransformerEncoder torch.nn.TransformerEncoderLayer torch.nn.TransformerDecoder
        torch.nn.TransformerDecoderLayer torch.nn.Upsample torch.nn.PixelShuffle torch.nn.Flatten
        torch.nn.Unflatten torch.nn.Sequential torch.nn.ModuleList torch.nn.ModuleDict
        torch.nn.ParameterList torch.nn.ParameterDict torch.nn.functional.interpolate
        torch.nn.functional.scaled_dot_product_attention torch.nn.functional.conv1d
        torch.nn.functional.conv2d torch.nn.functional.conv_transpose2d torch.nn.functional.group_norm
        torch.nn.functional.pad torch.nn.functional.one_hot torch.nn.functional.embedding
        torch.nn.EmbeddingBag torch.nn.functional.embedding_bag torch.nn.Unfold torch.nn.Fold
        torch.nn.functional.unfold torch.nn.functional.fold torch.nn.ChannelShuffle
        torch.nn.functional.channel_shuffle torch.nn.functional.affine_grid torch.nn.functional.grid_sample
    """,
    "Activations": """
        torch.nn.ReLU torch.nn.ReLU6 torch.nn.LeakyReLU torch.nn.ELU torch.nn.SELU torch.nn.PReLU
        torch.nn.GELU torch.nn.SiLU torch.nn.Mish torch.nn.Softplus torch.nn.Softsign torch.nn.Hardtanh
        torch.nn.Hardswish torch.nn.Hardsigmoid torch.nn.LogSigmoid torch.nn.Sigmoid torch.nn.Tanh
        torch.nn.Softmax torch.nn.LogSoftmax torch.nn.functional.gelu torch.nn.functional.elu
        torch.nn.functional.softplus torch.nn.functional.mish torch.nn.functional.logsigmoid
        torch.nn.functional.hardtanh
    """,
    "Losses": """
        torch.nn.CrossEntropyLoss torch.nn.NLLLoss torch.nn.MSELoss torch.nn.L1Loss torch.nn.SmoothL1Loss
        torch.nn.HuberLoss torch.nn.KLDivLoss torch.nn.BCELoss torch.nn.BCEWithLogitsLoss
        torch.nn.CosineEmbeddingLoss torch.nn.MarginRankingLoss torch.nn.TripletMarginLoss
        torch.nn.functional.cross_entropy torch.nn.functional.nll_loss torch.nn.functional.mse_loss
        torch.nn.functional.l1_loss torch.nn.functional.smooth_l1_loss torch.nn.functional.huber_loss
        torch.nn.functional.kl_div torch.nn.functional.binary_cross_entropy
        torch.nn.functional.binary_cross_entropy_with_logits torch.nn.functional.cosine_embedding_loss
        torch.nn.functional.margin_ranking_loss torch.nn.functional.triplet_margin_loss
    """,
    "torch.nn.utils": """
        torch.nn.utils.clip_grad_norm_ torch.nn.utils.clip_grad_value_ torch.nn.utils.parameters_to_vector
        torch.nn.utils.vector_to_parameters torch.nn.utils.rnn.pad_sequence
    """,
    "Optimizers": """
        torch.optim.SGD torch.optim.Adam torch.optim.AdamW torch.optim.RMSprop torch.optim.Adagrad
        torch.optim.Adadelta torch.optim.Adamax torch.optim.NAdam torch.optim.RAdam torch.optim.ASGD
        torch.optim.Rprop torch.optim.LBFGS
    """,
    "Learning-rate schedules": """
        torch.optim.lr_scheduler.LambdaLR torch.optim.lr_scheduler.MultiplicativeLR
        torch.optim.lr_scheduler.StepLR torch.optim.lr_scheduler.MultiStepLR torch.optim.lr_scheduler.ConstantLR
        torch.optim.lr_scheduler.LinearLR torch.optim.lr_scheduler.ExponentialLR
        torch.optim.lr_scheduler.PolynomialLR torch.optim.lr_scheduler.CosineAnnealingLR
        torch.optim.lr_scheduler.CosineAnnealingWarmRestarts torch.optim.lr_scheduler.CyclicLR
        torch.optim.lr_scheduler.OneCycleLR torch.optim.lr_scheduler.ChainedScheduler
        torch.optim.lr_scheduler.SequentialLR torch.optim.lr_scheduler.ReduceLROnPlateau
    """,
    "Tensor API": """
        torch.Tensor.narrow torch.Tensor.new_zeros torch.Tensor.new_ones torch.Tensor.new_full
        torch.Tensor.new_empty torch.Tensor.new_tensor torch.randint torch.norm torch.linalg.norm
        torch.linalg.vector_norm torch.log1p torch.expm1 torch.erf torch.tril torch.triu torch.multinomial
        torch.bernoulli torch.Tensor.normal_ torch.Tensor.uniform_ torch.Tensor.fill_ torch.Tensor.zero_
        torch.Tensor.add_ torch.Tensor.mul_ torch.Tensor.copy_ torch.Tensor.masked_fill_ torch.topk torch.sort
        torch.argsort torch.cumsum torch.cumprod torch.gather torch.scatter torch.scatter_add
        torch.index_select torch.masked_fill torch.masked_select torch.nonzero torch.repeat_interleave
        torch.Tensor.repeat torch.flip torch.roll torch.chunk torch.split torch.unbind torch.einsum torch.bmm
        torch.baddbmm torch.addmm torch.outer torch.diag torch.allclose torch.isclose torch.isfinite
        torch.isnan torch.isinf torch.eq torch.ne torch.lt torch.le torch.gt torch.ge torch.logical_and
        torch.logical_or torch.logical_not torch.logical_xor torch.where torch.clamp torch.prod torch.lerp
        torch.Tensor.__format__ torch.Tensor.tolist torch.Tensor.item torch.Tensor.numpy torch.Tensor.type_as
        torch.Tensor.view_as torch.Tensor.unflatten torch.cat torch.stack torch.squeeze torch.unsqueeze
        torch.unique torch.Tensor.unique torch.unique_consecutive torch.Tensor.unique_consecutive
        torch.is_tensor torch.is_floating_point torch.numel torch.nan_to_num torch.Tensor.nan_to_num
        torch.meshgrid torch.broadcast_tensors torch.broadcast_to torch.searchsorted torch.bucketize torch.cdist
        torch.diff torch.nansum torch.nanmean torch.set_printoptions torch.hstack torch.vstack torch.dstack
        torch.column_stack torch.atleast_1d torch.atleast_2d torch.atleast_3d torch.median torch.Tensor.median
        torch.nanmedian torch.kthvalue torch.quantile torch.nanquantile torch.logaddexp torch.logcumsumexp
        torch.cummax torch.cummin torch.histc torch.take_along_dim torch.rot90
        torch.tensordot torch.kron torch.cross torch.linalg.cross torch.cartesian_prod torch.block_diag
        torch.erfinv torch.Tensor.erfinv torch.logit torch.special.expit torch.special.logit torch.special.ndtr
        torch.special.ndtri torch.special.erfinv
        torch.linalg.inv torch.linalg.det torch.linalg.slogdet torch.linalg.solve torch.linalg.cholesky
        torch.linalg.solve_triangular torch.linalg.eigh torch.linalg.eigvalsh torch.linalg.svd torch.linalg.svdvals
        torch.linalg.pinv torch.linalg.matrix_power torch.linalg.multi_dot torch.linalg.vecdot torch.inverse torch.det
        torch.logdet torch.slogdet torch.cholesky torch.cholesky_solve torch.Tensor.inverse
    """,
    "Distributions (torch.distributions)": """
        torch.distributions.Categorical torch.distributions.Normal torch.distributions.Bernoulli
        torch.distributions.Uniform torch.distributions.Independent torch.distributions.kl_divergence
        torch.distributions.Distribution
    """,
    "Saving": """
        torch.save torch.load torch.serialization.add_safe_globals torch.serialization.safe_globals
    """,
    "torchvision pieces (ddp.data)": """
        torchvision.datasets.MNIST torchvision.datasets.FashionMNIST torchvision.datasets.KMNIST
        torchvision.datasets.CIFAR10 torchvision.datasets.FakeData torchvision.transforms.Compose
        torchvision.transforms.ToTensor torchvision.transforms.Normalize torchvision.transforms.RandomCrop
        torchvision.transforms.RandomHorizontalFlip torchvision.transforms.RandomRotation
        torchvision.transforms.Resize torchvision.transforms.CenterCrop torchvision.transforms.ColorJitter
        torchvision.utils.make_grid torchvision.utils.save_image
    """,
    "Reproducibility and debugging": """
        torch.manual_seed torch.seed torch.initial_seed torch.get_rng_state torch.set_rng_state
        torch.Generator torch.Generator.manual_seed torch.Generator.get_state torch.Generator.set_state
        torch.autograd.set_detect_anomaly torch.autograd.detect_anomaly torch.autograd.grad
        torch.autograd.Function torch.autograd.gradcheck torch.utils.checkpoint.checkpoint
        torch.utils.checkpoint.checkpoint_sequential
    """,
}


def ddp_path(name):
    """The ddp name that stands for a PyTorch (or torchvision) name."""
    for prefix, target in PREFIXES:
        if name == prefix or name.startswith(prefix + "."):
            return target + name[len(prefix):]
    raise ValueError(f"no ddp mapping for {name}")


def resolves(path):
    """Whether a dotted ddp name exists: the longest importable module, then attributes."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def torch_test_text():
    """The text of every test file that compares with PyTorch."""
    texts = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        text = path.read_text()
        if re.search(r"importorskip\(\s*[\"']torch[\"']|^\s*import torch\b", text, flags=re.M):
            texts.append(text)
    return "\n".join(texts)


def checked(name, text):
    """Whether a torch-comparing test names `name`: a method as `.name(`, anything else as a whole word."""
    owner, last = name.rsplit(".", 1)
    if last == "__format__":
        pattern = r"\{[^{}]*:[^{}]*\}"  # a format spec in an f-string
    elif owner.endswith(("Tensor", "Module", "Generator")):
        pattern = r"\." + re.escape(last) + r"\("
    else:
        pattern = r"(?<![\w.])(?:\w+\.)*" + re.escape(last) + r"(?![\w])"
    return re.search(pattern, text) is not None


def table():
    sys.path.insert(0, str(ROOT))
    text = torch_test_text()
    lines = [
        "# PyTorch compatibility",
        "",
        "Generated by `python scripts/compat_table.py` (do not edit by hand). For the PyTorch names that",
        "training programs use, family by family: whether ddp has the name (under the mapping `torch` ->",
        "`ddp`, `torchvision.datasets` -> `ddp.data`, `torchvision.transforms` -> `ddp.data.transforms`,",
        "`torchvision.utils` -> `ddp.data.utils`), and whether a test that compares with PyTorch names it.",
        "",
    ]
    totals = [0, 0, 0]
    for family, names in FAMILIES.items():
        names = names.split()
        rows = [(n, resolves(ddp_path(n)), checked(n, text)) for n in names]
        have = sum(r[1] for r in rows)
        tested = sum(r[1] and r[2] for r in rows)
        totals = [totals[0] + len(rows), totals[1] + have, totals[2] + tested]
        lines += [f"## {family} ({have}/{len(rows)} present, {tested} checked against PyTorch)", "",
                  "| PyTorch | ddp | present | checked against PyTorch |", "|---|---|---|---|"]
        for n, has, chk in rows:
            lines.append(f"| `{n}` | `{ddp_path(n)}` | {'yes' if has else 'no'} | "
                         f"{'yes' if has and chk else 'no'} |")
        lines.append("")
    lines.insert(7, f"In all: {totals[1]} of {totals[0]} names present, {totals[2]} checked against PyTorch.")
    lines.insert(8, "")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/compat.md is out of date")
    args = parser.parse_args(argv)
    text = table()
    if args.check:
        current = OUT.read_text() if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run python scripts/compat_table.py", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text)
    print(text.splitlines()[7])
    return 0


if __name__ == "__main__":
    sys.exit(main())
