"""`torch.distributed.algorithms.join`'s path: ``with Join([model]):`` for uneven inputs."""


def Join(joinables, enable=True, throw_on_early_termination=False, **kwargs):  # noqa: N802 - PyTorch's name
    """PyTorch's ``Join([ddp_model])``: the `DistributedDataParallel.join` context of the one model given.

    Raises:
        NotImplementedError: for several joinables (a DDP model and a ZeRO optimizer, ...) or extra options.
    """
    joinables = list(joinables)
    if len(joinables) != 1 or kwargs or not hasattr(joinables[0], "join"):
        raise NotImplementedError("Join: ddp joins one DistributedDataParallel model; use model.join() "
                                  f"(got {len(joinables)} joinables and options {sorted(kwargs)})")
    return joinables[0].join(enable=enable, throw_on_early_termination=throw_on_early_termination)
