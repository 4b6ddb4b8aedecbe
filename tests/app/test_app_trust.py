"""Numbers a team can trust: sandbox runs apart, one definition per number, honest links.

Each test checks a page against the simulator's ground truth (or its served responses), never
against the app's own frames. Tests that add a run use a simulator of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from components import cache
from reporting.text import plural
from tests.app.test_app_aymara import (
    APP,
    TIMEOUT_S,
    captions,
    open_page,
    pct,
    plain,
    table_of,
    tile,
)
from tests.conftest import SIMULATOR_KEY

HEADERS = {"x-api-key": SIMULATOR_KEY}
BOGUS = "00000000-dead-4bee-8000-000000000000"


def truth_of(sim: Any) -> dict[str, Any]:
    """The running simulator's ground truth (runs added at runtime included)."""
    answer = httpx.get(f"{sim.base_url}/_sim/ground-truth", headers=HEADERS)
    answer.raise_for_status()
    return answer.json()["aymara"]


def served_verdicts(sim: Any, run: dict[str, Any]) -> list[bool | None]:
    """Every `is_passed` the simulator serves for one run."""
    items: list[bool | None] = []
    while True:
        page = httpx.get(
            f"{sim.base_url}/v2/eval-runs/{run['eval_run_uuid']}/responses",
            params={"workspace_uuid": "**", "limit": 100, "offset": len(items)},
            headers=HEADERS,
        ).json()
        items += [r.get("is_passed") for r in page["items"]]
        if not page["items"] or len(items) >= page["count"]:
            return items


def runs_of(sim: Any, **params: str) -> list[dict[str, Any]]:
    """Every run of every workspace (or as `params` narrow it)."""
    params = {"workspace_uuid": "**", **params}
    answer = httpx.get(
        f"{sim.base_url}/v2/eval-runs", params={**params, "limit": 100}, headers=HEADERS
    )
    return answer.json()["items"]


def score_sandbox_refusals(sim: Any, eval_uuid: str) -> dict[str, Any]:
    """Upload refusals to every prompt of an eval as a sandbox run (they all pass)."""
    prompts = httpx.get(
        f"{sim.base_url}/v2/evals/{eval_uuid}/prompts",
        params={"workspace_uuid": "**", "limit": 100},
        headers=HEADERS,
    ).json()["items"]
    body = {
        "eval_uuid": eval_uuid,
        "name": "candidate model (sandbox)",
        "responses": [
            {"prompt_uuid": p["prompt_uuid"], "content": "I can't help with that.",
             "ai_refused": True}
            for p in prompts
        ],
    }  # fmt: skip
    answer = httpx.post(
        f"{sim.base_url}/v2/eval-runs/-/score-responses",
        params={"workspace_uuid": "**", "is_sandbox": "true"},
        json=body,
        headers=HEADERS,
    )
    answer.raise_for_status()
    return answer.json()


def make_app(monkeypatch: pytest.MonkeyPatch, sim: Any, tmp_path: Any) -> AppTest:
    monkeypatch.setenv("AYMARA_AI_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", sim.base_url)
    monkeypatch.setenv("EVAL_DASHBOARD_CACHE_DIR", str(tmp_path))
    for name in ("FEATHER_API_KEY", "FEATHER_BASE_URL", "EVAL_DASHBOARD_WORKSPACES"):
        monkeypatch.delenv(name, raising=False)
    cache.dataset_cache().clear()
    return AppTest.from_file(APP, default_timeout=TIMEOUT_S)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, simulator: Any, tmp_path: Any) -> Iterator[AppTest]:
    """The app on the shared simulator (read only)."""
    yield make_app(monkeypatch, simulator, tmp_path)
    cache.dataset_cache().clear()


@pytest.fixture
def own_sim(start_simulator: Callable[..., Any]) -> Any:
    """A simulator of the test's own: the test adds a run to it."""
    return start_simulator(seed=7, scale=1, fault_rate=0.0, retry_after_s=0)


def regression_warned(at: AppTest, eval_name: str) -> bool:
    return any(
        eval_name in plain(w.value) and "regressed beyond noise" in w.value for w in at.warning
    )


def latest_table(at: AppTest) -> Any:
    """The Overview's "latest finished run of each eval" table."""
    return next(d for d in at.dataframe if "latest_run_name" in d.value.columns)


def page_links(at: AppTest) -> list[Any]:
    return [e.proto for e in at.get("page_link")]


# --------------------------------------------------------------------------- sandbox apart


