"""`make bench`: performance figures, printed as a table and written to out/bench.json.

A benchmark, not a test: it never fails the build. Times are medians of 5 runs after a
warm-up, with min and max; whole renders run in a fresh process each time, as a user
starts them, with the peak RSS of that process.

Besides the sample edition and composition throughput, it measures the shared workloads
(shared/bench/README.md), converted to editions by bench/w8_to_edition.py:
- W8 (8 broadsheet pages), and Typst on the same W8 with shared/bench/peers/typst_render.py,
  the runs interleaved (ours, theirs, ours, …) so that a slow spell of the machine hits
  both; Typst comes from PyPI into a virtualenv of its own (out/bench/venv), pinned;
- page 1 of W8 alone (`--page 1`), against the whole of W8: the preview a designer waits for;
- W8's pages rotated into 16 and 32 pages, in seconds per page: does time grow with the
  pages only (rotated, so that caches do not make the copies free);
- W8X, whose side stories cannot fit, with the overset characters our report counts.
A part that cannot run (no workload, no Typst) is reported with the reason, never fatal.

Each render is measured twice over: as a user meets it by default, without the warm
render server (PAIBAN_SERVER=0: Python, the imports and the render in one fresh
process), the row every target is read from; and with the opt-in server
(layout/desk/warm.py, PAIBAN_SERVER=1; started by the warm-up's render, in a folder of the
benchmark's own and stopped at the end). With the server the measured process is only
the client, so its peak RSS and CPU say nothing: those columns come from the runs
without it, and the server's own resident size is printed.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
WORKLOADS = SHARED / "bench"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

RUNS = 5
TIMEOUT_S = 900  # one render; a hung process must not hang `make bench`
OUT = REPO / "out" / "bench"
TYPST_VERSION = "0.15.2"  # PyPI `typst` (Python bindings); pinned so figures compare across runs
TYPST_VENV = OUT / "venv"


class RunFailed(Exception):
    """A measured command exited non-zero (or timed out); the message is its last words."""


# the environments of the two ways to run render.py (main() fills in the server's folder)
ENV_SERVER: dict[str, str] = {}
ENV_ALONE: dict[str, str] = dict(os.environ, PAIBAN_SERVER="0")


def _once(args: list[str], env: dict | None = None) -> tuple[float, float | None, float | None]:
    """Wall time (s), peak RSS (MB) and CPU time (s) of one fresh process (no RSS or CPU
    for a client of the server: the work is done in another process)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err, env=env)
        timer = threading.Timer(TIMEOUT_S, proc.kill)
        timer.start()
        try:
            _, status, usage = os_wait4(proc.pid)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            last = err.read().decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no message)"]
            why = f"killed after {TIMEOUT_S} s" if code == -signal.SIGKILL else f"exit {code}"
            raise RunFailed(f"{why}: {last[0][:300]}")
    if env is ENV_SERVER:
        return wall, None, None
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _warm_up(args: list[str], env: dict | None = None) -> None:
    proc = subprocess.run(args, capture_output=True, cwd=REPO, timeout=TIMEOUT_S, env=env)
    if proc.returncode != 0:
        last = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no message)"]
        raise RunFailed(f"exit {proc.returncode}: {last[0][:300]}")
    if env is ENV_SERVER:
        _server_up()


def _warm(what: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-m", "layout.desk.warm", what], cwd=REPO,
                          env=ENV_SERVER, capture_output=True, text=True, timeout=60)


def _server_up() -> None:
    """Wait for the server the warm-up's render started (its imports take a moment)."""
    for _ in range(200):
        if _warm("status").returncode == 0:
            return
        time.sleep(0.05)
    raise RunFailed("the render server did not start")


def server_rss_mb() -> float | None:
    """The resident size of the idle server (what a designer's machine keeps for it)."""
    match = re.search(r"pid (\d+)", _warm("status").stdout)
    try:
        status = Path(f"/proc/{match.group(1)}/status").read_text() if match else ""
    except OSError:
        return None
    rss = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(rss.group(1)) / 1024 if rss else None


def _summary(samples: list[tuple[float, float | None, float | None]]) -> dict:
    times = [s[0] for s in samples]
    out = {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "runs": len(samples)}
    if samples[0][1] is not None:
        out.update(peak_rss_mb=max(s[1] for s in samples), cpu_median_s=statistics.median(s[2] for s in samples))
    return out


