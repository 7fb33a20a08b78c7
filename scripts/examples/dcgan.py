"""A small DCGAN (Radford, Metz and Chintala, 2016) on synthetic 16x16 images, written as a PyTorch user
writes one (in the shape of PyTorch's dcgan example).

The generator lifts a noise vector to an image through transposed convolutions with batch norm and ReLU,
ending in Tanh; the discriminator maps an image to the probability that it is real through strided
convolutions with batch norm and LeakyReLU, ending in Sigmoid. Each step first trains the discriminator on
a real batch (label 1) and a detached fake batch (label 0), then trains the generator to make the
discriminator call its fakes real. The "real" images are soft blobs on a dark background, scaled to [-1, 1].

Only the imports differ from the PyTorch program (tests/examples/test_dcgan.py runs both). So that both
frameworks compute the same numbers, the images, the noise and (with the default `--init numpy`) the
initial weights come from numpy with fixed seeds; `--init torch` draws them with `normal_` instead.
`--netG` / `--netD` continue from checkpoints, which may be PyTorch's own (tests/examples/test_dcgan.py
continues the ddp program from the PyTorch program's checkpoints).

    python scripts/examples/dcgan.py --epochs 2 --batch-size 16
"""
import argparse
import os
import shutil
import tempfile

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.optim as optim
import ddp.utils.data


def make_images(n, side, channels, seed):
    """n images of one to three Gaussian blobs each, values in [-1, 1], shape (n, channels, side, side)."""
    rng = np.random.default_rng(seed)
    grid = np.arange(side, dtype=np.float64)
    images = np.zeros((n, channels, side, side))
    for k in range(n):
        for _ in range(rng.integers(1, 4)):
            cy, cx = rng.uniform(3, side - 3, 2)
            width = rng.uniform(1.0, 2.5)
            blob = np.exp(-((grid[:, None] - cy) ** 2 + (grid[None, :] - cx) ** 2) / (2 * width ** 2))
            images[k] += blob[None] * rng.uniform(0.5, 1.0, (channels, 1, 1))
    return (2.0 * np.clip(images, 0.0, 1.0) - 1.0).astype(np.float32)


class Generator(nn.Module):
    def __init__(self, nz, ngf, nc, ngpu=1):
        super(Generator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # nz x 1 x 1 -> (ngf*4) x 4 x 4
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            # -> (ngf*2) x 8 x 8
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            # -> nc x 16 x 16
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            return nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self, nc, ndf, ngpu=1):
        super(Discriminator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # nc x 16 x 16 -> ndf x 8 x 8
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            # -> (ndf*2) x 4 x 4
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            # -> 1 x 1 x 1
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)
        return output.view(-1, 1).squeeze(1)


def make_weights_init(how, seed):
    """DCGAN's initialisation, N(0, 0.02) convolutions and N(1, 0.02) batch-norm scales, as a function for
    `model.apply`; `how` is 'numpy' (the same numbers in both frameworks) or 'torch' (the framework's RNG)."""
    rng = np.random.default_rng(seed)

    def normal(shape, mean, std):
        return torch.from_numpy(rng.normal(mean, std, tuple(shape)).astype(np.float32))

    def weights_init(m):
        classname = m.__class__.__name__
        if classname.find('Conv') != -1:
            if how == 'torch':
                torch.nn.init.normal_(m.weight, 0.0, 0.02)
            else:
                m.weight.data.copy_(normal(m.weight.shape, 0.0, 0.02))
        elif classname.find('BatchNorm') != -1:
            if how == 'torch':
                m.weight.data.normal_(1.0, 0.02)
                torch.nn.init.zeros_(m.bias)
            else:
                m.weight.data.copy_(normal(m.weight.shape, 1.0, 0.02))
                m.bias.data.fill_(0)
    return weights_init


