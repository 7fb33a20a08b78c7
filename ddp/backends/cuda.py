"""`ddp.backends.cuda`: CUDA's matmul flags, kept but unused (ddp runs on the CPU)."""
import types

matmul = types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                               allow_bf16_reduced_precision_reduction=True)


def is_built():
    return False
