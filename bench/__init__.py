"""Benchmarks. Each `bench/<name>_bench.py` runs its baseline in the same run and reports a ratio.

`python -m bench` (or `make bench`) runs them all and rewrites bench/RESULTS.md.
"""
