"""``briefing serve``: a build run by the resident process is the build run locally, byte for byte."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from briefing.commands.serve import supported

from .conftest import DATA, EPOCH, ROOT, SAMPLE, run

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


# -- what the client trusts ---------------------------------------------------------------------

def _fake_server(runtime: Path, mode: int = 0o700) -> socket.socket:
    """A listening socket where the client looks for the server, that never accepts by itself."""
    from briefing.commands import serve

    folder = runtime / "briefing"
    folder.mkdir(mode=mode, exist_ok=True)
    folder.chmod(mode)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(serve.socket_path()))
    listener.listen(4)
    return listener


def _received(listener: socket.socket) -> bytes | None:
    """What a client left for the fake server: None if it never connected."""
    listener.settimeout(0.5)
    try:
        conn, _ = listener.accept()
    except socket.timeout:
        return None
    with conn:
        conn.settimeout(1)
        data = b""
        try:
            while chunk := conn.recv(65536):
                data += chunk
        except OSError:
            pass
        return data


@pytest.fixture
def runtime(monkeypatch):
    folder = Path(tempfile.mkdtemp(prefix="bsrv"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    monkeypatch.delenv("BRIEFING_SERVER", raising=False)
    monkeypatch.delenv("BRIEFING_SERVED", raising=False)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_the_client_never_enters_a_runtime_directory_others_can_write_to(runtime):
    from briefing.commands.client import build_via_server

    listener = _fake_server(runtime, 0o777)
    with listener:
        assert build_via_server(["build", "x.yaml"]) is None
        assert _received(listener) is None  # not even a connection


def test_the_client_sends_nothing_to_a_server_of_another_user(runtime, monkeypatch):
    from briefing.commands import client

    listener = _fake_server(runtime)
    monkeypatch.setattr(client, "_peer_uid", lambda conn: os.getuid() + 1)  # the kernel says: not us
    with listener:
        assert client.build_via_server(["build", "x.yaml"]) is None
        assert _received(listener) == b""  # connected, asked the kernel, sent nothing


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a socket to another user needs root")
def test_the_client_ignores_a_socket_another_user_owns(runtime):
    from briefing.commands import client

    listener = _fake_server(runtime)
    os.chown(client.socket_path(), 12345, 12345)
    with listener:
        assert client.build_via_server(["build", "x.yaml"]) is None
        assert _received(listener) is None


def test_a_server_that_does_not_answer_costs_seconds_and_learns_nothing(runtime):
    from briefing.commands.client import ANSWER, build_via_server

    listener = _fake_server(runtime)  # listens, never accepts: what a stopped server looks like
    with listener:
        start = time.monotonic()
        assert build_via_server(["build", "x.yaml"]) is None
        assert time.monotonic() - start < ANSWER + 2
        assert _received(listener) == b""  # the request was never sent


def test_a_stopped_server_means_a_local_build_and_is_not_run_again(server, env, tmp_path):
    out = tmp_path / "b.pdf"
    server.send_signal(signal.SIGSTOP)
    try:
        start = time.monotonic()
        local = run("build", str(SAMPLE), "-o", str(out), env=env)
        took = time.monotonic() - start
    finally:
        server.send_signal(signal.SIGCONT)
    assert local.returncode == 0, local.stderr
    assert "served by" not in local.stderr and took < 60
    stamp = out.stat().st_mtime_ns
    time.sleep(2)  # the resumed server meets the abandoned connection: it must not build it
    assert out.stat().st_mtime_ns == stamp
    again = run("build", str(SAMPLE), "-o", str(tmp_path / "c.pdf"), env=env)
    assert again.returncode == 0 and "served by briefing serve" in again.stderr


def test_sigterm_stops_the_server_and_removes_its_socket(env):
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "serve"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True)
    assert "就绪 ready" in proc.stderr.readline()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143 and "Traceback" not in err
    assert list((Path(env["XDG_RUNTIME_DIR"]) / "briefing").glob("*.sock")) == []


# -- what is at the socket's path, and builds that end early -------------------------------------

def _socket_file(env) -> Path:
    from briefing.commands import serve

    folder = Path(env["XDG_RUNTIME_DIR"]) / "briefing"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / serve.socket_path().name  # the digest is the code's, not the environment's


@pytest.mark.parametrize("kind", ["folder", "file", "link"])
def test_a_socket_path_that_is_not_a_socket_is_named_and_left_alone(env, kind):
    path = _socket_file(env)
    if kind == "folder":
        path.mkdir()
    elif kind == "file":
        path.write_text("notes")
    else:
        path.symlink_to(path.parent / "elsewhere")
    refused = run("serve", "--idle", "1", env=env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    assert str(path) in refused.stderr and "not a socket" in refused.stderr
    assert os.path.lexists(path) and (kind != "file" or path.read_text() == "notes")


def test_a_stale_socket_is_replaced(env):
    path = _socket_file(env)
    left = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    left.bind(str(path))
    left.close()  # a server killed outright leaves its socket behind
    done = run("serve", "--idle", "1", env=env)
    assert done.returncode == 0 and "就绪 ready" in done.stderr, done.stderr


def _served_build(env, out: Path, data: Path = DATA) -> tuple[subprocess.Popen, int]:
    """A cold (hence slow) served build, and its worker's pid once it has started."""
    client = subprocess.Popen([sys.executable, "-m", "briefing", "build", str(data), "-o", str(out), "--no-cache"],
                              cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    first = client.stderr.readline()
    assert "served by briefing serve, worker" in first, first
    return client, int(re.search(r"worker (\d+)", first).group(1))


def _gone(pid: int, within: float = 30) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_client_killed_mid_build_stops_its_worker(server, env, tmp_path):
    client, worker = _served_build(env, tmp_path / "b.pdf")
    client.kill()  # SIGKILL: nothing can be passed on; the worker sees its client go
    client.wait()
    assert _gone(worker)
    assert os.listdir(tmp_path) == []  # neither delivered nor left half-written


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_to_the_client_stops_the_served_build_as_it_stops_a_local_one(server, env, tmp_path, sig):
    client, worker = _served_build(env, tmp_path / "b.pdf")
    client.send_signal(sig)
    _, err = client.communicate(timeout=60)
    assert client.returncode == 128 + sig, err
    assert "Traceback" not in err
    assert os.listdir(tmp_path) == []  # cleaned up by the time the client has exited


def test_a_worker_killed_mid_build_means_a_local_build(server, env, tmp_path):
    client, worker = _served_build(env, tmp_path / "b.pdf", SAMPLE)
    os.kill(worker, signal.SIGKILL)
    _, err = client.communicate(timeout=120)
    assert client.returncode == 0, err
    assert f"worker {worker}" in err and "building locally" in err
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".briefing.")] == ["b.pdf"]


