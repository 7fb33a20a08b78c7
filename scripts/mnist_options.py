"""scripts/train_mnist.py's command line: the options, their defaults (shown by --help) and their checks."""
import argparse
import os
import sys

from mnist_models import DEFAULTS, MODELS


class _Parser(argparse.ArgumentParser):
    """Reports a bad option once, from rank 0, when every rank of an mpirun job parses the same line."""

    def error(self, message):
        if os.environ.get("PMI_RANK", os.environ.get("OMPI_COMM_WORLD_RANK", "0")) == "0":
            self.print_usage(sys.stderr)
            sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


class _Defaults(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Appends "(default: X)" to an option's help, except where there is no default (None, a flag's False)
    or the help already states it (the per-model defaults)."""

    def _get_help_string(self, action):
        if action.default in (None, False) or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def _per_model(key, fmt="{}"):
    """'default: 0.3 for mlp, 0.7 for cnn and cnn2' from DEFAULTS."""
    groups = {}
    for model in sorted(MODELS):
        groups.setdefault(fmt.format(DEFAULTS[model][key]), []).append(model)
    return "default: " + ", ".join(f"{value} for {' and '.join(models)}" for value, models in groups.items())


def build_parser(description):
    p = _Parser(description=description, formatter_class=_Defaults)
    p.add_argument("--model", choices=sorted(MODELS), default="cnn", help="the network (ddp.models)")
    p.add_argument("--epochs", type=int, default=3, help="passes over the training set")
    p.add_argument("--batch-size", type=int, default=64, help="per data-parallel replica")
    p.add_argument("--test-batch-size", type=int, default=1000, help="evaluation batch per replica")
    p.add_argument("--optimizer", choices=["sgd", "adam"], help=_per_model("optimizer"))
    p.add_argument("--lr", type=float, help="learning rate on one replica; " + _per_model("lr", "{:g}"))
    p.add_argument("--momentum", type=float, help="SGD momentum; " + _per_model("momentum", "{:g}"))
    p.add_argument("--gamma", type=float, help="learning-rate decay per epoch (StepLR); " + _per_model("gamma", "{:g}"))
    p.add_argument("--scale-lr", choices=["none", "linear"], default="none",
                   help="linear: multiply --lr by the number of replicas (the global batch grows with them), "
                        "warming up linearly from --lr over --warmup-epochs; none: --lr on any number of ranks")
    p.add_argument("--warmup-epochs", type=float, default=0.0,
                   help="with --scale-lr linear: epochs of the linear ramp from --lr to the scaled rate (0: "
                        "the scaled rate from the first step, the best of 0, 0.25, 0.5 and 1 measured on 4 ranks)")
    p.add_argument("--data-dir", default="data", help="MNIST root")
    p.add_argument("--download", action="store_true", help="download MNIST if missing (rank 0 does it)")
    p.add_argument("--seed", type=int, default=1, help="initial weights and data order")
    p.add_argument("--save", metavar="PATH", help="write the trained model's state dict here (ddp.save)")
    p.add_argument("--log-dir", metavar="DIR", help="where the run's config, metrics and checkpoints go "
                   "(default: runs/<date-time>-<model>-<parallel>)")
    p.add_argument("--no-log", action="store_true", help="write no run folder")
    p.add_argument("--timeline", metavar="PATH",
                   help="record every rank's work and write it as one Chrome-trace JSON (Perfetto)")
    p.add_argument("--checkpoint-every", type=int, metavar="STEPS",
                   help="write the whole training state every STEPS steps (to --checkpoint-dir)")
    p.add_argument("--checkpoint-dir", metavar="DIR", help="where periodic checkpoints go "
                   "(default: <log-dir>/checkpoints, or ./checkpoints with --no-log)")
    p.add_argument("--keep", type=int, default=3, help="periodic checkpoints to keep (older ones are removed)")
    p.add_argument("--resume", metavar="PATH",
                   help="continue from a checkpoint file, or from the latest one in a directory")
    p.add_argument("--parallel", choices=["data", "pipeline", "hybrid"], default="data",
                   help="data parallel, pipelined, or pipelines replicated data-parallel")
    p.add_argument("--stages", type=int, help="pipeline stages (default: all ranks; hybrid: 2)")
    p.add_argument("--micro-batches", type=int, default=4, help="micro-batches per pipeline step")
    p.add_argument("--schedule", choices=["1f1b", "gpipe"], default="1f1b", help="pipeline schedule")
    p.add_argument("--balance", help="layers per pipeline stage, e.g. 3,3,4 (default: measured)")
    p.add_argument("--simulate-ranks", type=int, metavar="N", help="run N ranks as threads of this process")
    p.add_argument("--max-steps", type=int, help="stop training after this many steps (for quick checks)")
    p.add_argument("--quiet", "--no-progress", dest="quiet", action="store_true",
                   help="no progress bar or progress lines, only the per-epoch lines")
    return p


def parse_args(argv=None, description=None):
    p = build_parser(description)
    args = p.parse_args(argv)
    for key, value in DEFAULTS[args.model].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    for name in ("epochs", "batch_size", "test_batch_size", "micro_batches", "keep", "max_steps", "stages",
                 "simulate_ranks", "checkpoint_every"):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if not args.lr > 0:
        p.error(f"--lr must be positive, got {args.lr:g}")
    if not 0 < args.gamma <= 1:
        p.error(f"--gamma must be in (0, 1] (the learning rate is multiplied by it each epoch), got {args.gamma:g}")
    if not 0 <= args.warmup_epochs:
        p.error(f"--warmup-epochs must be at least 0, got {args.warmup_epochs:g}")
    if not 0 <= args.momentum < 1:
        p.error(f"--momentum must be in [0, 1), got {args.momentum:g}")
    if args.parallel != "data" and (args.resume or args.checkpoint_every):
        p.error("--checkpoint-every and --resume need --parallel data (rank 0 then holds the whole model)")
    if args.timeline and args.simulate_ranks:
        p.error("--timeline records one track per process: run the ranks under mpirun, not --simulate-ranks")
    if args.no_log and args.log_dir:
        p.error("--no-log and --log-dir contradict each other: pass one")
    if args.balance is not None:
        try:
            args.balance = [int(b) for b in args.balance.split(",")]
        except ValueError:
            p.error(f"--balance takes layer counts separated by commas, e.g. 3,3,4; got {args.balance!r}")
        if min(args.balance) < 1:
            p.error(f"--balance: every stage needs at least one layer, got {args.balance}")
    args.no_progress = args.quiet  # the old name, for code that reads it
    return args
