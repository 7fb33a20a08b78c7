"""`torch.distributed.elastic`'s path, for the one piece training scripts import from it: the `@record`
decorator (``elastic.multiprocessing.errors``). ddp's launcher is `mpirun`, whose job fails as a whole
when a rank raises; there is no elastic agent to restart workers."""
