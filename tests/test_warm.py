"""The warm render server (layout/desk/warm.py): what a render hands to it comes out as a
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
    return subprocess.run([sys.executable, "-c", f"import sys; sys.path[0] = {str(root)!r}; from layout.desk import warm; "
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
    assert "layout.desk.warm" in imported, result.stderr[-2000:]
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
        source = root / "layout" / "text" / "zh.py"
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


def test_no_server_unless_asked_for(tmp_path):
    """Opt-in (issue 15): a plain render, PAIBAN_SERVER=0, CI, --no-server start nothing."""
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "PAIBAN_SERVER")}
    cases = {"plain": {}, "off": {"PAIBAN_SERVER": "0"}, "ci": {"CI": "true"}, "flag": {"PAIBAN_SERVER": "1"}}
    for name, extra in cases.items():
        env = dict(base, PAIBAN_SERVER_DIR=str(tmp_path / name), **extra)
        flags = ["--no-server"] if name == "flag" else []
        result = render(env, SAMPLE, "--page", "1", *flags, "-o", tmp_path / "p1.pdf", importtime=True)
        assert result.returncode == 0 and not served(result), name
    time.sleep(0.5)
    for name in cases:
        assert not (tmp_path / name).exists(), name
    # --server asks for it without the variable, and wins over PAIBAN_SERVER=0
    env = dict(base, PAIBAN_SERVER="0", PAIBAN_SERVER_DIR=str(tmp_path / "asked"))
    assert render(env, SAMPLE, "--page", "1", "--server", "-o", tmp_path / "p1.pdf").returncode == 0
    wait_for_server(env)
    assert served(render(env, SAMPLE, "--page", "1", "--server", "-o", tmp_path / "p1.pdf", importtime=True))
    warm(env, what="stop")


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

    from layout.desk.warm import _same_user

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


# -- a hostile machine: another user's folder, link or listener gets nothing ----------------

def socket_of(env: dict) -> Path:
    """Where a render with this environment looks for its server's socket."""
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path[0] = {str(REPO)!r}; from layout.desk import warm; "
                          "print(warm.socket_path())"], env=env, capture_output=True, text=True, timeout=30)
    return Path(out.stdout.strip())


class Listener:
    """A socket at `path` that records every connection and every byte sent to it, as
    another user's fake server would. `uid`: listen as that user (needs root)."""

    def __init__(self, path: Path, uid: int | None = None):
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: bind, maybe become another user, listen, count
            import socket

            os.close(read)
            got = b"none"
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                    sock.bind(str(path))
                    os.chmod(path, 0o777)
                    if uid is not None:
                        os.setgid(uid)
                        os.setuid(uid)  # SO_PEERCRED reports who called listen()
                    sock.listen(4)
                    os.write(write, b"ready\n")
                    sock.settimeout(20)
                    try:
                        conn, _ = sock.accept()
                        conn.settimeout(5)
                        data, fds = b"", 0
                        while True:
                            chunk, anc, _, _ = conn.recvmsg(4096, 1024)
                            fds += sum(len(a[2]) for a in anc)
                            if not chunk:
                                break
                            data += chunk
                        got = f"connected {len(data)} bytes {fds} fds".encode()
                    except OSError:
                        pass
            finally:
                os.write(write, got + b"\n")
                os._exit(0)
        os.close(write)
        self.out = os.fdopen(read, "rb")
        assert self.out.readline() == b"ready\n"

    def __enter__(self):
        return self

    def result(self) -> str:
        """What the listener got: 'none', or the connection's bytes and descriptors."""
        return self.out.readline().decode().strip()

    def __exit__(self, *exc):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        self.out.close()


