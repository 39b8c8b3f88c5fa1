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


def test_every_model_key_can_be_given_a_hostile_value():
    """The model class finds every (type, key) of layout/edition/model.py in its base edition, so a
    key or an element type added to the model is fuzzed without a change to the campaign."""
    from fuzz import gen

    edition, house, _ = gen.base_edition()
    found: list = []
    gen._locations(gen.model.EditionFile, edition, (), found)
    gen._locations(gen.model.HouseStyle, house, (), found)
    reachable = {(cls, key) for _, cls, key, _ in found}
    assert set(gen.model_fields()) <= reachable, set(gen.model_fields()) - reachable


def test_cases_are_made_from_seed_class_and_index_alone():
    from fuzz import gen

    for cls in gen.CLASSES:
        for index in (0, 7, 1234):
            a, b = gen.make(cls, index, 5), gen.make(cls, index, 5)
            assert (a.files, a.argv, a.note) == (b.files, b.argv, b.note)
    assert gen.make("story", 3, 5).files != gen.make("story", 3, 6).files


def test_outcomes_are_classified():
    from fuzz.run import classify

    argv = ["ed/edition.yaml", "-o", "out.pdf"]
    tb = 'Traceback (most recent call last):\n  File "x/layout/a.py", line 3, in f\nZeroDivisionError: x\n'
    assert classify(1, None, False, tb, "", None, argv) == ("traceback", "ZeroDivisionError in layout/a.py f()")
    assert classify(70, None, False, "internal error: boom\n", "", None, argv)[0] == "traceback"
    assert classify(None, None, True, "", "", None, argv)[0] == "hang"
    assert classify(None, 9, False, "", "", None, argv) == ("crash", "killed by signal SIGKILL")
    assert classify(2, None, False, "usage: render.py\nrender.py: error: bad\n", "", None, argv)[0] == "flag-error"
    located = "ed/edition.yaml:3:5: styles.body.size: '0pt' is too small (hint: 1pt or more)\n"
    assert classify(2, None, False, located, "", None, argv)[0] == "input-error"
    assert classify(2, None, False, "ed/edition.yaml: file not found\n", "", None, argv)[0] == "input-error"
    assert classify(2, None, False, "ed/house.yaml: file not found\n", "", None, argv)[0] == "unlocated"
    assert classify(2, None, False, "error: position 21: NUL\n", "", None, argv)[0] == "unlocated"
    json_out = '{"ok": false, "exit_code": 2, "errors": [{"file": "a.yaml", "line": null, "column": null, ' \
               '"message": "m"}]}\n'
    assert classify(2, None, False, "", json_out, None, argv)[0] == "unlocated"
    assert classify(0, None, False, "", "", {"problems": ["lost: 3 characters drawn outside their page"]},
                    argv) == ("lost", "3 characters drawn outside their page")
    assert classify(70, None, False, tb, "", {"problems": ["ghostscript: gs -q"]}, argv)[0] == "ghostscript"
    assert classify(0, None, False, "", "", {"problems": []}, argv)[0] == "ok"
    assert classify(1, None, False, "error: out.pdf: cannot write output\n", "", None, argv)[0] == "env-error"
    assert classify(3, None, False, "", "", None, argv) == ("documented", "3")
    assert classify(5, None, False, "", "", None, argv) == ("crash", "exit code 5")