def fresh_process(args: list[str], warmup: list[str] | None = None, env: dict | None = None) -> dict:
    """Median wall time and peak RSS of a command run RUNS times after a warm-up (the
    warm-up may be another command, e.g. the same render writing its report)."""
    _warm_up(warmup or args, env)
    return _summary([_once(args, env) for _ in range(RUNS)])


def both(args: list[str], warmup: list[str] | None = None) -> dict:
    """A render measured with the server and without, interleaved: the server's figures,
    with the others under 'alone'."""
    got = interleaved({"server": args, "alone": args}, {"server": warmup, "alone": warmup} if warmup else None,
                      {"server": ENV_SERVER, "alone": ENV_ALONE})
    out = got["server"]
    out["alone"] = got["alone"]
    return out


def interleaved(commands: dict[str, list[str]], warmups: dict[str, list[str]] | None = None,
                envs: dict[str, dict] | None = None) -> dict[str, dict]:
    """fresh_process for several commands, their runs alternating (a, b, a, b, …) so that
    load on the machine falls on all of them alike. A command whose warm-up fails is
    left out with {'error': why}; the others go on."""
    out: dict[str, dict] = {}
    live = {}
    envs = envs or {}
    for name, args in commands.items():
        try:
            _warm_up((warmups or {}).get(name) or args, envs.get(name))
            live[name] = args
        except (RunFailed, subprocess.TimeoutExpired, OSError) as exc:
            out[name] = {"error": f"warm-up failed: {exc}"}
    samples: dict[str, list] = {name: [] for name in live}
    for _ in range(RUNS):
        for name, args in list(live.items()):
            try:
                samples[name].append(_once(args, envs.get(name)))
            except (RunFailed, OSError) as exc:
                out[name] = {"error": str(exc)}
                del live[name]
    for name in live:
        out[name] = _summary(samples[name])
    return out


def os_wait4(pid: int):
    return os.wait4(pid, 0)


def corpus_paragraphs(path: Path) -> list[str]:
    return [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("# ")]


def composition_throughput() -> dict:
    """Characters per second through prepare + break + justify, Chinese and Tibetan."""
    from layout.fonts.faces import load_fontset
    from layout.lines.linebreak import Widths
    from layout.lines.justify import set_lines
    from layout.lines.prepare import prepare
    from layout.text.shape import Shaper

    fonts = load_fontset()
    texts = {
        "chinese": (corpus_paragraphs(SHARED / "corpus" / "chinese" / "ntrex128_zh_news_01.txt"), "body"),
        "tibetan": (corpus_paragraphs(SHARED / "corpus" / "tibetan" / "tibettimes_2014.txt")[:4], "tibetan-body"),
    }
    out = {}
    for name, (paragraphs, role) in texts.items():
        chars = sum(len(p) for p in paragraphs)
        rates = []
        shaper = Shaper()
        for run in range(RUNS + 1):
            shaper = Shaper()  # a fresh render: nothing cached from the last run
            start = time.perf_counter()
            for text in paragraphs:
                prepared = prepare(text, role, 9.0, 0.0, fonts, shaper)
                set_lines(prepared, Widths.uniform(11 * 9.0), shaper)
            if run:  # the first run warms up
                rates.append(chars / (time.perf_counter() - start))
        out[name] = {"chars": chars, "chars_per_s_median": statistics.median(rates),
                     "chars_per_s_min": min(rates), "chars_per_s_max": max(rates),
                     "shaping_cache_hit_rate": shaper.hit_rate}
    return out


# ---------------------------------------------------------------- the shared workloads