def test_ctrl_c_in_the_servers_terminal_does_not_stop_the_builds_it_runs(env, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "serve"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert "就绪 ready" in proc.stderr.readline()
        client, worker = _served_build(env, tmp_path / "b.pdf")
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
        _, err = client.communicate(timeout=120)
        assert client.returncode == 0, err
        assert (tmp_path / "b.pdf").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def test_two_clients_at_once(server, env, tmp_path):
    clients = [subprocess.Popen([sys.executable, "-m", "briefing", "build", str(SAMPLE), "-o", str(tmp_path / f"{n}.pdf")],
                                cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True) for n in range(2)]
    errs = [c.communicate(timeout=120)[1] for c in clients]
    assert [c.returncode for c in clients] == [0, 0], errs
    assert all("served by briefing serve" in e for e in errs)
    assert (tmp_path / "0.pdf").read_bytes() == (tmp_path / "1.pdf").read_bytes()


def _warmed_build(env, data: Path, out: Path, cwd: Path, within: float = 60) -> subprocess.CompletedProcess:
    """A served build of ``data`` by a standby worker warmed with the build before it: the
    standby warms up after that build's note, so this retries (each try leaves a note too)."""
    end = time.monotonic() + within
    while True:
        done = run("build", str(data), "-o", str(out), env=env, cwd=cwd)
        assert done.returncode == 0, done.stderr
        if ", warmed" in done.stderr or time.monotonic() > end:
            return done
        time.sleep(0.5)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def test_a_standby_warmed_with_the_last_build_builds_an_edit_as_a_local_build_does(server, env, tmp_path):
    """The standby lays out the last booklet again before its client comes (its line memo full):
    the edit it then builds is byte for byte the local build of that edit, and the warm-up wrote
    nothing: the folder holds the booklet alone, the data file is untouched."""
    data = tmp_path / "d.yaml"
    text = SAMPLE.read_text(encoding="utf-8")
    data.write_text(text, encoding="utf-8")
    cache = dict(env, XDG_CACHE_HOME=str(tmp_path / "cache"))
    assert ", warmed" in _warmed_build(cache, data, tmp_path / "d.pdf", tmp_path).stderr
    edited = text.replace("title:", "title: 修改稿", 1)
    assert edited != text
    data.write_text(edited, encoding="utf-8")
    served = _warmed_build(cache, data, tmp_path / "d.pdf", tmp_path)
    assert ", warmed" in served.stderr
    local = run("build", str(data), "-o", str(tmp_path / "local.pdf"), env=dict(cache, BRIEFING_SERVER="0"))
    assert local.returncode == 0, local.stderr
    assert (tmp_path / "d.pdf").read_bytes() == (tmp_path / "local.pdf").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "d.pdf", "d.yaml", "local.pdf"]
    assert data.read_text(encoding="utf-8") == edited


