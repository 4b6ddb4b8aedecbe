"""The API key goes only in its header: never to the browser, a log, a disk file or a cache key.

The browser tests run the real app on a distinctive key against a simulator that records every
request it gets, open every page in Chromium, and search everything the browser saw (page HTML,
every HTTP request and response, every WebSocket frame, cookies and storage), the app's log and
its local store for the key. The cache tests load two accounts through `components.aymara_loaders`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

import simulator.server as sim_server
from client.errors import AuthenticationError
from client.transport import fingerprint
from components import aymara_loaders, cache
from components.connection import Source
from jobs.aymara_data import AymaraData
from jobs.own_lake import own_location
from tests import conftest
from tests.appserver import AppServer, start_app
from tests.appserver import screenshot as save_screenshot
from tests.browser.test_browser_security import settled

# Playwright's sync API allows one instance per thread, so the session's `browser` fixture must
# be defined once, in conftest.py. Until conftest provides it, this module imports its own.
if not hasattr(conftest, "browser") and "tests.appserver" not in getattr(
    conftest, "pytest_plugins", ()
):
    from tests.appserver import browser  # noqa: F401

KEY_CORE = "c0ffee5ec7e7d1a9b2f64e83"
KEY = f"sk-live-dashboard-{KEY_CORE}"
BAD_KEY_CORE = "badf00d7c1e2a3b4c5d6e7f8"
BAD_KEY = f"sk-live-revoked-{BAD_KEY_CORE}"


def forms(key: str) -> list[str]:
    """The key as it could leak: whole, its random part, URL-encoded, base64."""
    core = key.rsplit("-", 1)[1]
    return [key, core, quote(key, safe=""), base64.b64encode(key.encode()).decode()]


def leaks(key: str, text: str | bytes) -> list[str]:
    """Which forms of the key occur in the text (bytes searched raw and decoded)."""
    found = []
    for form in forms(key):
        if isinstance(text, bytes):
            if form.encode() in text or form in text.decode("utf-8", errors="replace"):
                found.append(form)
        elif form in text:
            found.append(form)
    return found


# --------------------------------------------------------------------------- recording simulator


class RecordRequests:
    """ASGI wrapper that keeps each request's method, raw path, query and headers."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append(
                {
                    "path": scope["path"],
                    "raw_path": scope.get("raw_path") or b"",
                    "query": scope.get("query_string") or b"",
                    "headers": list(scope.get("headers") or []),
                }
            )
        await self.app(scope, receive, send)


def start_recording_simulator(**settings: Any) -> tuple[Any, RecordRequests]:
    from simulator.settings import SimSettings

    holder: list[RecordRequests] = []
    real = sim_server.create_app

    def create(s: Any) -> RecordRequests:
        holder.append(RecordRequests(real(s)))
        return holder[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sim_server, "create_app", create)
        sim = sim_server.start_in_thread(SimSettings(**settings))
    return sim, holder[0]


# --------------------------------------------------------------------------- what the browser saw


@dataclass
class Seen:
    """Everything one browser visit of the app saw."""

    pages: dict[str, str] = field(default_factory=dict)  # page title -> HTML
    requests: list[str] = field(default_factory=list)  # url, headers and body of each
    responses: list[bytes] = field(default_factory=list)  # headers and body of each
    frames: list[bytes] = field(default_factory=list)  # WebSocket frames, both ways
    storage: list[str] = field(default_factory=list)  # cookies, local and session storage

    def everything(self) -> list[tuple[str, str | bytes]]:
        out: list[tuple[str, str | bytes]] = [(f"page {t}", h) for t, h in self.pages.items()]
        out += [("request", r) for r in self.requests]
        out += [("response", r) for r in self.responses]
        out += [("websocket frame", f) for f in self.frames]
        out += [("browser storage", s) for s in self.storage]
        return out


def as_bytes(payload: str | bytes) -> bytes:
    return payload if isinstance(payload, bytes) else payload.encode("utf-8", errors="replace")


