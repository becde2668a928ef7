#!/usr/bin/env python3
"""Benchmark the default booklet against issue #6's targets; every build is a fresh process.

    .venv/bin/python bench/bench.py [-n 5]

Prints, each beside its target:
- cold build (no caches), median of N, verification included;
- rebuild after a text-only edit (chart and font caches warm), median of N; the same edit
  saved while `briefing watch` runs, timed from the save to the verified PDF in place; and the
  same edit built by a fresh `briefing build` while `briefing serve` runs;
- PDF size and peak memory (max RSS of the build process);
- a synthetic booklet 10x larger (10x metrics and targets): time and size ratios;
- 20 booklets with `briefing build *.yaml` in parallel against 20 x one / 1.6;
- and where the time goes, stage by stage (from the build's own progress lines).

Timing lives here, never in the test suite.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "yanfeng-2023.yaml"
TARGETS = {"cold": 1.9, "rebuild": 0.5, "size_kb": 300, "rss_mb": 300, "scale": 10.0, "parallel": 1.6}
STAGE = re.compile(r"^\s+(\S.*?)\s+([0-9.]+) s$")


def run(args: list[str], cache: Path | None, cwd: Path = ROOT, served: bool = False) -> tuple[float, float, str]:
    """(seconds, peak RSS MB, stderr) of one `python -m briefing …` in a fresh process; only
    with ``served`` may it hand the build to a running `briefing serve`."""
    env = dict(os.environ, BRIEFING_SERVER="1" if served else "0")
    if cache is None:
        args = args + ["--no-cache"]
    else:
        env["XDG_CACHE_HOME"] = str(cache)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "briefing", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err_text = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: briefing {' '.join(args)} failed:\n{err_text}")
    return took, usage.ru_maxrss / 1024, err_text


def stages(err_text: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for line in err_text.splitlines() if (m := STAGE.match(line))}


def larger(data: dict, k: int) -> dict:
    """The same booklet with every answer's metrics and every path's targets repeated k times."""
    big = copy.deepcopy(data)
    for a in big["results"]["answers"]:
        metrics = []
        for n in range(k):
            for m in a.get("metrics", []):
                m2 = dict(m, id=f"{m['id']}-{n}", label=f"{m['label']}（{n + 1}）")
                if n and m2.get("chart"):
                    m2["chart"] = f"{m2['chart']}（{n + 1}）"
                metrics.append(m2)
        a["metrics"] = metrics
    for p in big["plan"]["paths"]:
        targets = []
        for n in range(k):
            for t in p.get("targets", []):
                t2 = dict(t, text=f"{t['text']}（{n + 1}）")
                if "quantities" in t2:
                    t2["quantities"] = [{**q, "baseline": f"{q['baseline']}-{n}"} if "baseline" in q else q
                                        for q in t2["quantities"]]
                targets.append(t2)
        p["targets"] = targets
    return big


def draft(n: int) -> str:
    """The default data with a text-only edit, as the office makes them: its nth draft."""
    return DATA.read_text(encoding="utf-8").replace("一年之计在于春", f"一年之计在于春（第{n}稿）", 1)


def watch_rebuilds(data: Path, out: Path, cache: Path, n: int) -> list[float]:
    """Seconds from saving a text-only edit to the verified PDF in place, in `briefing watch`
    (the poll interval included: this is what the person editing waits)."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "watch", str(data), "-o", str(out), "-q"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = iter(proc.stderr)

    def delivered() -> None:
        for line in lines:
            if "完成" in line:
                return
            if "错误" in line or "未通过" in line:
                sys.exit(f"bench: briefing watch failed: {line}")
        sys.exit("bench: briefing watch ended early")

    try:
        delivered()  # the first build
        times = []
        for i in range(n):
            time.sleep(0.3)
            text = draft(i + 11)
            start = time.perf_counter()
            data.write_text(text, encoding="utf-8")
            delivered()
            times.append(time.perf_counter() - start)
        return times
    finally:
        proc.terminate()
        proc.wait()


