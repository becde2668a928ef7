"""The ``briefing`` program: a ``build`` goes to a running ``briefing serve`` first.

Only the standard library is imported before that (``client``): the command line's own
imports (``cli``: argparse, the errors, the file rules), 0.02 s, are paid only by a command
that runs here.
"""

from __future__ import annotations

import gc
import os
import sys

from ..places import drop_relative_xdg
from .client import build_via_server


def main(argv: list[str] | None = None) -> int:
    """The ``briefing`` command: a ``build`` goes to a running ``briefing serve`` if there is one.

    Called as the program (no ``argv``), a command that ends when its work is done runs with
    the cyclic garbage collector off (see ``cli.gc_paused``) and exits at once: tearing down the
    interpreter would only free, one by one, objects the system frees with the process.
    """
    drop_relative_xdg()  # before anything reads them: the server's socket, our cache, matplotlib's
    program = argv is None
    argv = sys.argv[1:] if argv is None else list(argv)
    one_shot = program and argv[:1] in (["build"], ["verify"], ["new"], ["schema"])
    if one_shot:
        gc.disable()  # never enabled again: the process ends with the command (batch builds turn it on)
    code = None
    if argv[:1] == ["build"] and "-h" not in argv and "--help" not in argv:
        code = build_via_server(argv)
    if code is None:
        from .cli import run  # only now: the command line's imports are most of a client's start

        code = run(argv, exiting=one_shot)
    if one_shot:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