def main():
    parser = argparse.ArgumentParser(description="a DCGAN on synthetic 16x16 blob images")
    parser.add_argument('--samples', type=int, default=64)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--image-size', type=int, default=16)
    parser.add_argument('--nc', type=int, default=1, help='channels per image')
    parser.add_argument('--nz', type=int, default=8, help='size of the latent vector')
    parser.add_argument('--ngf', type=int, default=8)
    parser.add_argument('--ndf', type=int, default=8)
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--lr', type=float, default=0.0002)
    parser.add_argument('--beta1', type=float, default=0.5)
    parser.add_argument('--init', default='numpy', choices=['numpy', 'torch'])
    parser.add_argument('--ngpu', type=int, default=1, help='GPUs to spread each batch over (CUDA only)')
    parser.add_argument('--netG', default='', help='a generator checkpoint to continue from')
    parser.add_argument('--netD', default='', help='a discriminator checkpoint to continue from')
    parser.add_argument('--outf', default='', help='folder for the checkpoints (default: a temporary one)')
    parser.add_argument('--dry-run', action='store_true', help='one training step only')
    parser.add_argument('--seed', type=int, default=0)
    opt = parser.parse_args()
    print(opt)

    torch.manual_seed(opt.seed)
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    images = torch.from_numpy(make_images(opt.samples, opt.image_size, opt.nc, opt.seed))
    dataset = torch.utils.data.TensorDataset(images, torch.zeros(opt.samples, dtype=torch.long))
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=opt.batch_size, shuffle=False, num_workers=0)

    netG = Generator(opt.nz, opt.ngf, opt.nc, opt.ngpu).to(device)
    netG.apply(make_weights_init(opt.init, opt.seed + 1))
    if opt.netG != '':
        netG.load_state_dict(torch.load(opt.netG))
    print(netG)
    netD = Discriminator(opt.nc, opt.ndf, opt.ngpu).to(device)
    netD.apply(make_weights_init(opt.init, opt.seed + 2))
    if opt.netD != '':
        netD.load_state_dict(torch.load(opt.netD))
    print(netD)

    criterion = nn.BCELoss()
    noise_rng = np.random.default_rng(opt.seed + 3)  # the latent noise, the same in both frameworks

    def draw_noise(n):
        return torch.from_numpy(noise_rng.standard_normal((n, opt.nz, 1, 1)).astype(np.float32)).to(device)

    fixed_noise = draw_noise(opt.batch_size)
    real_label = 1
    fake_label = 0
    optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))

    if opt.dry_run:
        opt.epochs = 1
    outf = opt.outf or tempfile.mkdtemp()
    os.makedirs(outf, exist_ok=True)
    for epoch in range(opt.epochs):
        for i, data in enumerate(dataloader, 0):
            # (1) update D: maximise log(D(x)) + log(1 - D(G(z)))
            netD.zero_grad()
            real_cpu = data[0].to(device)
            batch_size = real_cpu.size(0)
            label = torch.full((batch_size,), real_label, dtype=real_cpu.dtype, device=device)
            output = netD(real_cpu)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()

            noise = draw_noise(batch_size)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()

            # (2) update G: maximise log(D(G(z)))
            netG.zero_grad()
            label.fill_(real_label)  # the generator wants its fakes called real
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()

            print('[%d/%d][%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f'
                  % (epoch, opt.epochs, i, len(dataloader), errD.item(), errG.item(), D_x, D_G_z1, D_G_z2))
            print(f"epoch {epoch} step {i} D loss {errD.item():.6f} G loss {errG.item():.6f}")
            if opt.dry_run:
                break

        with torch.no_grad():
            fake = netG(fixed_noise).detach().cpu()
        print(f"epoch {epoch} fixed-noise samples mean {fake.mean().item():.6f} std {fake.std().item():.6f}")
        torch.save(netG.state_dict(), '%s/netG_epoch_%d.pth' % (outf, epoch))
        torch.save(netD.state_dict(), '%s/netD_epoch_%d.pth' % (outf, epoch))

    # resume: a fresh generator loads the last checkpoint and makes the same samples
    restored = Generator(opt.nz, opt.ngf, opt.nc, opt.ngpu).to(device)
    restored.load_state_dict(torch.load('%s/netG_epoch_%d.pth' % (outf, opt.epochs - 1)))
    netG.eval()
    restored.eval()
    with torch.no_grad():
        same = torch.equal(netG(fixed_noise), restored(fixed_noise))
    print(f"restored generator matches: {same}")
    if not opt.outf:
        shutil.rmtree(outf)


if __name__ == '__main__':
    main()
