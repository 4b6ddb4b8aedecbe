"""The review queue and the card's review buttons under AppTest, writing to a real simulator.

Each test has a simulator of its own (writes change it); expected orders and outcomes are read
from the simulator's API, never from the app's frames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from components import cache
from tests.appserver import ROOT
from tests.conftest import SIMULATOR_KEY

APP = str(ROOT / "app.py")
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "client_id": "x"}


@pytest.fixture
def sim(start_simulator: Callable[..., Any]) -> Any:
    return start_simulator(seed=11, scale=0.3, fault_rate=0.0, retry_after_s=0)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, sim: Any, tmp_path: Any) -> Iterator[AppTest]:
    monkeypatch.setenv("AYMARA_AI_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", sim.base_url)
    monkeypatch.setenv("EVAL_DASHBOARD_CACHE_DIR", str(tmp_path))
    for name in ("FEATHER_API_KEY", "EVAL_DASHBOARD_WORKSPACES", "EVAL_DASHBOARD_READ_ONLY"):
        monkeypatch.delenv(name, raising=False)
    cache.dataset_cache().clear()
    yield AppTest.from_file(APP, default_timeout=90)
    cache.dataset_cache().clear()


def api(sim: Any) -> httpx.Client:
    return httpx.Client(base_url=sim.base_url, headers={"x-api-key": SIMULATOR_KEY}, timeout=30)


def everything(sim: Any) -> list[dict[str, Any]]:
    """Every response of every non-sandbox run the app counts, with its run's uuid."""
    found = []
    with api(sim) as http:
        every = {"limit": 100, "workspace_uuid": "**"}  # every workspace, as the app shows
        runs = http.get("/v2/eval-runs", params=every).json()["items"]
        assert len(runs) < 100, "one page holds every demo run"
        for run in runs:
            sandbox = run.get("is_sandbox") or (run.get("evaluation") or {}).get("is_sandbox")
            if run["status"] in ("failed", "created") or sandbox:
                continue
            offset = 0
            while True:
                path = f"/v2/eval-runs/{run['eval_run_uuid']}/responses"
                params = {"limit": 100, "offset": offset, "workspace_uuid": "**"}
                page = http.get(path, params=params).json()
                for item in page["items"]:
                    found.append(item | {"_run": run})
                offset += len(page["items"])
                if not page["items"] or offset >= page["count"]:
                    break
    return found


def judged(item: dict[str, Any]) -> tuple[Any, Any]:
    history = item.get("update_history") or []
    if history:
        first = min(history, key=lambda h: h["updated_at"])
        return first["previous_is_passed"], first["previous_confidence"]
    return item["is_passed"], item["confidence"]


def low_confidence_failures(sim: Any) -> list[dict[str, Any]]:
    rows = []
    for item in everything(sim):
        verdict, confidence = judged(item)
        shaky = verdict is False and confidence is not None and confidence < 0.7
        if shaky and not item.get("exclude_from_scoring"):
            rows.append(item)
    return sorted(rows, key=lambda r: (judged(r)[1], -_ts(r), r["response_uuid"]))


def _ts(item: dict[str, Any]) -> float:
    from datetime import datetime

    return datetime.fromisoformat(item["_run"]["created_at"].replace("Z", "+00:00")).timestamp()


def open_queue(at: AppTest) -> AppTest:
    at.run()
    at.switch_page("pages/review.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Review queue"]
    return at


def shown_id(at: AppTest) -> str:
    ids = [c.value for c in at.caption if c.value.startswith("Response id")]
    assert ids, [c.value for c in at.caption]
    return ids[0].split("`")[1]


def button(at: AppTest, label: str) -> Any:
    found = [b for b in at.button if b.label.startswith(label)]
    assert found, [b.label for b in at.button]
    return found[0]


def progress_text(at: AppTest) -> str:
    (bar,) = [p for p in at.get("progress") if "reviewed" in (p.proto.text or "")]
    return bar.proto.text


def test_the_queue_starts_at_the_judges_least_confident_unreviewed_failure(
    app: AppTest, sim: Any
) -> None:
    expected = low_confidence_failures(sim)
    open_queue(app)
    first_open = next(r for r in expected if not r["manually_updated"])
    assert shown_id(app) == first_open["response_uuid"]
    reviewed = sum(1 for r in expected if r["manually_updated"])
    assert progress_text(app) == f"{reviewed:,} of {len(expected):,} reviewed"
    button(app, "Next").click().run()
    later = expected[expected.index(first_open) + 1]
    assert shown_id(app) == later["response_uuid"]
    button(app, "Previous").click().run()
    assert shown_id(app) == first_open["response_uuid"]