def refused(env: dict, tmp_path: Path, why: str, starts: bool = False) -> None:
    """A render asked to use the server renders here, says why not, and starts none in
    a folder that is not ours."""
    result = render(env, SAMPLE, "--page", "1", "--server", "-o", tmp_path / "p1.pdf", importtime=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert not served(result)
    warning = [m for m in messages(result.stderr) if m.startswith("warning: not using the render server")]
    assert warning and why in warning[0], messages(result.stderr)
    assert "Traceback" not in result.stderr
    if not starts:
        time.sleep(0.3)
        assert warm(env).returncode == 1


def test_a_folder_that_is_a_symbolic_link_is_refused(tmp_path):
    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    link = tmp_path / "srv"
    link.symlink_to(target)
    env = server_env(link)
    path = socket_of(env)
    with Listener(target / path.name) as listener:
        refused(env, tmp_path, "is a symbolic link")
        os.kill(listener.pid, signal.SIGKILL)
    assert not [p for p in target.iterdir() if p.suffix == ".lock"]


def test_a_folder_open_to_others_is_refused(tmp_path):
    folder = tmp_path / "srv"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    refused(server_env(folder), tmp_path, "is open to other users (mode 755")


@pytest.mark.skipif(os.getuid() != 0, reason="making a folder of another user needs root")
def test_a_folder_of_another_user_gets_nothing(tmp_path):
    """Another user made the folder first and listens in it: not one byte goes there."""
    tmp_path.chmod(0o755)  # (pytest's folder: the other user must reach the socket)
    folder = tmp_path / "srv"
    folder.mkdir(mode=0o700)
    env = server_env(folder)
    path = socket_of(env)
    with Listener(path) as listener:
        os.chown(folder, 65534, 65534)
        refused(env, tmp_path, "belongs to user 65534")
        assert listener.result() == "none"


@pytest.mark.skipif(os.getuid() != 0, reason="a listener of another user needs root")
def test_a_listener_of_another_user_gets_nothing(tmp_path):
    """The folder is ours, but the process listening in it is not: the client asks the
    kernel who listens (SO_PEERCRED) and sends nothing, no argv, no environment, no fds."""
    folder = tmp_path / "srv"
    folder.mkdir(mode=0o700)
    env = server_env(folder)
    with Listener(socket_of(env), uid=65534) as listener:
        # (the folder is ours: a server of ours may then take the socket's place)
        refused(env, tmp_path, "runs as user 65534, not as you", starts=True)
        assert listener.result() == "connected 0 bytes 0 fds"
    warm(env, what="stop")


def test_a_worker_whose_client_died_stops(server, tmp_path):
    env, pid = server
    edition = big_edition(tmp_path / "ed")
    out = tmp_path / "out.pdf"
    out.write_bytes(b"%PDF-1.4 the last good one")
    proc = subprocess.Popen([sys.executable, str(REPO / "render.py"), str(edition), "-o", str(out)], cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if len(session_processes(pid)) > 1:
            break
        time.sleep(0.02)
    assert len(session_processes(pid)) > 1, "no worker is rendering"
    proc.kill()  # SIGKILL: the client cannot forward anything
    proc.wait(timeout=10)
    for _ in range(300):
        if session_processes(pid) == [pid]:
            break
        time.sleep(0.05)
    assert session_processes(pid) == [pid], "the worker went on rendering for a client that is gone"
    if out.read_bytes() != b"%PDF-1.4 the last good one":  # it may have finished first
        assert out.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_silent_connection_is_let_go(server):
    """A client that connects and sends no request does not keep a worker for ever."""
    import socket

    env, pid = server
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(str(socket_of(env)))
        assert sock.recv(100).startswith(b"pid ")
        assert sock.recv(100) == b""  # the worker hung up (after layout.desk.warm.REQUEST seconds)
    for _ in range(100):
        if session_processes(pid) == [pid]:
            break
        time.sleep(0.05)
    assert session_processes(pid) == [pid]


def test_the_worker_takes_the_clients_resource_limits(server, tmp_path):
    """A file size limit of the caller holds in the worker: the PDF cannot be written,
    as in a render in the caller's own process, and the message says so."""
    import resource

    env, _ = server

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    results = []
    for mode in ("0", "1"):
        results.append(subprocess.run(
            [sys.executable, "-X", "importtime", str(REPO / "render.py"), str(SAMPLE), "--page", "1", "-o",
             str(tmp_path / f"p{mode}.pdf")], cwd=REPO, env=dict(env, PAIBAN_SERVER=mode), capture_output=True,
            text=True, timeout=120, preexec_fn=small_files))
    here, there = results
    assert not served(here) and served(there)
    assert here.returncode == there.returncode == 1, (here.stderr[-500:], there.stderr[-500:])
    assert messages(there.stderr) == [m.replace("p0.pdf", "p1.pdf") for m in messages(here.stderr)]
    assert "File too large" in there.stderr


def test_closed_and_broken_outputs_and_bad_flags_end_alike_through_the_server(server, tmp_path):
    """The cases of issue 22 that end before or after the render, served and local:
    same exit code, same message."""
    env, _ = server
    (tmp_path / "r.report.json").mkdir()

    def closed_stdout():
        os.close(1)

    def both(args: list, preexec=None, stdout=subprocess.PIPE) -> list:
        got = []
        for mode in ("0", "1"):
            proc = subprocess.run([sys.executable, "-X", "importtime", str(REPO / "render.py"), *map(str, args)],
                                  cwd=REPO, env=dict(env, PAIBAN_SERVER=mode), stdout=stdout,
                                  stderr=subprocess.PIPE, text=True, timeout=120, preexec_fn=preexec)
            assert served(proc) == (mode == "1"), args
            got.append((proc.returncode, messages(proc.stderr)))
        return got

    page1 = [SAMPLE, "--page", "1", "-o", tmp_path / "p.pdf"]
    cases = {"closed": both(page1 + ["--json"], closed_stdout),
             "report": both([SAMPLE, "--page", "1", "--report", "-o", tmp_path / "r.pdf"]),
             "dpi": both(page1 + ["--png", "--dpi", "nan"]),
             "page": both([SAMPLE, "--page", "0", "-o", tmp_path / "p.pdf"])}
    read, write = os.pipe()
    os.close(read)
    try:
        cases["epipe"] = both(page1 + ["--json"], stdout=write)
    finally:
        os.close(write)
    for name, (here, there) in cases.items():
        assert here == there, name
    assert cases["closed"][0] == (1, ["error: cannot write to standard output: it is closed"])
    assert cases["epipe"][0] == (1, ["error: cannot write to standard output: Broken pipe"])
    assert cases["report"][0][0] == 1 and cases["dpi"][0][0] == cases["page"][0][0] == 2