def browse(browser: Any, app: AppServer, pages: dict[str, str] | None = None) -> Seen:
    """Open the app, then every page in its navigation, recording it all.

    `pages` maps page titles to a text to wait for on each (then only those pages are opened).
    """
    seen = Seen()
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    tab = context.new_page()
    responses: list[Any] = []

    def on_request(request: Any) -> None:
        body = request.post_data_buffer or b""
        seen.requests.append(f"{request.url}\n{request.headers}\n{body.decode(errors='replace')}")

    def on_websocket(ws: Any) -> None:
        seen.requests.append(ws.url)
        ws.on("framereceived", lambda payload: seen.frames.append(as_bytes(payload)))
        ws.on("framesent", lambda payload: seen.frames.append(as_bytes(payload)))

    tab.on("request", on_request)
    tab.on("response", lambda response: responses.append(response))
    tab.on("websocket", on_websocket)
    try:
        tab.goto(app.url)
        tab.locator("h1").first.wait_for(timeout=60_000)
        settled(tab)
        links = tab.locator('[data-testid="stSidebarNavLink"]')
        labels = [
            links.nth(i).locator('[data-testid="stMarkdownContainer"]').inner_text().strip()
            for i in range(links.count())
        ]
        assert labels, "the sidebar lists the pages"
        for label in pages or labels:
            links.nth(labels.index(label)).click()
            tab.get_by_role("heading", level=1, name=label, exact=True).wait_for(timeout=60_000)
            if pages:
                tab.get_by_text(pages[label]).first.wait_for(timeout=60_000)
            settled(tab)
            seen.pages[label] = tab.content()
            save_screenshot(tab, f"secrets-{app.url.rsplit(':', 1)[1]}-{label}")
        seen.storage.append(str(context.cookies()))
        seen.storage.append(
            tab.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage}])")
        )
        for response in responses:
            try:
                body = response.body()
            except Exception:  # noqa: BLE001 - a redirect or an aborted load has no body
                body = b""
            seen.responses.append(f"{response.url}\n{response.headers}\n".encode() + body)
    finally:
        context.close()
    return seen


