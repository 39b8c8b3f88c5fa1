"""A share of the work done in a forked child process while this one does the rest.

A render's stories flow independently of each other (their frames, the photos they
wrap around and the boxes they sit in are fixed before any story is placed), so on a
machine with two cores half of them can be flowed in a second process. The child is
a fork: it starts with everything the parent has loaded and computed (fonts, caches),
and sends back only its result, pickled through a pipe.

Where fork is missing (or, as on macOS, unsafe), other threads are running (a fork copies their locks, held or
not), or the child fails in any way, there is no result and the caller does the work
itself: the output is the same, only slower.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from typing import Any, Callable


def available() -> bool:
    """True where a share of the work may go to a child: Linux (elsewhere fork is
    missing or unsafe with the system's own libraries), this is the only thread, and
    the machine has a second core."""
    if not (sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1):
        return False
    # the cores this process may run on (a container or taskset may allow fewer than exist)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores > 1


class Forked:
    """`fn()` run in a child process. result() waits for it; cancel() stops it."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._pid: int | None = None
        if not available():
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without any clean-up of the parent's
            os.close(read)
            code = 1
            try:
                data = pickle.dumps(fn(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            except BaseException:  # noqa: BLE001 - any failure: the parent does the work
                pass
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Any | None:
        """The child's result, or None if there was no child or it failed."""
        if self._pid is None:
            return None
        try:
            with os.fdopen(self._read, "rb") as fh:
                data = fh.read()
        finally:
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
        if status != 0 or not data:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # noqa: BLE001 - a damaged result is no result
            return None

    def cancel(self) -> None:
        """Stop the child (the parent failed or was interrupted) and reap it."""
        if self._pid is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self._pid, 0)
        os.close(self._read)
        self._pid = None
