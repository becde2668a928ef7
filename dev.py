#!/usr/bin/env python3
"""Run briefing or its tests in the project's own virtual environment, creating it if needed.

    python3 dev.py build [ARGS...]   # = briefing build ARGS (default booklet if none)
    python3 dev.py test [ARGS...]    # = pytest ARGS
    python3 dev.py briefing ARGS...  # any briefing command, e.g. verify

Only Python 3 is needed: the environment lives in .venv (so PEP 668 "externally managed"
system Pythons are never touched) and is reinstalled when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".briefing-install"
# The project's folder on sys.path through a .pth file, as an installed package is found:
# setuptools' default editable install adds an import hook that costs every process 7 ms
# (a build handed to `briefing serve` takes 0.15 s in all).
EDITABLE = "compat"


def _run(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, **kw)


def _bootstrap_pip() -> None:
    """Debian's python3 without python3-venv has no ensurepip: fetch pip's wheel from PyPI."""
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as r:
        info = json.load(r)
    wheel = next(u for u in info["urls"] if u["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / wheel["filename"]
        with urllib.request.urlopen(wheel["url"], timeout=120) as r:
            path.write_bytes(r.read())
        _run([str(PY), str(path / "pip"), "install", "--quiet", str(path)])


def ensure_env() -> None:
    if not PY.exists():
        print("dev.py: creating .venv", file=sys.stderr)
        try:
            _run([sys.executable, "-m", "venv", str(VENV)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except subprocess.CalledProcessError:
            _run([sys.executable, "-m", "venv", "--without-pip", "--clear", str(VENV)])
            _bootstrap_pip()
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + EDITABLE.encode()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != want:
        print("dev.py: installing briefing and its dependencies into .venv", file=sys.stderr)
        _run([str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "--config-settings", f"editable_mode={EDITABLE}", "-e", f"{ROOT}[test]"])
        STAMP.write_text(want)


def compile_bytecode() -> None:
    """Our modules' bytecode, written beside them as an installed package has it. Where
    PYTHONDONTWRITEBYTECODE is set (as here, and on some CI and container images) an editable
    install would otherwise compile every module on every run: 0.06 s of each build. Only a
    module whose source changed is compiled again (about 2 ms to find out)."""
    import compileall
    import re

    found = re.search(r"^version\s*=\s*(\d+)\.(\d+)", (VENV / "pyvenv.cfg").read_text(), re.M)
    if found and tuple(map(int, found.groups())) == sys.version_info[:2]:
        compileall.compile_dir(str(ROOT / "briefing"), quiet=2)
    else:  # .venv was made by another Python: its own must write the bytecode it reads
        _run([str(PY), "-m", "compileall", "-q", str(ROOT / "briefing")], stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("build", "test", "briefing"):
        print(__doc__, file=sys.stderr)
        return 2
    ensure_env()
    compile_bytecode()
    command, rest = argv[0], argv[1:]
    if command == "test":
        cmd = [str(PY), "-m", "pytest", *rest]
    elif command == "build":
        cmd = [str(PY), "-m", "briefing", "build", *rest]
    else:
        cmd = [str(PY), "-m", "briefing", *rest]
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
