"""`ddp.version` (torch.version): what environment reports print. ddp is built for the CPU only, so every
accelerator toolkit version is None."""
__version__ = "0.1.0"
git_version = "unknown"
debug = False
cuda = None
hip = None
rocm = None
xpu = None