def typst_python() -> tuple[str | None, str]:
    """The benchmark's own virtualenv with the pinned Typst (made on first use): its
    python, or None and why not. Kept apart from .venv: Typst is no dependency of ours."""
    py = TYPST_VENV / "bin" / "python"
    check = [str(py), "-c", "import importlib.metadata as m, typst; print(m.version('typst'))"]

    def installed() -> str | None:
        try:
            proc = subprocess.run(check, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return proc.stdout.strip() if proc.returncode == 0 else None

    if installed() == TYPST_VERSION:
        return str(py), TYPST_VERSION
    try:
        if not py.exists():
            base = shutil.which("python3") or sys.executable
            subprocess.run([base, "-m", "venv", str(TYPST_VENV)], check=True, capture_output=True, timeout=300)
        proc = subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                               f"typst=={TYPST_VERSION}"], capture_output=True, text=True, timeout=900)
    except subprocess.CalledProcessError as exc:
        return None, f"cannot make {TYPST_VENV}: {exc.stderr.decode('utf-8', 'replace').strip()[-200:]}"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"cannot install typst=={TYPST_VERSION}: {exc}"
    if proc.returncode != 0:
        lines = [l for l in proc.stderr.strip().splitlines() if not l.startswith("WARNING")]
        return None, f"pip install typst=={TYPST_VERSION} failed: {(lines or ['?'])[-1][:200]}"
    version = installed()
    if version != TYPST_VERSION:
        return None, f"typst=={TYPST_VERSION} installed but does not import ({version})"
    return str(py), TYPST_VERSION


def make_edition(workload: Path, folder: Path, copies: int = 1) -> int:
    """The workload as an edition under out/bench; returns its page count. Copies are
    rotated (sentences reordered) so that no paragraph repeats word for word: otherwise
    the caches would make later copies nearly free and flatter the scaling figure."""
    from w8_to_edition import convert

    w = json.loads(workload.read_text(encoding="utf-8"))
    convert(w, workload.parent, folder, copies, rotate=copies > 1)
    return len(w["pages"]) * copies


def _why(exc: Exception) -> str:
    return str(exc) if isinstance(exc, RunFailed) else f"{type(exc).__name__}: {exc}"


def overset_of(report: Path) -> dict:
    """Total overset characters and the stories overset, from render.py's .report.json."""
    data = json.loads(report.read_text(encoding="utf-8"))
    over = data.get("overset", [])
    return {"overset_chars": sum(o["chars"] for o in over), "overset_stories": len(over),
            "overset": {o["story"]: o["chars"] for o in over}}


def workloads(py: str) -> dict:
    """W8 against Typst, the 16- and 32-page scaling, and W8X with its overset."""
    res: dict = {}
    w8, w8x = WORKLOADS / "W8" / "W8.json", WORKLOADS / "W8X" / "W8X.json"
    if not w8.is_file():
        res["w8"] = {"error": f"no workload {w8}"}
        return res

    def render(folder: str, report: bool = False) -> list[str]:
        cmd = [py, "render.py", str(OUT / folder / "edition.yaml"), "-o", str(OUT / f"{folder}.pdf")]
        return cmd + (["--report"] if report else [])

    # W8, ours and Typst's, interleaved; our warm-up writes the report (overset counts)
    try:
        res["w8_pages"] = make_edition(w8, OUT / "W8")
    except Exception as exc:  # noqa: BLE001 - a converter bug must not stop the other figures
        res["w8"] = {"error": f"conversion failed: {_why(exc)}"}
        return res
    commands = {"w8": render("W8"), "w8_alone": render("W8")}
    warmups = {"w8": render("W8", report=True), "w8_alone": render("W8", report=True)}
    envs = {"w8": ENV_SERVER, "w8_alone": ENV_ALONE}
    typst_py, why = typst_python()
    res["typst_version"] = TYPST_VERSION if typst_py else None
    if typst_py:
        commands["typst_w8"] = [typst_py, str(WORKLOADS / "peers" / "typst_render.py"), str(w8),
                                str(OUT / "typst-W8.pdf")]
    else:
        res["typst_w8"] = {"error": why}
    res.update(interleaved(commands, warmups, envs))
    res["w8"]["alone"] = res.pop("w8_alone")
    for r in (res["w8"], res["w8"]["alone"]):
        if "median_s" in r:
            r.update(overset_of(OUT / "W8.report.json"))
    if "median_s" in res.get("typst_w8", {}):
        for r in (res["w8"], res["w8"]["alone"]):
            if "median_s" in r:
                r["ratio_to_typst"] = r["median_s"] / res["typst_w8"]["median_s"]
        res["ratio_paiban_typst"] = res["w8"]["alone"].get("ratio_to_typst")  # the default: no server

    # issue 9's preview target: page 1 of W8 against the whole of W8, each way
    if "median_s" in res["w8"]:
        try:
            p1 = res["w8_page1"] = both([py, "render.py", str(OUT / "W8" / "edition.yaml"), "--page", "1",
                                         "-o", str(OUT / "W8-p1.pdf")])
            for part, whole in ((p1, res["w8"]), (p1["alone"], res["w8"]["alone"])):
                if "median_s" in part and "median_s" in whole:
                    part["ratio_to_whole"] = part["median_s"] / whole["median_s"]
        except Exception as exc:  # noqa: BLE001 - reported in the table, never fatal
            res["w8_page1"] = {"error": _why(exc)}

    # scaling: W8's pages rotated into 16 and 32 pages
    for copies, key in ((2, "w8_16p"), (4, "w8_32p")):
        folder = f"W8-{8 * copies}p"
        try:
            pages = make_edition(w8, OUT / folder, copies)
            r = both(render(folder))
            for part in (r, r["alone"]):
                part["pages"] = pages
                if "median_s" in part:
                    part.update({k.replace("_s", "_s_per_page"): part[k] / pages
                                 for k in ("median_s", "min_s", "max_s")})
            res[key] = r
        except Exception as exc:  # noqa: BLE001 - reported in the table, never fatal
            res[key] = {"error": _why(exc)}

    # W8X: a third of the side stories cannot fit; the report must count it
    if not w8x.is_file():
        res["w8x"] = {"error": f"no workload {w8x}"}
    else:
        try:
            make_edition(w8x, OUT / "W8X")
            res["w8x"] = fresh_process(render("W8X", report=True), env=ENV_ALONE)
            res["w8x"].update(overset_of(OUT / "W8X.report.json"))
        except Exception as exc:  # noqa: BLE001 - reported in the table, never fatal
            res["w8x"] = {"error": _why(exc)}
    # the designer's loop: an edit of a story of page 1 to its new picture, in --serve
    try:
        res["w8_loop"] = edit_to_preview(py, OUT / "W8" / "edition.yaml")
    except Exception as exc:  # noqa: BLE001 - reported in the table, never fatal
        res["w8_loop"] = {"error": _why(exc)}
    return res