def test_a_standby_warmed_with_a_file_broken_since_gives_the_local_error(server, env, tmp_path):
    data = tmp_path / "d.yaml"
    data.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    cache = dict(env, XDG_CACHE_HOME=str(tmp_path / "cache"))
    _warmed_build(cache, data, tmp_path / "d.pdf", tmp_path)
    good = (tmp_path / "d.pdf").read_bytes()
    data.write_text((ROOT / "tests" / "bad" / "tab-indent.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    time.sleep(1)  # the standby warmed with the good file; its client brings the broken one
    served = run("build", str(data), "-o", str(tmp_path / "d.pdf"), "-q", env=cache)
    local = run("build", str(data), "-o", str(tmp_path / "d.pdf"), "-q", env=dict(cache, BRIEFING_SERVER="0"))
    assert served.returncode == local.returncode == 2
    assert served.stderr == local.stderr and "d.yaml:9:1" in served.stderr
    assert (tmp_path / "d.pdf").read_bytes() == good  # the last good booklet stays


def test_the_standby_ends_with_the_server(env, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "serve"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert "就绪 ready" in proc.stderr.readline()
        cache = dict(env, XDG_CACHE_HOME=str(tmp_path / "cache"))
        assert ", warmed" in _warmed_build(cache, SAMPLE, tmp_path / "d.pdf", ROOT).stderr
        end = time.monotonic() + 30
        while not _children(proc.pid) and time.monotonic() < end:  # the next standby, after the note
            time.sleep(0.1)
        standby = _children(proc.pid)
        assert standby
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert all(_gone(pid) for pid in standby)


def test_a_stop_while_a_standby_is_forked_still_stops_the_server(env, tmp_path):
    """A signal that lands in the fork's own callbacks (``os.register_at_fork``) cannot raise
    there: it is only remembered (``files.terminated_on_signals``), so each round of the
    server's loop raises it. Here every fork makes the server wait a second in such a callback,
    and the stop is sent while it waits there: as the note of the build forks the standby."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        "import os, time\nos.register_at_fork(after_in_parent=lambda: time.sleep(1.0))\n", encoding="utf-8")
    cache = dict(env, XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONPATH=str(hooks))
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "serve"], cwd=ROOT, env=cache,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert "就绪 ready" in proc.stderr.readline()
        done = run("build", str(SAMPLE), "-o", str(tmp_path / "d.pdf"), "-q", env=dict(cache, PYTHONPATH=""))
        assert done.returncode == 0, done.stderr
        time.sleep(0.3)  # the worker's note has arrived: the server is in the standby's fork
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.wait()


def test_builds_that_end_while_the_server_is_stopped_do_not_wait_for_it(server, env, tmp_path):
    """A worker's note (one datagram) goes only where there is room for it: with the server
    stopped (Ctrl-Z in its terminal) nobody reads the notes, and a worker that waited to send
    its own would keep its client waiting too. A large environment makes a note large enough
    that the fifth one finds no room (four such datagrams fill a socket's default buffer)."""
    big = dict(env, BRIEFING_PADDING="x" * (57_000 - len(json.dumps(env))))  # under NOTE_MAX
    started = [_served_build(big, tmp_path / f"{n}.pdf") for n in range(5)]
    server.send_signal(signal.SIGSTOP)
    try:
        for client, _ in started:
            _, err = client.communicate(timeout=90)
            assert client.returncode == 0, err
    finally:
        for client, _ in started:
            client.kill()
            client.wait()
        server.send_signal(signal.SIGCONT)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.pdf", "1.pdf", "2.pdf", "3.pdf", "4.pdf"]


def test_a_server_killed_outright_leaves_no_standby_behind_while_builds_run(env, tmp_path):
    """A standby ends when the server's end of its socketpair closes. A worker forked while a
    standby warms must not hold that end too: the standby of a server killed outright (SIGKILL,
    out of memory) would wait as long as the build, here stopped, runs."""
    proc = subprocess.Popen([sys.executable, "-m", "briefing", "serve"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True)
    cache = dict(env, XDG_CACHE_HOME=str(tmp_path / "cache"))
    worker = None
    try:
        assert "就绪 ready" in proc.stderr.readline()
        for _ in range(5):  # the client must come while the standby still warms up (about a second)
            assert run("build", str(DATA), "-o", str(tmp_path / "a.pdf"), "-q", env=cache).returncode == 0
            client, worker = _served_build(cache, tmp_path / "b.pdf")
            os.kill(worker, signal.SIGSTOP)
            standby = [pid for pid in _children(proc.pid) if pid != worker]
            if standby:
                break
            os.kill(worker, signal.SIGCONT)
            client.communicate(timeout=120)
        assert standby
        proc.kill()
        proc.wait()
        assert all(_gone(pid, within=20) for pid in standby)
    finally:
        proc.kill()
        proc.wait()
        if worker is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker, signal.SIGKILL)


def test_a_client_with_a_very_large_environment_is_served(server, env, tmp_path):
    """The request (argv, directory, environment) may be larger than a socket's buffer: what
    one send leaves over is sent after it, not dropped (the worker then waited for it, and
    the client, after two seconds without an answer, built locally)."""
    big = dict(env, **{f"BRIEFING_PADDING{n}": "x" * 100_000 for n in range(3)})
    served = run("build", str(SAMPLE), "-o", str(tmp_path / "served.pdf"), env=big)
    assert served.returncode == 0, served.stderr
    assert "served by briefing serve" in served.stderr
    run("build", str(SAMPLE), "-o", str(tmp_path / "local.pdf"), env=dict(big, BRIEFING_SERVER="0"))
    assert (tmp_path / "served.pdf").read_bytes() == (tmp_path / "local.pdf").read_bytes()


def test_a_worker_does_not_take_a_stop_the_server_only_remembered_for_its_own(tmp_path):
    """A stop that landed in a fork's callback is only remembered (``files.terminated_on_signals``)
    until the server's loop raises it. A worker forked in between must not inherit it: its build
    would stop with 130 at its first stage though nobody stopped it."""
    import json
    import struct

    from briefing import files
    from briefing.commands import serve
    from briefing.files import check_stop

    def run(argv):
        check_stop()  # what every stage of a build does
        return 0

    here, there = socket.socketpair()
    files._asked.append(signal.SIGINT)  # the server's, remembered
    try:
        pid = os.fork()
        if pid == 0:  # the worker
            here.close()
            serve._work(there, run)  # never returns
    finally:
        files._asked.clear()
    there.close()
    with here:
        request = json.dumps({"argv": ["build"], "cwd": str(tmp_path), "env": dict(os.environ),
                              "umask": 0o022}).encode("utf-8")
        socket.send_fds(here, [struct.pack(">I", len(request)) + request], [0, 1, 2])
        replies = here.makefile("rb")
        assert replies.readline().startswith(b"pid ")
        here.sendall(b"go\n")
        assert replies.readline() == b"exit 0\n"
    os.waitpid(pid, 0)


def test_stopping_a_standby_that_died_and_was_reaped_signals_no_one(monkeypatch):
    """The server's loop reaps every child that ended (``_reap``), a standby included. Stopping
    that standby later must not signal its old process number: by then it may be another's."""
    from briefing.commands import serve

    notes, noting = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    with notes, noting:
        standby = serve._Standby(lambda argv: 0, lambda note: False, {}, (notes,), noting)
        os.kill(standby.pid, signal.SIGKILL)
        os.waitpid(standby.pid, 0)  # what _reap does
        sent = []
        monkeypatch.setattr(os, "kill", lambda pid, sig: sent.append((pid, sig)))
        standby.stop()
    assert sent == [] and standby.pid is None


def test_ctrl_c_before_the_client_takes_over_the_signals_is_exit_130_and_no_go(runtime, monkeypatch):
    """Between reading the worker's pid and ``_wait`` taking the signals over, a Ctrl-C is a
    plain KeyboardInterrupt: it must end the client with 130, quietly, and the worker must not
    hear "go" (it then exits without building)."""
    import threading

    from briefing.commands import client

    def interrupted(replies, conn, worker):
        raise KeyboardInterrupt  # the signal, landing before _wait's first line

    monkeypatch.setattr(client, "_wait", interrupted)
    listener = _fake_server(runtime)
    heard: list[bytes] = []

    def fake_server():
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"hello 1\n")
            conn.settimeout(5)
            socket.recv_fds(conn, 1 << 20, 3)
            conn.sendall(b"pid 4242\n")
            try:
                while chunk := conn.recv(64):
                    heard.append(chunk)
            except OSError:
                pass

    server = threading.Thread(target=fake_server, daemon=True)
    with listener:
        server.start()
        assert client.build_via_server(["build", "x.yaml"]) == 130
        server.join(10)
    assert b"go" not in b"".join(heard)
