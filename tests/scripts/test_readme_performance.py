"""scripts/readme_performance.py: the README's scaling section comes from results.json, between markers."""
import json

import pytest

import readme_performance as rp
from bench_study import report
from bench_study.timing import summary


def _results():
    def job(p, weak_ms):
        phases = {"data": 0.001, "forward": 0.030, "backward": 0.060 + 0.005 * p, "optimizer": 0.004,
                  "exposed_communication": 0.010 * (p - 1)}
        dp = {mode: {"per_rank_batch": 100, "global_batch": 100 * p, "ddp": summary([weak_ms / 1e3]), "torch": None,
                     "breakdown_per_rank": [phases] * p, "grad_bytes": 2_000_000, "allreduce_bytes_per_step": 0,
                     "buckets": 1, "allreduce_split": {"allreduce": 0.006, "waiting": 0.001} if p > 1 else None}
              for mode in ("weak",)}
        out = {"ranks": p, "nodes": 1, "data_parallel": dp}
        if p > 1:
            out["sync"] = {"raw": summary([0.010]), "ddp": summary([0.006])}
        return out
    jobs = {1: job(1, 100), 2: job(2, 125)}
    results = {"command": "python scripts/bench_scaling.py --ranks 1 2", "jobs": jobs,
               "derived": report.derive(jobs, physical_cores=1),
               "settings": {"rounds": 5, "steps": 3, "batch": 100, "global_batch": 256},
               "machine": {"cpu": "Test CPU", "logical_cores": 2, "physical_cores": 1, "mpi": "MPICH 5.0.2",
                           "numpy": "2.4", "python": "3.11", "torch": None,
                           "blas": [{"internal_api": "openblas", "version": "0.3.31"}]}}
    return json.loads(json.dumps(report._keys_to_str(results)))  # as read back from results.json


def test_render_states_the_command_the_machine_and_the_figures():
    text = rp.render(_results())
    flat = " ".join(text.split())  # the prose is wrapped
    assert text.startswith("### Scaling study, one node\n")
    assert "`python scripts/bench_scaling.py --ranks 1 2`" in flat
    assert "Test CPU (2 logical / 1 physical cores; MPICH 5.0.2; numpy 2.4 with openblas 0.3.31" in flat
    assert "| 1 | 100% / - (-) |" in text
    assert "| 2 | 80% / - (-) |" in text and "| 0.60x |" in text
    assert "125.0 ms (125.0-125.0)" in text
    assert ("Where the ranks outnumber the 1 physical cores they share them; counted over the cores in use "
            "(throughput against cores x the 1-rank throughput), data parallel weak scaling is 160% at 2 ranks.") in flat
    assert ("2 ranks: ranks sharing the machine +5.0 ms (compute alone 95% efficient), allreduce +6.0 ms, waiting "
            "for slower ranks +1.0 ms, the rest of DDP's backward +3.0 ms, other +10.0 ms.") in flat
    assert " ".join(rp.render(_results(), note="The machine was busy.").split()).count("beside it. The machine was busy.") == 1


@pytest.mark.parametrize("readme", ["# ddp\n\n## Performance\n\nold text\n\n## Next\n\nmore\n",
                                    "# ddp\n\nno performance heading\n"])
def test_update_inserts_once_then_replaces_between_the_markers(readme):
    first = rp.update(readme, "figures v1")
    again = rp.update(first, "figures v2")
    assert first.count(rp.BEGIN) == 1 and f"{rp.BEGIN}\nfigures v1\n{rp.END}" in first
    assert again == first.replace("figures v1", "figures v2")
    if "## Performance" in readme:
        assert first.index("old text") < first.index(rp.BEGIN) < first.index("## Next")


def test_main_rewrites_the_readme(tmp_path):
    (tmp_path / "results.json").write_text(json.dumps(_results()))
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n## Performance\n\ntext\n")
    rp.main([str(tmp_path / "results.json"), "--readme", str(readme)])
    assert "### Scaling study, one node" in readme.read_text() and rp.END in readme.read_text()
    two = _results()
    two["settings"]["nodes"] = 2
    (tmp_path / "two.json").write_text(json.dumps(two))
    rp.main([str(tmp_path / "results.json"), str(tmp_path / "two.json"), "--readme", str(readme)])
    text = readme.read_text()
    assert text.count(rp.BEGIN) == 1 and "### Scaling study, 2 fake nodes" in text


def test_render_names_blas_kernels_pinned_from_outside():
    results = _results()
    assert "pinned" not in rp.render(results)
    results["machine"]["openblas_coretype"] = "Haswell"
    flat = " ".join(rp.render(results).split())
    assert "numpy 2.4 with openblas 0.3.31 (Haswell kernels, pinned by OPENBLAS_CORETYPE)" in flat
