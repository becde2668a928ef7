#!/usr/bin/env python3
"""Benchmark the default booklet against issue #13's targets; every build is a fresh process.

    .venv/bin/python bench/bench.py [-n 5] [--typst-cold S] [--typst-layout S]

Prints each figure beside its target, with `python -c pass` as the machine's yardstick:
- cold build, fresh process, no caches (median of N), against Typst's cold build of the same
  booklet (give the Typst figures measured in the same run with --typst-cold/--typst-layout;
  without them the issue's anchors are used, from another machine);
- rebuild after a text edit, caches warm, fresh process; the same edit saved while
  `briefing watch` runs (save → verified PDF in place), and built by a fresh `briefing build`
  while `briefing serve` runs;
- a 10x booklet (10x metrics and targets): its cold build and its rebuild against the 1x ones;
- long text (issue #11): a foreword of one 100,000-character paragraph, and one with a
  5,000-letter word, each built cold;
- peak memory (max RSS of the build and its chart worker) and the PDF's size;
- 20 booklets in parallel (`briefing build *.yaml`, issue #6);
- and where the time goes: each stage from the build's own progress lines, and start-up,
  imports and exit as the rest of the process's time.

Verification is included everywhere. Timing lives here, never in the test suite.
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
TYPST = {"cold": 0.54, "layout": 0.116}  # the Typst anchors (its machine), in seconds
TARGETS = {"cold_vs_typst": 1.0, "rebuild": 0.30, "watch": 0.15, "scale_cold": 2.0, "scale_rebuild": 2.5,
           "rss_mb": 200, "size_kb": 300, "parallel": 1.6, "long_text": 10.0}
STAGE = re.compile(r"^\s+(\S.*?)\s+([0-9.]+) s$")


def run(args: list[str], cache: Path | None, cwd: Path = ROOT,
        served: bool = False) -> tuple[float, float, str, float]:
    """(seconds, peak RSS MB, stderr, CPU seconds) of one `python -m briefing …` in a fresh
    process (its chart worker included); only with ``served`` may it hand the build to a
    running `briefing serve`."""
    env = dict(os.environ, BRIEFING_SERVER="1" if served else "0")
    if cache is None:
        args = args + ["--no-cache"]
    else:
        env["XDG_CACHE_HOME"] = str(cache)
    before = _children()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "briefing", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err_text = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: briefing {' '.join(args)} failed:\n{err_text}")
    rss, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    for orphan in _children() - before - {proc.pid}:  # a worker the build left to exit on its own
        try:
            _, _, left = os.wait4(orphan, 0)
        except ChildProcessError:
            continue
        rss, cpu = max(rss, left.ru_maxrss), cpu + left.ru_utime + left.ru_stime
    return took, rss / 1024, err_text, cpu


def adopt_orphans() -> bool:
    """Become the parent of the processes a build leaves behind (Linux: a child subreaper).

    A build does not wait for a worker that has sent its last reply to finish exiting (10 ms
    of giving memory back): the worker is then the bench's, and ``run`` counts its memory and
    CPU time as the build's. Elsewhere it would be init's, and uncounted: the bench says so."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _children() -> set[int]:
    """This process's children now (from /proc; none where there is no /proc)."""
    me, found = str(os.getpid()), set()
    try:
        names = os.listdir("/proc")
    except OSError:
        return found
    for name in names:
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rpartition(")")[2].split()
            except OSError:
                continue
            if len(fields) > 1 and fields[1] == me:
                found.add(int(name))
    return found


def bytecode() -> str:
    """Compile the package's bytecode first, as an installed package (and ``dev.py``) has it:
    with PYTHONDONTWRITEBYTECODE set, an editable install would otherwise compile every module
    in every build, and the bench would time the compiler."""
    import compileall

    import briefing

    folder = Path(briefing.__file__).parent
    compileall.compile_dir(str(folder), quiet=2)
    return f"bytecode compiled in {folder}"


def python_pass(n: int) -> float:
    """Median seconds of `python -c pass` with this interpreter: the machine's yardstick."""
    times = []
    for _ in range(max(5, n)):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
                if m2.get("part_of"):  # a part stays inside its own copy of the whole
                    m2["part_of"] = f"{m2['part_of']}-{n}"
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


