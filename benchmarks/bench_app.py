"""The policy explorer's speed in a real browser: from a lever move to the first year drawn and to the
complete redraw of the 10-year `pakistan-2025` view (issue 10 targets: first year ≤ 0.3 s, complete
≤ 1.0 s, median of 5), with the policy run in the server's own threads and in worker processes, side by
side in one run (`ui/runner.py`), for a money lever (whose months' clearing the policy takes from the
baseline's: `grid.clearing_memo`) and for a lever that changes every month's clearing. Also the first load
of the page. Debian's Chromium, headless, against
`solara run` on localhost. Run: `python benchmarks/bench_app.py [--repeat 5]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from ui.server import CHROMIUM_ARGS, chromium, serve

# textContent, not innerText: innerText lays the whole page out on every poll (every 10 ms), which slows the
# very redraw being timed
RUNNING = ("document.body.textContent.includes('running: month') || "
           "document.body.textContent.includes('starting the policy run')")


# (sidebar group, lever label, what it moves): a money lever leaves every month's clearing as in the baseline,
# whose solves the policy then takes from the clearing memo (grid.clearing_memo); demand growth changes every
# month's clearing from the first, so nothing is taken
LEVERS = (("Retail tariff design", "Bill collection", "money only"),
          ("The uncertain world", "Demand growth per customer", "every month's clearing"))
CHANGES = "Array.from(document.querySelectorAll('.kpi-change')).map(e => e.textContent).join('|')"


def measure(repeat: int, workers: int) -> dict[str, dict[str, float]]:
    """Per lever, medians over `repeat` moves (each to a value not run before) against a server whose
    policy runs use `workers` worker processes (0: the server's own threads)."""
    os.environ["SURPLUS_APP_WORKERS"] = str(workers)  # the server reads it (ui.runner.WORKERS)
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp) / "server.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        t0 = time.perf_counter()
        page.goto(url)
        page.get_by_text("Average tariff, FY2034").wait_for(timeout=120_000)
        page.locator(".solara-echarts canvas").first.wait_for(timeout=60_000)
        load_s = time.perf_counter() - t0
        # a reader looks at the page before moving a lever: meanwhile the workers come up (about 2 s) and
        # run the baseline once each (about 1 s; ui.runner.Runner.warm)
        time.sleep(6.0 if workers else 0.5)
        for group, label, moves in LEVERS:
            page.get_by_text(group, exact=True).click()
            slider = page.locator(".v-input", has_text=label).locator("[role=slider]")
            first, full = [], []
            for k in range(repeat):
                before = page.evaluate(CHANGES)
                slider.focus()
                t0 = time.perf_counter()
                slider.press("ArrowLeft")  # a keyboard move is a release; always a new value
                # the cards that show the result are re-created on every redraw: compare by selector
                changed = f"{CHANGES} !== {before!r}"
                # first year: the stream has passed month 12 (or the whole run is already drawn)
                page.wait_for_function(f"document.body.textContent.match(/month (1[2-9]|[2-9][0-9]|1[0-2][0-9]) of/) "
                                       f"|| (!({RUNNING}) && {changed})", timeout=60_000, polling=10)
                first.append(time.perf_counter() - t0)
                page.wait_for_function(f"!({RUNNING}) && {changed}", timeout=60_000, polling=10)
                full.append(time.perf_counter() - t0)
                print(f"  workers={workers} {label} move {k + 1}: first year {first[-1]:.3f} s, "
                      f"complete {full[-1]:.3f} s", flush=True)
                time.sleep(0.5)
            out[label] = {"load": load_s, "moves": moves, "first": statistics.median(first),
                          "full": statistics.median(full), "first_range": (min(first), max(first)),
                          "full_range": (min(full), max(full))}
        browser.close()
    return out


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", default="0,2",
                        help="worker-process counts to compare, side by side in this run (default 0,2)")
    args = parser.parse_args(argv)
    if chromium() is None:
        print("bench_app: no Chromium (apt-get install chromium); skipped")
        return {}
    counts = [int(x) for x in args.workers.split(",")]
    out = {f"workers={w}, {label} ({r['moves']})": r for w in counts for label, r in measure(args.repeat, w).items()}
    print(f"== policy explorer in Chromium: 10-year pakistan-2025, median of {args.repeat} lever moves ==")
    for name, r in out.items():
        print(f"{name}: first load {r['load']:.2f} s; lever move → first year {r['first']:.3f} s "
              f"(range {r['first_range'][0]:.3f}-{r['first_range'][1]:.3f}; target ≤ 0.3 s: "
              f"{'met' if r['first'] <= 0.3 else 'NOT met'}); complete redraw {r['full']:.3f} s "
              f"(range {r['full_range'][0]:.3f}-{r['full_range'][1]:.3f}; target ≤ 1.0 s: "
              f"{'met' if r['full'] <= 1.0 else 'NOT met'})")
    return out


if __name__ == "__main__":
    main()
