"""PyTorch's module paths import, as the very modules that hold the code (never a second copy)."""
import importlib
import subprocess
import sys
import warnings

import numpy as np
import pytest

import ddp


def test_aliases_are_the_implementation_modules():
    import ddp.nn.functional as F
    import ddp.nn.utils.rnn
    import ddp.utils.data
    import ddp.utils.data.sampler

    assert F is importlib.import_module("ddp.core.nn.functional")
    assert ddp.nn.utils.rnn is importlib.import_module("ddp.core.nn.utils.rnn")
    assert ddp.utils.data is importlib.import_module("ddp.core.data") and ddp.utils.data is ddp.data
    assert ddp.utils.data.sampler is importlib.import_module("ddp.core.data.sampler")
    assert ddp.random is importlib.import_module("ddp.core.random")
    assert ddp.serialization is importlib.import_module("ddp.core.serialization")
    assert F.__spec__.name == "ddp.core.nn.functional" and "ddp/core/nn/functional.py" in repr(F)  # its real file


def test_utils_data_names():
    from ddp.utils.data import (  # noqa: F401
        BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler, SequentialSampler, Subset,
        SubsetRandomSampler, TensorDataset, random_split,
    )
    from ddp.utils.data.distributed import DistributedSampler

    assert DistributedSampler is importlib.import_module("ddp.parallel").DistributedSampler


def test_nn_parallel_and_lazy_attributes():
    from ddp.nn.parallel import DistributedDataParallel

    assert DistributedDataParallel is importlib.import_module("ddp.parallel").DistributedDataParallel
    assert ddp.nn.parallel.DistributedDataParallel is DistributedDataParallel
    assert callable(ddp.nn.utils.clip_grad_norm_)
    with pytest.raises(AttributeError, match="module 'ddp.nn' has no attribute 'nope'"):
        ddp.nn.nope


def test_public_modules_are_attributes_after_import_ddp():
    script = ("import ddp; ddp.utils.data.DataLoader; ddp.cuda.is_available(); ddp.backends.cudnn.benchmark; "
              "ddp.nn.Linear; ddp.optim.SGD; ddp.nn.functional.relu; ddp.amp.GradScaler")
    subprocess.run([sys.executable, "-c", script], check=True)


def test_distributed_and_multiprocessing_names():
    pytest.importorskip("ddp.parallel.distributed")
    import ddp.distributed as dist

    assert dist is importlib.import_module("ddp.parallel.distributed")
    pytest.importorskip("ddp.parallel.multiprocessing")
    import ddp.multiprocessing as mp

    assert mp is importlib.import_module("ddp.parallel.multiprocessing")


def test_cuda_is_absent_and_says_so():
    assert ddp.cuda.is_available() is False and ddp.cuda.device_count() == 0 and not ddp.cuda.is_initialized()
    ddp.cuda.synchronize()
    ddp.cuda.empty_cache()
    assert ddp.cuda.memory_allocated() == 0
    ddp.cuda.manual_seed(4)
    a = ddp.randn(3).tolist()
    ddp.cuda.manual_seed_all(4)
    assert ddp.randn(3).tolist() == a  # seeding "CUDA" seeds the CPU generator the script draws from
    with pytest.raises(RuntimeError, match="ddp runs on the CPU: ddp.cuda.current_device"):
        ddp.cuda.current_device()
    with pytest.raises(RuntimeError, match="ddp runs on the CPU: ddp.cuda.FloatTensor"):
        ddp.cuda.FloatTensor(2)
    assert not isinstance(ddp.ones(1), ddp.cuda.FloatTensor)