def test_overturning_needs_a_reason_then_saves_it_and_moves_on(app: AppTest, sim: Any) -> None:
    open_queue(app)
    target = shown_id(app)
    before = progress_text(app)
    button(app, "Overturn verdict").click().run()
    assert any("Type a reason first" in e.value for e in app.error)
    app.text_input[0].input("<b>ok</b> **policy** allows it")
    button(app, "Overturn verdict").click().run()
    assert not app.exception
    assert shown_id(app) != target
    done, total = before.split(" of ")
    assert progress_text(app) == f"{int(done) + 1} of {total}"
    item = next(r for r in everything(sim) if r["response_uuid"] == target)
    assert item["is_passed"] is True and item["manually_updated"] is True
    assert item["explanation"] == "reviewed on the dashboard: <b>ok</b> **policy** allows it"
    with api(sim) as http:
        path = f"/v2/eval-runs/{item['_run']['eval_run_uuid']}/responses/{target}/history"
        history = http.get(path).json()
    assert history[-1]["previous_is_passed"] is False and history[-1]["new_is_passed"] is True
    # Back to it: the card shows the judge's original beside the person's, as plain text.
    button(app, "Previous").click().run()
    texts = [t.value for t in app.text]
    assert "Failed, confidence" in " ".join(texts)
    assert "reviewed on the dashboard: <b>ok</b> **policy** allows it" in texts


def test_agreeing_is_recorded_and_the_queue_does_not_offer_it_again(app: AppTest, sim: Any) -> None:
    open_queue(app)
    target = shown_id(app)
    button(app, "Agree with the judge").click().run()
    assert not app.exception
    assert shown_id(app) != target
    item = next(r for r in everything(sim) if r["response_uuid"] == target)
    assert item["is_passed"] is False and item["manually_updated"] is True
    app.switch_page("pages/review.py").run()  # a fresh visit resumes past it
    assert shown_id(app) != target


def test_read_only_disables_every_write_and_says_why(
    app: AppTest, sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVAL_DASHBOARD_READ_ONLY", "1")
    open_queue(app)
    assert button(app, "Overturn verdict").disabled
    assert button(app, "Agree with the judge").disabled
    assert any("read-only" in c.value for c in app.caption)
    app.switch_page("pages/score.py").run()
    assert any("Sending is turned off for you" in w.value for w in app.warning)


@pytest.mark.parametrize(
    ("email", "allowed"),
    [("ana@example.com", True), ("bo@reviewers.example", True), ("eve@example.com", False)],
)
def test_with_sign_in_only_listed_reviewers_may_write(
    app: AppTest, sim: Any, email: str, allowed: bool
) -> None:
    app.secrets["auth"] = AUTH
    app.secrets["access"] = {"reviewers": ["ana@example.com", "reviewers.example"]}
    app.user = {"email": email, "is_logged_in": True}
    open_queue(app)
    assert button(app, "Overturn verdict").disabled is not allowed
    if not allowed:
        assert any("eve@example.com is not one" in c.value for c in app.caption)
        return
    target = shown_id(app)
    app.text_input[0].input("fine")
    button(app, "Overturn verdict").click().run()
    item = next(r for r in everything(sim) if r["response_uuid"] == target)
    assert item["explanation"] == f"reviewed by {email}: fine"


def test_a_run_opened_on_runs_offers_the_review_panel_on_its_response_card(
    app: AppTest, sim: Any
) -> None:
    target = low_confidence_failures(sim)[0]
    app.query_params["run"] = target["_run"]["eval_run_uuid"]
    app.run()
    app.switch_page("pages/runs.py").run()
    assert not app.exception, [e.value for e in app.exception]
    # The card shows the run's first response (a failure, the least confident first).
    assert shown_id(app) == target["response_uuid"]
    app.text_input[0].input("the policy allows it")
    button(app, "Overturn verdict").click().run()
    assert not app.exception
    item = next(r for r in everything(sim) if r["response_uuid"] == target["response_uuid"])
    assert item["is_passed"] is True and item["manually_updated"] is True
