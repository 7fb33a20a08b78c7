"""scripts/examples/dcgan.py: the DCGAN trains under ddp (the discriminator's loss falls, a checkpoint restores
the generator) and, with torch installed, the very same program under PyTorch prints the same losses and the
same printed models; the ddp program then continues from the checkpoints the PyTorch program wrote (PyTorch's
own file format) just as from its own."""
import numpy as np

from example_runner import run_example

ARGS = ("--epochs", "3", "--samples", "64", "--batch-size", "16")


def _models(stdout):
    """The printed generator and discriminator: the lines after the options, up to the first step."""
    lines = stdout.splitlines()
    return lines[1:next(i for i, line in enumerate(lines) if line.startswith("[0/"))]


def test_dcgan_trains_under_ddp(tmp_path):
    losses, out = run_example("dcgan", "ddp", tmp_path, *ARGS)
    assert len(losses) == 24, out.stdout  # D and G losses of 4 steps per epoch
    assert all(np.isfinite(losses))
    d_loss = losses[0::2]
    assert np.mean(d_loss[-4:]) < np.mean(d_loss[:4]) - 0.08, f"D loss went from {d_loss[:4]} to {d_loss[-4:]}"
    assert "restored generator matches: True" in out.stdout
    assert _models(out.stdout)[0] == "Generator("


def test_dcgan_with_framework_initialisation_runs_under_ddp(tmp_path):
    """`--init torch` draws the weights with normal_ / nn.init from each framework's own generator, so only
    the run itself is checked: one finite step (`--dry-run`)."""
    losses, out = run_example("dcgan", "ddp", tmp_path, "--init", "torch", "--dry-run")
    assert len(losses) == 2 and all(np.isfinite(losses)), out.stdout


def test_dcgan_matches_pytorch_and_continues_from_its_checkpoints(tmp_path):
    ours, out = run_example("dcgan", "ddp", tmp_path, *ARGS, "--outf", tmp_path / "ddp")
    theirs, out_t = run_example("dcgan", "torch", tmp_path, *ARGS, "--outf", tmp_path / "torch")
    assert len(ours) == len(theirs) == 24
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    assert _models(out.stdout) == _models(out_t.stdout)

    def resumed(folder):
        nets = ("--netG", tmp_path / folder / "netG_epoch_2.pth", "--netD", tmp_path / folder / "netD_epoch_2.pth")
        return run_example("dcgan", "ddp", tmp_path, "--epochs", "1", "--seed", "5", *nets)[0]

    from_torch, from_ddp = resumed("torch"), resumed("ddp")
    fresh, _ = run_example("dcgan", "ddp", tmp_path, "--epochs", "1", "--seed", "5")
    np.testing.assert_allclose(from_torch, from_ddp, rtol=1e-4)
    assert abs(from_torch[0] - fresh[0]) > 1e-3  # the checkpoints were loaded, not the seed's weights
