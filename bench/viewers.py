"""Many viewers at once, in Chromium: N new sessions open the Overview, then Responses, together.

One simulator (its own process, 50 ms latency) and one `streamlit run app.py` of each checkout
given; the data is loaded once by a first viewer (so every round measures a warm server, as a
shared link opened after a release would), then for each N in `counts` N browser contexts open
the Overview at the same moment and, once each has settled, click Responses in the sidebar.
Per round: the median and worst seconds to settled per page, the errors shown (an exception on
the page, or a viewer not settled within the round's bound), and the server's RSS and CPU
seconds per page view, read from /proc. Every round is bounded in time; a round past its bound
counts its unsettled viewers as errors and the bench goes on.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COUNTS = (1, 10, 20, 50)
ROUND_BOUND_S = 300.0  # no round waits longer than this for its slowest viewer
CLICK_PX = 1440
SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-stale="true"]')
        && document.querySelectorAll('.js-plotly-plot .main-svg').length >= %d;
}"""
OVERVIEW_CHARTS = 2
SINGLE_REPEATS = 5  # one viewer alone, five times in a row: the ratios' denominator
RESPONSES_READY = "responses ·"


@dataclass
class Round:
    """One round of N viewers: seconds per page, errors, and the server's cost."""

    viewers: int
    client: str = "Chromium"  # or "websocket": the server's side alone, no browser
    overview: list[float] = field(default_factory=list)
    responses: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss_mb_after: float = 0.0
    rss_mb_peak: float = 0.0
    cpu_s: float = 0.0
    browser_cpu_s: float = 0.0
    bytes_sent: int = 0
    wall_s: float = 0.0

    def line(self) -> str:
        """The round as one printed line."""

        def med_worst(values: list[float]) -> str:
            if not values:
                return "—"
            return f"median {statistics.median(values):.2f} s, worst {max(values):.2f} s"

        views = len(self.overview) + len(self.responses)
        per_view = f"{self.cpu_s / views:.2f}" if views else "—"
        browser = f"{self.browser_cpu_s / views:.2f}" if views else "—"
        return (
            f"{self.viewers:>3} viewers ({self.client}): Overview {med_worst(self.overview)}; "
            f"Responses {med_worst(self.responses)}; errors {len(self.errors)}; server RSS "
            f"{self.rss_mb_after:,.0f} MB (peak {self.rss_mb_peak:,.0f} MB); CPU {per_view} s "
            f"per page view (Chromium {browser} s); {self.bytes_sent / max(views, 1) / 1e6:.2f} MB "
            f"sent per view; round {self.wall_s:.0f} s"
        )


