"""The Feather page in Streamlit's AppTest, reading a real simulator over HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from client.feather import FeatherClient
from components import cache
from reporting.feather.aggregates import default_window, recent_window
from simulator.feather.contract import NOW
from simulator.feather.dataset import filter_runs, get_dataset
from simulator.feather.ground_truth import feather_ground_truth
from simulator.settings import SimSettings
from tests.conftest import SIMULATOR_KEY

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT_S = 60


@pytest.fixture
def feather_only(simulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Only a Feather account configured (so its page is the default), with empty caches."""
    for name in list(os.environ):
        if name.startswith(("AYMARA_", "FEATHER_", "EVAL_DASHBOARD_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FEATHER_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("FEATHER_BASE_URL", simulator.base_url)
    cache.dataset_cache().clear()
    yield simulator
    cache.dataset_cache().clear()


@pytest.fixture
def dataset() -> Any:
    """The simulator's own data (the same seed and scale as the `simulator` fixture)."""
    return get_dataset(SimSettings(api_key=SIMULATOR_KEY, seed=7, scale=1))


def window() -> tuple[str, str]:
    """The page's default created-between days, as the API takes them."""
    first, last = default_window(dt.datetime.now(dt.UTC).date())
    return first.isoformat(), last.isoformat()


def data_window() -> list[str]:
    """30 days ending with the demo data's "now": the same data whatever today's date."""
    first, last = default_window(NOW.date())
    return [first.isoformat(), last.isoformat()]


def open_page(**query: str | list[str]) -> AppTest:
    """Run the app once with these query parameters."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """Tile label -> the value it shows."""
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> list[str]:
    """Every st.text on the page."""
    return [t.value for t in at.text]


def chart(at: AppTest, key: str) -> dict[str, Any]:
    """The plotly figure drawn under a chart key."""
    for element in at.get("plotly_chart"):
        if key in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart {key}")


def values(array: Any) -> list[Any]:
    """A plotly JSON array, also when sent as a typed array ({"dtype", "bdata"})."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def failing_rationale(run: dict[str, Any]) -> str:
    """The rationales of a run's failing scores, joined as the page joins them."""
    return " | ".join(s["rationale"] for s in run["scores"] if s["passed"] is False)


def expected_tiles(runs: list[dict[str, Any]]) -> dict[str, str]:
    """The four tiles as the page should show them for these runs."""
    completed = [r for r in runs if r["status"] == "completed"]
    failed = [r for r in completed if any(s["passed"] is False for s in r["scores"])]
    passed = [r for r in completed if r["scores"] and all(s["passed"] for s in r["scores"])]
    return {
        "Runs": f"{len(runs):,}",
        "Pass rate": f"{len(passed) / (len(passed) + len(failed)) * 100:.1f}%",
        "Decisive checks failed": f"{sum(r['is_critical_snapshot'] for r in failed):,}",
        "Errored runs": f"{sum(r['status'] in ('failed', 'errored') for r in runs):,}",
    }


def test_the_default_page_shows_the_simulators_totals_for_the_last_30_days(feather_only, dataset):
    first, last = window()
    runs = filter_runs(dataset, created_from=first, created_to=last)
    at = open_page()
    assert [t.value for t in at.title] == ["Conversation evals"]
    if runs:
        assert metrics(at) == expected_tiles(runs)
    else:  # once today is long past the demo data's fixed "now"
        assert any("No eval runs match these filters" in i.value for i in at.info)


def test_demo_mode_ends_the_default_window_at_the_newest_demo_run(monkeypatch, dataset):
    for name in list(os.environ):
        if name.startswith(("AYMARA_", "FEATHER_", "EVAL_DASHBOARD_")):
            monkeypatch.delenv(name)
    cache.dataset_cache().clear()
    first, last = data_window()
    at = open_page()  # no keys: both sources come from the bundled demo simulator
    assert [t.value for t in at.title] == ["Overview"]  # Aymara is the default page in demo
    at.switch_page("pages/feather.py").run()
    assert not at.exception
    assert metrics(at) == expected_tiles(filter_runs(dataset, created_from=first, created_to=last))


def test_a_filter_in_the_url_is_sent_to_the_api_and_changes_the_counts(
    feather_only, dataset, monkeypatch
):
    sent: list[dict[str, Any]] = []
    original = FeatherClient.list_eval_runs

    def spy(self: FeatherClient, filters: Any = None, **kwargs: Any) -> Any:
        sent.append(filters.to_params() if filters else {})
        return original(self, filters, **kwargs)

    monkeypatch.setattr(FeatherClient, "list_eval_runs", spy)
    first, last = data_window()
    at = open_page(outcome="failed", severity="high", created=[first, last])
    expected = filter_runs(
        dataset, created_from=first, created_to=last, outcome="failed", severity="high"
    )
    assert 0 < len(expected) < len(filter_runs(dataset, created_from=first, created_to=last))
    assert metrics(at)["Runs"] == f"{len(expected):,}"
    assert {"outcome": "failed", "severity": "high"}.items() <= sent[-1].items()
    assert at.selectbox(key="outcome").value == "failed"


def test_choosing_a_filter_widget_reloads_with_the_servers_answer(feather_only, dataset):
    first, last = data_window()
    at = open_page(created=[first, last])
    at.selectbox(key="outcome").select("errored").run()
    assert not at.exception
    errored = filter_runs(dataset, created_from=first, created_to=last, outcome="errored")
    assert metrics(at)["Runs"] == f"{len(errored):,}"
    at.selectbox(key="critical").select("Decisive only").run()
    both = filter_runs(
        dataset, created_from=first, created_to=last, outcome="errored", is_critical=True
    )
    assert metrics(at)["Runs"] == f"{len(both):,}"


def test_an_evaluator_chosen_by_name_is_sent_as_its_id(feather_only, dataset):
    first, last = data_window()
    refund = next(e for e in dataset.evaluators if e["name"] == "Refund policy accuracy")
    at = open_page(evaluator="Refund policy accuracy", created=[first, last])
    expected = filter_runs(dataset, created_from=first, created_to=last, evaluator_id=refund["id"])
    assert metrics(at)["Runs"] == f"{len(expected):,}"


def test_the_page_answers_which_evaluator_fails_most_and_the_latest_critical_rationale(
    feather_only, dataset
):
    first, last = data_window()
    week_start, week_end = recent_window(dt.date.fromisoformat(last))
    names = {e["id"]: e["name"] for e in dataset.evaluators}
    week = filter_runs(
        dataset, created_from=week_start.isoformat(), created_to=week_end.isoformat(),
        outcome="failed",
    )  # fmt: skip
    # Most failures first, ties by name: the order the chart promises.
    counts = sorted(
        Counter(names[r["evaluator_id"]] for r in week).items(), key=lambda c: (-c[1], c[0])
    )
    latest = filter_runs(
        dataset, created_from=first, created_to=last, outcome="failed", is_critical=True
    )[0]
    at = open_page(created=[first, last])
    bars = chart(at, "feather_recent_failures")["data"][0]
    # Labels are HTML-escaped for plotly, which shows "&amp;" as "&".
    shown = [html.unescape(y) for y in values(bars["y"])]
    assert list(zip(shown, values(bars["x"]), strict=True)) == counts
    top = feather_ground_truth(SimSettings(api_key=SIMULATOR_KEY))[
        "top_failing_evaluator_last_7_days"
    ]
    assert counts[0][0] == top
    assert failing_rationale(latest) in texts(at)


def test_a_run_named_in_the_url_shows_its_scores_and_conversation(feather_only, dataset):
    first, last = data_window()
    run = filter_runs(dataset, created_from=first, created_to=last, outcome="failed")[0]
    turns = [t["content"] for t in dataset.turns[run["session_id"]] if t["content"]]
    at = open_page(feather_run=run["id"])
    shown = texts(at)
    assert failing_rationale(run).split(" | ")[0] in shown
    assert turns and turns[0] in shown
    assert len(at.chat_message) >= len(turns)
    assert "Run detail" in [h.value for h in at.subheader]
    at.button(key="feather_close_run").click().run()
    assert "feather_run" not in at.query_params
    assert "Run detail" not in [h.value for h in at.subheader]


def test_an_unknown_run_in_the_url_says_so_and_the_rest_still_shows(feather_only):
    at = open_page(feather_run="00000000-0000-4000-8000-000000000000")
    assert any("could not be loaded" in e.value for e in at.error)
    assert "Runs" in metrics(at)


def test_a_window_without_runs_says_so_in_a_sentence(feather_only):
    last = dt.datetime.now(dt.UTC).date()
    quiet = [
        (last - dt.timedelta(days=700)).isoformat(),
        (last - dt.timedelta(days=699)).isoformat(),
    ]
    at = open_page(created=quiet)
    assert any("No eval runs match these filters" in i.value for i in at.info)
    assert not at.metric


def test_a_refused_key_shows_what_to_do(feather_only, monkeypatch):
    monkeypatch.setenv("FEATHER_API_KEY", "wrong-key-000")
    at = open_page()
    assert any("API key was refused" in e.value for e in at.error)
    assert "wrong-key-000" not in json.dumps([e.value for e in at.error] + texts(at))


def test_pass_rate_charts_a_filter_empties_become_one_sentence_saying_why(feather_only):
    first, last = data_window()
    at = open_page(created=[first, last])
    subheaders = [s.value for s in at.subheader]
    assert "Pass rate by channel" in subheaders  # drawn while the runs hold both verdicts

    at = open_page(outcome="failed", created=[first, last])
    notes = [i.value for i in at.info if "would read 0%" in i.value]
    assert len(notes) == 1, [i.value for i in at.info]
    assert "Set Outcome back to Any" in notes[0]
    subheaders = [s.value for s in at.subheader]
    assert "Pass rate by channel" not in subheaders and "Pass rate by scope" not in subheaders
