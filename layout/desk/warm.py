"""A warm process that renders: the imports done once, each render a fork of it.

A fresh `python render.py` spends about 0.1 s starting Python and importing ReportLab,
HarfBuzz, PyYAML and the engine before it reads the edition: for a one-page preview,
half the wait. A user who asks for it (`render.py --server`, or PAIBAN_SERVER=1) gets a
server started in the background by the first such render, and later ones hand it their
arguments, working directory, environment, resource limits and standard streams over a
Unix socket. It forks a worker that runs layout/desk/cli.py's main() as the client would
have, writing straight to the client's terminal or pipes, and sends back the exit code;
the client forwards Ctrl-C and SIGTERM to the worker. Nobody else gets one: a process
left running for minutes is a cost the user should choose (issue 15).

- Same bytes: the server has only imported modules and never renders, so each worker
  starts from the same state and no cache carries over from one render to the next.
- Never stale: one server per checkout, Python and set of variables that steer a
  render; it stops, and the client renders itself, once a source file of the engine or
  the installed packages changed since it started.
- Private: the socket sits in a folder that must be a real folder (not a link), ours,
  closed to others; the client checks it with lstat, and checks with the kernel
  (SO_PEERCRED) that the process listening is ours, before it sends anything. Anything
  else is refused with a warning and the render is made here.
- Bounded: the server leaves after IDLE seconds without a request (PAIBAN_SERVER_IDLE,
  default 20 minutes); a worker takes the client's resource limits, stops when its
  client goes away, and drops a connection that sends no request within REQUEST seconds.
- Any failure to reach it (none running, a damaged reply) means the client renders in
  its own process, as it would without a server.

This module is imported by every render.py before anything else, so the client half
imports only what Python has loaded at start anyway.
"""
from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IDLE = 20 * 60
ANSWER = 3.0  # seconds a client waits for a server to take its render (it takes ms)
REQUEST = 10.0  # seconds a worker waits for its client's request (it takes ms)
# what a render may read from the environment at import time: a different value is a
# different server (the worker takes the client's whole environment either way)
_KEY_VARS = ("PAIBAN_", "RL_", "PYTHON", "LANG", "LC_", "TZ", "HOME", "XDG_")
_LONG_RUNNING = ("--watch", "--serve")  # these stay in their own process


def enabled(argv: list[str]) -> bool:
    """Whether this render may use or start a server: only when asked for, with
    `--server` or PAIBAN_SERVER=1 (the flag wins over the variable, `--no-server` over
    both); never for --watch and --serve, which stay running anyway."""
    if not (sys.platform.startswith("linux") and hasattr(os, "fork")):
        return False
    flag = None
    for arg in argv:
        if arg == "--":
            break
        if len(arg) > 3 and any(opt.startswith(arg) for opt in _LONG_RUNNING):
            return False
        if arg in ("--server", "--no-server"):
            flag = arg == "--server"
    if flag is not None:
        return flag
    return os.environ.get("PAIBAN_SERVER", "").lower() in ("1", "yes", "on", "true")


def socket_path() -> str:
    """The socket of the server for this checkout, Python and environment."""
    import zlib

    base = os.environ.get("PAIBAN_SERVER_DIR") or os.path.join(
        os.environ.get("XDG_RUNTIME_DIR") or "/tmp", f"paiban-{os.getuid()}")
    key = "\0".join([ROOT, sys.executable] + sorted(f"{k}={v}" for k, v in os.environ.items()
                                                  if k.startswith(_KEY_VARS) and not k.startswith("PAIBAN_SERVER")))
    data = key.encode("utf-8", "surrogateescape")
    return os.path.join(base, f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}.sock")


def unsafe_folder(folder: str) -> str | None:
    """Why the socket's folder must not be used, or None where it is ours: a real folder
    (lstat: a symbolic link is refused, wherever it points), owned by this user, closed
    to everyone else. Another user who made /tmp/paiban-UID first would otherwise get
    the renders' arguments, environment and terminal."""
    import stat

    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot read {folder}: {exc.strerror}"
    if stat.S_ISLNK(st.st_mode):
        return f"{folder} is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return f"{folder} is not a folder"
    if st.st_uid != os.getuid():
        return f"{folder} belongs to user {st.st_uid}, not to you ({os.getuid()})"
    if st.st_mode & 0o077:
        return f"{folder} is open to other users (mode {st.st_mode & 0o777:o}; it must be 700)"
    return None


def _refuse(why: str) -> None:
    print(f"warning: not using the render server: {why}; rendering here (hint: remove it, or set "
          f"PAIBAN_SERVER_DIR to a folder of your own)", file=sys.stderr)