# ---------------------------------------------------------------- the table

def _row(label: str, r: dict | None, unit: str = "s", sfx: str = "", note: str = "") -> str:
    """One line of the table; `sfx` picks other figures of r (e.g. '_per_page'). Rows
    of the server's clients have no RSS or CPU (the work is done in the server's worker)."""
    if not r or "error" in r:
        why = (r or {}).get("error", "not measured")
        return f"{label:<44}{'—':>10}{'':>10}{'':>10}{'':>11}{'':>9}   {why}"
    med, lo, hi = (r[f"{k}_s{sfx}"] for k in ("median", "min", "max"))
    fmt = (lambda v: f"{v:>9.3f}{unit}") if sfx else (lambda v: f"{v:>9.2f}{unit}")
    rss = f"{r['peak_rss_mb']:>8.0f} MB" if "peak_rss_mb" in r else f"{'':>11}"
    cpu = f"{r['cpu_median_s']:>8.1f}s" if "cpu_median_s" in r and not sfx else f"{'':>9}"
    return f"{label:<44}{fmt(med)}{fmt(lo)}{fmt(hi)}{rss}{cpu}   {note}".rstrip()


def _pair(label: str, r: dict | None, sfx: str = "", note=lambda r: "") -> None:
    """A render's two rows: in one process alone (the default), then with the opt-in
    warm server."""
    unit = "s"
    alone = (r or {}).get("alone", r if r and "error" in r else None)
    print(_row(label, alone, unit, sfx, note(alone) if alone and "median_s" in alone else ""))
    print(_row("  the same, with --server", r, unit, sfx, note(r) if r and "median_s" in r else ""))


