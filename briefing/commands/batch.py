"""Many booklets in one run (every district of a city), in parallel across the machine's cores.

Each data file builds to ``out/<data file name>-briefing.pdf`` in its own worker process. One
bad file does not stop the others; the outcome of each is reported as it finishes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Callable

from ..errors import BriefingError, OutputError, Terminated
from ..files import stop_behind, stop_code


@dataclass
class Outcome:
    data: str
    code: int  # 0 ok, 1 verification failed, 2 bad input
    output: str = ""
    message: str = ""
    pages: int = 0
    size: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def _one(data: str, out: str, paper: str, impose: bool, marks: bool, sheet: str | None,
         cache_root: str | None, inputs: tuple[str, ...] = ()) -> Outcome:
    from ..cache import Cache
    from .build import build

    start = time.perf_counter()
    try:
        r = build(data, out, paper=paper, impose=impose, marks=marks, sheet=sheet,
                  cache=Cache(FsPath(cache_root) if cache_root else None), inputs=inputs)
    except Terminated as exc:  # the batch is being stopped: our temporary files are gone, so go
        os._exit(stop_code(exc))
    except BriefingError as exc:
        return Outcome(data, exc.exit_code, message=str(exc), seconds=time.perf_counter() - start)
    except Exception as exc:  # a bug must still not take the other booklets down with it
        code = stop_behind(exc)  # or a library's cleanup that failed under a stop: go, as above
        if code is not None:
            os._exit(code)
        return Outcome(data, 1, message=f"内部错误 internal error: {type(exc).__name__}: {exc}",
                       seconds=time.perf_counter() - start)
    return Outcome(data, 0, str(r.output), pages=r.report.pages, size=r.report.size,
                   seconds=time.perf_counter() - start, warnings=r.warnings)


def build_many(files: list[str], *, paper: str = "a4", impose: bool = False, marks: bool = False,
               sheet: str | None = None, cache_root: str | None = None, workers: int | None = None,
               report: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    from .build import default_output

    outputs = [str(default_output(f)) for f in files]
    clashes = {o for o in outputs if outputs.count(o) > 1}
    if clashes:
        raise OutputError("这些数据文件同名，会写到同一个输出文件：" + "、".join(sorted(clashes)))
    gc.enable()  # each worker builds several booklets: their garbage must not pile up
    workers = max(1, min(workers or os.cpu_count() or 1, len(files)))
    fork = "fork" in multiprocessing.get_all_start_methods()
    if fork:
        from ..cache import Cache
        from .build import preload

        preload(Cache(FsPath(cache_root) if cache_root else None))
    context = multiprocessing.get_context("fork" if fork else "spawn")
    results: list[Outcome] = []
    inputs = tuple(files)  # no booklet may be written over any data file of the batch
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        try:
            jobs = {pool.submit(_one, f, o, paper, impose, marks, sheet, cache_root, inputs): f
                    for f, o in zip(files, outputs)}
            for job in as_completed(jobs):
                try:
                    outcome = job.result()
                except BrokenProcessPool as exc:  # a worker was killed (out of memory, a signal)
                    outcome = Outcome(jobs[job], 1, message=f"生成进程意外退出 worker died: {exc}")
                results.append(outcome)
                if report:
                    report(outcome)
        except BaseException:
            # Stopped (Ctrl-C, SIGTERM): stop the workers too, each removing its temporary
            # files, rather than wait for builds nobody will collect.
            pool.shutdown(wait=False, cancel_futures=True)
            for child in multiprocessing.active_children():
                child.terminate()
            raise
    order = {f: i for i, f in enumerate(files)}
    return sorted(results, key=lambda o: order[o.data])
