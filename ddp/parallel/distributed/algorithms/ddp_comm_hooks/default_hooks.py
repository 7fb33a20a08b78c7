"""`default_hooks`: allreduce and the fp16 / bf16 compression hooks (ddp/parallel/comm_hooks.py)."""
from ....comm_hooks import allreduce_hook, bf16_compress_hook, fp16_compress_hook

__all__ = ["allreduce_hook", "bf16_compress_hook", "fp16_compress_hook"]
