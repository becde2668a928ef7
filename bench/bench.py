#!/usr/bin/env python3
"""Benchmark: build the 2023 booklet N times, each in a fresh process, and report the medians.

    .venv/bin/python bench/bench.py [-n 5] [DATA.yaml]

Prints median wall time (verification included), PDF size and peak memory (max RSS of the
build process), each beside its target. Timing lives here, never in the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"wall": 1.9, "size_kb": 300, "rss_mb": 300}  # issue #6: Typst's cold build, our budgets


def one_build(data: Path, out: Path) -> tuple[float, int, float]:
    """(seconds, bytes, peak RSS in MB) of one `briefing build` in a fresh Python process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "build", str(data), "-o", str(out), "-q"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: build failed:\n{proc.stderr.read().decode()}")
    return took, out.stat().st_size, usage.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", default=str(ROOT / "data" / "yanfeng-2023.yaml"))
    ap.add_argument("-n", type=int, default=5, help="builds (fresh processes), default 5")
    args = ap.parse_args()
    data = Path(args.data)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.n):
            runs.append(one_build(data, Path(tmp) / f"b{i}.pdf"))
    wall = statistics.median(r[0] for r in runs)
    size_kb = statistics.median(r[1] for r in runs) / 1024
    rss = statistics.median(r[2] for r in runs)

    def row(name, value, unit, target):
        mark = "ok" if value <= target else "over"
        print(f"{name:<34}{value:9.2f} {unit:<3} target ≤ {target:g} {unit}  [{mark}]")

    print(f"briefing bench: {data.name}, median of {args.n} fresh processes")
    row("whole build, cold process", wall, "s", TARGETS["wall"])
    row("PDF size", size_kb, "KB", TARGETS["size_kb"])
    row("peak memory (max RSS)", rss, "MB", TARGETS["rss_mb"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
