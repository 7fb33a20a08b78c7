"""The scaling study (scripts/bench_scaling.py): its arithmetic from known timings, the report built from
made-up jobs, and one tiny real run under mpirun that checks results.json. No timing is asserted."""
import json
import math
import sys

import numpy as np
import pytest

from bench_study import launch, model, report
from bench_study.timing import summary
from mpi_launch import ROOT, requires_mpirun, run_python


def test_efficiency_weak_and_strong():
    assert model.efficiency(0.1, 0.125, 4, "weak") == pytest.approx(0.8)  # each rank as fast as 80% of one
    assert model.efficiency(0.4, 0.125, 4, "strong") == pytest.approx(0.8)  # 4 ranks take 0.125 s, not 0.1
    assert model.efficiency(0.2, 0.2, 1, "strong") == 1.0
    with pytest.raises(ValueError, match="efficiency: mode must be 'weak' or 'strong', got 'both'"):
        model.efficiency(1, 1, 2, "both")


def test_efficiency_per_physical_core_counts_the_cores_in_use():
    assert model.efficiency_per_core(0.1, 0.2, 4, "weak", cores=2) == pytest.approx(1.0)  # 4 ranks on 2 cores
    assert model.efficiency_per_core(0.1, 0.125, 4, "weak", cores=8) == pytest.approx(0.8)  # = per rank
    assert model.efficiency_per_core(0.4, 0.2, 4, "strong", cores=2) == pytest.approx(1.0)


def test_throughput_overhead_and_ring_volume():
    assert model.throughput(256, 0.5) == 512
    assert model.overhead(0.007, 0.010) == pytest.approx(0.7)
    assert model.ring_bytes(2, 1000) == 1000
    assert model.ring_bytes(4, 1000) == 1500
    assert model.ring_bytes(1, 1000) == 0


def test_alpha_beta_fit_recovers_the_model_it_was_made_from():
    alpha, beta = 20e-6, 0.5e-9
    samples = [(p, n, 2 * (p - 1) * alpha + 2 * (p - 1) / p * n * beta)
               for p in (2, 4) for n in (4096, 65536, 1 << 20, 1 << 24)]
    fit = model.fit_alpha_beta(samples + [(1, 4096, 1.0)])  # one rank never enters the fit
    assert fit["alpha"] == pytest.approx(alpha, rel=1e-9)
    assert fit["beta"] == pytest.approx(beta, rel=1e-9)
    assert fit["r2"] == pytest.approx(1.0) and fit["samples"] == 8
    assert model.predict_allreduce(fit, 8, 1 << 20) == pytest.approx(14 * alpha + 1.75 * (1 << 20) * beta)
    assert model.predict_allreduce(fit, 1, 1 << 20) == 0.0
    assert model.fit_alpha_beta([(2, 4096, 1e-5)]) is None


def test_alpha_beta_fit_with_noise_is_least_squares():
    rng = np.random.default_rng(0)
    sizes = np.array([1 << k for k in range(12, 25, 2)], float)
    t = 2 * 30e-6 + sizes * 1e-9 * (1 + 0.01 * rng.standard_normal(sizes.size))
    fit = model.fit_alpha_beta([(2, n, s) for n, s in zip(sizes, t)])
    a = np.stack([np.full(sizes.size, 2.0), sizes], 1)  # features of p = 2: 2(p-1) and 2(p-1)/p n
    ref, *_ = np.linalg.lstsq(a, t, rcond=None)
    assert (fit["alpha"], fit["beta"]) == pytest.approx(tuple(ref), rel=1e-9)
    assert 0.99 < fit["r2"] <= 1.0


