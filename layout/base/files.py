"""Files in and out, safely: what the render reads, what it writes, and its caches.

Reading: an input must be a regular file. A FIFO would block the render for ever, a
device would feed it without end, a folder or a symbolic-link loop would give a
Python error; each is refused with what it is. The file is opened non-blocking and
checked with fstat on the open descriptor, so nothing can be swapped in between.

Writing: output goes to a temporary file next to the target and is renamed over it,
so the last good file survives any failure. The target must not be a file the render
read (compared by resolved path and by device and inode), nor a folder, device, FIFO
or socket, nor a symbolic link to one (a link to a regular file is written through,
the link kept). Files are created with mode 0666 less the umask, as any tool does.

A temporary file is named `.NAME.PID-RANDOM.part` and locked (flock) while written.
A writer killed with SIGKILL cannot remove its own; the next write to the same target
removes those whose lock is free and whose writer is gone (its pid is no process
here), or, for a pid reused since or a writer of another pid namespace, that nobody
has touched for an hour. The lock keeps a live writer's file safe whatever its pid
says; the pid check covers the instant between creating the file and locking it.
"""
from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import stat
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError, RenderError, Where

STALE_AGE = 3600.0  # seconds: a .part file untouched this long has no writer left


_KINDS = ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISLNK, "a symbolic link"))


def kind(mode: int) -> str:
    """What a file is, in words, from its st_mode."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _advice(exc: BaseException) -> str:
    """What to do about an input that could not be opened."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP) or isinstance(exc, ValueError):
        return "check the name, and the folder it is relative to"
    if code in (errno.EACCES, errno.EPERM):
        return "make the file readable for the user who renders (and its folders enterable)"
    return "check the file and the disk it is on"


def _problem(path: str, exc: BaseException) -> str:
    """Why an input could not be opened, as the user would say it."""
    if isinstance(exc, ValueError):
        return "the file name contains a NUL byte"
    code = getattr(exc, "errno", None)
    if code == errno.ENOENT:
        if os.path.islink(path):
            return f"is a symbolic link to a missing file ({os.readlink(path)})"
        return "file not found"
    if code == errno.ELOOP:
        return "is a symbolic link loop"
    if code == errno.ENOTDIR:
        return "file not found (a part of its path is not a folder)"
    if code in (errno.EACCES, errno.EPERM):
        return "cannot read file: permission denied"
    return f"cannot read file: {getattr(exc, 'strerror', None) or exc}"


