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

from layout import warm

if __name__ == "__main__":
    # a warm server, where one runs, renders in a fork of itself with the engine already
    # imported; where none does, this process renders and starts one for next time
    code = warm.client(sys.argv[1:])
    if code is None:
        from layout.cli import main

        code = main()
        warm.start(sys.argv[1:])
    # Leave without tearing down the interpreter: freeing every object of a composed
    # edition one by one took 70 ms of a 0.9 s render, and the output is already
    # written and closed. Only the standard streams need flushing.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