def test_predicted_scaling_adds_one_unhidden_allreduce():
    fit = {"alpha": 1e-4, "beta": 1e-9}
    weak = model.predict_scaling(fit, 0.1, 2e6, [1, 2, 4], "weak")
    strong = model.predict_scaling(fit, 0.1, 2e6, [1, 2, 4], "strong")
    allreduce4 = 6 * 1e-4 + 1.5 * 2e6 * 1e-9
    assert weak[1] == {"step": 0.1, "efficiency": 1.0}
    assert weak[4]["step"] == pytest.approx(0.1 + allreduce4)
    assert weak[4]["efficiency"] == pytest.approx(0.1 / (0.1 + allreduce4))
    assert strong[4]["step"] == pytest.approx(0.025 + allreduce4)
    assert strong[4]["efficiency"] == pytest.approx(0.1 / (4 * (0.025 + allreduce4)))


def test_allreduce_split_takes_the_last_arrival_as_the_reduction():
    # 3 ranks x 3 steps: rank 2 arrives last in step 0, rank 0 in steps 1 and 2
    seconds_in = [[0.005, 0.002, 0.003],
                  [0.004, 0.006, 0.005],
                  [0.002, 0.003, 0.009]]
    split = model.allreduce_split(seconds_in)
    assert split["allreduce"] == pytest.approx(0.002)  # the least time of each step: 2, 2, 3 ms
    # mean waiting per step: (3 + 2 + 0) / 3, (0 + 4 + 1) / 3, (0 + 2 + 6) / 3 ms
    assert split["waiting"] == pytest.approx(np.median([5 / 3, 5 / 3, 8 / 3]) / 1e3)
    assert model.allreduce_split([[], []]) is None
    assert model.allreduce_split([[0.001, 0.002]]) == {"allreduce": 0.0015, "waiting": 0.0}  # one rank


def test_weak_losses_split_the_time_beyond_the_one_rank_step():
    x = model.weak_losses(t1=0.010, tp=0.016, compute1=0.0095, compute_p=0.0115, exposed=0.0035,
                          split={"allreduce": 0.002, "waiting": 0.001})
    assert x["shared_machine"] == pytest.approx(0.002)
    assert x["allreduce"] == 0.002 and x["waiting"] == 0.001
    assert x["ddp_backward"] == pytest.approx(0.0035 - 0.002 - 0.001)
    assert x["other"] == pytest.approx(0.016 - 0.010 - 0.002 - 0.0035)
    assert x["compute_efficiency"] == pytest.approx(0.0095 / 0.0115)
    assert (x["step"], x["one_rank_step"], x["exposed_communication"]) == (0.016, 0.010, 0.0035)
    unknown = model.weak_losses(0.010, 0.011, 0.0095, 0.0095, exposed=0.0005)
    assert unknown["allreduce"] is None and unknown["waiting"] is None and unknown["ddp_backward"] is None
    assert unknown["other"] == pytest.approx(0.0005)


def test_report_splits_weak_scaling_losses_from_the_breakdown():
    jobs = {1: _job(1, 100, 200), 4: _job(4, 125, 80, sync=(20, 14))}
    ranks = [{"data": 0.001, "forward": 0.012, "backward": 0.024, "exposed_communication": e, "optimizer": 0.003}
             for e in (0.010, 0.020, 0.030, 0.020)]  # mean compute 40 ms against 33 ms; mean exposed 20 ms
    jobs[4]["data_parallel"]["weak"]["breakdown_per_rank"] = ranks
    jobs[4]["data_parallel"]["weak"]["allreduce_split"] = {"allreduce": 0.012, "waiting": 0.005}
    x = report.derive(jobs)["losses"]["weak"]
    assert set(x) == {4}
    assert x[4]["shared_machine"] == pytest.approx(0.040 - 0.033)
    assert x[4]["compute_efficiency"] == pytest.approx(0.033 / 0.040)
    assert x[4]["exposed_communication"] == pytest.approx(0.020)
    assert (x[4]["allreduce"], x[4]["waiting"]) == (0.012, 0.005)
    assert x[4]["ddp_backward"] == pytest.approx(0.003)
    assert x[4]["other"] == pytest.approx(0.125 - 0.100 - 0.007 - 0.020)
    assert report.derive({2: _job(2, 125, 125, sync=(10, 7))})["losses"]["weak"] == {}  # no 1-rank job
    results = {"command": "c", "jobs": jobs, "derived": report.derive(jobs), "settings": {"rounds": 5, "steps": 3},
               "machine": {"cpu": "C", "logical_cores": 2, "mpi": "M", "numpy": "2", "python": "3", "torch": None}}
    assert ("p=4: step 125.00 = 1 rank 100.00 + shared machine 7.00 + allreduce 12.00 + waiting for slower ranks "
            "5.00 + DDP's backward 3.00 + other -2.00; compute alone 82% efficient") in report.table(results)


