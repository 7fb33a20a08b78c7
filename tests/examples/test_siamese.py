"""scripts/examples/siamese.py: the siamese network trains under ddp (its test loss falls, it tells matching
pairs from others) and, with torch installed, the very same program under PyTorch prints the same losses,
accuracies and printed model, with the BCE head and with the contrastive loss.

Those runs order each epoch with the program's numpy-driven Sampler. With `--shuffle torch` the program uses
DataLoader(shuffle=True, generator=torch.Generator().manual_seed(seed)) instead: each framework's generator
then orders the pairs its own way (ddp's draws from numpy's PCG64, PyTorch's from a Mersenne Twister), so that
run is compared only in structure (as many losses, all finite) and checked to repeat exactly under ddp for
the same seed."""
import re

import numpy as np

from example_runner import run_example

STEPS_LOGGED = 6  # 12 batches of 32 pairs per epoch, every second one logged


def _test_losses(stdout):
    return [float(v) for v in re.findall(r"Test set: average loss ([0-9.]+)", stdout)]


def _accuracies(stdout):
    return re.findall(r"Accuracy: ([0-9]+/[0-9]+)", stdout)


def _model(stdout):
    return stdout.split("\nepoch 1 lr")[0]


def test_siamese_trains_under_ddp(tmp_path):
    losses, out = run_example("siamese", "ddp", tmp_path, "--epochs", "4")
    assert len(losses) == 4 * (STEPS_LOGGED + 1) + 1, out.stdout  # logged steps and a test per epoch, a re-test
    assert all(np.isfinite(losses))
    test = _test_losses(out.stdout)
    assert test[3] < test[0] - 0.1, f"test loss went from {test[0]} to {test[3]}"
    assert float(re.search(r"best test accuracy ([0-9.]+)", out.stdout).group(1)) >= 0.75  # chance: 0.5
    assert _model(out.stdout).startswith("SiameseNetwork(")


def test_siamese_matches_pytorch(tmp_path):
    for args in [("--epochs", "2"), ("--epochs", "1", "--loss", "contrastive")]:
        ours, out = run_example("siamese", "ddp", tmp_path, *args)
        theirs, out_t = run_example("siamese", "torch", tmp_path, *args)
        assert len(ours) == len(theirs) == int(args[1]) * (STEPS_LOGGED + 1) + 1, args
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6, err_msg=str(args))
        assert _accuracies(out.stdout) == _accuracies(out_t.stdout), args
        assert _model(out.stdout) == _model(out_t.stdout)


SHUFFLED = ("--epochs", "2", "--shuffle", "torch")


def test_siamese_with_a_seeded_torch_generator_repeats_under_ddp(tmp_path):
    first, out = run_example("siamese", "ddp", tmp_path, *SHUFFLED)
    again, out_again = run_example("siamese", "ddp", tmp_path, *SHUFFLED)
    assert out.stdout == out_again.stdout  # the same seed orders the pairs the same way
    assert len(first) == 2 * (STEPS_LOGGED + 1) + 1 and all(np.isfinite(first))
    other, _ = run_example("siamese", "ddp", tmp_path, *SHUFFLED, "--seed", "2")
    assert other[:STEPS_LOGGED] != first[:STEPS_LOGGED]  # another seed, another order (and other pairs)


def test_siamese_with_a_seeded_torch_generator_has_pytorchs_structure(tmp_path):
    theirs, _ = run_example("siamese", "torch", tmp_path, *SHUFFLED)
    assert len(theirs) == 2 * (STEPS_LOGGED + 1) + 1 and all(np.isfinite(theirs))  # as ddp's, above
