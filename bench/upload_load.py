"""Hostile uploads through the real server while N viewers open the Overview, then Responses.

One simulator and one `streamlit run app.py` (viewers.py's start-up), warmed by a first viewer
and one open of the Score page. Then two parts on that server: (a) N viewers open the Overview
then Responses, no uploads; (b) the same N viewers again while, at the same moment, one more
Chromium session per hostile case (uploads.py's builders; on the Score page, an eval chosen,
just before) uploads that case's file. A file over the uploader's own limit is also sent cut
under it, so that it reaches the parser. Per upload: seconds from setting the file to the page
showing its refusal, and what it says. Per part: the viewers' settle times and errors, and the
server's peak RSS (VmHWM reset when the part begins) and CPU seconds. Every wait is bounded: an
upload not refused within `REFUSAL_BOUND_S` is a failure, and the bench goes on. Run as
`python -m bench --viewers-uploads [--viewers-uploads-n 10]`.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import uploads, viewers
from reporting.uploads import validate

# Issue #17's files: ten million rows, 60 MB, UTF-16, a binary renamed .csv, JSONL 10,000 deep.
HOSTILE = ("csv-10m-rows", "size-60mb", "utf16-bom", "png", "jsonl-deep")
SIZE_CASE = "size-60mb"  # the case about the size limit itself: sent whole, never cut
# validate.MAX_MB as Streamlit's uploader counts it in a Linux or macOS browser: 1000-based MB
# (1024-based on Windows only), so 20,000,000 bytes, not the parser's 20 MiB.
WIDGET_LIMIT_BYTES = validate.MAX_MB * 1000 * 1000
REFUSAL_BOUND_S = 60.0  # an upload not refused by then counts as a failure
PROBLEM_TABLE_BOUND_S = 10.0
PART_BOUND_S = viewers.ROUND_BOUND_S * 2 + 60  # past the viewers' own bound, a safety net
SCORE_PATH = "/score"
# What Streamlit's uploader itself shows when it refuses a file before the app sees it.
UPLOADER_REFUSALS = ("or smaller", "are not allowed", "Upload failed", "Unexpected error")
OUTCOME = """([refusals, accepted]) => {
    const error = document.querySelector('[data-testid="stAlertContentError"]');
    const words = error && error.querySelector('[data-testid="stMarkdownContainer"]');
    if (error) return ['refused', (words || error).innerText];
    const crash = document.querySelector('[data-testid="stException"]');
    if (crash) return ['exception', crash.innerText];
    const uploader = document.querySelector('[data-testid="stFileUploader"]');
    const own = uploader && uploader.innerText.split('\\n')
        .find(line => refusals.some(phrase => line.includes(phrase)));
    if (own) return ['refused by Streamlit', own];
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = app && app.getAttribute('data-test-script-state') === 'notRunning';
    const heading = [...document.querySelectorAll('h3')].find(h => h.innerText.includes(accepted));
    if (idle && heading) return ['ACCEPTED', heading.innerText];
    return null;
}"""
ACCEPTED = "3. Check what will be sent"
REFUSED = ("refused", "refused by Streamlit")


@dataclass
class Upload:
    """One hostile file sent through the Score page: when, how long to its refusal, what it said."""

    what: str
    refused_s: float | None = None
    outcome: str = "not sent"
    message: str = ""
    first_problem: str = ""  # the problem table's first row: the error itself only says how many

    @property
    def refused(self) -> bool:
        """Whether the page refused the file clearly (an app error or Streamlit's own message)."""
        return self.outcome in REFUSED


@dataclass
class Part:
    """One part of the round: the viewers, the uploads beside them, the server's cost."""

    viewers: viewers.Round
    uploads: list[Upload] = field(default_factory=list)
    rss_mb_start: float = 0.0
    rss_mb_peak: float = 0.0
    rss_mb_end: float = 0.0  # the uploads' bytes are released once parsed: is their memory too?
    cpu_s: float = 0.0
    browser_cpu_s: float = 0.0  # every Chromium session's: they share the server's cores here
    wall_s: float = 0.0


def reset_peak(pid: int) -> None:
    """Reset a process's VmHWM to its current RSS (needs root or the same user)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def hostile_files(folder: Path, cases: tuple[str, ...] = HOSTILE) -> dict[str, Path]:
    """Each case's file, named after it; one over the widget's limit is also sent cut under it.

    Cut, a file the uploader would refuse by its size reaches the server's parser, which is
    what this round loads; the case about size itself is sent whole only.
    """
    files = {}
    for case in cases:
        file_name, build, what = uploads.CASES[case]
        data = build()
        suffix = Path(file_name).suffix
        files[what] = folder / f"{case}{suffix}"
        files[what].write_bytes(data)
        if case != SIZE_CASE and len(data) > WIDGET_LIMIT_BYTES:
            cut = data[: WIDGET_LIMIT_BYTES - 2]  # an even length: UTF-16 stays whole characters
            what_cut = f"{what}, cut to {len(cut):,} bytes"
            files[what_cut] = folder / f"{case}-cut{suffix}"
            files[what_cut].write_bytes(cut)
    return files


async def _open_score_page(browser: Any, url: str) -> tuple[Any, Any, Any]:
    """A new session on the Score page, its first eval chosen: (context, page, file input)."""
    bound_ms = viewers.ROUND_BOUND_S * 1000
    context = await browser.new_context(viewport={"width": viewers.CLICK_PX, "height": 1000})
    try:
        page = await context.new_page()
        await page.goto(url + SCORE_PATH)
        choose = page.locator('[data-testid="stSelectbox"]').filter(has_text="Eval").first
        await choose.click(timeout=bound_ms)
        await page.get_by_role("option").first.click(timeout=bound_ms)
        file_input = page.locator('[data-testid="stFileUploader"] input[type="file"]')
        await file_input.wait_for(state="attached", timeout=bound_ms)
        await page.wait_for_function(viewers.SETTLED % 0, timeout=bound_ms)
    except BaseException:
        await context.close()
        raise
    return context, page, file_input


async def _send(page: Any, file_input: Any, path: Path, result: Upload) -> None:
    """Set the file in the uploader, as the file picker would; the page's answer, timed."""
    from playwright.async_api import Error as PlaywrightError

    sent = time.perf_counter()
    try:
        await file_input.set_input_files(path)
        result.outcome = "not refused within the bound"
        answer = await page.wait_for_function(
            OUTCOME, arg=[list(UPLOADER_REFUSALS), ACCEPTED], timeout=REFUSAL_BOUND_S * 1000
        )
        result.refused_s = time.perf_counter() - sent
        result.outcome, text = await answer.json_value()
        result.message = " ".join(text.split())[:120]
    except PlaywrightError as exc:  # a page not answering in time is a finding, not a crash
        result.message = f"{type(exc).__name__}: {str(exc).splitlines()[0][:100]}"
        return
    if result.outcome == "refused":  # the table comes in the same run, just after the error
        row = page.locator('[data-testid="stTable"] tbody tr').first
        try:
            await row.wait_for(timeout=PROBLEM_TABLE_BOUND_S * 1000)
            result.first_problem = " ".join((await row.inner_text()).split())[:120]
        except PlaywrightError:
            result.first_problem = f"(no problem table within {PROBLEM_TABLE_BOUND_S:.0f} s)"


async def _part(browser: Any, url: str, pid: int, n: int, files: dict[str, Path]) -> Part:
    """N viewers, and at the same moment one upload per file given, each from its own session.

    The uploading sessions open the Score page before the part begins: what is timed beside
    the viewers is the uploads, not more page opens.
    """
    from playwright.async_api import Error as PlaywrightError

    sent = [Upload(what) for what in files]
    ready: dict[str, tuple[Any, Any, Any]] = {}
    for u in sent:
        try:
            ready[u.what] = await _open_score_page(browser, url)
        except PlaywrightError as exc:
            u.outcome = f"Score page not ready: {type(exc).__name__}"
    try:
        reset_peak(pid)
        rss_start, _, cpu_before = viewers.process_figures(pid)
        browser_before = viewers.browser_cpu()
        started = time.perf_counter()
        viewing = asyncio.ensure_future(viewers.browser_round(browser, url, n, pid))
        sending = []
        for u in (u for u in sent if u.what in ready):
            _, page, file_input = ready[u.what]
            job = _send(page, file_input, files[u.what], u)
            sending.append(asyncio.ensure_future(job))
        _, late = await asyncio.wait([viewing, *sending], timeout=PART_BOUND_S)
        for job in late:
            job.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        wall = time.perf_counter() - started
        rss_end, peak, cpu_after = viewers.process_figures(pid)
        browser_cpu = viewers.browser_cpu() - browser_before
    finally:
        for context, _, _ in ready.values():
            await context.close()
    if viewing in late:
        seen = viewers.Round(n, errors=["the part ran past its bound"])
    else:
        seen = viewing.result()
    return Part(seen, sent, rss_start, peak, rss_end, cpu_after - cpu_before, browser_cpu, wall)


async def _warm_score_page(browser: Any, url: str) -> None:
    """The Score page opened once, an eval chosen, no file: its modules are loaded before timing."""
    context, _, _ = await _open_score_page(browser, url)
    await context.close()


async def _round(url: str, pid: int, n: int, files: dict[str, Path], say: Callable) -> list[Part]:
    async with viewers.chromium() as browser:
        warm = await viewers.browser_round(browser, url, 1, pid)  # loads the data; not reported
        say(f"  warm-up: {warm.line()}")
        await _warm_score_page(browser, url)
        quiet = await _part(browser, url, pid, n, {})
        say(f"  without uploads: {quiet.viewers.line()}")
        loaded = await _part(browser, url, pid, n, files)
        say(f"  with uploads: {loaded.viewers.line()}")
        for u in loaded.uploads:
            say(f"    {u.what}: {u.outcome} after {u.refused_s} s: {u.message} / {u.first_problem}")
        return [quiet, loaded]


def run(n: int, scale: float, say: Callable[[str], None]) -> tuple[Part, Part]:
    """The round on one warm server of this checkout: (without uploads, with uploads)."""
    from tests.appserver import ROOT

    folder = Path(tempfile.mkdtemp(prefix="bench-upload-load-"))
    try:
        files = hostile_files(folder)
        with (
            viewers.simulator(scale) as (sim, key),
            viewers.app_on("uploads", ROOT, sim.base_url, key) as app,
        ):
            say(f"this checkout: {app.url}")
            quiet, loaded = asyncio.run(_round(app.url, app.process.pid, n, files, say))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return quiet, loaded


def viewers_named(n: int) -> str:
    """ "1 viewer", "10 viewers"."""
    return f"{n} viewer{'' if n == 1 else 's'}"


def _med_worst(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{statistics.median(values):.2f} s / {max(values):.2f} s"


def table(quiet: Part, loaded: Part) -> str:
    """The uploads, then the viewers and the server without and with them, in Markdown."""
    lines = [
        "| Case | Refused in | Outcome | Message (first 120 chars) | First problem listed |",
        "|---|---|---|---|---|",
    ]
    for u in loaded.uploads:
        took = f"{u.refused_s:.2f} s" if u.refused_s is not None else "—"
        outcome = u.outcome if u.refused else f"**{u.outcome}**"
        cells = [u.what, took, outcome, u.message, u.first_problem or "—"]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    n = viewers_named(quiet.viewers.viewers)
    lines += ["", "| | Without uploads | With uploads |", "|---|---|---|"]
    lines.append(
        f"| Overview, {n}: median / worst | {_med_worst(quiet.viewers.overview)} "
        f"| {_med_worst(loaded.viewers.overview)} |"
    )
    lines.append(
        f"| Responses, {n}: median / worst | {_med_worst(quiet.viewers.responses)} "
        f"| {_med_worst(loaded.viewers.responses)} |"
    )

    def errors(p: Part) -> str:
        listed = "; ".join(sorted(set(p.viewers.errors)))
        return f"{len(p.viewers.errors)}" + (f" ({listed})" if listed else "")

    figures = [
        ("Viewers' errors", errors),
        ("Server peak RSS (VmHWM, reset when the part began)",
         lambda p: f"{p.rss_mb_peak:,.0f} MB (from {p.rss_mb_start:,.0f} MB)"),
        ("Server RSS when the part ended", lambda p: f"{p.rss_mb_end:,.0f} MB"),
        ("Server CPU", lambda p: f"{p.cpu_s:.1f} s"),
        ("Chromium CPU, every session (on the same cores)", lambda p: f"{p.browser_cpu_s:.1f} s"),
        ("Part's wall time", lambda p: f"{p.wall_s:.0f} s"),
    ]  # fmt: skip
    for label, shown_part in figures:
        lines.append(f"| {label} | {shown_part(quiet)} | {shown_part(loaded)} |")
    return "\n".join(lines)