@pytest.fixture(scope="module")
def good(browser: Any, tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    """The app on the right key: a browser visit of every page, and what the API received."""
    sim, recorder = start_recording_simulator(api_key=KEY, seed=7, scale=0.3, retry_after_s=0)
    store = tmp_path_factory.mktemp("store")
    app = start_app(
        {
            "AYMARA_AI_API_KEY": KEY,
            "AYMARA_AI_BASE_URL": sim.base_url,
            "FEATHER_API_KEY": KEY,
            "FEATHER_BASE_URL": sim.base_url,
            "EVAL_DASHBOARD_CACHE_DIR": str(store),
        },
        name="secrets",
    )
    try:
        seen = browse(browser, app)
        yield {"app": app, "seen": seen, "recorder": recorder, "store": store}
    finally:
        app.stop()
        sim.stop()


@pytest.fixture(scope="module")
def bad(browser: Any, start_simulator: Any, tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    """The app on a key the API refuses."""
    sim = start_simulator(api_key=KEY, seed=7, scale=0.3, retry_after_s=0)
    app = start_app(
        {
            "AYMARA_AI_API_KEY": BAD_KEY,
            "AYMARA_AI_BASE_URL": sim.base_url,
            "FEATHER_API_KEY": BAD_KEY,
            "FEATHER_BASE_URL": sim.base_url,
            "EVAL_DASHBOARD_CACHE_DIR": str(tmp_path_factory.mktemp("bad-store")),
        },
        name="secrets-bad-key",
    )
    try:
        expect = {"Overview": "The API key was refused", "Conversation evals": "Check the API key"}
        yield {"app": app, "seen": browse(browser, app, expect)}
    finally:
        app.stop()


# --------------------------------------------------------------------------- the browser tests


@pytest.mark.browser
def test_the_browser_sees_every_page_and_never_the_key(good):
    seen: Seen = good["seen"]
    assert len(seen.pages) >= 10, sorted(seen.pages)
    # The capture works: page text is found in the WebSocket frames and the HTML.
    assert any(b"Judge calibration" in frame for frame in seen.frames)
    assert all("Refresh" in html for html in seen.pages.values())
    assert len(seen.responses) > 10 and len(seen.frames) > 10
    found = {where: leaks(KEY, text) for where, text in seen.everything()}
    assert {where: forms for where, forms in found.items() if forms} == {}


@pytest.mark.browser
def test_the_api_receives_the_key_only_in_its_header(good):
    api_requests = [r for r in good["recorder"].seen if r["path"].startswith(("/v1/", "/v2/"))]
    assert {r["path"][:4] for r in api_requests} == {"/v1/", "/v2/"}
    for request in api_requests:
        headers = dict(request["headers"])
        assert headers.get(b"x-api-key") == KEY.encode()
        others = b" ".join(v for k, v in request["headers"] if k != b"x-api-key")
        assert leaks(KEY, request["raw_path"] + b"?" + request["query"] + b" " + others) == []


@pytest.mark.browser
def test_the_app_log_and_local_store_never_hold_the_key(good):
    app: AppServer = good["app"]
    log = app.logs()
    assert "127.0.0.1" in log  # the log was written (it names the app's address)
    assert leaks(KEY, log) == []
    files = [p for p in Path(good["store"]).rglob("*") if p.is_file()]
    assert files, "the visit stored finished runs locally"
    for path in files:
        assert leaks(KEY, str(path)) == []
        assert leaks(KEY, path.read_bytes()) == []


@pytest.mark.browser
def test_a_refused_key_shows_a_clear_message_and_never_the_key(bad):
    seen: Seen = bad["seen"]
    overview = seen.pages["Overview"]
    assert "The API key was refused" in overview
    assert "Check the API key" in overview
    assert "Check the API key" in seen.pages["Conversation evals"]
    found = {where: leaks(BAD_KEY, text) for where, text in seen.everything()}
    assert {where: forms for where, forms in found.items() if forms} == {}
    assert leaks(BAD_KEY, bad["app"].logs()) == []


# --------------------------------------------------------------------------- caches per account


@pytest.fixture
def fresh_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Empty process caches and a private store folder."""
    monkeypatch.setenv("EVAL_DASHBOARD_CACHE_DIR", str(tmp_path))
    cache.dataset_cache().clear()
    yield tmp_path
    cache.dataset_cache().clear()


def test_cached_data_is_kept_apart_per_key_and_base_url(start_simulator, fresh_caches):
    key_a, key_b = "sk-account-a-4f1e9d2c7b", "sk-account-b-8a3c6e0f5d"
    sim_a = start_simulator(api_key=key_a, seed=7, scale=0.3)
    sim_b = start_simulator(api_key=key_b, seed=12, scale=0.3)
    source_a = Source("aymara", sim_a.base_url, key_a)
    source_b = Source("aymara", sim_b.base_url, key_b)
    a = aymara_loaders.load_aymara(source_a, None)
    b = aymara_loaders.load_aymara(source_b, None)
    assert a.fatal is None and b.fatal is None
    assert set(a.evals["eval_uuid"]).isdisjoint(set(b.evals["eval_uuid"]))
    assert aymara_loaders.load_aymara(source_a, None) is a  # a second read is the cached object

    # The same base URL with another key is another account: its own entry, never A's data.
    other = Source("aymara", sim_a.base_url, "sk-someone-else-1b2c3d4e5f")
    c = aymara_loaders.load_aymara(other, None)
    assert c is not a
    assert isinstance(c.fatal, AuthenticationError)
    assert c.evals.empty and c.responses.empty
    assert cache.aymara_client(other) is not cache.aymara_client(source_a)

    keys = list(cache.dataset_cache()._entries)  # the cache's own keys, as stored
    text = repr(keys)
    for source in (source_a, source_b):
        assert fingerprint(source.api_key) in text
    assert fingerprint(other.api_key) not in text  # a refused load takes no cache entry
    for source in (source_a, source_b, other):
        assert source.api_key not in text
        assert leaks(source.api_key, repr(source)) == []
    entries = cache.dataset_cache()._entries
    datasets = [k for k in keys if fingerprint(key_a) in repr(k)
                and isinstance(entries[k].value, AymaraData)]  # fmt: skip
    assert len(datasets) == 1  # beside it only the account's sync and key-workspace answers


def test_the_local_store_is_kept_apart_per_account_and_names_no_key(
    start_simulator, fresh_caches, monkeypatch
):
    monkeypatch.setenv("EVAL_DASHBOARD_LOCAL_LAKE", "off")  # the store of the in-memory path
    key = "sk-store-owner-6d5c4b3a29"
    sim = start_simulator(api_key=key, seed=7, scale=0.3)
    mine = Source("aymara", sim.base_url, key)
    assert aymara_loaders.load_aymara(mine, None).fatal is None
    store = cache.run_store(mine)
    assert store is not None
    store.wait()
    assert store.stored_ids("responses") > 0
    theirs = cache.run_store(Source("aymara", sim.base_url, "sk-other-account-0f9e8d7c6b"))
    assert theirs is not None and theirs.folder != store.folder
    assert theirs.stored_ids("responses") == 0
    for path in fresh_caches.rglob("*"):
        assert leaks(key, str(path)) == []
        if path.is_file():
            assert leaks(key, path.read_bytes()) == []


def test_the_own_lake_is_kept_apart_per_account_and_names_no_key(start_simulator, fresh_caches):
    key = "sk-lake-owner-5e4d3c2b1a"
    sim = start_simulator(api_key=key, seed=7, scale=0.3)
    mine = Source("aymara", sim.base_url, key)
    data = aymara_loaders.load_aymara(mine, None)
    assert data.fatal is None and data.lake_sync == 1
    other = Source("aymara", sim.base_url, "sk-other-account-0f9e8d7c6b")
    assert isinstance(aymara_loaders.load_aymara(other, None).fatal, AuthenticationError)
    here, theirs = (Path(own_location(cache.aymara_client(s)).url) for s in (mine, other))
    assert here != theirs and here.parent == theirs.parent == (fresh_caches / "lake").resolve()
    assert (here / "responses" / "_delta_log").is_dir()
    assert not (theirs / "responses").exists()  # the refused key wrote nothing
    for path in fresh_caches.rglob("*"):
        assert leaks(key, str(path)) == []
        if path.is_file():
            assert leaks(key, path.read_bytes()) == []
