"""A short run of the standing fuzz campaign (tests/fuzz/; `make fuzz` runs 10,000
cases): hostile editions over every model key, hostile YAML, story text in every
script, hostile files and flags. Every case must render, or fail with a located input
error, an environment error or a documented exit code: no traceback, no hang, no
unlocated message, no lost text, no crash, no clobbered input, no Ghostscript, no leak.

It runs as its own process: the campaign sets up its own environment (a fake `gs`, a
private font and image cache) before it imports the engine.
"""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO

CASES = 150


def test_fuzz_campaign_finds_no_failure(tmp_path):
    run = subprocess.run([sys.executable, "-m", "tests.fuzz", "--cases", str(CASES), "--seed", "22",
                          "--save", str(tmp_path / "fuzz")],
                         cwd=REPO, capture_output=True, text=True, timeout=900,
                         env={**os.environ, "PAIBAN_SERVER": "0"})
    report = run.stdout + run.stderr
    assert f"seed 22, {CASES} cases" in report, report
    assert "\n0 failures\n" in report and run.returncode == 0, report