def test_pipelined_runs_fit_the_model_at_every_rank_count():
    from bench_study.measure import pipeline_shapes
    from bench_study.workloads import PIPELINE_MAX_STAGES, deep_mlp
    import ddp.nn as nn
    assert PIPELINE_MAX_STAGES == sum(isinstance(m, nn.Linear) for m in deep_mlp())  # a stage needs parameters
    assert pipeline_shapes(1) == {"pipeline": 1} and pipeline_shapes(2) == {"pipeline": 2}
    assert pipeline_shapes(4) == {"pipeline": 4, "hybrid": 2} and pipeline_shapes(6) == {"pipeline": 6, "hybrid": 2}
    assert pipeline_shapes(8) == {"hybrid": 2} and pipeline_shapes(16) == {"hybrid": 2}  # no 8-stage cut exists
    assert pipeline_shapes(3) == {"pipeline": 3}


def test_summary_is_median_and_range():
    assert summary([3.0, 1.0, 2.0, 10.0]) == {"median": 2.5, "min": 1.0, "max": 10.0, "n": 4}
    assert summary([]) is None


def test_launch_commands():
    assert launch.hosts(4, 2) == "nodeA:2,nodeB:2"
    cmd = launch.command(4, 2, ["s.py", "--x"])
    assert cmd[1:7] == ["-launcher", "fork", "-hosts", "nodeA:2,nodeB:2", "-n", "4"]
    assert cmd[-2:] == ["s.py", "--x"] and cmd[-3] == sys.executable
    assert launch.command(1, 2, ["s.py"])[1:3] == ["-n", "1"]  # one rank: no fake hosts
    with pytest.raises(ValueError, match="3 ranks do not split evenly over 2 nodes"):
        launch.hosts(3, 2)


def _s(ms):
    return summary([ms / 1e3])