def browser_cpu() -> float:
    """CPU seconds of Chromium's processes so far, exited renderers included (the viewers' side).

    A renderer that exited and whose parent is itself a Chromium process is counted in that
    parent's children's time and not on its own, so nothing is counted twice.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split(")", 1)
            if "chrom" not in name:
                continue
            fields = rest.split()
            # Its own time and its reaped children's: a closed tab's renderer has exited.
            total += sum(int(f) for f in fields[11:15]) / ticks
        except (OSError, ValueError, IndexError):
            continue  # a process that ended while being read
    return total


def process_figures(pid: int) -> tuple[float, float, float]:
    """(RSS MB, peak RSS MB, CPU seconds) of a process and its children, from /proc."""
    rss = peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return rss, peak, cpu


async def _viewer(browser: Any, url: str, bound_s: float, result: Round) -> None:
    """One new session: the Overview by its link, then Responses from the sidebar."""
    from playwright.async_api import Error as PlaywrightError

    context = await browser.new_context(viewport={"width": CLICK_PX, "height": 1000})
    page = await context.new_page()
    timeout_ms = bound_s * 1000
    try:
        started = time.perf_counter()
        await page.goto(url)
        await page.wait_for_function(SETTLED % OVERVIEW_CHARTS, timeout=timeout_ms)
        result.overview.append(time.perf_counter() - started)
        if await page.locator('[data-testid="stException"]').count():
            result.errors.append("the Overview showed an exception")
        started = time.perf_counter()
        nav = page.locator('[data-testid="stSidebarNav"]')
        await nav.get_by_role("link", name="Responses", exact=True).click()
        await page.get_by_text(RESPONSES_READY).first.wait_for(timeout=timeout_ms)
        await page.wait_for_function(SETTLED % 0, timeout=timeout_ms)
        result.responses.append(time.perf_counter() - started)
        if await page.locator('[data-testid="stException"]').count():
            result.errors.append("Responses showed an exception")
    except PlaywrightError as exc:  # a viewer not settled in time is an error, not a crash
        result.errors.append(type(exc).__name__)
    finally:
        await context.close()


async def browser_round(browser: Any, url: str, n: int, pid: int) -> Round:
    """N new Chromium sessions at one moment, each opening the Overview then Responses."""
    result = Round(n)
    _, _, cpu_before = process_figures(pid)
    browser_before = browser_cpu()
    started = time.perf_counter()
    bound = ROUND_BOUND_S
    tasks = [_viewer(browser, url, bound, result) for _ in range(n)]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=bound * 2 + 30)
    except TimeoutError:
        result.errors.append("the round ran past its bound")
    result.wall_s = time.perf_counter() - started
    result.rss_mb_after, result.rss_mb_peak, cpu_after = process_figures(pid)
    result.cpu_s = cpu_after - cpu_before
    result.browser_cpu_s = browser_cpu() - browser_before
    return result


async def _protocol_view(
    url: str, xsrf: str, pages: tuple[str, ...], bound_s: float, result: Round
) -> None:
    """One new session over Streamlit's own websocket: each page run, timed to its end.

    No browser: this is the server's side alone (the script runs and the bytes it sends), so
    many viewers can be simulated without Chromium's rendering competing for the same cores.
    """
    import websockets

    from tests.stsession import connect, page_run, run_page

    try:
        async with connect(url, xsrf, open_timeout=bound_s) as ws:
            for page, times in zip(pages, (result.overview, result.responses), strict=False):
                started = time.perf_counter()
                async with asyncio.timeout(bound_s):
                    seen = await run_page(ws, page_run(page))
                times.append(time.perf_counter() - started)
                result.bytes_sent += sum(size for _, size in seen)
                if any(e is not None and e.WhichOneof("type") == "exception" for e, _ in seen):
                    result.errors.append(f"{page or 'overview'}: an exception")
    except (TimeoutError, OSError, websockets.WebSocketException) as exc:
        result.errors.append(type(exc).__name__)


async def _protocol_round(urls: list[str], n: int, pids: list[int], repeat: int = 1) -> Round:
    """N new websocket sessions at one moment, dealt round-robin over the app processes.

    One process per core behind a sticky proxy is how a host uses its cores: each Streamlit
    process runs every session's script under one GIL. With `repeat`, the round runs that
    many times one after the other, its times pooled (one viewer's time is a small number).
    """
    import httpx

    xsrf = {url: httpx.get(f"{url}/_stcore/health", timeout=30).cookies["_streamlit_xsrf"]
            for url in urls}  # fmt: skip
    client = "websocket" if len(urls) == 1 else f"websocket, {len(urls)} processes"
    result = Round(n, client)
    cpu_before = sum(process_figures(pid)[2] for pid in pids)
    started = time.perf_counter()
    for _ in range(repeat):
        views = [
            _protocol_view(urls[i % len(urls)], xsrf[urls[i % len(urls)]], ("", "responses"),
                           ROUND_BOUND_S, result)
            for i in range(n)
        ]  # fmt: skip
        await asyncio.gather(*views)
    result.wall_s = time.perf_counter() - started
    figures = [process_figures(pid) for pid in pids]
    result.rss_mb_after = sum(f[0] for f in figures)
    result.rss_mb_peak = sum(f[1] for f in figures)
    result.cpu_s = sum(f[2] for f in figures) - cpu_before
    return result


async def _protocol_rounds(
    urls: list[str], counts: tuple[int, ...], pids: list[int], say: Callable
) -> list[Round]:
    rounds = []
    for n in counts:
        rounds.append(await _protocol_round(urls, n, pids, SINGLE_REPEATS if n == 1 else 1))
        say(f"  {rounds[-1].line()}")
    return rounds


async def _all_rounds(url: str, counts: tuple[int, ...], pid: int, say: Callable) -> list[Round]:
    async with chromium() as browser:
        warm = await browser_round(browser, url, 1, pid)  # loads the data; not reported
        say(f"  warm-up: {warm.line()}")
        rounds = []
        for n in counts:
            rounds.append(await browser_round(browser, url, n, pid))
            say(f"  {rounds[-1].line()}")
        return rounds


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """Debian's headless Chromium under Playwright, closed after."""
    from playwright.async_api import async_playwright

    from tests.appserver import CHROMIUM

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


# label -> the Refresh round's line, filled by run() (printed after the viewers' rounds)
refreshes: dict[str, str] = {}


def refresh_round(url: str, pid: int, sim_url: str, key: str, sessions: int) -> str:
    """N sessions press Refresh at one moment: how many reloads, how long, memory after."""
    import httpx

    from tests.stsession import press_together

    def stats(method: str, path: str) -> Any:
        answer = httpx.request(method, f"{sim_url}{path}", headers={"x-api-key": key}, timeout=30)
        return answer.json() if answer.content else {}

    rss_before, _, cpu_before = process_figures(pid)
    stats("POST", "/_sim/reset-stats")
    took = press_together(url, "Refresh", sessions)
    listings = stats("GET", "/_sim/stats").get("by_route", {}).get("GET /v2/evals", 0)
    rss_after, _, cpu_after = process_figures(pid)
    # Memory once the sessions are idle again: does it return to its level? (a measurement's
    # wait, not synchronisation: nothing is waited for)
    time.sleep(12)
    rss_settled, _, _ = process_figures(pid)
    return (
        f"Refresh pressed by {sessions} sessions at once: {listings} evals-listing request(s) "
        f"(one reload lists once per page), median {statistics.median(took):.2f} s, worst "
        f"{max(took):.2f} s to settled; server RSS {rss_before:,.0f} → {rss_after:,.0f} MB, "
        f"{rss_settled:,.0f} MB 12 s later; CPU {cpu_after - cpu_before:.1f} s"
    )


@contextmanager
def simulator(scale: float) -> Iterator[tuple[Any, str]]:
    """One simulator in its own process (100 prompts per eval, 50 ms latency) and its key."""
    from bench.load import bench_key, start_simulator

    key = bench_key()
    sim = start_simulator(key, scale, 100, 50.0)
    try:
        yield sim, key
    finally:
        sim.stop()


@contextmanager
def app_on(
    label: str, root: Path, sim_url: str, key: str, extra: dict[str, str] | None = None
) -> Iterator[Any]:
    """`streamlit run app.py` of a checkout on the simulator, with a cache folder of its own."""
    from tests.appserver import start_app

    folder = Path(tempfile.mkdtemp(prefix="bench-viewers-store-"))
    env = {
        "AYMARA_AI_API_KEY": key,
        "AYMARA_AI_BASE_URL": sim_url,
        "EVAL_DASHBOARD_CACHE_DIR": str(folder),
        **(extra or {}),
    }
    name = "bench-viewers-" + "".join(c if c.isalnum() else "-" for c in label)
    app = start_app(env, name=name, root=root)
    try:
        yield app
    finally:
        app.stop()
        shutil.rmtree(folder, ignore_errors=True)


def run(
    roots: dict[str, Path],
    counts: tuple[int, ...],
    scale: float,
    say: Callable[[str], None],
    browser_counts: tuple[int, ...] = (1, 5),
    processes: int = 1,
) -> dict[str, list[Round]]:
    """Rounds per checkout: each its own app on one shared simulator.

    With `processes` > 1 the websocket rounds run again over that many app processes of the
    checkout (each loads the data once first), viewers dealt round-robin.
    """
    results: dict[str, list[Round]] = {}
    refreshes.clear()
    with simulator(scale) as (sim, key):
        for label, root in roots.items():
            with app_on(label, root, sim.base_url, key) as app:
                say(f"{label}: {app.url}")
                pid = app.process.pid
                rounds = asyncio.run(_all_rounds(app.url, browser_counts, pid, say))
                rounds += asyncio.run(_protocol_rounds([app.url], counts, [pid], say))
                results[label] = rounds
                refreshes[label] = refresh_round(app.url, pid, sim.base_url, key, 10)
                say(f"  {refreshes[label]}")
            if processes > 1:
                with ExitStack() as stack:
                    apps = [stack.enter_context(app_on(f"{label}-{i}", root, sim.base_url, key))
                            for i in range(processes)]  # fmt: skip
                    urls, pids = [a.url for a in apps], [a.process.pid for a in apps]
                    # Each process loads the data once (a warm server), then the rounds.
                    asyncio.run(_protocol_rounds(urls, (processes,), pids, lambda _: None))
                    say(f"{label}, {processes} processes: {', '.join(urls)}")
                    results[label] += asyncio.run(_protocol_rounds(urls, counts, pids, say))
    return results