def edit_to_preview(py: str, edition: Path, page: int = 1, edits: int = 9) -> dict:
    """The designer's loop in --serve: from saving a story with one paragraph changed to
    the moment a client has the new picture of its page. A copy of the edition is served;
    each edit rewrites the first story file of `page` (its first sentence doubled, a
    counter in it) as an editor's save does, and the client waits on /state?since= (the
    long poll the preview page uses), then fetches /page/N.jpg (the picture the preview
    page shows). Median of `edits`, after one edit to warm up."""
    import urllib.request

    from layout.api import lay_out

    folder = Path(tempfile.mkdtemp(prefix="paiban-loop-"))
    try:
        shutil.copytree(edition.parent, folder / "ed")
        ed, _, _ = lay_out(folder / "ed" / "edition.yaml")
        story = next(el.story for el in ed.source.pages[page - 1].elements if el.type == "story")
        path = Path(ed.stories[story].blocks[0].where.file)
        original = path.read_text(encoding="utf-8")
        proc = subprocess.Popen([py, "render.py", str(folder / "ed" / "edition.yaml"), "-o", str(folder / "o.pdf"),
                                 "--serve", "--port", "0"], cwd=REPO, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=ENV_ALONE)
        try:
            url = proc.stdout.readline().strip().split(" ", 1)[1]
            proc.stdout.readline()
            times = []
            for i in range(edits + 1):
                with urllib.request.urlopen(url + "state", timeout=30) as resp:
                    state = json.loads(resp.read())
                time.sleep(0.4)  # the file watcher is idle again
                start = time.perf_counter()
                path.write_text(original.replace("。", f"。改动{i}。", 1), encoding="utf-8")
                while True:
                    with urllib.request.urlopen(url + f"state?since={state['tick']}", timeout=60) as resp:
                        new = json.loads(resp.read())
                    if new["version"] != state["version"] or new["error"]:
                        break
                    state = new
                with urllib.request.urlopen(url + f"page/{page}.jpg?v={new['version']}", timeout=30) as resp:
                    resp.read()
                if i:
                    times.append(time.perf_counter() - start)
                proc.stdout.readline()  # the render's line: the PDF is written too
            return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
                    "runs": len(times), "story": story}
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def only_edit_to_preview(edits: int) -> int:
    """`bench/run.py edit_to_preview`: the designer's loop row alone (W8 built from
    ../shared/bench/ when missing), for comparing branches back to back."""
    py = str(REPO / ".venv" / "bin" / "python")
    if not (OUT / "W8" / "edition.yaml").is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        make_edition(WORKLOADS / "W8" / "W8.json", OUT / "W8")
    try:
        r = edit_to_preview(py, OUT / "W8" / "edition.yaml", edits=edits)
    except Exception as exc:  # noqa: BLE001 - a benchmark never fails the build
        r = {"error": _why(exc)}
    print(f"paiban {_commit()}; load average {os.getloadavg()[0]:.2f}")
    print(f"{'what':<44}{'median':>10}{'min':>10}{'max':>10}")
    print(_row("W8, edit to preview (--serve, page 1)", r, note=f"{r.get('runs', 0)} edits, story {r.get('story')}"
               if "median_s" in r else ""))
    return 0


def print_table(results: dict) -> None:
    print(f"{'what':<44}{'median':>10}{'min':>10}{'max':>10}{'peak RSS':>11}{'CPU':>9}   note")
    _pair("sample edition, whole", results["sample_full"])
    _pair("sample edition, page 1", results["sample_page1"])
    wl = results.get("workloads", {})
    w8 = wl.get("w8")
    tv = wl.get("typst_version")
    if w8 is not None:
        def w8_note(r):
            parts = [f"{r['ratio_to_typst']:.2f} of Typst"] if "ratio_to_typst" in r else []
            if "overset_chars" in r:
                parts.append(f"overset {r['overset_chars']} chars in {r['overset_stories']} stories")
            return "; ".join(parts)

        _pair(f"W8 ({wl.get('w8_pages', 8)} p), paiban", w8, note=w8_note)
        print(_row(f"W8, Typst (PyPI typst {tv or TYPST_VERSION}), interleaved", wl.get("typst_w8"),
                   note="clips overset silently"))
        _pair("W8, page 1 (preview)", wl.get("w8_page1"),
              note=lambda r: f"{r['ratio_to_whole']:.2f} of W8 whole" if "ratio_to_whole" in r else "")
        if "ratio_paiban_typst" in wl and wl["ratio_paiban_typst"] is not None:
            served = w8.get("ratio_to_typst")
            print(f"{'W8 ratio paiban / Typst (medians)':<44}{wl['ratio_paiban_typst']:>9.2f}x"
                  + (f"   with --server: {served:.2f}x" if served is not None else ""))
        else:
            print(f"{'W8 ratio paiban / Typst':<44}{'—':>10}   no Typst figure")
        if "median_s" in w8:
            pages = wl.get("w8_pages", 8)

            def per(r):
                return dict(r, **{f"{k}_s_per_page": r[f"{k}_s"] / pages for k in ("median", "min", "max")}) \
                    if r and "median_s" in r else r

            _pair("W8, 8 pages, per page", dict(per(w8), alone=per(w8.get("alone"))), "_per_page")
        for key, label in (("w8_16p", "W8 x2, 16 pages, per page"), ("w8_32p", "W8 x4, 32 pages, per page")):
            _pair(label, wl.get(key), "_per_page", note=lambda r: f"whole: {r['median_s']:.2f} s")
        print(_row("W8, edit to preview (--serve, page 1)", wl.get("w8_loop"),
                   note="save -> new picture in the client (target 0.15 s)"))
        r = wl.get("w8x")
        note = (f"overset {r['overset_chars']} chars in {r['overset_stories']} stories (--report)"
                if r and "overset_chars" in r else "")
        print(_row("W8X (8 p, side stories too long), paiban", r, note=note))
    if results.get("server_rss_mb"):
        print(f"{'render server, idle, resident':<44}{'':>30}{results['server_rss_mb']:>8.0f} MB")
    if "error" in results["composition"]:
        print(f"{'composition':<44}{'—':>10}   {results['composition']['error']}")
        return
    for name, r in results["composition"].items():
        print(f"{'composition, ' + name:<44}{r['chars_per_s_median']:>8.0f}/s"
              f"{r['chars_per_s_min']:>8.0f}/s{r['chars_per_s_max']:>8.0f}/s"
              f"{'':>20}   shaping cache hits {r['shaping_cache_hit_rate']:.0%}")


