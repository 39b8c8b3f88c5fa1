#!/usr/bin/env python3
"""paiban: render an edition YAML to a PDF.

    python render.py                          # the bundled sample -> out/sample.pdf
    python render.py EDITION.yaml -o OUT.pdf  # any edition
    python render.py EDITION.yaml --page 1    # only page 1 (preview)
    python render.py EDITION.yaml --proof --report   # proof overlay, copyfit table
"""
from __future__ import annotations

import os
import sys

from layout.desk import warm


def _fill_closed_streams() -> None:
    """Open /dev/null on a closed descriptor 0, 1 or 2: otherwise the next file opened
    (the PDF being written) would get that number, and anything written to standard
    error would land in it. sys.stdout stays None, so the CLI knows it is closed."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


def run() -> int:
    # where asked for (--server, PAIBAN_SERVER=1), a warm server renders in a fork of
    # itself with the engine already imported, and one is started for next time
    code = warm.client(sys.argv[1:])
    if code is not None:
        return code
    try:
        from layout.desk.cli import main
    except ImportError as exc:  # run with a Python that lacks the packages
        print(f"error: cannot import {exc.name or exc}: {exc} (hint: run `make setup`, then use .venv/bin/python)",
              file=sys.stderr)
        return 1
    code = main()
    warm.start(sys.argv[1:])
    return code


if __name__ == "__main__":
    _fill_closed_streams()
    try:
        code = run()
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:  # noqa: BLE001 - the last resort: one line, never a traceback
        from layout.base.errors import INTERNAL_ERROR, internal_error

        code = INTERNAL_ERROR
        try:
            print(internal_error(exc), file=sys.stderr)
        except (OSError, ValueError, AttributeError):
            pass
    # Leave without tearing down the interpreter: freeing every object of a composed
    # edition one by one took 70 ms of a 0.9 s render, and the output is already
    # written and closed. Only the standard streams need flushing.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed, or its reader left
            pass
    os._exit(code)
