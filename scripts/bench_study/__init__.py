"""The scaling study behind scripts/bench_scaling.py, one job per module.

timing.py (interleaved rounds, slowest-rank times, medians with ranges; shared with the other bench
scripts), launch.py (mpirun per rank count), workloads.py (what one step of each contender is),
measure.py (everything timed inside one job), model.py (efficiency, overhead, ring volume, the
alpha-beta fit: pure functions), report.py (machine, table, results.json), plot.py (PNGs).
"""