def open_input(path, shown: str | None = None) -> int:
    """A descriptor of a regular file opened for reading, or an InputError at `shown`
    saying what the path is instead."""
    path = os.fspath(path)
    where = Where(shown if shown is not None else path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except (OSError, ValueError) as exc:
        raise InputError(_problem(path, exc), where, _advice(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise InputError(_problem(path, exc), where, _advice(exc)) from None
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(f"is {kind(mode)}, not a regular file", where,
                         "name a file (a folder, pipe or device cannot be read as one)")
    return fd


def read_input(path, shown: str | None = None) -> bytes:
    """The bytes of a regular input file (see open_input)."""
    fd = open_input(path, shown)
    try:
        with os.fdopen(fd, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", Where(shown or os.fspath(path)),
                         "check the disk or the file system the file is on, and render again") from None


def check_input(path, shown: str | None = None) -> None:
    """Raise the InputError read_input would, without reading the file."""
    os.close(open_input(path, shown))


def real(path) -> str:
    """The path with symbolic links resolved; never raises (a NUL byte, a loop and a
    missing file are found when the file is opened)."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.abspath(os.fspath(path).replace("\0", "?"))


# ---------------------------------------------------------------- output

class Inputs:
    """The files a render read, to refuse an output that would replace one: by resolved
    path and by (device, inode), so a hard link or another name of it counts too."""

    def __init__(self, files=()):
        self.paths: dict[str, str] = {}
        self.ids: dict[tuple[int, int], str] = {}
        for path, what in files:
            self.add(path, what)

    def add(self, path, what: str) -> None:
        self.paths.setdefault(real(path), what)
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return
        self.ids.setdefault((st.st_dev, st.st_ino), what)

    def find(self, path, st: os.stat_result | None) -> str | None:
        """What input `path` is, or None."""
        if st is not None and (st.st_dev, st.st_ino) in self.ids:
            return self.ids[(st.st_dev, st.st_ino)]
        return self.paths.get(real(path))


def output_target(path, inputs: Inputs | None = None) -> Path:
    """The file to write for output `path`: itself, or for a symbolic link to a regular
    file, the file it points to. Refuses what must not be replaced (see above): an
    input of the render is an InputError (exit 2), the rest a RenderError (exit 1)."""
    path = Path(path)
    shown = str(path)
    if "\0" in shown:
        raise InputError("the output file name contains a NUL byte", Where(shown), "give a plain file name")
    try:
        lst = os.lstat(path)
    except FileNotFoundError:
        lst = None
    except OSError as exc:
        raise RenderError(f"{shown}: cannot write output: {exc.strerror}") from None
    st = None
    if lst is not None:
        try:
            st = os.stat(path)
        except OSError as exc:
            what = "a symbolic link loop" if exc.errno == errno.ELOOP else "a symbolic link to a missing file"
            raise RenderError(f"{shown}: cannot write output: it is {what}, which is not replaced") from None
    what = inputs.find(path, st) if inputs is not None else None
    if what is not None:
        raise InputError(f"the output would replace {what}, an input of this render", Where(shown),
                         "write the output to another file (-o OUT.pdf), or to standard output with -o -")
    if st is None:
        return path
    if not stat.S_ISREG(st.st_mode):
        link = "a symbolic link to " if stat.S_ISLNK(lst.st_mode) else ""
        hint = "; give a file name, or -o - for standard output" if not stat.S_ISDIR(st.st_mode) else \
            "; choose another output name with -o"
        raise RenderError(f"{shown}: cannot write output: it is {link}{kind(st.st_mode)}, which is not "
                          f"replaced{hint}")
    return Path(os.path.realpath(path)) if stat.S_ISLNK(lst.st_mode) else path


def write_atomically(path, data: bytes, inputs: Inputs | None = None) -> Path:
    """Write `data` as output `path` (checked by output_target); the last good file
    survives any failure. Returns the file written."""
    target = output_target(path, inputs)
    shown = str(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(target)
        with replacing(target) as fh:
            fh.write(data)
    except OSError as exc:
        raise RenderError(f"{shown}: cannot write output: {exc.strerror or exc}") from None
    return target


@contextmanager
def replacing(target: Path):
    """A binary file that replaces `target` when the block ends without an error (and
    is removed when it does not). Raises OSError."""
    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise
        with os.fdopen(fd, "wb") as fh:  # closing it lets the lock go; the pid still guards
            yield fh
        os.replace(tmp, target)
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def remove_stale_parts(target: Path) -> None:
    """Remove the temporary files a dead writer left for `target` (see above)."""
    prefix = f".{target.name}."
    ours = re.compile(re.escape(prefix) + r"(?:(\d+)-[0-9a-f]{8}|[A-Za-z0-9_]{8})\.part")
    try:
        entries = [e for e in os.scandir(target.parent) if e.name.startswith(prefix) and ours.fullmatch(e.name)]
    except OSError:
        return
    for entry in entries:
        pid = ours.fullmatch(entry.name).group(1)
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # locked: its writer is at work
        try:
            old = time.time() - st.st_mtime > STALE_AGE
            if old or (pid is not None and not _alive(int(pid))):
                os.unlink(entry.path)
        except OSError:
            pass
        finally:
            os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_cache(path: Path, data: bytes) -> bool:
    """Write a cache file atomically and quietly: a cache that cannot be written (a
    read-only checkout, another user's folder) only costs time. False when not written."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(Path(path))
        with replacing(Path(path)) as fh:
            fh.write(data)
        return True
    except OSError:
        return False


def read_cache(path: Path) -> bytes | None:
    """A cache file's bytes, or None when it is missing, unreadable or not a regular
    file (a cache is never trusted to be there, or readable by this user)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    except OSError:
        return None
    finally:
        os.close(fd)