def draft(n: int, text: str | None = None) -> str:
    """The data (default: the default booklet's) with a text-only edit, as the office makes them:
    its nth draft."""
    text = DATA.read_text(encoding="utf-8") if text is None else text
    return text.replace("一年之计在于春", f"一年之计在于春（第{n}稿）", 1)


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
    `briefing serve` runs (its start-up is paid once, before the first). As in `watch_rebuilds`,
    a person takes time to edit between builds: 0.5 s here, while the server readies its next
    worker with the last build (serve's standby)."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    server = subprocess.Popen([sys.executable, "-m", "briefing", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        if "ready" not in server.stderr.readline():
            sys.exit("bench: briefing serve did not start")
        times = []
        for i in range(n + 1):  # the first build leaves the note the standby warms up with
            time.sleep(0.5)
            data.write_text(draft(i + 21), encoding="utf-8")
            took, _, err, _ = run(["build", str(data), "-o", str(out)], cache, served=True)
            if "served by" not in err:
                sys.exit("bench: the build did not reach briefing serve")
            times.append(took)
        return times[1:]
    finally:
        server.terminate()
        server.wait()


def row(name: str, value: float, unit: str, target: float | None, note: str = "", better: str = "lower") -> None:
    if target is None:
        print(f"  {name:<50}{value:8.2f} {unit:<3}{note}")
        return
    ok = value <= target if better == "lower" else value >= target
    sign = "≤" if better == "lower" else "≥"
    print(f"  {name:<50}{value:8.2f} {unit:<3} target {sign} {target:g} {unit:<3}[{'ok' if ok else 'MISSED'}]{note}")


def rebuilds(data_text: str, path: Path, out: Path, cache: Path, n: int, first: int) -> list[tuple]:
    """Fresh-process builds of ``n`` text-only edits, caches warm."""
    runs = []
    for i in range(n):
        path.write_text(draft(first + i, data_text), encoding="utf-8")
        runs.append(run(["build", str(path), "-o", str(out)], cache))
    return runs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=5, help="fresh processes per median (default 5)")
    ap.add_argument("--booklets", type=int, default=20, help="booklets in the parallel run (default 20; 0: skip)")
    ap.add_argument("--typst-cold", type=float, help="Typst's cold build of the booklet, seconds, same run")
    ap.add_argument("--typst-layout", type=float, help="Typst's layout-only rebuild, seconds, same run")
    args = ap.parse_args()
    typst_cold = args.typst_cold or TYPST["cold"]
    typst_layout = args.typst_layout or TYPST["layout"]
    anchor = "" if args.typst_cold else "  (the issue's Typst anchor, from another machine)"
    load_before = os.getloadavg()[0]
    compiled = bytecode()
    adopted = adopt_orphans()
    with tempfile.TemporaryDirectory(prefix="bench") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["XDG_RUNTIME_DIR"] = str(tmp)  # `briefing serve`'s socket: ours alone, gone after
        out = tmp / "b.pdf"
        yardstick = python_pass(args.n)

        cold = [run(["build", str(DATA), "-o", str(out)], None) for _ in range(args.n)]
        cold_s = statistics.median(c[0] for c in cold)
        size = out.stat().st_size
        rss = max(c[1] for c in cold)
        cold_stages = stages(sorted(cold, key=lambda c: c[0])[len(cold) // 2][2])

        cache = tmp / "cache"
        text = DATA.read_text(encoding="utf-8")
        edited = tmp / "yanfeng-2023.yaml"
        rebuilds(text, edited, out, cache, 1, 0)  # prime the caches and the contents hint
        warm = rebuilds(text, edited, out, cache, args.n, 1)
        warm_s = statistics.median(w[0] for w in warm)
        warm_rss = max(w[1] for w in warm)
        warm_stages = stages(sorted(warm, key=lambda w: w[0])[len(warm) // 2][2])
        watch_s = statistics.median(watch_rebuilds(edited, out, cache, args.n))
        served_s = statistics.median(served_rebuilds(edited, out, cache, args.n))

        big_data = yaml.safe_dump(larger(yaml.safe_load(text), 10), allow_unicode=True, sort_keys=False)
        big = tmp / "larger.yaml"
        big.write_text(big_data, encoding="utf-8")
        k = max(1, args.n // 2)
        big_cold = [run(["build", str(big), "-o", str(tmp / "big.pdf")], None) for _ in range(k)]
        big_cold_s = statistics.median(b[0] for b in big_cold)
        big_kb = (tmp / "big.pdf").stat().st_size / 1024
        big_cache = tmp / "big-cache"
        rebuilds(big_data, big, tmp / "big.pdf", big_cache, 1, 0)
        big_warm_s = statistics.median(b[0] for b in rebuilds(big_data, big, tmp / "big.pdf", big_cache, k, 1))

        long_s = {}
        for name, paragraph in (("100,000-character paragraph", ("一年之计在于春，扬帆奋进正当时。" * 6250)[:100_000]),
                                ("5,000-letter word", "词：" + "a" * 5000 + "。")):
            data = yaml.safe_load(text)
            data["foreword"] = [paragraph]
            long_file = tmp / "long.yaml"
            long_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            long_s[name] = statistics.median(run(["build", str(long_file), "-o", str(tmp / "long.pdf")], None)[0]
                                             for _ in range(k))

        par_s = None
        if args.booklets:
            many = tmp / "many"
            many.mkdir()
            for i in range(args.booklets):
                shutil.copy(DATA, many / f"district-{i:02d}.yaml")
            files = sorted(p.name for p in many.glob("*.yaml"))
            par_s, *_ = run(["build", *files, "-q"], None, cwd=many)

    print(f"briefing bench: {DATA.name}, {os.cpu_count()} cores, medians of {args.n} fresh processes "
          f"(10x booklet: {k}); load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; {compiled}"
          + ("" if adopted else "; workers left to exit on their own are NOT counted in memory and CPU"))
    row("python -c pass (the machine's yardstick)", yardstick, "s", None)
    row("cold build, fresh process, no caches", cold_s, "s", TARGETS["cold_vs_typst"] * typst_cold,
        f"  = {cold_s / typst_cold:.1f}x Typst{anchor}")
    row("  CPU time of it (build and chart worker)", statistics.median(c[3] for c in cold), "s", None)
    row("rebuild after a text edit, fresh process", warm_s, "s", TARGETS["rebuild"],
        f"  = {warm_s / typst_layout:.1f}x Typst's layout-only run")
    row("  CPU time of it", statistics.median(w[3] for w in warm), "s", None)
    row("  the same edit in `briefing watch`: save → PDF", watch_s, "s", TARGETS["watch"])
    row("  the same edit, `briefing build` with `serve` up", served_s, "s", TARGETS["watch"])
    row("10x booklet: cold / 1x cold", big_cold_s / cold_s, "x", TARGETS["scale_cold"],
        f"  ({big_cold_s:.2f} s, {big_kb:.0f} KB)")
    row("10x booklet: rebuild / 1x rebuild", big_warm_s / warm_s, "x", TARGETS["scale_rebuild"],
        f"  ({big_warm_s:.2f} s)")
    for name, seconds in long_s.items():
        row(f"a foreword of one {name}, cold", seconds, "s", TARGETS["long_text"])
    row("peak memory, cold (max RSS, worker included)", rss, "MB", TARGETS["rss_mb"],
        f"  (rebuild: {warm_rss:.0f} MB)")
    row("PDF size", size / 1024, "KB", TARGETS["size_kb"], f"  ({size:,} bytes)")
    if par_s is not None:
        row(f"{args.booklets} booklets in parallel: speed-up over one by one", args.booklets * cold_s / par_s, "x",
            TARGETS["parallel"], f"  ({par_s:.2f} s)", better="higher")
    print("  where the time goes (s)                          cold   rebuild")
    for name in dict.fromkeys([*cold_stages, *warm_stages]):
        print(f"    {name:<44}{cold_stages.get(name, 0):7.2f} {warm_stages.get(name, 0):8.2f}")
    print(f"    {'start-up, imports and exit (the rest)':<44}{cold_s - sum(cold_stages.values()):7.2f} "
          f"{warm_s - sum(warm_stages.values()):8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
