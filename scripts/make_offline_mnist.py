"""Build a small real MNIST for machines without internet, from the genuine MNIST test files.

The first --train test images become the train split and the last --test the test split, written in the
standard IDX layout (OUT/MNIST/raw/*.gz) so that `ddp.data.MNIST(OUT)` loads them.

    python scripts/make_offline_mnist.py --src ../shared/data/mnist --out data/
"""
import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing ddp

from ddp.core.data.mnist import MNIST, make_split  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=ROOT.parent / "shared" / "data" / "mnist",
                        help="folder with t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]")
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="data root to write (default: data/)")
    parser.add_argument("--train", type=int, default=8000, help="images in the train split (default 8000)")
    parser.add_argument("--test", type=int, default=2000, help="images in the test split (default 2000)")
    args = parser.parse_args(argv)
    out = make_split(args.src, args.out, n_train=args.train, n_test=args.test)
    for train in (True, False):
        ds = MNIST(out, train=train)
        print(f"{'train' if train else 'test'}: {len(ds)} images in {ds.raw_folder}")


if __name__ == "__main__":
    main()
