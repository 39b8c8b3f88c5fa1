"""`make bench`: performance figures, printed as a table and written to out/bench.json.

A benchmark, not a test: it never fails the build. Times are medians of 5 runs after a
warm-up, with min and max; whole renders run in a fresh process each time, as a user
starts them, with the peak RSS of that process.
"""
from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))

RUNS = 5


def fresh_process(args: list[str]) -> dict:
    """Median wall time and peak RSS of a command run RUNS times after a warm-up."""
    times, rss = [], []
    subprocess.run(args, check=True, capture_output=True, cwd=REPO)
    for _ in range(RUNS):
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os_wait4(proc.pid)
        times.append(time.perf_counter() - start)
        rss.append(usage.ru_maxrss / 1024)
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "peak_rss_mb": max(rss)}


def os_wait4(pid: int):
    import os

    return os.wait4(pid, 0)


def corpus_paragraphs(path: Path) -> list[str]:
    return [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("# ")]


def composition_throughput() -> dict:
    """Characters per second through prepare + break + justify, Chinese and Tibetan."""
    from layout.fonts import load_fontset
    from layout.linebreak import Widths
    from layout.lines import set_lines
    from layout.prepare import prepare
    from layout.shape import Shaper

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


def main() -> int:
    results = {"runs": RUNS}
    py = str(REPO / ".venv" / "bin" / "python")
    sample = ["editions/sample/edition.yaml"]
    results["sample_full"] = fresh_process([py, "render.py", *sample, "-o", "out/bench-sample.pdf"])
    results["sample_page1"] = fresh_process([py, "render.py", *sample, "--page", "1", "-o", "out/bench-p1.pdf"])
    results["composition"] = composition_throughput()
    (REPO / "out").mkdir(exist_ok=True)
    (REPO / "out" / "bench.json").write_text(json.dumps(results, indent=2, sort_keys=True))
    print(f"{'what':<34}{'median':>10}{'min':>10}{'max':>10}{'peak RSS':>12}")
    for key, label in (("sample_full", "sample edition, whole"), ("sample_page1", "sample edition, page 1")):
        r = results[key]
        print(f"{label:<34}{r['median_s']:>9.2f}s{r['min_s']:>9.2f}s{r['max_s']:>9.2f}s"
              f"{r['peak_rss_mb']:>9.0f} MB")
    for name, r in results["composition"].items():
        print(f"{'composition, ' + name:<34}{r['chars_per_s_median']:>8.0f}/s"
              f"{r['chars_per_s_min']:>8.0f}/s{r['chars_per_s_max']:>8.0f}/s"
              f"   shaping cache hits {r['shaping_cache_hit_rate']:.0%}")
    print("written: out/bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
