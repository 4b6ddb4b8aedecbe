"""The Feather page in Chromium, at demo scale: first open, sidebar navigation, filter changes.

Each checkout given (e.g. an older commit exported beside this one) runs as a fresh
`streamlit run app.py` in demo mode (its embedded simulator, demo scale), in turn, with the same
browser. Per repetition and checkout:

  first open   Overview shown, then the sidebar's "Conversation evals" clicked in a fresh app
               (nothing cached yet for the Feather page);
  sidebar      Evals -> "Conversation evals" again (warm: the same filters were seen before);
  filter       each of FILTER_STEPS chosen in turn (a new filter set: its runs are fetched);
  filter back  the same steps undone, back to Any (filter sets seen before).

An interaction counts as settled when Streamlit has run the script (its state went to running
and back to notRunning), no element is stale, and every chart is drawn.
"""

from __future__ import annotations

import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHARTS = 8  # every chart on the Feather page
# (filter label, option chosen): each a new filter set sent to the API
FILTER_STEPS: tuple[tuple[str, str], ...] = (
    ("Outcome", "failed"),
    ("Severity", "high"),
    ("Channel", "chat"),
)

WATCH = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__benchRan = false;
    if (window.__benchObserver) window.__benchObserver.disconnect();
    window.__benchObserver = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__benchRan = true;
    });
    window.__benchObserver.observe(app, {attributes: true,
        attributeFilter: ['data-test-script-state']});
}"""
SETTLED = """(charts) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!window.__benchRan || !app) return false;
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-stale="true"]')) return false;
    // Every chart on the page drawn (a filter that empties a chart swaps it for a sentence,
    // so the count can fall below `charts`; at least one chart is always there).
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    const drawn = plots.filter(p => p.querySelector('.main-svg')).length;
    return plots.length > 0 && drawn === plots.length && drawn >= Math.min(charts, 1);
}"""


@dataclass
class Timings:
    """Seconds per interaction kind, over every repetition."""

    first_open: list[float] = field(default_factory=list)
    sidebar: list[float] = field(default_factory=list)
    filter_new: list[float] = field(default_factory=list)
    filter_back: list[float] = field(default_factory=list)

    def medians(self) -> dict[str, float]:
        """The median of each kind (NaN when not measured)."""
        return {
            name: statistics.median(values) if values else float("nan")
            for name, values in vars(self).items()
        }


def _timed(page: Any, act: Callable[[], None], charts: int, timeout_ms: int) -> float:
    """Seconds from the action until the page has settled."""
    page.evaluate(WATCH)
    started = time.perf_counter()
    act()
    page.wait_for_function(SETTLED, arg=charts, timeout=timeout_ms, polling="raf")
    took = time.perf_counter() - started
    if page.locator('[data-testid="stException"]').count():
        raise RuntimeError("the page showed an exception")
    return took


def sidebar_link(page: Any, title: str) -> Callable[[], None]:
    """Clicking the sidebar's link to a page."""
    return lambda: (
        page.locator('[data-testid="stSidebarNav"]')
        .get_by_role("link", name=title, exact=True)
        .click()
    )


def _choose(page: Any, label: str, option: str) -> Callable[[], None]:
    def act() -> None:
        page.get_by_role("combobox", name=label).click()
        # Older checkouts list raw values ("failed"), newer ones words ("Failed").
        page.get_by_role("option", name=re.compile(f"^{re.escape(option)}$", re.I)).click()

    return act