def _private_dir(path: str) -> bool:
    """The socket's folder exists (made so if new), is ours and is closed to others."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        pass  # unsafe_folder says why, where it matters
    return os.path.isdir(folder) and unsafe_folder(folder) is None


def _peer_uid(sock) -> int | None:
    """The user of the process at the other end of a Unix socket, in the kernel's word."""
    import _socket

    try:
        creds = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)  # pid, uid, gid: three C ints
    except (OSError, AttributeError):
        return None
    return int.from_bytes(creds[4:8], sys.byteorder) if len(creds) == 12 else None


def _limits() -> list:
    """This process's resource limits, for the worker to take on."""
    import resource

    out = []
    for name in dir(resource):
        if name.startswith("RLIMIT_"):
            try:
                out.append((name, *resource.getrlimit(getattr(resource, name))))
            except (OSError, ValueError):
                pass
    return out


# -- the client: a render.py that finds a server -------------------------------------------

def client(argv: list[str]) -> int | None:
    """Render through the server: the exit code, or None where this process must render
    itself (no server, a stale one, or a failure before the worker could start).

    The worker first names itself; only then are this process's standard streams sent.
    Streams sent to a server that never takes them (stopped, hung) would stay open in
    the socket's queue, and whoever reads this process's output would wait for ever."""
    if not enabled(argv):
        return None
    # the C modules themselves: `signal` imports enum, `array` collections (4 ms together)
    import _signal
    import _socket
    import marshal

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.settimeout(ANSWER)  # a server that does not answer in time is passed by
    worker: list[int] = []  # its pid, once known
    signals: list[int] = []  # every SIGINT/SIGTERM this process got

    def send(signum):
        # a third Ctrl-C stops a worker that does not answer the first two
        try:
            os.kill(worker[0], _signal.SIGKILL if len(signals) > 2 else signum)
        except ProcessLookupError:
            pass

    def forward(signum, frame):
        signals.append(signum)
        if worker:
            send(signum)

    lines = _lines(sock)
    path = socket_path()
    why = unsafe_folder(os.path.dirname(path))
    if why:
        _refuse(why)
        return None
    try:
        sock.connect(path)
        uid = _peer_uid(sock)
        if uid != os.getuid():  # nothing has been sent yet, and nothing will be
            _refuse(f"the process listening on {path} runs as user {uid}, not as you")
            return None
        for signum in (_signal.SIGINT, _signal.SIGTERM):
            _signal.signal(signum, forward)
        word, value = next(lines)
        if word != b"pid":  # "stale": the server stepped aside
            return 128 + signals[-1] if signals else None
        worker.append(int(value))
        for signum in signals:
            send(signum)
        sock.settimeout(None)  # the render itself takes as long as it takes
        mask = os.umask(0)
        os.umask(mask)
        streams = [(s.encoding, s.errors, s.line_buffering) if s is not None else None
                   for s in (sys.stdout, sys.stderr)]
        body = marshal.dumps({"argv": list(argv), "cwd": os.getcwd(), "env": dict(os.environ), "umask": mask,
                              "streams": streams, "limits": _limits()})
        data = len(body).to_bytes(4, "little") + body
        fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))  # three C ints
        sent = sock.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        while sent < len(data):
            sent += sock.send(data[sent:])
        word, value = next(lines)
        if word == b"exit":
            return int(value)
    except (StopIteration, ValueError):
        pass  # the connection ended, or a garbled line
    except _socket.timeout:
        print("warning: the render server did not answer; rendering here", file=sys.stderr)
    except OSError:  # no server, it went away, or a closed standard stream
        pass
    finally:
        sock.close()
    if signals:
        return 128 + signals[-1]
    if worker:
        print("warning: the render server's worker stopped without an answer; rendering here", file=sys.stderr)
    return None


def _lines(sock):
    """(word, rest) of each line the server sends."""
    buffer = b""
    while True:
        try:
            chunk = sock.recv(256)
        except InterruptedError:
            continue
        if not chunk:
            return
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            word, _, value = line.partition(b" ")
            yield word, value


