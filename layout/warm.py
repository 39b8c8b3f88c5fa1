"""A warm process that renders: the imports done once, each render a fork of it.

A fresh `python render.py` spends about 0.1 s starting Python and importing ReportLab,
HarfBuzz, PyYAML and the engine before it reads the edition: for a one-page preview,
half the wait. So the first render starts this server in the background, and later
renders hand it their arguments, working directory, environment and standard streams
over a Unix socket. It forks a worker that runs layout/cli.py's main() as the client would
have, writing straight to the client's terminal or pipes, and sends back the exit code;
the client forwards Ctrl-C and SIGTERM to the worker.

- Same bytes: the server has only imported modules and never renders, so each worker
  starts from the same state and no cache carries over from one render to the next.
- Never stale: one server per checkout, Python and set of variables that steer a
  render; it stops, and the client renders itself, once a source file of the engine or
  the installed packages changed since it started.
- Private and bounded: the socket sits in a directory only the user can enter; the
  server leaves after IDLE seconds without a request (PAIBAN_SERVER_IDLE, default 20
  minutes). PAIBAN_SERVER=0, `render.py --no-server` or a CI variable turn it off.
- Any failure to reach it (none running, a damaged reply) means the client renders in
  its own process, as it would without a server.

This module is imported by every render.py before anything else, so the client half
imports only what Python has loaded at start anyway.
"""
from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IDLE = 20 * 60
ANSWER = 3.0  # seconds a client waits for a server to take its render (it takes ms)
# what a render may read from the environment at import time: a different value is a
# different server (the worker takes the client's whole environment either way)
_KEY_VARS = ("PAIBAN_", "RL_", "PYTHON", "LANG", "LC_", "TZ", "HOME", "XDG_")
_LONG_RUNNING = ("--watch", "--serve")  # these stay in their own process


def enabled(argv: list[str]) -> bool:
    """Whether this render may use or start a server."""
    if os.environ.get("PAIBAN_SERVER", "1").lower() in ("0", "no", "off", "false") or os.environ.get("CI"):
        return False
    if not (sys.platform.startswith("linux") and hasattr(os, "fork")):
        return False
    for arg in argv:
        if arg == "--":
            break
        if arg == "--no-server" or (len(arg) > 3 and any(opt.startswith(arg) for opt in _LONG_RUNNING)):
            return False
    return True


def socket_path() -> str:
    """The socket of the server for this checkout, Python and environment."""
    import zlib

    base = os.environ.get("PAIBAN_SERVER_DIR") or os.path.join(
        os.environ.get("XDG_RUNTIME_DIR") or "/tmp", f"paiban-{os.getuid()}")
    key = "\0".join([ROOT, sys.executable] + sorted(f"{k}={v}" for k, v in os.environ.items()
                                                  if k.startswith(_KEY_VARS) and not k.startswith("PAIBAN_SERVER")))
    data = key.encode("utf-8", "surrogateescape")
    return os.path.join(base, f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}.sock")


def _private_dir(path: str) -> bool:
    """The socket's directory exists, is ours and is closed to others (made so if new)."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        st = os.stat(folder)
    except OSError:
        return False
    return st.st_uid == os.getuid() and st.st_mode & 0o077 == 0


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
    try:
        sock.connect(socket_path())
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
                              "streams": streams})
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
    code = f"import sys; sys.path[0] = {ROOT!r}; from layout import warm; warm.main()"
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

    for name in ("layout.cli", "layout.api", "layout.prepress", "layout.proof", "layout.images", "layout.fontsubset",
                 "PIL.Image", "PIL.JpegImagePlugin", "PIL.PngImagePlugin", "PIL.ImageCms", "pyphen", "datetime",
                 "pypdfium2"):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a worker imports it (and reports a failure) itself
            pass
    # the default fonts' tables for subsetting, parsed (SourceFont.open checks in each
    # worker that the file is still the same one)
    try:
        from . import fontcache
        from .fonts import load_fontset
        from .fontsubset import SourceFont

        for face in load_fontset().faces():
            SourceFont.open(fontcache.embeddable(face, convert=False))
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
    import socket
    import struct

    try:
        _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    except (OSError, AttributeError):
        return False
    return uid == os.getuid()


def _reply(conn, line: str) -> None:
    try:
        conn.sendall(line.encode() + b"\n")
    except OSError:
        pass


def _work(conn) -> int:
    """The forked worker: become the client (streams, directory, environment), render."""
    import io
    import marshal
    import signal
    import socket

    for signum in (signal.SIGCHLD, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _reply(conn, f"pid {os.getpid()}")  # the client sends its streams only once it knows this
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
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    for target, (name, spec) in enumerate(zip(("stdout", "stderr"), request["streams"]), start=1):
        if spec is not None:
            encoding, errors, line_buffering = spec
            stream = io.TextIOWrapper(io.FileIO(target, "w", closefd=False), encoding=encoding, errors=errors,
                                      line_buffering=line_buffering or os.isatty(target))
            setattr(sys, name, stream)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.umask(request["umask"])
    sys.argv = [os.path.join(ROOT, "render.py"), *request["argv"]]
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
    except BaseException:  # noqa: BLE001 - a bug in the engine: shown as a local run would
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
    _reply(conn, f"exit {code}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m layout.warm [serve|stop|status]`."""
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
    print("usage: python -m layout.warm [serve|stop|status]", file=sys.stderr)
    return 2


def _server_pid(path: str) -> int | None:
    """The pid of the server serving `path`: the one holding its lock file, which names it."""
    import fcntl

    try:
        with open(path + ".lock", "a+") as lock:
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