def test_amp_is_accepted_and_changes_nothing():
    import ddp.cuda.amp

    model = ddp.nn.Linear(2, 1)
    opt = ddp.optim.SGD(model.parameters(), lr=0.1)
    x = ddp.ones(4, 2)
    scaler = ddp.cuda.amp.GradScaler(enabled=False)
    for autocast in (ddp.autocast("cpu", dtype=ddp.float16), ddp.amp.autocast("cuda"), ddp.cuda.amp.autocast()):
        with autocast:
            loss = model(x).pow(2).mean()
        assert loss.dtype == np.float32
        scaled = scaler.scale(loss)
        assert scaled is loss
        scaled.backward()
        scaler.unscale_(opt)
        scaler.step(opt)
        scaler.update()
        opt.zero_grad()
    assert scaler.get_scale() == 1.0 and not scaler.is_enabled() and scaler.state_dict() == {}
    with pytest.warns(UserWarning, match="GradScaler is enabled, but ddp runs on the CPU"):
        ddp.amp.GradScaler("cuda")

    @ddp.autocast(device_type="cpu")
    def f(v):
        return v * 2

    assert f(x).tolist() == (x * 2).tolist() and not ddp.is_autocast_enabled()


def test_no_accelerator():
    assert not ddp.accelerator.is_available() and ddp.accelerator.current_accelerator() is None
    assert ddp.accelerator.device_count() == 0 and not ddp.cuda.is_bf16_supported()
    device = ddp.accelerator.current_accelerator() if ddp.accelerator.is_available() else "cpu"  # PyTorch 2.6+ idiom
    assert ddp.zeros(1, device=device).device == "cpu"
    ddp.set_default_device("cpu")
    assert ddp.get_default_device() == ddp.device("cpu")
    with pytest.raises(RuntimeError, match="ddp runs on the CPU"):
        ddp.set_default_device("cuda")


def test_backends_flags():
    import ddp.backends.cudnn as cudnn

    cudnn.benchmark = True
    cudnn.deterministic = True
    assert ddp.backends.cudnn.benchmark and not cudnn.is_available()
    assert not ddp.backends.mps.is_available() and not ddp.backends.mps.is_built()
    ddp.backends.cuda.matmul.allow_tf32 = True
    assert not ddp.backends.mkldnn.is_available()
    cudnn.benchmark = cudnn.deterministic = False


def test_threads_and_runtime_switches():
    n = ddp.get_num_threads()
    assert n >= 1
    ddp.set_num_threads(1)
    assert ddp.get_num_threads() == 1
    ddp.set_num_threads(n)
    with pytest.raises(ValueError, match="set_num_threads: expected a positive integer"):
        ddp.set_num_threads(0)
    ddp.use_deterministic_algorithms(True, warn_only=True)
    assert ddp.are_deterministic_algorithms_enabled() and ddp.is_deterministic_algorithms_warn_only_enabled()
    ddp.use_deterministic_algorithms(False)
    ddp.set_float32_matmul_precision("high")
    assert ddp.get_float32_matmul_precision() == "high"
    ddp.set_float32_matmul_precision("highest")
    model = ddp.nn.Linear(1, 1)
    assert ddp.compile(model)._orig_mod is model  # a Module is wrapped (tests/core/nn/test_compiled.py)
    assert ddp.compile(model, disable=True) is model

    def step(x):
        return x + 1

    assert ddp.compile(step) is step and ddp.compile(mode="max-autotune")(step) is step


def test_inference_mode_and_bare_no_grad():
    x = ddp.ones(2, requires_grad=True)
    with ddp.inference_mode():
        assert not (x * 2).requires_grad
    with ddp.inference_mode(False):
        assert (x * 2).requires_grad
    assert (x * 2).requires_grad

    @ddp.inference_mode()
    def called(v):
        return v * 2

    @ddp.inference_mode
    def bare(v):
        return v * 2

    @ddp.no_grad
    def bare_no_grad(v):
        return v * 2

    assert not called(x).requires_grad and not bare(x).requires_grad and not bare_no_grad(x).requires_grad
    assert ddp.is_grad_enabled()


def test_script_lines_run_as_under_torch():
    """The lines that open typical PyTorch scripts, with `torch` meaning ddp."""
    torch = ddp
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        torch.backends.cudnn.benchmark = True
        torch.manual_seed(1)
        torch.cuda.manual_seed_all(1)
        model = torch.nn.Linear(3, 2).to(device)
        x = torch.randn(4, 3, device=device).to(device, non_blocking=True)
        assert model(x).device == device and str(device) == "cpu"
    ddp.backends.cudnn.benchmark = False


