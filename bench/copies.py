#!/usr/bin/env python3
"""Benchmark numbered copies (issue #17) against their targets; every build is a fresh process.

    .venv/bin/python bench/copies.py [-n 3] [--copies 300]
    .venv/bin/python bench/copies.py --imposed [-n 3]   # A5 copies imposed on SRA4 with marks

- 300 copies (`build --copies`, every copy stamped and checked) against 10x the wall time of
  one plain build of the same booklet, in the same cache state (warm: the second build of a
  file; cold: --no-cache), medians of N runs, with the CPU time of each (the machine is
  shared: CPU time over wall time shows that both cores were used);
- each copy's size over its booklet's (≤ 15 KB), print and e-mail copies;
- peak memory: the largest total of the whole process tree (the build and its workers, sampled
  every 10 ms), against 400 MB: proportional set sizes (a page the forked workers share with
  their parent counts once), with the plain sum of resident sizes beside it.

With ``--imposed``: A5 copies with ``--impose saddle --marks`` (SRA4 sheets), 40 and
``--copies`` of them, against the same copies without imposition: the wall and CPU time, the
CPU time each imposed copy adds, the combined print file's size and the peak memory.

Timing lives here, never in the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "yanfeng-2023.yaml"
TARGETS = {"ratio": 10.0, "extra_kb": 15.0, "rss_mb": 400.0}
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高欧阳司马"
GIVEN = "喆玥犇昇伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def delegate_list(path: Path, n: int) -> None:
    """``n`` made-up delegates: rare name characters (喆玥犇昇) among common ones, nine groups."""
    rng = random.Random(17)
    rows = ["份号,姓名,代表团"]
    for i in range(n):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        rows.append(f"{i + 1},{name},第{i % 9 + 1}代表团")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _pss(pid: int) -> int:
    """The process's proportional set size: its private pages, and its share of pages it shares
    (a forked worker shares most of the booklet, fonts and code with its parent)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tree_memory(pid: int) -> tuple[int, int]:
    """(resident bytes, proportional bytes) of ``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        p = int(entry)
        children.setdefault(int(fields[1]), []).append(p)
        rss[p] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, pss, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        pss += _pss(p)
        todo += children.get(p, [])
    return total, pss


def run(args: list[str], cache: Path | None) -> tuple[float, float, float, float]:
    """(wall seconds, CPU seconds of the process and its children, peak tree PSS and RSS in MB)."""
    env = dict(os.environ, BRIEFING_SERVER="0", SOURCE_DATE_EPOCH="1679270400")
    if cache is None:
        args = args + ["--no-cache"]
    else:
        env["XDG_CACHE_HOME"] = str(cache)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "briefing", *args, "-q"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0, 0]

    def sample():
        while proc.poll() is None:
            rss, pss = _tree_memory(proc.pid)
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], rss)
            time.sleep(0.01)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    watcher.join()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: briefing {' '.join(args)} failed:\n{err.decode()}")
    return took, usage.ru_utime + usage.ru_stime, peak[0] / 2 ** 20, peak[1] / 2 ** 20


def row(name: str, value: float, unit: str, target: float | None = None, note: str = "") -> None:
    if target is None:
        print(f"  {name:<52}{value:8.2f} {unit:<3}{note}")
    else:
        print(f"  {name:<52}{value:8.2f} {unit:<3} target ≤ {target:g} {unit:<3}"
              f"[{'ok' if value <= target else 'MISSED'}]{note}")


def imposed(args) -> int:
    """Imposed A5 copies (SRA4, marks) against the same copies unimposed, 40 and ``--copies``."""
    load_before = os.getloadavg()[0]
    print(f"briefing imposed copies bench: {DATA.name}, A5 on SRA4 with marks, {os.cpu_count()} cores, medians of "
          f"{args.n} fresh processes (cache warm); load average {load_before:.1f} before")
    with tempfile.TemporaryDirectory(prefix="bench-imposed") as tmp_name:
        tmp = Path(tmp_name)
        cache = tmp / "cache"
        a5 = ["--paper", "a5"]
        run(["build", str(DATA), *a5, "-o", str(tmp / "plain.pdf")], cache)  # warm the cache
        for count in sorted({40, args.copies}):
            listing = tmp / f"delegates-{count}.csv"
            delegate_list(listing, count)
            plain, imposed_runs = [], []
            for _ in range(args.n):
                plain.append(run(["build", str(DATA), *a5, "--copies", str(listing), "-o", str(tmp / "c")], cache))
                imposed_runs.append(run(["build", str(DATA), *a5, "--copies", str(listing), "--impose", "saddle",
                                         "--marks", "-o", str(tmp / "i")], cache))
            combined = (tmp / "i" / "全部副本-拼版.pdf").stat().st_size
            one = max(p.stat().st_size for p in (tmp / "i").glob("*-imposed.pdf"))
            p_wall, p_cpu = (statistics.median(r[k] for r in plain) for k in (0, 1))
            i_wall, i_cpu = (statistics.median(r[k] for r in imposed_runs) for k in (0, 1))
            print(f"  {count} copies:")
            row("copies, not imposed", p_wall, "s", None, f"  (CPU {p_cpu:.2f} s)")
            row("copies imposed (--impose saddle --marks)", i_wall, "s", None,
                f"  (CPU {i_cpu:.2f} s, {i_cpu / i_wall:.2f} cores busy)")
            row("  CPU each imposed copy adds", 1000 * (i_cpu - p_cpu) / count, "ms", None)
            row("  combined print file", combined / 2 ** 20, "MB", None, f"  (largest imposed copy {one / 1024:.0f} KB)")
            row("  peak memory, the whole process tree (PSS)", max(r[2] for r in imposed_runs), "MB",
                TARGETS["rss_mb"], f"  (sum of RSS {max(r[3] for r in imposed_runs):.0f} MB)")
    print(f"  load average after: {os.getloadavg()[0]:.1f}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=3, help="runs per median (default 3)")
    ap.add_argument("--copies", type=int, default=300, help="delegates on the list (default 300)")
    ap.add_argument("--imposed", action="store_true", help="imposed A5 copies (SRA4, marks), 40 and --copies")
    args = ap.parse_args()
    if args.imposed:
        return imposed(args)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-copies") as tmp_name:
        tmp = Path(tmp_name)
        listing = tmp / "delegates.csv"
        delegate_list(listing, args.copies)
        cache = tmp / "cache"
        plain = tmp / "plain.pdf"
        out = tmp / "copies"
        mail = tmp / "mail"
        results: dict[str, list[tuple[float, float, float]]] = {k: [] for k in
                                                                  ("plain-warm", "copies-warm", "plain-cold",
                                                                   "copies-cold", "email-warm")}
        run(["build", str(DATA), "-o", str(plain)], cache)  # warm the cache and the contents hint
        for _ in range(args.n):  # interleaved, so that a busy moment of the machine hits both
            results["plain-warm"].append(run(["build", str(DATA), "-o", str(plain)], cache))
            results["copies-warm"].append(run(["build", str(DATA), "--copies", str(listing), "-o", str(out)], cache))
            results["plain-cold"].append(run(["build", str(DATA), "-o", str(plain)], None))
            results["copies-cold"].append(run(["build", str(DATA), "--copies", str(listing), "-o", str(out)], None))
        results["email-warm"].append(run(["build", str(DATA), "--copies", str(listing), "--email", "-o", str(mail)],
                                         cache))
        booklet = plain.stat().st_size
        sizes = [p.stat().st_size for p in out.glob("*.pdf")]
        mail_sizes = [p.stat().st_size for p in mail.glob("*.pdf")]

    med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v), max(r[2] for r in v),
               max(r[3] for r in v)) for k, v in results.items() if v}
    print(f"briefing copies bench: {DATA.name}, {args.copies} delegates, {os.cpu_count()} cores, medians of "
          f"{args.n} fresh processes; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    for state in ("warm", "cold"):
        p_wall, p_cpu, _, _ = med[f"plain-{state}"]
        c_wall, c_cpu, _, _ = med[f"copies-{state}"]
        print(f"  {state} ({'cache and contents hint kept' if state == 'warm' else '--no-cache'}):")
        row("one plain build", p_wall, "s", None, f"  (CPU {p_cpu:.2f} s)")
        row(f"{args.copies} copies, each stamped and checked", c_wall, "s", TARGETS["ratio"] * p_wall,
            f"  = {c_wall / p_wall:.1f}x the plain build (CPU {c_cpu:.2f} s, {c_cpu / c_wall:.2f} cores busy)")
        row("  per copy, CPU", 1000 * (c_cpu - p_cpu) / args.copies, "ms", None)
    e_wall, e_cpu, e_pss, e_rss = med["email-warm"]
    row(f"{args.copies} e-mail copies (warm)", e_wall, "s", TARGETS["ratio"] * med["plain-warm"][0],
        f"  (CPU {e_cpu:.2f} s)")
    row("largest print copy over its booklet", (max(sizes) - booklet) / 1024, "KB", TARGETS["extra_kb"],
        f"  (booklet {booklet:,} bytes, copies {min(sizes):,}–{max(sizes):,})")
    row("largest e-mail copy over its booklet", (max(mail_sizes) - booklet) / 1024, "KB", TARGETS["extra_kb"],
        f"  (largest {max(mail_sizes) / 1024:.0f} KB; issue #17 asks ≤ 300 KB)")
    row("peak memory, the whole process tree (PSS)", max(med[k][2] for k in med), "MB", TARGETS["rss_mb"],
        f"  (warm copies {med['copies-warm'][2]:.0f} MB, e-mail {e_pss:.0f} MB; the sum of each process's "
        f"RSS, counting shared pages once per process: {max(med[k][3] for k in med):.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
