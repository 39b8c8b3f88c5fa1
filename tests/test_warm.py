"""The warm render server (layout/warm.py): what a render hands to it comes out as a
render in its own process would have made it, byte for byte, message for message."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE
from test_faults import big_edition

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the server forks (Linux only)")


def server_env(folder: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update({"PAIBAN_SERVER": "1", "PAIBAN_SERVER_DIR": str(folder), **extra})
    return env


def render(env: dict, *args, root: Path = REPO, importtime: bool = False, cwd: Path | None = None
           ) -> subprocess.CompletedProcess:
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run([sys.executable, *flags, str(root / "render.py"), *map(str, args)], cwd=cwd or root,
                          env=env, capture_output=True, text=True, timeout=120)


def warm(env: dict, root: Path = REPO, what: str = "status") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", f"import sys; sys.path[0] = {str(root)!r}; from layout import warm; "
                           f"sys.exit(warm.main([{what!r}]))"], env=env, capture_output=True, text=True, timeout=30)


def wait_for_server(env: dict, root: Path = REPO) -> int:
    """The pid of the server, once it answers (the first render started it)."""
    for _ in range(200):
        status = warm(env, root)
        if status.returncode == 0:
            return int(re.search(r"pid (\d+)", status.stdout).group(1))
        time.sleep(0.05)
    raise AssertionError(f"no server started: {status.stdout} {status.stderr}")


def served(result: subprocess.CompletedProcess) -> bool:
    """Whether a render ran under -X importtime went to the server: then this process
    imported the client and never the engine."""
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")]
    assert "layout.warm" in imported, result.stderr[-2000:]
    return "layout.api" not in imported


def timeless(stdout: str) -> str:
    return re.sub(r"in \d+\.\d+ s", "in N s", stdout)


def messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("import time:")]


def session_processes(pid: int) -> list[int]:
    """Processes in the server's session (it is the leader): the server and its workers,
    and their children."""
    found = []
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc_dir / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == pid and fields[0] != "Z":  # a zombie has finished (its reaper may be slow)
            found.append(int(proc_dir.name))
    return found


def stop_servers(folder: Path) -> None:
    """Every process started for a server folder under `folder` (servers, a replacement
    that was waiting for the lock, workers), ended: nothing of a test outlives it."""
    wanted = f"PAIBAN_SERVER_DIR={folder}/".encode()
    for _ in range(3):  # a replacement waiting for the lock may take it meanwhile
        found = []
        for proc_dir in Path("/proc").glob("[0-9]*"):
            try:
                if any(v.startswith(wanted) for v in (proc_dir / "environ").read_bytes().split(b"\0")):
                    found.append(int(proc_dir.name))
            except OSError:
                pass
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not found:
            return
        time.sleep(0.3)


@pytest.fixture(autouse=True)
def no_server_outlives_its_test(tmp_path):
    yield
    stop_servers(tmp_path)


@pytest.fixture
def server(tmp_path):
    """A server of this checkout in a folder of its own, started the way a user starts
    it (by a first render); stopped, with anything of its session, afterwards."""
    env = server_env(tmp_path / "srv")
    pid = None
    try:
        first = render(env, SAMPLE, "--page", "1", "-o", tmp_path / "first.pdf", importtime=True)
        assert first.returncode == 0, first.stderr
        assert not served(first)  # nothing to hand it to yet: rendered here, and started one
        pid = wait_for_server(env)
        yield env, pid
    finally:
        warm(env, what="stop")
        for _ in range(100):
            if pid is None or not session_processes(pid):
                break
            time.sleep(0.05)
        for left in session_processes(pid) if pid else []:
            os.kill(left, signal.SIGKILL)


def test_a_served_render_is_the_same_bytes_and_messages(server, tmp_path):
    env, _ = server
    for args, suffix in ((["--page", "1"], "pdf"), (["--page", "3", "--report"], "pdf"), ([], "pdf"),
                         (["--page", "4", "--png", "--dpi", "30"], "png"), (["--page", "2", "--print"], "pdf")):
        here = render(dict(env, PAIBAN_SERVER="0"), SAMPLE, *args, "-o", tmp_path / f"here.{suffix}")
        there = render(env, SAMPLE, *args, "-o", tmp_path / f"there.{suffix}", importtime=True)
        assert served(there), args
        assert (there.returncode, timeless(there.stdout.replace("there.", "X."))) == \
            (here.returncode, timeless(here.stdout.replace("here.", "X."))), args
        assert messages(there.stderr) == messages(here.stderr)
        # (the sample's slug line has no time: a press render is the same bytes too)
        assert (tmp_path / f"there.{suffix}").read_bytes() == (tmp_path / f"here.{suffix}").read_bytes(), args


def test_a_served_render_reports_errors_and_codes_like_a_local_one(server, tmp_path):
    env, _ = server
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "edition.yaml").write_text("paper: {name: 测试报, date: 2026-11-30}\npages: [\n", encoding="utf-8")
    cases = [[bad / "edition.yaml", "-o", tmp_path / "bad.pdf"],
             [bad / "edition.yaml", "--json", "-o", tmp_path / "bad.pdf"],
             [SAMPLE, "--page", "99", "-o", tmp_path / "x.pdf"],
             ["--no-such-flag"],
             ["--help"]]
    for args in cases:
        here = render(dict(env, PAIBAN_SERVER="0"), *args)
        there = render(env, *args, importtime=True)
        assert served(there), args
        assert there.returncode == here.returncode, (args, there.stderr)
        assert there.stdout == here.stdout and messages(there.stderr) == messages(here.stderr), args
        assert "Traceback" not in there.stderr
    assert not (tmp_path / "bad.pdf").exists()
    # the working directory is the client's: relative paths are found and written there
    rel = render(env, "edition.yaml", "--page", "1", "-o", tmp_path / "rel.pdf", cwd=SAMPLE.parent, importtime=True)
    assert rel.returncode == 0 and served(rel), rel.stderr
    rel = render(env, SAMPLE, "--page", "1", "-o", "rel2.pdf", cwd=tmp_path, importtime=True)
    assert rel.returncode == 0 and served(rel), rel.stderr
    assert (tmp_path / "rel.pdf").read_bytes() == (tmp_path / "rel2.pdf").read_bytes()


def test_ctrl_c_reaches_the_worker_and_keeps_the_previous_pdf(server, tmp_path):
    env, pid = server
    edition = big_edition(tmp_path / "ed")
    out = tmp_path / "out.pdf"
    out.write_bytes(b"%PDF-1.4 the last good one")
    proc = subprocess.Popen([sys.executable, str(REPO / "render.py"), str(edition), "-o", str(out)], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    assert len(session_processes(pid)) > 1, "no worker is rendering"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    if proc.returncode == 0:
        pytest.skip("the render finished before the signal arrived")
    assert proc.returncode == 130, err
    assert "previous output is unchanged" in err and "Traceback" not in err
    assert out.read_bytes() == b"%PDF-1.4 the last good one"
    time.sleep(0.3)
    assert session_processes(pid) == [pid], "a worker, or its child, is still running"


def test_a_server_of_changed_code_steps_aside(tmp_path):
    """Edit the engine and the next render does not use the server of the old code: the
    server leaves, the render is made here and starts a server of the new code."""
    root = tmp_path / "checkout"
    root.mkdir()
    shutil.copy2(REPO / "render.py", root)
    for folder in ("layout", "fonts"):
        shutil.copytree(REPO / folder, root / folder)
    env = server_env(tmp_path / "srv", PAIBAN_CACHE=str(REPO / ".cache"))
    out = tmp_path / "p1.pdf"
    try:
        assert render(env, SAMPLE, "--page", "1", "-o", out, root=root).returncode == 0
        old = wait_for_server(env, root)
        assert served(render(env, SAMPLE, "--page", "1", "-o", out, root=root, importtime=True))
        source = root / "layout" / "zh.py"
        source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        again = render(env, SAMPLE, "--page", "1", "-o", out, root=root, importtime=True)
        assert again.returncode == 0 and not served(again), again.stderr[-2000:]
        for _ in range(100):
            if not session_processes(old):
                break
            time.sleep(0.05)
        assert not session_processes(old), "the old server is still running"
        new = wait_for_server(env, root)
        assert new != old
        assert served(render(env, SAMPLE, "--page", "1", "-o", out, root=root, importtime=True))
    finally:
        warm(env, root, "stop")


def test_the_server_leaves_when_idle(tmp_path):
    env = server_env(tmp_path / "srv", PAIBAN_SERVER_IDLE="1")
    assert render(env, SAMPLE, "--page", "1", "-o", tmp_path / "p1.pdf").returncode == 0
    pid = wait_for_server(env)
    for _ in range(100):
        if not session_processes(pid):
            break
        time.sleep(0.1)
    assert not session_processes(pid)
    assert warm(env).returncode == 1
    assert not [p for p in (tmp_path / "srv").iterdir() if p.suffix == ".sock"]


def test_no_server_where_it_is_turned_off(tmp_path):
    for env in (server_env(tmp_path / "a", PAIBAN_SERVER="0"), server_env(tmp_path / "b", CI="true")):
        assert render(env, SAMPLE, "--page", "1", "-o", tmp_path / "p1.pdf").returncode == 0
    env = server_env(tmp_path / "c")
    assert render(env, SAMPLE, "--page", "1", "--no-server", "-o", tmp_path / "p1.pdf").returncode == 0
    time.sleep(0.5)
    for folder in ("a", "b", "c"):
        assert not (tmp_path / folder).exists() or not any((tmp_path / folder).iterdir()), folder


def test_the_socket_folder_is_private(server):
    env, _ = server
    folder = Path(env["PAIBAN_SERVER_DIR"])
    assert folder.stat().st_mode & 0o077 == 0


def test_a_server_stopped_mid_render_lets_the_render_finish_and_a_new_server_start(server, tmp_path):
    env, pid = server
    edition = big_edition(tmp_path / "ed")
    out = tmp_path / "out.pdf"
    proc = subprocess.Popen([sys.executable, str(REPO / "render.py"), str(edition), "-o", str(out)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    assert len(session_processes(pid)) > 1, "no worker is rendering"
    assert warm(env, what="stop").returncode == 0
    # the worker holds no lock of the server's: a new one can start while it renders
    assert warm(env).returncode == 1
    assert render(env, SAMPLE, "--page", "1", "-o", tmp_path / "p1.pdf").returncode == 0
    new = wait_for_server(env)
    assert new != pid
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.read_bytes().startswith(b"%PDF")


def test_only_the_same_user_is_served():
    """The socket's folder is private; the server also asks the kernel who connected."""
    import socket
    import tempfile

    from layout.warm import _same_user

    folder = tempfile.mkdtemp(dir="/tmp")  # pytest's own folders are closed to other users
    os.chmod(folder, 0o777)
    path = os.path.join(folder, "s.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.settimeout(30)
        listener.bind(path)
        os.chmod(path, 0o777)
        listener.listen(2)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as mine:
            mine.connect(path)
            conn, _ = listener.accept()
            assert _same_user(conn)
            conn.close()
        if os.getuid() != 0:
            shutil.rmtree(folder, ignore_errors=True)
            return  # another user's connection needs root to make
        pid = os.fork()
        if pid == 0:
            try:
                os.setuid(65534)
                socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect(path)
            finally:
                os._exit(0)
        try:
            conn, _ = listener.accept()
        finally:
            os.waitpid(pid, 0)
            shutil.rmtree(folder, ignore_errors=True)
        assert not _same_user(conn)
        conn.close()


def test_a_server_that_does_not_answer_is_passed_by(server, tmp_path):
    env, pid = server
    os.kill(pid, signal.SIGSTOP)
    try:
        # (render() gives up after 120 s: a client that waited for ever fails the test)
        result = render(env, SAMPLE, "--page", "1", "-o", tmp_path / "p1.pdf", importtime=True)
        assert result.returncode == 0, result.stderr[-2000:]
        assert not served(result)
        assert "the render server did not answer; rendering here" in result.stderr
    finally:
        os.kill(pid, signal.SIGCONT)
