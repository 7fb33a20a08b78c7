"""Make the shared communicator checks (comm_cases.py) importable from tests/parallel/**."""

import sys
from pathlib import Path

_here = str(Path(__file__).resolve().parent)
if _here not in sys.path:
    sys.path.insert(0, _here)
