"""Untrusted text from the APIs never renders as HTML and never loads a remote resource.

The simulator serves its demo data through a wrapper that rewrites some JSON answers with
hostile text (as a compromised or careless vendor account could hold), and a run is named
through the public score-responses endpoint, as anyone with an API key can. The real app then
shows those pages in Chromium, and each test asserts three things: no script ran
(`window.__pwned` stays undefined), no request left 127.0.0.1, and the text is shown literally.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

import simulator.server as sim_server
from tests import conftest
from tests.appserver import AppServer, start_app
from tests.appserver import screenshot as save_screenshot

# Playwright's sync API allows one instance per thread, so the session's `browser` fixture must
# be defined once, in conftest.py. Until conftest provides it, this module imports its own.
if not hasattr(conftest, "browser") and "tests.appserver" not in getattr(
    conftest, "pytest_plugins", ()
):
    from tests.appserver import browser, page  # noqa: F401

pytestmark = pytest.mark.browser

KEY = "sk-hostile-text-test-3b7e21d09f"
PAYLOADS = {
    "script": "<script>window.__pwned=1</script>",
    "img": '<img src=x onerror="window.__pwned=1">',
    "js_link": "[click](javascript:window.__pwned=1)",
    "md_image": "![t](http://tracker.invalid/p.png)",
    "iframe": "<iframe src=http://tracker.invalid>",
}
ALL_PAYLOADS = " ".join(PAYLOADS.values())
LOCAL_HOSTS = {"127.0.0.1"}
NEWEST = "2030-01-01T00:00:00Z"
REPORT_HEADING = "Report of 2030-01-01 00:00 UTC"

Rewrite = Callable[[str, dict[str, list[str]], Any], Any]


# --------------------------------------------------------------------------- a hostile API


class RewriteJson:
    """ASGI wrapper: passes each 200 JSON answer through `rewrite(path, query, body)`."""

    def __init__(self, app: Any, rewrite: Rewrite) -> None:
        self.app = app
        self.rewrite = rewrite

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"].rstrip("/") or "/"
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = dict(start.get("headers", []))
            if start["status"] == 200 and b"json" in headers.get(b"content-type", b""):
                changed = self.rewrite(path, query, json.loads(body))
                if changed is not None:
                    body = json.dumps(changed).encode()
            start["headers"] = [
                (k, str(len(body)).encode() if k == b"content-length" else v)
                for k, v in start.get("headers", [])
            ]
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, capture)


def start_rewriting_simulator(rewrite: Rewrite, **settings: Any) -> Any:
    """The simulator on a free port, its JSON answers passed through `rewrite`."""
    from simulator.settings import SimSettings

    real = sim_server.create_app
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sim_server, "create_app", lambda s: RewriteJson(real(s), rewrite))
        return sim_server.start_in_thread(SimSettings(**{"api_key": KEY, **settings}))


def hostile_report(report: dict[str, Any], mode: str) -> dict[str, Any]:
    """The newest, finished report of one run with hostile texts (mode "text") or names."""
    report = copy.deepcopy(report)
    report.update(status="finished", created_at=NEWEST, updated_at=NEWEST, remaining_reports=0)
    run_report = report["eval_run_reports"][0]
    report["eval_run_reports"] = [run_report]
    evaluation = run_report["eval_run"]["evaluation"]
    if mode == "text":
        # Not an accuracy eval: accuracy texts are split on their <category> tags by design.
        evaluation["eval_type"] = "safety"
        evaluation["name"] = "Plain eval name"
        run_report["passing_responses_summary"] = PAYLOADS["script"]
        run_report["failing_responses_summary"] = PAYLOADS["img"] + "\n" + PAYLOADS["iframe"]
        run_report["improvement_advice"] = PAYLOADS["js_link"] + "\n" + PAYLOADS["md_image"]
        report["overall_passing_responses_summary"] = "Overall " + PAYLOADS["md_image"]
        report["overall_failing_responses_summary"] = "Overall " + PAYLOADS["iframe"]
        report["overall_improvement_advice"] = "Overall " + ALL_PAYLOADS
    else:
        evaluation["name"] = f"Eval {PAYLOADS['md_image']} {PAYLOADS['js_link']}"
        evaluation["eval_type"] = f"type {PAYLOADS['img']}"
    return report


FREE_TEXT = ("name", "description", "rationale", "subject", "error_text")


def feather_hostile(body: Any) -> Any:
    """Hostile names, descriptions, rationales and transcripts in Feather answers."""

    def visit(node: Any, parent_key: str = "") -> Any:
        if isinstance(node, list):
            return [visit(item, parent_key) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            free_text = key in FREE_TEXT or (key == "content" and parent_key == "turns")
            if free_text and isinstance(value, str):
                out[key] = f"{value} {ALL_PAYLOADS}"
            else:
                out[key] = visit(value, key)
        return out

    return visit(body)


class HostileApi:
    """Which workspace gets which rewrite of the reports listing."""

    def __init__(self) -> None:
        self.modes: dict[str, str] = {}

    def __call__(self, path: str, query: dict[str, list[str]], body: Any) -> Any:
        if path.startswith("/v1/"):
            return feather_hostile(body)
        if path != "/v2/eval-reports" or not isinstance(body, dict) or not body.get("items"):
            return None
        mode = self.modes.get((query.get("workspace_uuid") or [""])[0])
        if mode is None:
            return None
        body = dict(body)
        body["items"] = [hostile_report(body["items"][0], mode), *body["items"][1:]]
        return body


@pytest.fixture(scope="module")
def hostile() -> Iterator[dict[str, Any]]:
    """A hostile simulator, a run named with every payload, and the app reading from it."""
    api = HostileApi()
    sim = start_rewriting_simulator(api, seed=11, scale=0.3, retry_after_s=0)
    headers = {"x-api-key": KEY}
    with httpx.Client(base_url=sim.base_url, headers=headers, timeout=30) as http:
        reports = http.get("/v2/eval-reports", params={"workspace_uuid": "**"}).json()["items"]
        spaces = sorted(
            {rr["eval_run"]["workspace_uuid"] for r in reports for rr in r["eval_run_reports"]}
        )
        assert len(spaces) >= 2, "the demo data should have reports in two workspaces"
        api.modes = {spaces[0]: "text", spaces[1]: "names"}
        # Anyone with a key can name a run: the name then shows in the Runs page's title.
        evals = http.get("/v2/evals", params={"workspace_uuid": spaces[0]}).json()["items"]
        target = next(
            e for e in evals if e["status"] == "finished" and e["eval_type"] != "accuracy"
        )
        prompts = http.get(
            f"/v2/evals/{target['eval_uuid']}/prompts", params={"workspace_uuid": spaces[0]}
        ).json()["items"]
        scored = http.post(
            "/v2/eval-runs/-/score-responses",
            params={"workspace_uuid": spaces[0]},
            json={
                "eval_uuid": target["eval_uuid"],
                "name": f"Run {ALL_PAYLOADS}",
                "responses": [
                    {"prompt_uuid": p["prompt_uuid"], "content": f"Answer {ALL_PAYLOADS}"}
                    for p in prompts[:3]
                ],
            },
        )
        assert scored.status_code == 200, scored.text
        feather_runs = http.get("/v1/eval-runs", params={"limit": 20}).json()["items"]
        feather_run = next(r for r in feather_runs if r.get("scores"))["id"]
    app = start_app(
        {
            "AYMARA_AI_API_KEY": KEY,
            "AYMARA_AI_BASE_URL": sim.base_url,
            "FEATHER_API_KEY": KEY,
            "FEATHER_BASE_URL": sim.base_url,
            "EVAL_DASHBOARD_STORE": "off",  # hostile data never lands in the user's cache
        },
        name="hostile",
    )
    yield {
        "app": app,
        "text_ws": spaces[0],
        "names_ws": spaces[1],
        "run_uuid": scored.json()["eval_run_uuid"],
        "feather_run": feather_run,
    }
    app.stop()
    sim.stop()


# --------------------------------------------------------------------------- the checks


def settled(tab: Any, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit has finished running the page's script.

    Streamlit 1.67 marks the app root with `data-test-script-state` (`initial`, `running`,
    `notRunning`, ...); call this once the page's own content has started to show.
    """
    tab.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stStatusWidget"]');
        }""",
        timeout=timeout_ms,
    )


class Watch:
    """Every request the page makes, for the 'nothing left 127.0.0.1' check."""

    def __init__(self, tab: Any) -> None:
        self.urls: list[str] = []
        tab.on("request", lambda request: self.urls.append(request.url))

    def foreign(self) -> list[str]:
        """Requests to any host but the app's and the simulator's loopback address."""
        out = []
        for url in self.urls:
            parts = urlparse(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.hostname not in LOCAL_HOSTS:
                out.append(url)
        return out


def open_page(tab: Any, app: AppServer, path: str, expect: str) -> str:
    """Open a page, wait for the script to finish and for `expect`; return the main text."""
    tab.goto(f"{app.url}/{path}")
    tab.get_by_text(expect, exact=False).first.wait_for(timeout=60_000)
    settled(tab)
    tab.wait_for_load_state("networkidle")
    return page_text(tab)


def page_text(tab: Any) -> str:
    """The main area's text, and a chosen row's drawer (opened over it) if one is open."""
    drawers = tab.locator('[role="dialog"]')
    extra = [drawers.nth(i).inner_text() for i in range(drawers.count())]
    return "\n".join([tab.locator('[data-testid="stMain"]').inner_text(), *extra])


def assert_inert(tab: Any, watch: Watch, name: str) -> None:
    """No script from the data ran, no remote resource was asked for."""
    save_screenshot(tab, name)
    assert tab.evaluate("() => typeof window.__pwned") == "undefined"
    assert watch.foreign() == []
    assert tab.locator("iframe[src*='tracker.invalid'], img[src*='tracker.invalid']").count() == 0
    assert tab.locator("a[href^='javascript:']").count() == 0


def missing_literally(text: str, wanted: list[str]) -> list[str]:
    """The payloads not shown character for character.

    An invisible word joiner (U+2060) is allowed inside: markdown escaping puts one after
    `http://` to stop autolinking, and it changes nothing a person sees.
    """
    shown = text.replace("\u2060", "")
    return [w for w in wanted if w not in shown]


# --------------------------------------------------------------------------- the tests


def test_report_texts_show_as_literal_text_and_load_nothing(page, hostile):
    watch = Watch(page)
    text = open_page(
        page, hostile["app"], f"reports?workspace={hostile['text_ws']}", REPORT_HEADING
    )
    assert_inert(page, watch, "security-report-texts")
    assert "Across all runs" in text
    assert missing_literally(text, list(PAYLOADS.values())) == []
    assert "Overall " + PAYLOADS["md_image"] in text


def test_report_eval_names_and_types_show_as_literal_text(page, hostile):
    watch = Watch(page)
    text = open_page(
        page, hostile["app"], f"reports?workspace={hostile['names_ws']}", REPORT_HEADING
    )
    assert_inert(page, watch, "security-report-names")
    wanted = [
        f"Eval {PAYLOADS['md_image']} {PAYLOADS['js_link']}",
        f"type {PAYLOADS['img']}",
    ]
    assert missing_literally(text, wanted) == []


def test_a_run_named_through_the_api_shows_its_name_literally(page, hostile):
    watch = Watch(page)
    path = f"runs?workspace={hostile['text_ws']}&run={hostile['run_uuid']}"
    text = open_page(page, hostile["app"], path, "Judge confidence by verdict")
    assert_inert(page, watch, "security-run-name")
    assert missing_literally(text, [f"Run {ALL_PAYLOADS}"]) == []


def test_feather_names_and_rationales_show_as_literal_text(page, hostile):
    watch = Watch(page)
    text = open_page(page, hostile["app"], "feather", "Latest failure of a decisive check")
    page.get_by_text("Rationale", exact=True).first.wait_for(timeout=30_000)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert_inert(page, watch, "security-feather")
    # The failure card: evaluator and assistant names, and the failing score's rationale.
    assert text.count(ALL_PAYLOADS) >= 3


def test_a_feather_conversation_shows_hostile_turns_as_literal_text(page, hostile):
    watch = Watch(page)
    path = f"feather?feather_run={hostile['feather_run']}"
    open_page(page, hostile["app"], path, "Conversation")
    page.locator('[data-testid="stChatMessage"]').first.wait_for(timeout=30_000)
    text = page_text(page)
    assert_inert(page, watch, "security-feather-run")
    assert text.count(ALL_PAYLOADS) >= 2  # at least one rationale and one turn


def test_the_app_itself_loads_nothing_from_other_hosts(page, hostile):
    watch = Watch(page)
    open_page(page, hostile["app"], "", "Pass rate over time")
    assert watch.foreign() == []
