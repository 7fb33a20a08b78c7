"""`powerSGD_hook`: PowerSGD gradient compression (ddp/parallel/powersgd_hook.py)."""
from ....powersgd_hook import PowerSGDState, powerSGD_hook

__all__ = ["PowerSGDState", "powerSGD_hook"]