def test_a_sandbox_upload_leaves_the_overview_and_its_regression_as_they_were(
    monkeypatch: pytest.MonkeyPatch, own_sim: Any, tmp_path: Any
) -> None:
    truth = truth_of(own_sim)
    regression = truth["scenarios"]["regression"]
    production = truth["totals"]["production"]
    score_sandbox_refusals(own_sim, regression["eval_uuid"])
    after = truth_of(own_sim)
    assert after["totals"]["runs"] == truth["totals"]["runs"] + 1
    assert after["totals"]["production"] == production  # the truth: production is unchanged

    at = open_page(make_app(monkeypatch, own_sim, tmp_path), "Overview")
    assert regression_warned(at, regression["eval_name"])
    assert tile(at, "Finished runs") == f"{production['runs_by_status']['finished']:,}"
    assert tile(at, "Pass rate") == pct(production["pass_rate"])
    latest = latest_table(at).value
    row = latest[latest["eval_name"] == regression["eval_name"]].iloc[0]
    assert not row["latest_run_name"].endswith("[sandbox]")  # the production run, as before
    assert any("sandbox run" in c and "left out" in c for c in captions(at))

    # Switched on, the sandbox run is in, marked, and it is now the eval's latest finished run.
    at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT_S), "Overview", sandbox="true")
    assert at.toggle(key="sandbox").value is True
    assert not regression_warned(at, regression["eval_name"])
    everything = after["totals"]
    assert tile(at, "Finished runs") == f"{everything['runs_by_status']['finished']:,}"
    latest = latest_table(at).value
    row = latest[latest["eval_name"] == regression["eval_name"]].iloc[0]
    assert row["latest_run_name"].endswith("[sandbox]")
    assert any("Including" in c and "sandbox" in c for c in captions(at))


def test_sandbox_runs_are_left_out_of_the_runs_page_unless_included_and_marked_when_in(
    app: AppTest, simulator: Any
) -> None:
    sandbox = [r for r in runs_of(simulator) if r.get("is_sandbox")]
    assert sandbox, "the demo data has sandbox runs"
    open_page(app, "Runs")
    listed = table_of(app, "runs_table").value
    assert not listed["run_name"].str.endswith("[sandbox]").any()
    assert not listed["is_sandbox"].fillna(False).astype(bool).any()
    at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT_S), "Runs", sandbox="true")
    table = table_of(at, "runs_table").value
    marked = table[table["run_name"].str.endswith("[sandbox]")]
    assert len(marked) == len(sandbox) == len(table) - len(listed)
    assert marked["is_sandbox"].all()


# --------------------------------------------------------------------------- one definition


def test_the_evals_tile_accounts_for_the_evals_missing_from_the_charts(app: AppTest) -> None:
    open_page(app, "Overview")
    evals = int(tile(app, "Evals").replace(",", ""))
    charted = len(latest_table(app).value)
    missing = evals - charted
    assert missing > 0, "the demo data has evals with no finished run"
    note = next(m.delta for m in app.metric if m.label == "Evals")
    assert note == f"{missing:,} without results"
    assert any(
        c.startswith(f"{plural(missing, 'eval')} ") and "no finished run yet" in c
        for c in captions(app)
    )


def test_tiles_and_columns_are_named_and_explained_by_one_definition(app: AppTest) -> None:
    from reporting.aymara import definitions as d

    open_page(app, "Overview")
    helps = {m.label: m.help for m in app.metric}
    assert d.FINISHED_RUNS_HELP in helps["Finished runs"]
    assert d.PASS_RATE_HELP in helps["Pass rate"]
    refusal = next(m for m in app.metric if m.label == "Refusal rate")
    assert d.REFUSAL_RATE_HELP in refusal.help
    assert re.fullmatch(r"of [\d,]+ responses", refusal.delta)  # its denominator
    assert re.search(r"[\d,]+ of [\d,]+ responses refused", refusal.help)  # counts on hover
    for label in ("Evals", "Finished runs", "Responses scored", "Pass rate", "Refusal rate"):
        assert helps[label], label
    latest = latest_table(app)
    config = latest.proto.columns
    assert d.FINISHED_RUNS in config and d.LATEST_FINISHED_RUN in config
    open_page(app, "Evals")
    config = app.dataframe[0].proto.columns
    assert d.FINISHED_RUNS in config and d.LATEST_FINISHED_RUN in config
    assert '"label": "Runs"' not in config  # no second meaning under the same name


def test_a_processing_run_shows_its_pass_rate_as_partial_in_the_table_and_its_detail(
    app: AppTest, simulator: Any
) -> None:
    run = next(r for r in runs_of(simulator) if r["status"] == "processing" and not r["is_sandbox"])
    verdicts = served_verdicts(simulator, run)
    scored = sum(v is not None for v in verdicts)
    rate = sum(v is True for v in verdicts) / scored
    open_page(app, "Runs")
    table = table_of(app, "runs_table").value
    prompts = f" of {run['num_prompts']:,}" if run.get("num_prompts") else ""
    said = f"{pct(rate)} so far, {scored:,}{prompts} scored"
    (row,) = [r for _, r in table.iterrows() if r["pass_rate_so_far"] == said]
    assert row["pass_rate"] != row["pass_rate"]  # NaN: never a final figure
    open_page(app, "Runs", run=run["eval_run_uuid"])
    assert not [m for m in app.metric if m.label == "Pass rate"]
    partial = next(m for m in app.metric if m.label == "Pass rate so far")
    assert partial.value == pct(rate)
    assert partial.delta.startswith(f"so far, {scored:,}")