def test_names_exist_in_torch_too():
    torch = pytest.importorskip("torch")
    for path in ("cuda.is_available", "cuda.device_count", "cuda.manual_seed_all", "cuda.amp.GradScaler",
                 "amp.autocast", "autocast", "backends.cudnn.benchmark", "backends.mps.is_available",
                 "set_num_threads", "get_num_threads", "inference_mode", "compile", "use_deterministic_algorithms",
                 "nn.parallel.DistributedDataParallel", "utils.data.ConcatDataset", "autograd.Variable",
                 "autograd.detect_anomaly", "autograd.set_detect_anomaly", "Generator", "FloatTensor",
                 "accelerator.is_available", "accelerator.current_accelerator", "get_default_device",
                 "set_default_device", "cuda.is_bf16_supported"):
        ours, theirs = ddp, torch
        for part in path.split("."):
            ours, theirs = getattr(ours, part), getattr(theirs, part)
    assert ddp.cuda.is_available() == torch.cuda.is_available() is False or torch.cuda.is_available()


def test_default_collate_as_torch():
    torch = pytest.importorskip("torch")
    from ddp.utils.data import default_collate

    batch = [(np.full(2, i, np.float32), i, {"a": float(i)}) for i in range(3)]
    ours = default_collate(batch)
    theirs = torch.utils.data.default_collate([(torch.from_numpy(x), i, d) for x, i, d in batch])
    assert type(ours) is type(theirs) and len(ours) == len(theirs)
    for a, b in zip(ours[:2] + [ours[2]["a"]], theirs[:2] + [theirs[2]["a"]]):
        assert a.tolist() == b.tolist() and a.dtype.name == str(b.dtype).replace("torch.", "")


def test_compiler_dynamo_version_and_kernel_selection():
    """What programs write around torch.compile and SDPA kernels: accepted, and nothing changes."""
    import ddp._dynamo
    from ddp.nn.attention import SDPBackend, sdpa_kernel

    ddp._dynamo.config.suppress_errors = True
    assert ddp._dynamo.config.suppress_errors is True and ddp._dynamo.config.never_set is None
    ddp._dynamo.reset()

    @ddp.compiler.disable
    def twice(x):
        return 2 * x

    assert twice(3) == 6 and ddp.compiler.disable(recursive=False)(twice)(1) == 2
    assert not ddp.compiler.is_compiling() and ddp.compiler.list_backends() == []
    assert isinstance(ddp.compiler.compile(ddp.nn.Linear(1, 1)), ddp.nn.Module)
    assert ddp.version.cuda is None and ddp.version.__version__ == ddp.__version__
    q = ddp.randn(1, 2, 3)
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.MATH]):
        out = ddp.nn.functional.scaled_dot_product_attention(q, q, q)
    assert out.shape == (1, 2, 3)
    with pytest.raises(ValueError, match="SDPBackend"):
        with sdpa_kernel("math"):
            pass
    from ddp.utils.hooks import RemovableHandle
    hooks = {}
    handle = RemovableHandle(hooks)
    hooks[handle.id] = print
    handle.remove()
    assert hooks == {}


def test_torchvision_style_paths():
    """d2l writes `torchvision.datasets.X`, `torchvision.transforms.Y`, `torchvision.models.Z`: with
    `import ddp.data as torchvision` each resolves, and so do their import forms."""
    import ddp.data as torchvision
    from ddp.data.datasets import MNIST
    from ddp.data import datasets, models

    assert torchvision.datasets.FakeData is ddp.data.FakeData and MNIST is ddp.data.MNIST
    assert datasets.ImageFolder is ddp.data.ImageFolder and models.mlp is ddp.models.mlp
    assert torchvision.transforms.ToTensor is ddp.data.transforms.ToTensor