def one_checkout(
    browser: Any,
    root: Path,
    repeat_warm: int,
    timeout_ms: int,
    times: Timings,
    name: str,
) -> None:
    """One fresh app of this checkout: first open, then the warm interactions."""
    from tests.appserver import start_app, wait_until_idle

    folder = Path(tempfile.mkdtemp(prefix="bench-feather-store-"))
    app = start_app({"EVAL_DASHBOARD_CACHE_DIR": str(folder)}, name=name, root=root)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(timeout_ms)  # a loaded machine is slow to click, not broken
        page.goto(app.url)
        page.get_by_role("heading", name="Overview").wait_for(timeout=timeout_ms)
        wait_until_idle(page, timeout_ms)
        times.first_open.append(
            _timed(page, sidebar_link(page, "Conversation evals"), CHARTS, timeout_ms)
        )
        for _ in range(max(1, repeat_warm)):
            page.evaluate(WATCH)
            sidebar_link(page, "Evals")()
            page.wait_for_function(
                "() => window.__benchRan && document.querySelector('[data-testid=\"stApp\"]')"
                ".getAttribute('data-test-script-state') === 'notRunning'",
                timeout=timeout_ms,
            )
            times.sidebar.append(
                _timed(page, sidebar_link(page, "Conversation evals"), CHARTS, timeout_ms)
            )
        for label, option in FILTER_STEPS:
            times.filter_new.append(_timed(page, _choose(page, label, option), CHARTS, timeout_ms))
        for label, _ in reversed(FILTER_STEPS):
            times.filter_back.append(_timed(page, _choose(page, label, "Any"), CHARTS, timeout_ms))
    finally:
        context.close()
        app.stop()
        shutil.rmtree(folder, ignore_errors=True)


def feather_times(
    roots: dict[str, Path],
    repeat: int,
    say: Callable[[str], None] = lambda _: None,
    repeat_warm: int = 3,
    timeout_ms: int = 120_000,
) -> dict[str, Timings]:
    """Timings per checkout name; the checkouts alternate within each repetition."""
    from tests.appserver import launch_browser

    manager, browser = launch_browser()
    results = {label: Timings() for label in roots}
    try:
        for rep in range(max(1, repeat)):
            for label, root in roots.items():
                name = "bench-feather-" + "".join(c if c.isalnum() else "-" for c in label)
                one_checkout(browser, root, repeat_warm, timeout_ms, results[label], name)
                m = results[label]
                say(
                    f"  feather {rep + 1}/{repeat} {label}: first open {m.first_open[-1]:.2f} s, "
                    f"sidebar {m.sidebar[-1]:.2f} s, filters "
                    + ", ".join(f"{t:.2f}" for t in m.filter_new[-len(FILTER_STEPS) :])
                    + " s"
                )
    finally:
        browser.close()
        manager.stop()
    return results


def checkouts(base: str | None, work: Path) -> dict[str, Path]:
    """The checkouts a side-by-side bench runs: a base (a folder, or a commit exported into
    `work`) as "before", then this one."""
    from tests.appserver import ROOT

    roots: dict[str, Path] = {}
    if base:
        found = Path(base) if Path(base).is_dir() else export_commit(base, work / "base")
        roots[f"before ({base})"] = found
    roots["this checkout"] = ROOT
    return roots


def export_commit(rev: str, into: Path) -> Path:
    """The tree of a commit, exported beside this checkout (no git worktree is registered)."""
    import subprocess

    from tests.appserver import ROOT

    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run(base: str | None, repeat: int, say: Callable[[str], None]) -> list[tuple[str, str]]:
    """(label, figures) lines: medians per interaction, per checkout, with the load average."""
    import os

    work = Path(tempfile.mkdtemp(prefix="bench-feather-"))
    try:
        roots = checkouts(base, work)
        load_before = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
        results = feather_times(roots, repeat, say)
        load_after = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = []
    for label, timings in results.items():
        m = timings.medians()
        lines.append(
            (
                label,
                f"first open {m['first_open']:.2f} s (N={len(timings.first_open)}), "
                f"sidebar warm {m['sidebar']:.2f} s (N={len(timings.sidebar)}), "
                f"new filter set {m['filter_new']:.2f} s (N={len(timings.filter_new)}), "
                f"filter set seen before {m['filter_back']:.2f} s (N={len(timings.filter_back)})",
            )
        )
    lines.append(("load average (1, 5, 15 min)", f"before {load_before}, after {load_after}"))
    return lines
