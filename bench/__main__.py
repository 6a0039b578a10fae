"""Run every benchmark (bench/*_bench.py) and rewrite bench/RESULTS.md with their sections.

Each benchmark prints progress on stderr and one Markdown section (starting with `## `) on
stdout. Usage: python -m bench [--quick] [NAME ...]   (NAME: e.g. server, ledger)
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

from bench._common import machine

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Merak's benchmarks.")
    parser.add_argument("--quick", action="store_true", help="smaller runs, for smoke checks")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    args = parser.parse_args(argv)
    available = sorted(p.stem.removesuffix("_bench") for p in HERE.glob("*_bench.py"))
    names = args.names or available
    unknown = sorted(set(names) - set(available))
    if unknown:
        print(f"error: unknown benchmark(s) {unknown}; available: {available}", file=sys.stderr)
        return 2
    sections, failed = [], []
    for name in names:
        print(f"==> bench {name}", file=sys.stderr, flush=True)
        cmd = [sys.executable, "-m", f"bench.{name}_bench", *(["--quick"] if args.quick else [])]
        out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
        if out.returncode != 0:
            failed.append(name)
            print(f"error: bench {name} exited {out.returncode}", file=sys.stderr)
            continue
        sections.append(out.stdout.strip())
        print(out.stdout, flush=True)
    if args.names:
        print("(ran a subset: bench/RESULTS.md not rewritten)", file=sys.stderr)
    else:
        today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
        header = (
            "# Benchmark results\n\n"
            f"Latest run: {today}, `python -m bench{' --quick' if args.quick else ''}` "
            f"(`make bench`), on {machine()}. Shared, noisy machines: figures are medians, "
            "and every benchmark runs its baseline in the same run.\n"
        )
        (HERE / "RESULTS.md").write_text(
            header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
