"""docs/compat.md is what scripts/compat_table.py generates from the code and the tests (never hand-edited)."""
import sys

from mpi_launch import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import compat_table  # noqa: E402


def test_docs_compat_is_up_to_date():
    assert compat_table.main(["--check"]) == 0, "run: python scripts/compat_table.py"


def test_every_curated_name_resolves_under_the_mapping():
    missing = [n for names in compat_table.FAMILIES.values() for n in names.split()
               if not compat_table.resolves(compat_table.ddp_path(n))]
    assert missing == []