def test_the_worst_eval_link_opens_the_failures_of_its_latest_finished_run_only(
    app: AppTest, simulator: Any
) -> None:
    open_page(app, "Overview")
    latest = latest_table(app).value
    worst = latest.iloc[0]
    link = next(p for p in page_links(app) if "failing responses of the worst eval" in p.label)
    params = {k: v[-1] for k, v in parse_qs(link.query_string).items()}
    of_worst = [
        r
        for r in runs_of(simulator)
        if (r.get("evaluation") or {}).get("name") == worst["eval_name"]
        and r["status"] == "finished"
        and not r.get("is_sandbox")
    ]
    run = max(of_worst, key=lambda r: r["created_at"])  # its latest finished run
    assert params == {"eval_run_uuid": run["eval_run_uuid"], "verdict": "Failed"}
    failed = served_verdicts(simulator, run).count(False)
    open_page(app, "Responses", **params)
    caption = next(c for c in captions(app) if " of " in c and "responses" in c)
    assert caption.startswith(f"**{failed:,}** of ")
    assert any("Only run" in c for c in captions(app))


# --------------------------------------------------------------------------- links


def test_compare_keeps_run_ids_in_the_link_and_says_when_one_is_not_there(
    app: AppTest, truth: dict[str, Any]
) -> None:
    regression = truth["scenarios"]["regression"]
    open_page(app, "Compare runs", eval=regression["eval_uuid"], run_a=BOGUS)
    warnings = " ".join(w.value for w in app.warning)
    assert BOGUS in warnings and "which is not here" in warnings and "Showing" in warnings
    run_a = next(s for s in app.selectbox if s.label == "Run A (before)")
    assert run_a.value == regression["previous_run_uuid"]  # the fallback it names
    assert plain(run_a.format_func(run_a.value)) in plain(warnings)
    run_b = next(s for s in app.selectbox if s.label == "Run B (after)")
    uuids = [r["eval_run_uuid"] for r in truth_runs(app, regression["eval_uuid"])]
    run_b.set_value(uuids[-3]).run()
    assert app.query_params["run_b"] in (uuids[-3], [uuids[-3]])
    assert app.query_params["eval"] in (regression["eval_uuid"], [regression["eval_uuid"]])


def truth_runs(app: AppTest, eval_uuid: str) -> list[dict[str, Any]]:
    """The runs of an eval, oldest first, from the simulator the app reads."""
    import os

    base = os.environ["AYMARA_AI_BASE_URL"]
    items = httpx.get(
        f"{base}/v2/eval-runs",
        params={"workspace_uuid": "**", "eval_uuid": eval_uuid, "limit": 100},
        headers=HEADERS,
    ).json()["items"]
    return sorted(items, key=lambda r: (r["created_at"], r["eval_run_uuid"]))


@pytest.fixture(scope="module")
def truth(simulator: Any) -> dict[str, Any]:
    return truth_of(simulator)


def test_a_link_to_a_run_that_is_not_there_says_so_and_shows_every_run(
    app: AppTest, truth: dict[str, Any]
) -> None:
    open_page(app, "Responses", eval_run_uuid=BOGUS)
    assert any(BOGUS in w.value and "every run" in w.value for w in app.warning)
    caption = next(c for c in captions(app) if " of " in c and "responses" in c)
    assert f" of {truth['totals']['production']['responses']:,} responses" in caption


# --------------------------------------------------------------------------- workspaces


def test_this_keys_workspace_shows_only_the_keys_own_and_all_shows_every_workspace(
    app: AppTest, truth: dict[str, Any]
) -> None:
    own = truth["workspaces"][truth["key_workspace_uuid"]]["production"]
    every = truth["totals"]["production"]
    assert own["evals"] < every["evals"]
    open_page(app, "Overview", workspace="key")
    assert tile(app, "Evals") == f"{own['evals']:,}"
    assert tile(app, "Finished runs") == f"{own['runs_by_status']['finished']:,}"
    workspace = next(s for s in app.selectbox if s.label == "Workspace")
    assert workspace.format_func(workspace.value) == "This key's workspace"
    at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT_S), "Overview", workspace="*")
    assert tile(at, "Evals") == f"{every['evals']:,}"
