"""`DataParallel` and `data_parallel`: PyTorch's single-process multi-GPU wrapper. ddp has no GPUs, so they
do what PyTorch's do without any: run the wrapped module as it is. For training across processes use
`ddp.parallel.DistributedDataParallel`."""
from .module import Module


class DataParallel(Module):
    """Wraps `module` as torch.nn.DataParallel does on a machine without GPUs: forward calls the module
    unchanged, and the module sits under the name `module`, so state dict keys read "module.weight", as
    PyTorch's do (strip the prefix, or load through `.module`, to use them without the wrapper).

    Args:
        module: the module to run.
        device_ids, output_device, dim: accepted for PyTorch compatibility; with no GPUs, device_ids
            becomes [] (as PyTorch's) and nothing is scattered along dim.

    Example:
        >>> model = DataParallel(Linear(4, 2))
        >>> model(ddp.randn(3, 4)).shape, list(model.state_dict())
        (ddp.Size([3, 2]), ['module.weight', 'module.bias'])
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []
        self.output_device, self.dim = None, dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """module(*inputs, **module_kwargs): torch.nn.parallel.data_parallel's result, computed in this process
    (there are no GPUs to scatter to). `inputs` is a tuple of positional arguments or a single one."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))
