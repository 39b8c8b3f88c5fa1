"""Every flag of render.py against hostile values: a usage error (exit 2) or a render with
a documented exit code, never a traceback (issue 22, item 5); the outcome reaches a
closed or broken standard output without one either; and a bug shows as one line with
exit code 70, the last resort of cli.main."""
from __future__ import annotations

import gc
import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, SAMPLE
from test_watch import make

from layout.desk import cli

DOCUMENTED = {0, 1, 2, 3, 4}  # cli's docstring; 70 is a bug, 130 and 143 need a signal
USAGE = "render.py: error: "


def run(*args, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "render.py"), *map(str, args)], cwd=REPO,
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)


# -- the examples of issue 22 ----------------------------------------------------------------

@pytest.mark.parametrize("flag, value", [("--port", "70000"), ("--port", "-1"), ("--dpi", "nan"), ("--dpi", "inf"),
                                         ("--dpi", "-inf"), ("--dpi", "1e309"), ("--page", "0"),
                                         ("--page", "9" * 30), ("--page", "9" * 5000), ("--port", "8e3")])
def test_a_hostile_flag_value_is_a_usage_error(flag, value, tmp_path):
    extra = ["--serve"] if flag == "--port" else ["--png"] if flag == "--dpi" else []
    result = run(SAMPLE, f"{flag}={value}", *extra, "-o", tmp_path / "x.pdf")
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"{USAGE}argument {flag}: must be a "), last
    assert "Traceback" not in result.stderr and not list(tmp_path.iterdir())


def test_a_report_path_that_is_a_folder(tmp_path):
    (tmp_path / "x.report.json").mkdir()
    result = run(SAMPLE, "--page", "1", "--report", "-o", tmp_path / "x.pdf")
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == (f"error: {tmp_path / 'x.report.json'}: cannot write output: it is a folder, "
                                     "which is not replaced; choose another output name with -o")


def test_json_into_a_closed_pipe(tmp_path):
    """The reader left before the outcome was written: EPIPE, one line, exit 1."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = run(SAMPLE, "--page", "1", "--json", "-o", tmp_path / "x.pdf", stdout=write)
    finally:
        os.close(write)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == "error: cannot write to standard output: Broken pipe"


def test_a_failure_into_a_closed_pipe_keeps_its_message_and_code(tmp_path):
    """A mistake in the edition, with --json into a pipe nobody reads: the mistake,
    located, on stderr, and its own exit code (2), not the pipe's."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("paper: [\n", encoding="utf-8")
    read, write = os.pipe()
    os.close(read)
    try:
        result = run(bad, "--json", stdout=write)
    finally:
        os.close(write)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().startswith(f"{bad}:2:1: YAML syntax error")


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_closed_standard_output(tmp_path, json_flag):
    """`render.py >&-`: nothing can be shown; the PDF is still made and stays whole
    (the descriptor is filled with /dev/null, so the PDF cannot become file 1)."""
    out = tmp_path / "x.pdf"
    cmd = [sys.executable, str(REPO / "render.py"), str(SAMPLE), "--page", "1", *json_flag, "-o", str(out)]
    result = subprocess.run(cmd, cwd=REPO, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            timeout=120, preexec_fn=lambda: os.close(1))
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == "error: cannot write to standard output: it is closed"
    assert out.read_bytes().startswith(b"%PDF-") and out.read_bytes().rstrip().endswith(b"%%EOF")


def test_an_unexpected_exception_is_one_line_and_exit_70(tmp_path):
    """The safety net: a bug deep in the render (here an exception put into the
    composer) prints one line and exits 70; PAIBAN_DEBUG=1 adds the traceback."""
    code = ("import sys; sys.path.insert(0, {repo!r}); import layout.api as api\n"
            "def broken(*a, **k):\n    raise KeyError('a bug')\n"
            "api.compose = broken\n"
            "from layout.desk.cli import main\nsys.exit(main([{sample!r}, '--page', '1', '-o', {out!r}]))\n"
            ).format(repo=str(REPO), sample=str(SAMPLE), out=str(tmp_path / "x.pdf"))
    for debug in ("0", "1"):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                                env=dict(os.environ, PAIBAN_DEBUG=debug))
        assert result.returncode == 70, result.stderr
        last = result.stderr.strip().splitlines()[-1]
        assert last == ("internal error: KeyError: 'a bug' (please report it; PAIBAN_DEBUG=1 shows the "
                        "traceback)")
        assert ("Traceback" in result.stderr) == (debug == "1")
    assert not (tmp_path / "x.pdf").exists()


# -- generated: every flag, hostile values ---------------------------------------------------

HOSTILE_NUMBERS = st.sampled_from(["nan", "NaN", "inf", "-inf", "+inf", "infinity", "1e309", "-1e309", "0", "-0",
                                   "-1", "1", "65535", "65536", "70000", "1200", "1200.0001", "0.5", "1e-320",
                                   "9" * 30, "9" * 5000, "", " ", "0x10", "1_000", "١٢", "²", "\u00a01", "--",
                                   "-", "1 2"])