def _commit() -> str:
    """The engine's commit, '+dirty' with local changes: figures belong to a version."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (head or "unknown") + ("+dirty" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    global RUNS
    parser = argparse.ArgumentParser(description="paiban performance figures (make bench)")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"measured runs per figure (default {RUNS})")
    parser.add_argument("--no-workloads", action="store_true", help="only the sample edition and composition")
    parser.add_argument("row", nargs="?", choices=["edit_to_preview"],
                        help="measure only this row (edit_to_preview: W8's edit to preview, printed alone)")
    parser.add_argument("--edits", type=int, default=9, help="measured edits of the edit_to_preview row (default 9)")
    args = parser.parse_args(argv)
    if args.row == "edit_to_preview":
        return only_edit_to_preview(args.edits)
    RUNS = max(1, args.runs)
    results: dict = {"runs": RUNS, "commit": _commit()}
    py = str(REPO / ".venv" / "bin" / "python")
    sample = ["editions/sample/edition.yaml"]
    # the server's socket in a folder of the benchmark's own (a short path: sockets have a
    # length limit), with CI's switch-off undone: the figures are what a designer gets
    folder = tempfile.mkdtemp(prefix="paiban-bench-")
    ENV_SERVER.update({k: v for k, v in os.environ.items() if k != "CI"})
    ENV_SERVER.update(PAIBAN_SERVER="1", PAIBAN_SERVER_DIR=folder)
    try:
        for key, extra in (("sample_full", ["-o", "out/bench-sample.pdf"]),
                           ("sample_page1", ["--page", "1", "-o", "out/bench-p1.pdf"])):
            try:
                results[key] = both([py, "render.py", *sample, *extra])
            except Exception as exc:  # noqa: BLE001 - a benchmark never fails the build
                results[key] = {"error": _why(exc)}
        try:
            results["composition"] = composition_throughput()
        except Exception as exc:  # noqa: BLE001 - a benchmark never fails the build
            results["composition"] = {"error": _why(exc)}
        if not args.no_workloads:
            OUT.mkdir(parents=True, exist_ok=True)
            try:
                results["workloads"] = workloads(py)
            except Exception as exc:  # noqa: BLE001 - a benchmark never fails the build
                results["workloads"] = {"error": _why(exc)}
        results["server_rss_mb"] = server_rss_mb()
    finally:
        _warm("stop")
        shutil.rmtree(folder, ignore_errors=True)
    (REPO / "out").mkdir(exist_ok=True)
    (REPO / "out" / "bench.json").write_text(json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False))
    print(f"paiban {results['commit']}, {RUNS} runs per figure after a warm-up, fresh processes "
          "(alone, the default, and with the opt-in warm render server)")
    print_table(results)
    if "error" in results.get("workloads", {}):
        print(f"workloads: {results['workloads']['error']}")
    print("written: out/bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
