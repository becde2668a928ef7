"""``briefing serve``: a build run by the resident process is the build run locally, byte for byte."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from briefing.commands.serve import supported

from .conftest import EPOCH, ROOT, SAMPLE, run

pytestmark = pytest.mark.skipif(not supported(), reason="resident builds need fork and Unix sockets")


@pytest.fixture
def env():
    # A short private runtime directory: Unix socket paths are limited to ~100 bytes.
    runtime = Path(tempfile.mkdtemp(prefix="bsrv"))
    yield dict(os.environ, XDG_RUNTIME_DIR=str(runtime), SOURCE_DATE_EPOCH=EPOCH)
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def server(env):
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "serve"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True)
    ready = proc.stderr.readline()
    assert "就绪 ready" in ready, ready
    yield proc
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)


def test_served_build_is_the_local_build(server, env, tmp_path):
    served = run("build", str(SAMPLE), "-o", str(tmp_path / "served.pdf"), env=env)
    local = run("build", str(SAMPLE), "-o", str(tmp_path / "local.pdf"), env=dict(env, BRIEFING_SERVER="0"))
    assert served.returncode == local.returncode == 0, served.stderr
    assert "served by briefing serve" in served.stderr
    assert "served by" not in local.stderr
    assert (tmp_path / "served.pdf").read_bytes() == (tmp_path / "local.pdf").read_bytes()


def test_served_errors_are_the_local_errors(server, env, tmp_path):
    bad = ROOT / "tests" / "bad" / "tab-indent.yaml"
    served = run("build", str(bad), "-o", str(tmp_path / "b.pdf"), "-q", env=env)
    local = run("build", str(bad), "-o", str(tmp_path / "b.pdf"), "-q", env=dict(env, BRIEFING_SERVER="0"))
    assert served.returncode == local.returncode == 2
    assert served.stderr == local.stderr and "tab-indent.yaml:9:1" in served.stderr
    assert not (tmp_path / "b.pdf").exists()


def test_the_client_runs_in_its_own_directory_and_environment(server, env, tmp_path):
    shutil.copy(SAMPLE, tmp_path / "d.yaml")
    client_env = dict(env, SOURCE_DATE_EPOCH="1700000000")  # not the server's
    served = run("build", "d.yaml", env=client_env, cwd=tmp_path)
    assert served.returncode == 0, served.stderr
    assert "served by briefing serve" in served.stderr
    # The default output, relative to the client's directory, dated by the client's epoch.
    local = run("build", "d.yaml", "-o", "local.pdf", env=dict(client_env, BRIEFING_SERVER="0"), cwd=tmp_path)
    assert local.returncode == 0
    assert (tmp_path / "out" / "d-briefing.pdf").read_bytes() == (tmp_path / "local.pdf").read_bytes()


def test_one_server_at_a_time(server, env):
    again = run("serve", env=env)
    assert again.returncode == 2 and "already running" in again.stderr


def test_an_idle_server_exits_and_removes_its_socket(env):
    start = time.monotonic()
    done = run("serve", "--idle", "1", env=env)
    assert done.returncode == 0 and "idle" in done.stderr
    assert time.monotonic() - start < 60
    assert list((Path(env["XDG_RUNTIME_DIR"]) / "briefing").glob("*.sock")) == []


def test_a_runtime_directory_others_can_enter_is_refused(env):
    folder = Path(env["XDG_RUNTIME_DIR"]) / "briefing"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    refused = run("serve", "--idle", "1", env=env)
    assert refused.returncode == 2 and "0700" in refused.stderr
    assert "Traceback" not in refused.stderr
