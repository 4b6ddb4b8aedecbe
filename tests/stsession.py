"""Talk to a running Streamlit app as a script would, not a browser: a session, an upload.

The probe that found the browser-only upload limit did exactly this; a limit the server does
not enforce fails these tests.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

XSRF_COOKIE = "_streamlit_xsrf"
_UPLOAD_BYTES = re.compile(
    r'^cache_memory_bytes\{cache_type="UploadedFileManager".*?\}\s+(\d+)', re.M
)


@dataclass
class Session:
    """A live script session of the app (its websocket held open), and its XSRF token."""

    url: str
    session_id: str
    xsrf: str
    _stop: Callable[[], None]

    def upload(self, file_id: str, name: str, data: bytes) -> httpx.Response:
        """PUT a file to Streamlit's upload endpoint, as its frontend does."""
        return httpx.put(
            f"{self.url}/_stcore/upload_file/{self.session_id}/{file_id}",
            files={"file": (name, data, "text/csv")},
            headers={"X-Xsrftoken": self.xsrf},
            cookies={XSRF_COOKIE: self.xsrf},
            timeout=60,
        )

    def close(self) -> None:
        """Close the websocket (the session then ends after Streamlit's TTL)."""
        self._stop()


def _in_own_loop(make: Callable[[], Any], timeout_s: float) -> Any:
    """Run a coroutine to its end on a fresh event loop in a thread of its own.

    Not asyncio.run here: after a Playwright test the main thread has a running loop.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(asyncio.wait_for(make(), timeout_s))).result()


def connect(url: str, xsrf: str | None = None, open_timeout: float = 60) -> Any:
    """A websocket to the app's script session, as its frontend opens one (XSRF included)."""
    xsrf = xsrf or httpx.get(f"{url}/_stcore/health", timeout=10).cookies[XSRF_COOKIE]
    return websockets.connect(
        url.replace("http://", "ws://") + "/_stcore/stream",
        subprotocols=["streamlit", xsrf],  # type: ignore[list-item]
        origin=url,  # type: ignore[arg-type]
        additional_headers={"Cookie": f"{XSRF_COOKIE}={xsrf}"},
        max_size=None,
        open_timeout=open_timeout,
    )


def open_session(url: str, page: str = "", timeout_s: float = 60) -> Session:
    """Connect a websocket, run a page, and return once it ran (its data loaded) once.

    The websocket stays open (read in a thread of its own) until `close()`: Streamlit accepts
    uploads only for a connected session.
    """
    xsrf = httpx.get(f"{url}/_stcore/health", timeout=10).cookies[XSRF_COOKIE]
    loop = asyncio.new_event_loop()
    found: concurrent.futures.Future[str] = concurrent.futures.Future()
    done = asyncio.Event()
    finished = threading.Event()

    async def hold() -> None:
        async with connect(url, xsrf) as ws:
            ask = BackMsg()
            ask.rerun_script.query_string = ""
            ask.rerun_script.page_name = page
            await ws.send(ask.SerializeToString())
            reading = asyncio.ensure_future(_read(ws, found, finished))
            await done.wait()
            reading.cancel()

    def run() -> None:
        try:
            loop.run_until_complete(hold())
        except Exception as exc:  # noqa: BLE001 - handed to the waiting test
            if not found.done():
                found.set_exception(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop() -> None:
        loop.call_soon_threadsafe(done.set)
        thread.join(timeout=10)

    try:
        session_id = found.result(timeout=timeout_s)
        if not finished.wait(timeout_s):
            raise TimeoutError(f"the page {page!r} did not finish its first run")
    except BaseException:
        stop()
        raise
    return Session(url, session_id, xsrf, stop)


async def _read(ws: Any, found: concurrent.futures.Future[str], finished: threading.Event) -> None:
    """Read the app's messages (keeping the socket drained): the session id, the run's end."""
    async for raw in ws:
        message = ForwardMsg()
        message.ParseFromString(raw)
        kind = message.WhichOneof("type")
        if kind == "new_session" and not found.done():
            found.set_result(message.new_session.initialize.session_id)
        elif kind == "script_finished":
            finished.set()


def uploaded_bytes_held(url: str) -> int:
    """Bytes of uploads Streamlit holds in memory, from its own /_stcore/metrics."""
    text = httpx.get(f"{url}/_stcore/metrics", timeout=10).text
    return sum(int(n) for n in _UPLOAD_BYTES.findall(text))


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (Linux /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    kb = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))  # type: ignore[union-attr]
    return kb / 1024


async def run_page(ws: Any, ask: BackMsg) -> list[tuple[Any, int]]:
    """Send one script run and read it to its end: each new element, with the message's bytes.

    The end is FINISHED_SUCCESSFULLY, the page's own run: not the end of a run cut short for
    a rerun, nor a fragment's.
    """
    await ws.send(ask.SerializeToString())
    seen: list[tuple[Any, int]] = []
    async for raw in ws:
        message = ForwardMsg()
        message.ParseFromString(raw)
        kind = message.WhichOneof("type")
        if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            seen.append((message.delta.new_element, len(raw)))
        else:
            seen.append((None, len(raw)))
            if kind == "script_finished" and message.script_finished == 0:
                break
    return seen


def page_run(page: str = "", widgets: Sequence[Any] = ()) -> BackMsg:
    """A request to run a page, with these widget states (a button's trigger, say)."""
    ask = BackMsg()
    ask.rerun_script.query_string = ""
    ask.rerun_script.page_name = page
    ask.rerun_script.widget_states.widgets.extend(widgets)
    return ask


def page_tiles(url: str, page: str = "", timeout_s: float = 90) -> dict[str, str]:
    """The KPI tiles (label -> value) a new session's run of a page shows, read off the wire."""

    async def run() -> dict[str, str]:
        async with connect(url) as ws:
            seen = await run_page(ws, page_run(page))
        return {
            e.metric.label: e.metric.body
            for e, _ in seen
            if e is not None and e.WhichOneof("type") == "metric"
        }

    return _in_own_loop(run, timeout_s)


def press_together(url: str, label: str, sessions: int, timeout_s: float = 120) -> list[float]:
    """N new sessions open the app, then press the button labelled `label` at one moment.

    Returns the seconds each took from its press until its page had run again to the end.
    """
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    async def one(opened: asyncio.Queue[None], go: asyncio.Event) -> float:
        async with connect(url) as ws:
            seen = await run_page(ws, page_run())
            buttons = [e.button.id for e, _ in seen
                       if e is not None and e.WhichOneof("type") == "button"
                       and e.button.label == label]  # fmt: skip
            assert buttons, f"no button labelled {label!r}"
            await opened.put(None)
            await go.wait()
            press = page_run(widgets=[WidgetState(id=buttons[0], trigger_value=True)])
            started = asyncio.get_running_loop().time()
            await run_page(ws, press)
            return asyncio.get_running_loop().time() - started

    async def run() -> list[float]:
        opened: asyncio.Queue[None] = asyncio.Queue()
        go = asyncio.Event()
        tasks = [asyncio.create_task(one(opened, go)) for _ in range(sessions)]
        for _ in range(sessions):
            await opened.get()  # every session has its page open
        go.set()
        return list(await asyncio.gather(*tasks))

    return _in_own_loop(run, timeout_s)