VALUE = st.one_of(HOSTILE_NUMBERS, st.integers().map(str), st.floats(allow_nan=True, allow_infinity=True).map(repr),
                  st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=12))
VALUED = ["--page", "--dpi", "--port", "--preflight", "--allow-path", "--output"]
SWITCHES = ["--png", "--proof", "--report", "--watch", "--serve", "--print", "--json", "--overset-error", "--trace",
            "--server", "--no-server"]


PATHS = st.one_of(st.just(str(SAMPLE)), st.sampled_from(["", ".", "/", "-", "--", "-o", "~", "a" * 300, "é/ü.yaml"]),
                  st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=20))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(valued=st.lists(st.tuples(st.sampled_from(VALUED), VALUE), max_size=4),
       switches=st.lists(st.sampled_from(SWITCHES), max_size=4, unique=True),
       edition=st.one_of(st.none(), PATHS), output=st.one_of(st.none(), PATHS),
       spaced=st.booleans())
def test_parsing_any_flag_values(valued, switches, edition, output, spaced, capsys):
    """Parsed values are within what each flag documents, or it is a usage error (exit 2).
    (Parsing reads no file: paths are checked by the render.)"""
    argv = ([] if edition is None else [edition]) + ([] if output is None else ["-o", output]) + switches
    for flag, value in valued:
        argv += [flag, value] if spaced else [f"{flag}={value}"]
    try:
        options, args = cli.parse_args(argv)
    except SystemExit as exc:
        err = capsys.readouterr().err
        # (split on newlines only: a value may hold other line separators, as \x1e)
        assert exc.code == 2 and USAGE in err and err.split("\n")[0].startswith("usage: render.py"), err
        assert "Traceback" not in err
        return
    assert args.page is None or 1 <= args.page <= cli.MAX_PAGE
    assert math.isfinite(args.dpi) and 1 <= args.dpi <= 1200
    assert 0 <= args.port <= 65535
    assert not ((args.watch or args.serve) and (args.page or args.png))
    assert not (args.trace and (args.png or args.serve)) and options.trace == args.trace
    assert options.dpi == args.dpi and options.page == args.page


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return make(tmp_path_factory.mktemp("small"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=st.one_of(st.none(), st.sampled_from(["0", "1", "3", "4", "99", "nan", "9" * 40])),
       dpi=st.one_of(st.none(), st.sampled_from(["nan", "inf", "0", "1", "30", "1201"])),
       switches=st.lists(st.sampled_from(["--png", "--proof", "--report", "--print", "--json", "--overset-error", "--trace",
                                          "--no-server"]), max_size=4, unique=True),
       preflight=st.sampled_from([None, "report", "strict", "loose"]),
       output=st.sampled_from(["o.pdf", "new/o.pdf", ".", "o.report.json"]))
def test_a_render_with_any_flags_ends_with_a_documented_code(small, tmp_path, page, dpi, switches, preflight, output,
                                                              capsys):
    """cli.main itself (a real render of a small edition): whatever the flags, a
    documented exit code, the JSON outcome when asked, and no traceback or internal error."""
    argv = [str(small), "-o", str(tmp_path / output), *switches]
    argv += [f"--page={page}"] if page is not None else []
    argv += [f"--dpi={dpi}"] if dpi is not None else []
    argv += [f"--preflight={preflight}"] if preflight is not None else []
    handler = signal.getsignal(signal.SIGTERM)
    usage = False
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code, usage = exc.code, True
    finally:
        gc.enable()  # cli.main switches the collector off for good, as a one-shot process may
        signal.signal(signal.SIGTERM, handler)
    out, err = capsys.readouterr()
    assert code in DOCUMENTED, (argv, code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    if "--json" in switches and not usage:  # the outcome, whatever it is, as one JSON object
        outcome = json.loads(out)
        assert outcome["ok"] is (code == 0) and outcome.get("exit_code", 0) == code


def test_a_page_the_edition_lacks_is_a_usage_mistake(tmp_path):
    """--page past the edition's pages is the caller's mistake, like a bad flag: exit 2."""
    result = run(SAMPLE, "--page", "99", "-o", tmp_path / "x.pdf")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "error: --page 99: the edition has pages 1 to 8 (hint: give --page 1 to 8)"
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("flag", ["--page", "--dpi", "--port", "--output", "--allow-path"])
def test_a_flag_given_the_end_of_options_as_its_value(flag, capsys):
    """'--port=--': argparse takes the '--' away and leaves a list, which crashed the
    render (found by the hypothesis test above in CI). A usage error now."""
    with pytest.raises(SystemExit) as exc:
        cli.parse_args([f"{flag}=--"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"render.py: error: argument {flag}: expected a {'folder' if flag == '--allow-path' else 'value'}, not '--'")