def served_rebuilds(data: Path, out: Path, cache: Path, n: int) -> list[float]:
    """The same text-only edits, each built by a fresh `briefing build` process while
    `briefing serve` runs (its start-up is paid once, before the first)."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    server = subprocess.Popen([sys.executable, "-m", "briefing", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        if "ready" not in server.stderr.readline():
            sys.exit("bench: briefing serve did not start")
        times = []
        for i in range(n):
            data.write_text(draft(i + 21), encoding="utf-8")
            took, _, err = run(["build", str(data), "-o", str(out)], cache, served=True)
            if "served by" not in err:
                sys.exit("bench: the build did not reach briefing serve")
            times.append(took)
        return times
    finally:
        server.terminate()
        server.wait()


def row(name: str, value: float, unit: str, target: float, better: str = "lower") -> None:
    ok = value <= target if better == "lower" else value >= target
    print(f"  {name:<44}{value:9.2f} {unit:<4} target {'≤' if better == 'lower' else '≥'} {target:g} {unit:<4}"
          f" [{'ok' if ok else 'MISSED'}]")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=5, help="fresh processes per median (default 5)")
    ap.add_argument("--booklets", type=int, default=20, help="booklets in the parallel run (default 20)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["XDG_RUNTIME_DIR"] = str(tmp)  # `briefing serve`'s socket: ours alone, gone after
        out = tmp / "b.pdf"

        cold = [run(["build", str(DATA), "-o", str(out)], None) for _ in range(args.n)]
        cold_s = statistics.median(c[0] for c in cold)
        size_kb = out.stat().st_size / 1024
        rss = statistics.median(c[1] for c in cold)
        cold_stages = stages(cold[len(cold) // 2][2])

        cache = tmp / "cache"
        run(["build", str(DATA), "-o", str(out)], cache)  # prime the caches
        edited = tmp / "yanfeng-2023.yaml"
        warm = []
        for i in range(args.n):
            edited.write_text(draft(i + 1), encoding="utf-8")
            warm.append(run(["build", str(edited), "-o", str(out)], cache))
        warm_s = statistics.median(w[0] for w in warm)
        warm_stages = stages(warm[len(warm) // 2][2])
        watch_s = statistics.median(watch_rebuilds(edited, out, cache, args.n))
        served_s = statistics.median(served_rebuilds(edited, out, cache, args.n))

        big = tmp / "larger.yaml"
        big.write_text(yaml.safe_dump(larger(yaml.safe_load(DATA.read_text(encoding="utf-8")), 10),
                                      allow_unicode=True, sort_keys=False), encoding="utf-8")
        big_runs = [run(["build", str(big), "-o", str(tmp / "big.pdf")], None) for _ in range(max(1, args.n // 2))]
        big_s = statistics.median(b[0] for b in big_runs)
        big_kb = (tmp / "big.pdf").stat().st_size / 1024

        many = tmp / "many"
        many.mkdir()
        for i in range(args.booklets):
            shutil.copy(DATA, many / f"district-{i:02d}.yaml")
        files = sorted(p.name for p in many.glob("*.yaml"))
        par_s, par_rss, _ = run(["build", *files, "-q"], None, cwd=many)

    print(f"briefing bench: {DATA.name}, {os.cpu_count()} cores, medians of {args.n} fresh processes")
    row("whole build, cold process (no caches)", cold_s, "s", TARGETS["cold"])
    row("rebuild after a text-only edit (caches warm)", warm_s, "s", TARGETS["rebuild"])
    row("  the same in `briefing watch` (save → PDF)", watch_s, "s", TARGETS["rebuild"])
    row("  the same with `briefing serve` running", served_s, "s", TARGETS["rebuild"])
    row("PDF size", size_kb, "KB", TARGETS["size_kb"])
    row("peak memory (max RSS)", rss, "MB", TARGETS["rss_mb"])
    row("10x larger booklet: time ratio", big_s / cold_s, "x", TARGETS["scale"])
    row("10x larger booklet: size ratio", big_kb / size_kb, "x", TARGETS["scale"])
    print(f"  {'':44}(10x booklet: {big_s:.2f} s, {big_kb:.0f} KB)")
    one = cold_s
    row(f"{args.booklets} booklets in parallel: speed-up", args.booklets * one / par_s, "x", TARGETS["parallel"],
        better="higher")
    print(f"  {'':44}({args.booklets} booklets: {par_s:.2f} s; {args.booklets} x one cold build: "
          f"{args.booklets * one:.2f} s; parent RSS {par_rss:.0f} MB)")
    print("  stages (s)                                   cold    rebuild")
    for name in cold_stages:
        print(f"    {name:<40}{cold_stages[name]:8.2f} {warm_stages.get(name, 0):8.2f}")
    other_cold = cold_s - sum(cold_stages.values())
    other_warm = warm_s - sum(warm_stages.values())
    print(f"    {'start-up and imports':<40}{other_cold:8.2f} {other_warm:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