def start(argv: list[str]) -> None:
    """Start a server in the background for the next render (after this one rendered
    in its own process). It detaches from the terminal, holds none of our files open,
    and leaves at once if another server already serves this socket."""
    if not enabled(argv) or not _private_dir(socket_path()):
        return
    code = f"import sys; sys.path[0] = {ROOT!r}; from layout.desk import warm; warm.main()"
    try:
        os.posix_spawn(sys.executable, [sys.executable, "-c", code], os.environ,
                       file_actions=[(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                                     (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                                     (os.POSIX_SPAWN_DUP2, 1, 2)],
                       setsid=True)
    except OSError:
        pass


# -- the server ------------------------------------------------------------------------------

def _watched() -> list[str]:
    """What the server's imports were made from: render.py, the engine's sources and
    folders (a folder's time changes when a file is added or removed), and the installed
    packages (pip adds or removes folders in site-packages, which changes its time)."""
    import site
    import sysconfig

    files = [os.path.join(ROOT, "render.py")]
    for folder, _, names in os.walk(os.path.join(ROOT, "layout")):
        files.append(folder)
        files += [os.path.join(folder, n) for n in sorted(names) if n.endswith(".py")]
    return files + sorted({sysconfig.get_paths()["purelib"], *site.getsitepackages()})


def _fingerprint(paths: list[str]) -> list:
    stamps = []
    for name in paths:
        try:
            st = os.stat(name)
            stamps.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            stamps.append(None)
    return stamps


def _preload() -> None:
    """Import what a render imports, lazily included: each worker then starts with it."""
    import importlib

    for name in ("layout.desk.cli", "layout.api", "layout.output.marks", "layout.output.preflight",
                 "layout.output.profile", "layout.page.proof", "layout.output.images", "layout.edition.photos",
                 "layout.fonts.embed", "PIL.Image", "PIL.JpegImagePlugin", "PIL.PngImagePlugin", "PIL.ImageCms", "pyphen", "datetime",
                 "pypdfium2"):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a worker imports it (and reports a failure) itself
            pass
    # the default faces, opened and checked for subsetting (FontFile.open checks in each
    # worker that the file is still the same one)
    try:
        from ..fonts.embed import FontFile
        from ..fonts.faces import load_fontset

        for face in load_fontset().faces():
            FontFile.open(face.path, face.index)
    except Exception:  # noqa: BLE001 - not there yet, or changed: a worker opens it itself
        pass


def serve(path: str, idle: float) -> None:
    """Accept renders until idle for `idle` seconds or the engine changed."""
    import fcntl
    import gc
    import signal
    import socket
    import time

    lock = open(path + ".lock", "a+")
    for _ in range(40):  # a stale server may still be on its way out
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            time.sleep(0.05)
    else:
        return  # another server is serving
    lock.truncate(0)
    lock.write(str(os.getpid()))
    lock.flush()
    watched = _watched()
    fingerprint = _fingerprint(watched)
    _preload()
    gc.collect()
    gc.freeze()  # the workers' copies of these pages stay shared
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener.bind(path)
    listener.listen(16)
    listener.settimeout(idle)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                break
            except InterruptedError:
                continue
            conn.settimeout(None)
            if not _same_user(conn):  # the folder is private already; this checks the caller too
                conn.close()
                continue
            if _fingerprint(watched) != fingerprint:
                _reply(conn, "stale")
                conn.close()
                break
            if os.fork() == 0:
                code = 1
                try:
                    # the worker holds neither the socket nor the lock: a server that
                    # leaves while a render runs makes way for the next one at once
                    listener.close()
                    lock.close()
                    code = _work(conn)
                finally:
                    os._exit(code)
            conn.close()
    except KeyboardInterrupt:
        pass
    finally:
        try:
            os.unlink(path)  # ours: no other server can bind while we hold the lock
        except OSError:
            pass
        listener.close()
        lock.close()


def _same_user(conn) -> bool:
    """The connecting process runs as our user (the kernel's word: SO_PEERCRED)."""
    return _peer_uid(conn) == os.getuid()


def _reply(conn, line: str) -> None:
    try:
        conn.sendall(line.encode() + b"\n")
    except OSError:
        pass


def _work(conn) -> int:
    """The forked worker: become the client (streams, directory, environment, limits),
    render, and stop when the client goes away."""
    import io
    import marshal
    import signal
    import socket

    for signum in (signal.SIGCHLD, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    conn.settimeout(REQUEST)  # a client that connects and says nothing is let go
    _reply(conn, f"pid {os.getpid()}")  # the client sends its streams only once it knows this
    try:
        data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
        if len(fds) != 3 or len(data) < 4:
            return 1
        size = int.from_bytes(data[:4], "little")
        body = data[4:]
        while len(body) < size:
            more = conn.recv(size - len(body))
            if not more:
                return 1
            body += more
        request = marshal.loads(body)
    except (OSError, ValueError, EOFError, TypeError):  # silent, gone, or garbled
        return 1
    conn.settimeout(None)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    for target, (name, spec) in enumerate(zip(("stdout", "stderr"), request["streams"]), start=1):
        if spec is None:  # closed in the client: closed here too, so cli reports it the same way
            setattr(sys, name, None)
        else:
            encoding, errors, line_buffering = spec
            stream = io.TextIOWrapper(io.FileIO(target, "w", closefd=False), encoding=encoding, errors=errors,
                                      line_buffering=line_buffering or os.isatty(target))
            setattr(sys, name, stream)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.umask(request["umask"])
    _take_limits(request.get("limits", []))
    sys.argv = [os.path.join(ROOT, "render.py"), *request["argv"]]
    _stop_with(conn)
    code = 1
    try:
        from .cli import main

        code = main(request["argv"])
    except SystemExit as exc:  # argparse: --help, a usage error
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:
        code = 130
    except BaseException as exc:  # noqa: BLE001 - a bug: one line, as cli.main's own guard prints
        from ..base.errors import INTERNAL_ERROR, internal_error

        code = INTERNAL_ERROR
        try:
            print(internal_error(exc), file=sys.stderr)
        except (OSError, ValueError, AttributeError):
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
    _reply(conn, f"exit {code}")
    return 0


def _take_limits(limits: list) -> None:
    """The client's resource limits (memory, CPU time, file size, open files...): a
    render through the server is bounded as one in the client's own process would be.
    A hard limit above the server's own cannot be raised; the lower one holds then."""
    import resource

    def lower(a: int, b: int) -> int:
        return b if a == resource.RLIM_INFINITY else a if b == resource.RLIM_INFINITY else min(a, b)

    for name, soft, hard in limits:
        which = getattr(resource, name, None)
        if not isinstance(which, int) or not name.startswith("RLIMIT_"):
            continue
        try:
            _, ours = resource.getrlimit(which)
            hard = lower(hard, ours)
            resource.setrlimit(which, (lower(soft, hard), hard))
        except (OSError, ValueError):
            pass


def _stop_with(conn) -> None:
    """End this worker when its client goes away (killed, or its terminal closed): the
    socket then signals a hang-up (O_ASYNC sends SIGIO), and the worker stops as on
    SIGTERM, leaving the last good output; SIGALRM's default action ends it if that
    does not happen within a few seconds."""
    import fcntl
    import signal
    import socket

    def hung_up() -> bool:
        try:  # the client sends nothing after its request: anything readable is the end
            return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def gone(signum, frame):
        if hung_up():
            signal.signal(signal.SIGIO, signal.SIG_IGN)
            signal.alarm(10)
            os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGIO, gone)
    fd = conn.fileno()
    fcntl.fcntl(fd, fcntl.F_SETOWN, os.getpid())
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_ASYNC)
    gone(signal.SIGIO, None)  # it may have gone already


def main(argv: list[str] | None = None) -> int:
    """`python -m layout.desk.warm [serve|stop|status]`."""
    args = sys.argv[1:] if argv is None else argv
    what = args[0] if args else "serve"
    path = socket_path()
    if what == "serve":
        os.chdir("/")
        if _private_dir(path):
            try:
                idle = float(os.environ.get("PAIBAN_SERVER_IDLE") or IDLE)
            except ValueError:
                idle = IDLE
            serve(path, idle if idle > 0 else IDLE)
        return 0
    if what in ("stop", "status"):
        why = unsafe_folder(os.path.dirname(path))
        if why:
            print(f"render server folder refused: {why}", file=sys.stderr)
            return 1
        pid = _server_pid(path)
        if what == "status":
            # the socket is bound after the imports, by the holder of the lock: both
            # together mean it listens (a probe connection would fork a worker)
            listening = os.path.exists(path)
            state = f"running, pid {pid}" if pid and listening else f"starting, pid {pid}" if pid else "not running"
            print(f"render server {state} ({path})")
            return 0 if pid and listening else 1
        if pid:
            import signal

            os.kill(pid, signal.SIGTERM)
            print(f"stopped the render server (pid {pid})")
        return 0
    print("usage: python -m layout.desk.warm [serve|stop|status]", file=sys.stderr)
    return 2


def _server_pid(path: str) -> int | None:
    """The pid of the server serving `path`: the one holding its lock file, which names it."""
    import fcntl

    try:
        with open(path + ".lock", "r+") as lock:  # no lock file, no server (and none is made here)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return None  # nobody holds it
            except OSError:
                lock.seek(0)
                return int(lock.read() or 0) or None
    except (OSError, ValueError):
        return None


if __name__ == "__main__":
    sys.exit(main())
