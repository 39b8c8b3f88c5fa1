"""The fuzz campaign's runner: each case in a forked process (the engine imported once,
before the forks) with a time and a memory bound; a sample through a real `render.py`
subprocess. Each outcome is classified, counted per class, and the first cases of each
distinct failure are saved under out/fuzz/ with the command that replays them.

    python -m tests.fuzz                      # 10,000 cases, seed 1
    python -m tests.fuzz --cases 200 --seed 7 --jobs 2 --timeout 10
    python -m tests.fuzz --seed 1 --replay story:42    # one case again, verbosely

Outcomes. Expected: ok (rendered, every character accounted for), input-error (exit 2,
every message located file:line:column), flag-error (exit 2 from the flag parser,
which has no file to point at), env-error (exit 1), documented (3, 4, 130, 143).
Failures: traceback (Python traceback text or an `internal error:` line), hang (killed
after --timeout seconds), unlocated (exit 2 with a message without file:line:column),
lost (rendered, but placed + overset != characters, a character outside its page, or
the PDF's text is not the stories' text), crash (another exit code, or a signal),
clobbered (an input, a symlink or a folder replaced), ghostscript (a `gs` was run),
leak (text from a file outside the edition's folder in the output).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter
from pathlib import Path

from . import gen

REPO = gen.REPO
EXPECTED = ("ok", "input-error", "flag-error", "env-error", "documented")
FAILURES = ("traceback", "hang", "unlocated", "lost", "crash", "clobbered", "ghostscript", "leak")
KINDS = EXPECTED + FAILURES
MEMORY = 2 << 30  # bytes of address space a case may add to what the worker had
LOCATED = re.compile(r"^(?:error: )?\S[^\n]*?:\d+:\d+: \S")
# a stand-in for Ghostscript: records that it was called (and answers a version query,
# as Pillow asks one before it hands an EPS file over)
FAKE_GS = ("#!/bin/sh\necho \"gs $*\" >> \"${FUZZ_GS_LOG:-/dev/null}\"\n"
           "if [ \"$1\" = --version ]; then echo 10.0.0; exit 0; fi\nexit 1\n")


# ---------------------------------------------------------------- set-up

def prepare(root: Path) -> None:
    """Environment of every case: no warm server, a fake Ghostscript that records its
    calls, and a font/image cache of our own (the converted fonts linked from the
    checkout's cache, so no case writes into the shared one)."""
    os.environ["PAIBAN_SERVER"] = "0"
    bin_dir = root / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (bin_dir / "gs").write_text(FAKE_GS)
    (bin_dir / "gs").chmod(0o755)
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    shared = Path(os.environ.get("PAIBAN_CACHE", REPO / ".cache"))
    cache = root / "cache"
    (cache / "fonts").mkdir(parents=True, exist_ok=True)
    if (shared / "faces.json").exists():
        shutil.copyfile(shared / "faces.json", cache / "faces.json")
    if (shared / "fonts").is_dir():
        for f in (shared / "fonts").iterdir():
            if f.suffix == ".json":
                shutil.copyfile(f, cache / "fonts" / f.name)
            else:
                os.symlink(f.resolve(), cache / "fonts" / f.name)
    os.environ["PAIBAN_CACHE"] = str(cache)
    sys.path.insert(0, str(REPO))
    # what every case needs, imported and parsed once (as the warm server does)
    from layout.desk import warm

    warm._preload()
    import importlib

    for name in ("layout.desk.cli", "layout.edition.loader", "pypdfium2", "fontTools.ttLib"):
        importlib.import_module(name)

    gen.photo_bytes()
    gen.font_bytes()
    gen.base_files()
    gen.model_fields()


def materialize(case: gen.Case, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for rel, data in case.files.items():
        if "\x00" in rel:
            continue
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if isinstance(data, gen.Special):
                if data[0] == "fifo":
                    os.mkfifo(path)
                elif data[0] == "dir":
                    path.mkdir(exist_ok=True)
                else:
                    os.symlink(data[1], path)
            else:
                path.write_bytes(data)
        except OSError:
            pass  # a name the file system refuses (too long): the case is about that name


def _digest(path: Path) -> str:
    try:
        if path.is_symlink():
            return "link:" + os.readlink(path)
        if path.is_dir():
            return "dir"
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"error:{exc.errno}"


# ---------------------------------------------------------------- one case, in a child

def _child(cls: str, index: int, seed: int, only: int | None, folder: Path, meta: Path, real: bool) -> None:
    """Runs in the forked process; never returns."""
    code = 99
    try:
        os.setpgid(0, 0)
        soft = _vm_size() + MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (soft, soft))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 30, 1 << 30))
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        case = gen.make(cls, index, seed, only)
        materialize(case, folder)
        before = {p: _digest(folder / p) for p in case.protect}
        os.environ["FUZZ_GS_LOG"] = str(meta.with_suffix(".gs"))
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        out = os.open(meta.with_suffix(".out"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        err = os.open(meta.with_suffix(".err"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(err, 2)
        if case.stdout_closed:
            r, w = os.pipe()
            os.close(r)
            os.dup2(w, 1)
        else:
            os.dup2(out, 1)
        os.chdir(folder)
        if real:
            import subprocess

            rc = subprocess.call([sys.executable, str(REPO / "render.py"), *case.argv])
            code = rc if rc >= 0 else 128 - rc
            if rc < 0:
                os.kill(os.getpid(), -rc)  # the parent sees the same signal
        else:
            code = _in_process(case.argv)
        problems = _check(case, folder, meta, before, code)
        meta.with_suffix(".chk").write_text(json.dumps({"problems": problems, "note": case.note,
                                                        "argv": case.argv, "keys": case.keys}, ensure_ascii=False))
    except BaseException:  # noqa: BLE001 - the campaign's own mistake: shown, counted as a crash
        try:
            os.write(2, ("fuzz runner: " + traceback.format_exc()).encode())
        finally:
            os._exit(98)
    os._exit(code)


def _in_process(argv: list[str]) -> int:
    from layout.desk import cli

    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - what escapes the command is what we count
        traceback.print_exc()
        code = 70
    try:  # as render.py leaves
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
        code = 70
    return code


def _vm_size() -> int:
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 1 << 30


def visible(text: str, form: str = "NFD") -> list[str]:
    """The characters that must be visible: no spaces, controls or format characters,
    nor combining marks (extractors drop, repeat or compose those)."""
    text = text if form == "as written" else unicodedata.normalize(form, text)
    return [ch for ch in text
            if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp", "Mn", "Me")]


def _check(case: gen.Case, folder: Path, meta: Path, before: dict, code: int) -> list[str]:
    """What the exit code does not say: inputs clobbered, Ghostscript run, a secret
    leaked, text lost."""
    problems = []
    for p, digest in before.items():
        now = _digest(folder / p)
        if now != digest:
            was = lambda d: d.split(":")[0] if ":" in d else "file"  # noqa: E731
            problems.append(f"clobbered: {p} was replaced (a {was(digest)} before, a {was(now)} after)"
                            if was(digest) != was(now) else f"clobbered: {p} was overwritten")
    gs = meta.with_suffix(".gs")
    if gs.exists():
        problems.append("ghostscript: " + " | ".join(gs.read_text(errors="replace").strip().splitlines())[:200])
    if code != 0:
        return problems
    pdf = folder / gen.OUTPUT
    report = None
    if "--json" in case.argv and not case.stdout_closed:
        lines = meta.with_suffix(".out").read_text(errors="replace").strip().splitlines()
        try:
            report = json.loads(lines[-1]) if lines else None
        except ValueError:
            problems.append("lost: --json printed no JSON object")
    if report and report.get("ok"):
        for e in report.get("copyfit", []):
            if e["placed_chars"] + e["overset_chars"] != e["chars"]:
                problems.append(f"lost: copyfit of story {e['story']!r}: placed {e['placed_chars']} + overset "
                                f"{e['overset_chars']} != {e['chars']} characters")
            if e["placed_chars"] < 0 or e["overset_chars"] < 0:
                problems.append(f"lost: copyfit of story {e['story']!r} has a negative count")
    if not pdf.is_file() or pdf.is_symlink() or "--png" in case.argv or pdf.read_bytes()[:5] != b"%PDF-":
        return problems
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(pdf))
    except Exception as exc:  # noqa: BLE001
        return problems + [f"lost: the PDF written does not open: {exc}"]
    text, outside = [], 0
    try:
        for i in range(len(doc)):
            page = doc[i]
            left, bottom, right, top = page.get_mediabox()
            tp = page.get_textpage()
            n = tp.count_chars()
            page_text = tp.get_text_range() if n else ""
            text.append(page_text)
            for k in range(n):
                l, b, r, t = tp.get_charbox(k)
                if not (left - 2 <= l <= right + 2 and left - 2 <= r <= right + 2
                        and bottom - 2 <= b <= top + 2 and bottom - 2 <= t <= top + 2):
                    outside += 1
    finally:
        doc.close()
    text = "".join(text).replace("\ufffe", "-")  # pdfium's mark for a hyphen at a line end
    if shutil.which("pdftotext"):
        # pdfium drops a line drawn over an identical one (tight leading) as a fake-bold
        # copy; poppler keeps every character drawn on the page
        import subprocess

        run = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True)
        if run.returncode == 0:
            text = run.stdout.decode("utf-8", "replace")
    if outside:
        problems.append(f"lost: {outside} characters drawn outside their page")
    if gen.SECRET in "".join(text.split()):
        problems.append("leak: text of a file outside the edition's folder is in the PDF")
    if case.expect_text and report and report.get("ok"):
        expected = _story_chars(folder)
        if expected is not None:
            # every character of the stories is in the PDF's text, save what is reported
            # overset or cut (extractors may add characters, e.g. around lone marks, and
            # may compose a letter and its mark: counted as written and decomposed)
            missing = min(sum((expected[form] - Counter(visible(text, form))).values()) for form in expected)
            short = sum(e["chars"] for e in report.get("overset", [])) + \
                sum(e["chars"] for e in report.get("overflow", []))
            if missing > short:
                problems.append(f"lost: {missing} characters of the stories are not in the PDF's text, "
                                f"{short} reported overset or cut")
    return problems


def _story_chars(folder: Path) -> dict[str, Counter] | None:
    from layout.edition.loader import load_edition

    try:
        edition = load_edition(folder / gen.EDITION)
    except Exception:  # noqa: BLE001 - it rendered, so it loads; if not, the render's outcome says it
        return None
    return {form: Counter(ch for s in edition.stories.values() for b in s.blocks for ch in visible(b.text, form))
            for form in ("as written", "NFD")}


# ---------------------------------------------------------------- classification

def classify(code: int | None, sig: int | None, timed_out: bool, err: str, out: str, chk: dict | None,
             argv: list[str]) -> tuple[str, str]:
    """(kind, detail) of one outcome."""
    if timed_out:
        return "hang", ""
    for p in (chk or {}).get("problems", []):  # what the exit code cannot say comes first
        kind, _, detail = p.partition(": ")
        if kind in ("clobbered", "ghostscript", "leak"):
            return kind, detail
    if "Traceback (most recent call last)" in err or re.search(r"^internal error", err, re.M) or code == 70:
        return "traceback", _traceback_signature(err)
    if code == 98:
        return "crash", "fuzz runner: " + err.strip().splitlines()[-1][:200] if err.strip() else "fuzz runner"
    if sig is not None:
        return "crash", f"killed by signal {signal.Signals(sig).name}"
    for p in (chk or {}).get("problems", []):
        kind, _, detail = p.partition(": ")
        return kind, detail
    if code == 0:
        return "ok", ""
    if code == 2:
        if "usage:" in err:
            return "flag-error", ""
        lines = _error_lines(err, out)
        ok = [l for l in lines if LOCATED.match(l) or _whole_edition(l, argv) or _argument(l, argv)]
        if lines and len(ok) == len(lines):
            return "input-error", ""
        bad = [l for l in lines if l not in ok] or ["(no message)"]
        return "unlocated", bad[0].splitlines()[0][:200]
    if code == 1:
        return "env-error", ""
    if code in (3, 4, 130, 143):
        return "documented", str(code)
    return "crash", f"exit code {code}"


WHOLE_FILE = re.compile(r"file not found|is a folder|not a (regular )?file|cannot read file|symbolic link|fifo|"
                        r"device|too (large|big)", re.I)


def _whole_edition(line: str, argv: list[str]) -> bool:
    """A message about the edition file named on the command line as a whole (missing,
    a folder, unreadable): there is no line to point at, the name is the place."""
    edition = argv[0] if argv and not argv[0].startswith("-") else None
    line = line.removeprefix("error: ")
    return bool(edition) and line.startswith(f"{edition}: ") and bool(WHOLE_FILE.search(line))


def _argument(line: str, argv: list[str]) -> bool:
    """A message about a value given on the command line, which names it: the place is
    the argument (--page N past the edition's pages; --dpi too fine for a picture; -o
    naming an input of the render, or a picture or report derived from it)."""
    line = line.removeprefix("error: ")
    if line.startswith(("--page ", "--dpi ", "-o ")):
        return True
    spots = [k for k, a in enumerate(argv[:-1]) if a == "-o"]
    output = argv[spots[-1] + 1] if spots else None  # the last -o is the one taken
    stem = output.rsplit(".", 1)[0] if output else None
    return bool(stem) and line.startswith(stem) and "an input of this render" in line


def _error_lines(err: str, out: str) -> list[str]:
    for line in reversed(out.strip().splitlines()):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and "errors" in obj:
            located = []
            for e in obj["errors"] or [{"message": obj.get("message")}]:
                if not isinstance(e, dict):
                    e = {"message": e}
                if e.get("file") and e.get("line") and e.get("column"):
                    located.append(f"{e['file']}:{e['line']}:{e['column']}: {e.get('message')}")
                elif e.get("file"):
                    located.append(f"{e['file']}: {e.get('message')}")
                else:
                    located.append(str(e.get("message")))
            return located
    return [l for l in err.strip().splitlines() if l and not l.startswith("warning:")]


def _traceback_signature(err: str) -> str:
    frames = re.findall(r'File "([^"]+)", line \d+, in (\S+)', err)
    ours = [(f, fn) for f, fn in frames if "/layout/" in f or f.endswith("render.py")]
    where = ""
    if ours:
        f, fn = ours[-1]
        where = f" in {f[f.rfind('layout/'):] if 'layout/' in f else Path(f).name} {fn}()"
    last = [l for l in err.strip().splitlines() if l and not l.startswith(" ")]
    exc = last[-1] if last else "?"
    if exc.startswith("internal error"):
        return exc[:160]
    return f"{exc.split(':')[0][:80]}{where}"


def signature(kind: str, detail: str, cls: str, note: str) -> str:
    if kind == "traceback":
        return detail
    if kind == "hang":
        return f"{cls}: " + _normal(note)[:70]
    if kind == "ghostscript":
        return "gs was run" + (" (only asked its version)" if "|" not in detail and "--version" in detail else
                               " on a file of the edition")
    text = detail
    if kind == "unlocated":  # the same message about another file is the same failure
        path, sep, rest = text.partition(": ")
        if sep and ("/" in path or "." in path):
            text = "FILE: " + rest
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r"\d+", "N", text)
    return text[:110]


def _normal(note: str) -> str:
    note = re.sub(r"'[^']*'|\"[^\"]*\"", "…", note)
    return re.sub(r"\d+", "N", note)


# ---------------------------------------------------------------- the campaign

class Campaign:
    def __init__(self, seed: int, jobs: int, timeout: float, real_every: int, save: Path | None,
                 per_signature: int = 3, out=print):
        self.seed, self.jobs, self.timeout, self.real_every = seed, jobs, timeout, real_every
        self.save, self.per_signature, self.out = save, per_signature, out
        self.root = Path(tempfile.mkdtemp(prefix="fuzz-campaign-", dir="/tmp"))
        self.counts: dict[str, dict[str, int]] = {c: dict.fromkeys(KINDS, 0) for c in gen.CLASSES}
        self.signatures: dict[tuple[str, str], list] = {}
        self.subprocess_runs = 0
        self.slowest = (0.0, "")
        self.detail = False
        self.keys: set[str] = set()
        self.reasons: dict = {}

    def run(self, cases: list[tuple[str, int]]) -> dict:
        start = time.monotonic()
        prepare(self.root)
        todo = list(cases)
        todo.reverse()
        running: dict[int, tuple] = {}
        done = 0
        try:
            while todo or running:
                while todo and len(running) < self.jobs:
                    cls, index = todo.pop()
                    real = self.real_every > 0 and index % self.real_every == self.real_every - 1
                    self.subprocess_runs += real
                    folder = self.root / f"{cls}-{index}"
                    meta = self.root / f"m-{cls}-{index}"
                    sys.stdout.flush()
                    sys.stderr.flush()
                    pid = os.fork()
                    if pid == 0:
                        _child(cls, index, self.seed, None, folder, meta, real)
                    running[pid] = (cls, index, time.monotonic(), folder, meta, real)
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    now = time.monotonic()
                    for p, (cls, index, t0, folder, meta, real) in list(running.items()):
                        if now - t0 > self.timeout:
                            _kill(p)
                            os.waitpid(p, 0)
                            del running[p]
                            self._record(cls, index, None, None, True, folder, meta, real, now - t0)
                            done += 1
                    time.sleep(0.003)
                    continue
                if pid not in running:
                    continue
                cls, index, t0, folder, meta, real = running.pop(pid)
                _kill(pid)  # what the case left running in its process group
                code = os.waitstatus_to_exitcode(status)
                sig = -code if code < 0 else None
                self._record(cls, index, None if sig else code, sig, False, folder, meta, real,
                             time.monotonic() - t0)
                done += 1
                if done % 500 == 0:
                    self.out(f"  {done}/{len(cases)} cases, {time.monotonic() - start:.0f} s, "
                             f"{self.failures()} failures")
        finally:
            for p in running:
                _kill(p)
                os.waitpid(p, 0)
            shutil.rmtree(self.root, ignore_errors=True)
        self.seconds = time.monotonic() - start
        return self.counts

    def failures(self) -> int:
        return sum(c[k] for c in self.counts.values() for k in FAILURES)

    def _record(self, cls, index, code, sig, timed_out, folder, meta, real, seconds) -> None:
        read = lambda suffix: meta.with_suffix(suffix).read_text(errors="replace") \
            if meta.with_suffix(suffix).exists() else ""  # noqa: E731
        err, out = read(".err"), read(".out")
        try:
            chk = json.loads(read(".chk") or "null")
        except ValueError:
            chk = None
        argv = (chk or {}).get("argv", [])
        self.keys.update((chk or {}).get("keys", []))
        kind, detail = classify(code, sig, timed_out, err, out, chk, argv)
        detail = detail.replace(str(self.root), "<cases>")
        self.counts[cls][kind] += 1
        if kind in ("input-error", "env-error", "documented") and self.detail:
            first = (_error_lines(err, out) or [""])[0].replace(str(self.root), "<cases>")
            key = (cls, kind, signature("", first.split(": ", 1)[-1], cls, ""))
            self.reasons[key] = self.reasons.get(key, 0) + 1
        if seconds > self.slowest[0] and not timed_out:
            self.slowest = (seconds, f"{cls}:{index}")
        if kind in FAILURES:
            note = (chk or {}).get("note") or gen.make(cls, index, self.seed).note
            sig_text = signature(kind, detail, cls, note)
            seen = self.signatures.setdefault((kind, sig_text), [])
            seen.append(f"{cls}:{index}")
            if self.save and len(seen) <= self.per_signature:
                self._save(kind, sig_text, cls, index, err, out, detail, real)
        for p in meta.parent.glob(meta.name + ".*"):
            p.unlink()
        shutil.rmtree(folder, ignore_errors=True)

    def _once(self, cls: str, index: int, only: int | None, real: bool) -> tuple:
        """One case, waited for: (kind, detail, stderr, stdout)."""
        folder = self.root / f"{cls}-{index}-{only}"
        meta = self.root / f"m-{cls}-{index}-{only}"
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(cls, index, self.seed, only, folder, meta, real)
        t0 = time.monotonic()
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - t0 > self.timeout:
                _kill(pid)
                os.waitpid(pid, 0)
                status = None
                break
            time.sleep(0.005)
        _kill(pid)
        read = lambda suffix: meta.with_suffix(suffix).read_text(errors="replace") \
            if meta.with_suffix(suffix).exists() else ""  # noqa: E731
        err, out = read(".err"), read(".out")
        try:
            chk = json.loads(read(".chk") or "null")
        except ValueError:
            chk = None
        code = None if status is None else os.waitstatus_to_exitcode(status)
        sig = -code if code is not None and code < 0 else None
        kind, detail = classify(None if sig else code, sig, status is None, err, out, chk, [])
        for p in meta.parent.glob(meta.name + ".*"):
            p.unlink()
        shutil.rmtree(folder, ignore_errors=True)
        return kind, detail.replace(str(self.root), "<cases>"), err, out

    def _save(self, kind, sig_text, cls, index, err, out, detail, real) -> None:
        only = None
        case = gen.make(cls, index, self.seed)
        if case.mutations > 1 and kind != "hang":
            # the smallest case that fails the same way: one of its hostile changes alone
            for k in range(case.mutations):
                k_kind, k_detail, k_err, k_out = self._once(cls, index, k, real)
                if k_kind == kind and signature(k_kind, k_detail, cls, "") == sig_text:
                    only, err, out, detail = k, k_err, k_out, k_detail
                    case = gen.make(cls, index, self.seed, only)
                    break
        name = f"{cls}-{index}" + (f"-{only}" if only is not None else "")
        case_id = f"{cls}:{index}" + (f"/{only}" if only is not None else "")
        dest = self.save / kind / name
        shutil.rmtree(dest, ignore_errors=True)
        materialize(case, dest)
        up = os.path.relpath(REPO, dest)
        command = " ".join(_quote(a) for a in case.argv)
        if "\x00" in command:
            command = repr(case.argv)
        text = (f"fuzz case {case_id} (seed {self.seed}): {kind}{': ' + detail if detail else ''}\n"
                f"what is hostile: {case.note[:2000]}\n"
                f"run it:    cd {dest.relative_to(REPO) if dest.is_relative_to(REPO) else dest} && "
                f"PAIBAN_SERVER=0 {up}/.venv/bin/python {up}/render.py {command}\n"
                f"replay it: .venv/bin/python -m tests.fuzz --seed {self.seed} --replay {case_id}\n"
                f"(run {'through render.py' if real else 'in-process, as cli.main(argv)'})\n\n"
                f"stderr (last 40 lines):\n" + "\n".join(err.splitlines()[-40:]) +
                "\n\nstdout:\n" + out[:3000] + "\n")
        (dest.parent / f"{name}.txt").write_text(text, encoding="utf-8")

    def table(self) -> str:
        cols = [k for k in KINDS]
        rows = [["class", "cases"] + cols]
        total = dict.fromkeys(cols, 0)
        for cls, c in self.counts.items():
            rows.append([cls, str(sum(c.values()))] + [str(c[k]) for k in cols])
            for k in cols:
                total[k] += c[k]
        rows.append(["all", str(sum(total.values()))] + [str(total[k]) for k in cols])
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths)))
                 for r in rows]
        return "\n".join(lines)

    def report(self) -> str:
        n = sum(sum(c.values()) for c in self.counts.values())
        lines = [f"fuzz campaign: seed {self.seed}, {n} cases in {self.seconds:.0f} s "
                 f"({n / max(self.seconds, 1e-9):.1f}/s, {self.jobs} jobs; {self.subprocess_runs} through "
                 f"render.py, the rest in-process), hang bound {self.timeout:g} s, memory bound "
                 f"{MEMORY >> 30} GiB; slowest case {self.slowest[1]} ({self.slowest[0]:.1f} s)",
                 self.table(), ""]
        if self.signatures:
            lines.append(f"{self.failures()} failures, {len(self.signatures)} distinct:")
            for (kind, sig), ids in sorted(self.signatures.items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
                lines.append(f"  {kind:<11} {len(ids):>5}  {sig}   (e.g. {', '.join(ids[:3])})")
            if self.save:
                shown = self.save.relative_to(REPO) if self.save.is_relative_to(REPO) else self.save
                lines.append(f"the first {self.per_signature} cases of each are saved under {shown}/ "
                             f"(a folder and a .txt with the command each)")
        else:
            lines.append("0 failures")
        if self.detail:
            lines.append("expected outcomes, the commonest messages per class:")
            for cls in gen.CLASSES:
                top = sorted(((n, k) for k, n in self.reasons.items() if k[0] == cls), reverse=True)[:8]
                lines += [f"  {cls:<6} {k[1]:<11} {n:>5}  {k[2]}" for n, k in top]
        lines.append(f"replay one case: .venv/bin/python -m tests.fuzz --seed {self.seed} --replay CLASS:INDEX")
        return "\n".join(lines)


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def cases_for(count: int, classes: tuple[str, ...] = gen.CLASSES) -> list[tuple[str, int]]:
    """The first `count` cases of a campaign: case i is of class CYCLE[i % len(CYCLE)]."""
    out = []
    i = 0
    while len(out) < count:
        cls = gen.CYCLE[i % len(gen.CYCLE)]
        if cls in classes:
            out.append((cls, i))
        i += 1
    return out


def replay(seed: int, case_id: str, timeout: float) -> int:
    """One case again (CLASS:INDEX, or CLASS:INDEX/K for a model case's Kth change alone),
    with its messages."""
    cls, _, rest = case_id.partition(":")
    index, _, only = rest.partition("/")
    only = int(only) if only else None
    campaign = Campaign(seed, 1, timeout, 0, None)
    case = gen.make(cls, int(index), seed, only)
    print(f"case {case_id} (seed {seed}): {case.note[:400]}")
    print(f"argv: {case.argv}")
    prepare(campaign.root)
    try:
        kind, detail, err, out = campaign._once(cls, int(index), only, False)
    finally:
        shutil.rmtree(campaign.root, ignore_errors=True)
    print(f"stderr:\n{err[-4000:]}\nstdout:\n{out[:4000]}")
    print(f"outcome: {kind}{': ' + detail if detail else ''}")
    return 1 if kind in FAILURES else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("FUZZ_CASES", "10000")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "1")))
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("FUZZ_JOBS", os.cpu_count() or 2)))
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("FUZZ_TIMEOUT", "20")),
                        help="seconds a case may take before it counts as a hang (default 20)")
    parser.add_argument("--real-every", type=int, default=40,
                        help="every Nth case runs through a real render.py subprocess (0: none)")
    parser.add_argument("--classes", default=",".join(gen.CLASSES))
    parser.add_argument("--save", default=str(REPO / "out" / "fuzz"))
    parser.add_argument("--replay", metavar="CLASS:INDEX")
    parser.add_argument("--detail", action="store_true", help="also the commonest input errors per class")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args.seed, args.replay, args.timeout)
    classes = tuple(c for c in args.classes.split(",") if c)
    save = Path(args.save)
    shutil.rmtree(save, ignore_errors=True)
    campaign = Campaign(args.seed, args.jobs, args.timeout, args.real_every, save)
    campaign.detail = args.detail
    print(f"fuzz campaign: {args.cases} cases of {', '.join(classes)}, seed {args.seed}, {args.jobs} jobs",
          flush=True)
    campaign.run(cases_for(args.cases, classes))
    print(campaign.report())
    fields = gen.model_fields()
    print(f"model keys: {len(campaign.keys)} of the {len(fields)} (type, key) pairs of the "
          f"{len({c for c, _ in fields})} model types were given hostile values")
    return 1 if campaign.failures() else 0