def _job(p, weak_ms, strong_ms, sync=None):
    """A made-up job of p ranks: data parallel at 100 samples per rank (weak) / 200 in all (strong)."""
    phases = {"data": 0.001, "forward": 0.01, "backward": 0.02, "exposed_communication": 0.0, "optimizer": 0.002}
    dp = {mode: {"per_rank_batch": b, "global_batch": b * p, "ddp": _s(ms), "torch": _s(2 * ms),
                 "breakdown_per_rank": [phases] * p, "grad_bytes": 2_000_000,
                 "allreduce_bytes_per_step": 2_000_000 if p > 1 else 0, "buckets": int(p > 1)}
          for mode, b, ms in (("weak", 100, weak_ms), ("strong", 200 // p, strong_ms))}
    job = {"ranks": p, "nodes": 1, "data_parallel": dp,
           "pipelines": {"pipeline": {"weak": {"stages": p, "replicas": 1, "micro_batches": 4,
                                               "global_batch": 100 * p, "step": _s(weak_ms * 2)}}}}
    if sync:
        job["sync"] = {"raw": _s(sync[0]), "ddp": _s(sync[1])}
        job["allreduce_sweep"] = [{"bytes": n, **_s(1e3 * (2 * (p - 1) * 1e-5 + 2 * (p - 1) / p * n * 1e-9))}
                                  for n in (4096, 1 << 20, 1 << 24)]
    return job


def test_report_derives_every_figure_from_the_jobs():
    jobs = {1: _job(1, 100, 200), 2: _job(2, 125, 125, sync=(10, 7)), 4: _job(4, 125, 80, sync=(20, 14))}
    d = report.derive(jobs)
    weak, strong = d["scaling"]["data_parallel"]["weak"], d["scaling"]["data_parallel"]["strong"]
    assert weak["ddp"][4]["efficiency"] == pytest.approx(0.8)
    assert weak["ddp"][4]["samples_per_s"] == pytest.approx(400 / 0.125)
    assert weak["torch"][2]["efficiency"] == pytest.approx(0.8)  # against torch's own 1-rank job
    assert strong["ddp"][2]["efficiency"] == pytest.approx(0.2 / (2 * 0.125))
    assert strong["ddp"][4]["efficiency"] == pytest.approx(0.2 / (4 * 0.08))
    assert d["scaling"]["pipeline"]["weak"][4]["efficiency"] == pytest.approx(0.8)
    assert d["sync_overhead"][2]["ratio"] == pytest.approx(0.7)
    assert d["bytes"][4] == {"grad_bytes": 2_000_000, "allreduce_bytes_per_step": 2_000_000, "ring_bytes": 3_000_000}
    assert d["alpha_beta"]["alpha"] == pytest.approx(1e-5) and d["alpha_beta"]["beta"] == pytest.approx(1e-9)
    assert d["predicted"]["weak"][4]["step"] == pytest.approx(0.1 + 6e-5 + 3e6 * 1e-9)
    assert d["breakdown"]["weak"][2] == jobs[2]["data_parallel"]["weak"]["breakdown_per_rank"]
    results = {"command": "python scripts/bench_scaling.py", "jobs": jobs, "derived": d,
               "settings": {"rounds": 5, "steps": 3}, "machine": {
                   "cpu": "Test CPU", "logical_cores": 2, "physical_cores": 2, "mpi": "MPICH 5", "numpy": "2",
                   "python": "3.11", "torch": None, "blas": [{"internal_api": "openblas", "version": "0.3",
                                                              "num_threads": 1}]}}
    text = report.table(results)
    for line in ("data_parallel, weak scaling", "data_parallel, strong scaling", "pipeline, weak scaling",
                 "DDP sync p=2:", "0.70x", "alpha-beta fit of MPI_Allreduce", "Test CPU", "openblas 0.3",
                 "exposed communication", "ring volume 3.00 MB"):
        assert line in text, line
    assert "    4       ddp" in text and " 80%" in text
    assert "efficiency_per_physical_core" not in weak["ddp"][4]  # no machine given
    shared = report.derive(jobs, physical_cores=2)["scaling"]["data_parallel"]
    assert shared["weak"]["ddp"][4]["efficiency_per_physical_core"] == pytest.approx(1.6)
    assert shared["strong"]["torch"][4]["efficiency_per_physical_core"] == pytest.approx(0.4 / (2 * 0.16))  # 4 ranks on 2 cores
    assert "efficiency_per_physical_core" not in shared["weak"]["ddp"][2]  # 2 ranks, 2 cores
    assert report.derive(jobs, physical_cores=2)["scaling"]["pipeline"]["weak"][4]["efficiency_per_physical_core"] \
        == pytest.approx(1.6)
    results["derived"] = report.derive(jobs, physical_cores=2)
    assert "    4       ddp    125.0 (125.0-125.0)      3,200        80%       97%     160%" in report.table(results)


def test_plots_are_written_from_the_results(tmp_path):
    pytest.importorskip("matplotlib")
    from bench_study.plot import plot_all
    jobs = {1: _job(1, 100, 200), 2: _job(2, 125, 125, sync=(10, 7)), 4: _job(4, 125, 80, sync=(20, 14))}
    jobs[4]["data_parallel"]["weak"]["allreduce_split"] = {"allreduce": 0.012, "waiting": 0.005}
    results = {"jobs": jobs, "derived": report.derive(jobs, physical_cores=2)}
    for out, given in ((tmp_path / "fresh", results), (tmp_path / "read_back", json.loads(json.dumps(
            report._keys_to_str(results))))):  # also from results.json, whose rank counts are strings
        out.mkdir()
        paths = plot_all(given, out)
        assert sorted(p.name for p in paths) == ["allreduce_fit.png", "breakdown.png", "scaling.png"]
        for path in paths:
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


@pytest.mark.skipif(not launch.mpirun(), reason="mpirun not found")
def test_a_tiny_real_study_writes_results_json(tmp_path):
    pytest.importorskip("mpi4py")
    from ddp.parallel.launch import launched_by_mpi
    if launched_by_mpi():
        pytest.skip("already running under mpirun")
    import bench_scaling
    bench_scaling.main(["--ranks", "1", "2", "--rounds", "1", "--steps", "1", "--sync-rounds", "1", "--no-torch",
                        "--no-bucket-sweep", "--no-plots", "--batch", "32", "--global-batch", "32",
                        "--out", str(tmp_path)])
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results) == {"command", "machine", "settings", "jobs", "derived"}
    assert {"cpu", "logical_cores", "mpi", "numpy", "blas", "python"} <= set(results["machine"])
    assert set(results["jobs"]) == {"1", "2"}
    d = results["derived"]
    assert {"scaling", "breakdown", "bytes", "sync_overhead", "alpha_beta", "predicted", "losses"} <= set(d)
    assert set(d["losses"]["weak"]) == {"2"} and 0 < d["losses"]["weak"]["2"]["compute_efficiency"]
    split = results["jobs"]["2"]["data_parallel"]["weak"]["allreduce_split"]
    assert split["allreduce"] > 0 and split["waiting"] >= 0  # one blocking allreduce per step was timed
    for mode in ("weak", "strong"):
        curve = d["scaling"]["data_parallel"][mode]["ddp"]
        assert set(curve) == {"1", "2"} and curve["1"]["efficiency"] == 1.0
        assert math.isfinite(curve["2"]["efficiency"]) and curve["2"]["samples_per_s"] > 0
        assert set(d["scaling"]["pipeline"][mode]) == {"1", "2"}
    assert set(d["breakdown"]["weak"]["2"][1]) == {"data", "forward", "backward", "exposed_communication", "optimizer"}
    assert d["bytes"]["2"]["ring_bytes"] == d["bytes"]["2"]["grad_bytes"] == 4 * 535818
    assert d["sync_overhead"]["2"]["ratio"] > 0 and d["alpha_beta"]["samples"] == 7
    assert (tmp_path / "table.txt").read_text().startswith("# python scripts/bench_scaling.py --ranks 1 2")


@pytest.mark.parametrize("marks", [pytest.param(None, marks=requires_mpirun)])
def test_the_study_inside_a_users_mpirun(tmp_path, marks):
    """Started under `mpirun -n 2`: rank 0 measures the 1-rank job alone, then both ranks the 2-rank job, and
    rank 0 writes the report (efficiency per physical core applies: the job is on one node)."""
    out = run_python(2, [ROOT / "scripts" / "bench_scaling.py", "--rounds", "1", "--steps", "1", "--sync-rounds", "1",
                         "--no-torch", "--no-bucket-sweep", "--no-pipeline", "--no-plots", "--batch", "32",
                         "--global-batch", "32", "--out", tmp_path], timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["command"].startswith("mpirun -n 2 python scripts/bench_scaling.py")
    assert set(results["jobs"]) == {"1", "2"} and results["jobs"]["2"]["nodes"] == 1
    assert set(results["derived"]["losses"]["weak"]) == {"2"}
    assert out.stdout.count("# wrote ") == 1  # rank 0 alone reports


def test_machine_record_and_table_name_blas_kernels_pinned_from_outside(monkeypatch):
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    assert report.machine()["openblas_coretype"] == "Haswell"
    monkeypatch.delenv("OPENBLAS_CORETYPE")
    assert report.machine()["openblas_coretype"] is None
    blas = [{"internal_api": "openblas", "version": "0.3", "num_threads": 1, "architecture": "Haswell"}]
    assert report._blas({"blas": blas}) == "openblas 0.3 (Haswell kernels, 1 thread)"
    assert report._blas({"blas": blas, "openblas_coretype": "Haswell"}) == \
        "openblas 0.3 (Haswell kernels, 1 thread), kernels pinned by OPENBLAS_CORETYPE=Haswell"
