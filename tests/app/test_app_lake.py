"""The dashboard on the results lake (EVAL_DASHBOARD_LAKE_URL): what a replica shows.

The sync worker writes the lake; the app reads the newest finished sync instead of the API
(only the suite reports' listing and the live panel's processing runs still ask the API).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from client.aymara import ALL_WORKSPACES
from components import cache
from components.connection import Source
from jobs.lake import lake_location, open_snapshot
from jobs.lake_data import dataset_from_snapshot
from jobs.sync import sync_lake
from reporting.aymara import sql
from reporting.aymara.response_rows import LakeRows, RowFilters
from tests.app.test_app_aymara import APP, TIMEOUT_S, open_page, pct, shown_of, tile
from tests.conftest import SIMULATOR_KEY
from tests.integration.test_lake_sync import client_of, control, score_new_run


@pytest.fixture
def sim(start_simulator: Any) -> Any:
    return start_simulator(seed=7, scale=1, fault_rate=0.0, retry_after_s=0)


@pytest.fixture
def lake_dir(tmp_path: Path, sim: Any) -> Path:
    folder = tmp_path / "lake"
    sync_lake(client_of(sim), lake_location(str(folder)))
    return folder


@pytest.fixture
def app(
    monkeypatch: pytest.MonkeyPatch, sim: Any, lake_dir: Path, tmp_path: Path
) -> Iterator[AppTest]:
    monkeypatch.setenv("AYMARA_AI_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", sim.base_url)
    monkeypatch.setenv("EVAL_DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("EVAL_DASHBOARD_LAKE_URL", str(lake_dir))
    for name in ("FEATHER_API_KEY", "FEATHER_BASE_URL", "EVAL_DASHBOARD_WORKSPACES"):
        monkeypatch.delenv(name, raising=False)
    cache.dataset_cache().clear()
    yield AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    cache.dataset_cache().clear()


def production_truth(sim: Any) -> dict[str, Any]:
    return control(sim, "GET", "/_sim/ground-truth")["aymara"]["totals"]["production"]


def test_the_overview_on_the_lake_equals_the_ground_truth_without_loading_the_api(
    app: AppTest, sim: Any
) -> None:
    control(sim, "POST", "/_sim/reset-stats")
    open_page(app, "Overview")
    totals = production_truth(sim)
    assert tile(app, "Evals") == f"{totals['evals']:,}"
    assert tile(app, "Finished runs") == f"{totals['runs_by_status']['finished']:,}"
    assert tile(app, "Responses scored") == f"{totals['passed'] + totals['failed']:,}"
    assert tile(app, "Pass rate") == pct(totals["pass_rate"])
    assert any(c.value.startswith("Data from the results lake: sync 1,") for c in app.caption)
    routes = control(sim, "GET", "/_sim/stats")["by_route"]
    # No response or prompt is read from the API: the lake has them.
    assert not any("/responses" in r or "/prompts" in r for r in routes), routes
    assert sum(routes.values()) < 20, routes


def test_a_new_run_appears_after_the_next_sync_is_seen(
    app: AppTest, sim: Any, lake_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVAL_DASHBOARD_LAKE_CHECK_S", "0")  # look for a new sync every run
    open_page(app, "Responses")
    before, _ = shown_of(app, "responses")
    client = client_of(sim)
    _, prompts = score_new_run(client, "Scored while the dashboard read the lake")
    app.run()
    assert shown_of(app, "responses")[0] == before  # the lake has not been synced yet

    sync_lake(client, lake_location(str(lake_dir)))
    app.run()  # the same session: the newer sync is a new dataset, loaded once
    assert shown_of(app, "responses")[0] == before + len(prompts)


def test_a_lake_never_synced_says_what_to_start(
    monkeypatch: pytest.MonkeyPatch, app: AppTest, tmp_path: Path
) -> None:
    monkeypatch.setenv("EVAL_DASHBOARD_LAKE_URL", str(tmp_path / "empty-lake"))
    app.run()
    assert not app.exception
    errors = " ".join(e.value for e in app.error)
    assert "has no finished sync yet" in errors
    assert "python -m jobs sync" in errors


def test_the_responses_page_asks_the_lake_for_its_rows_and_never_holds_them_all(
    app: AppTest, sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[int, int]] = []
    page_of = LakeRows.page

    def spy(self: LakeRows, filters: Any, offset: int, size: int) -> Any:
        asked.append((offset, size))
        return page_of(self, filters, offset, size)

    monkeypatch.setattr(LakeRows, "page", spy)
    totals = production_truth(sim)
    open_page(app, "Responses", verdict="Failed")
    assert shown_of(app, "responses") == (totals["failed"], totals["responses"])
    table = app.dataframe[0].value
    assert 0 < len(table) <= 1_000 and set(table["verdict"].astype(str)) == {"['Failed']"}
    # The table's rows came from SQL, one page of them.
    assert asked == [(0, 1_000)]
    app.switch_page("pages/regressions.py").run()
    assert not app.exception and [t.value for t in app.title] == ["Regressions"]
    # The Overview (run first), Responses and Regressions asked SQL for their numbers and
    # rows: no page read every response into memory.
    [data] = [d for d in cache.dataset_cache().loaded() if getattr(d, "lake", None)]
    assert not data.responses_loaded and not data.view(False).responses_loaded


def test_a_lake_dataset_reads_every_response_only_when_a_page_needs_them(
    lake_dir: Path, sim: Any
) -> None:
    totals = production_truth(sim)
    snapshot = open_snapshot(lake_location(str(lake_dir)))
    assert snapshot is not None
    data = dataset_from_snapshot(snapshot, ALL_WORKSPACES, sim.base_url).view(False)
    rows = data.response_rows()
    assert isinstance(rows, LakeRows)
    failed = RowFilters(sql.Filters(verdicts=("failed",)))
    assert rows.counts(failed)["total"] == totals["failed"]
    assert len(rows.page(failed, 0, 50)) == 50
    assert len(data.regression_board) > 0
    counts, failing = data.response_summary()
    assert (counts["passed"], counts["failed"]) == (totals["passed"], totals["failed"])
    assert len(failing) > 0
    pair = data.regression_board.iloc[0]
    assert len(data.flips(pair["run_a"], pair["run_b"])) > 0
    assert not data.responses_loaded  # counts, a page, the board and its flips: SQL only
    assert len(data.responses) == totals["responses"]  # read once, when asked
    assert data.responses_loaded


def test_every_aymara_page_asks_the_lake_and_none_reads_every_response(
    app: AppTest, sim: Any
) -> None:
    from reporting.aymara.aggregates import confidence_bands
    from reporting.aymara.review_queue import review_queue

    regression = control(sim, "GET", "/_sim/ground-truth")["aymara"]["scenarios"]["regression"]
    open_page(app, "Evals")
    [data] = [d for d in cache.dataset_cache().loaded() if getattr(d, "lake", None)]
    shown = data.view(False)
    open_page(app, "Runs", run=regression["latest_run_uuid"])
    assert tile(app, "Pass rate") == pct(regression["latest_pass_rate"])
    scored = int(tile(app, "Passed")) + int(tile(app, "Failed"))
    assert len(app.dataframe[-1].value) == scored + int(tile(app, "Not scored"))
    for title in ("Compare runs", "Judge calibration"):
        open_page(app, title)
        assert not app.warning or all("partial" not in w.value for w in app.warning)
    app.switch_page("pages/review.py").run()
    assert not app.exception and [t.value for t in app.title] == ["Review queue"]
    progress = app.get("progress")[0].proto.text
    # Every page above asked SQL for its rows and numbers: the responses were never read.
    assert not data.responses_loaded and not shown.responses_loaded
    # ...and what they showed equals the pandas path over every response, read now.
    queue = review_queue(shown.responses, shown.runs, "low_fail")
    assert progress.endswith(f"of {len(queue):,} reviewed") and len(queue) > 0
    bands = confidence_bands(shown.responses)
    assert shown.confidence_bands()["scored"].tolist() == bands["scored"].tolist()
    run = shown.responses[shown.responses["eval_run_uuid"] == regression["latest_run_uuid"]]
    assert run["verdict"].isin(["passed", "failed"]).sum() == scored > 0


def test_long_lists_on_the_lake_say_how_many_they_leave_unlisted(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobs import aymara_data

    monkeypatch.setattr(aymara_data, "QUEUE_ROWS", 5)
    monkeypatch.setattr(aymara_data, "LIST_ROWS", 4)
    open_page(app, "Judge calibration")
    review = app.dataframe[1].value
    assert len(review) == 4
    [said] = [c.value for c in app.caption if "to review; the newest 4 are listed" in c.value]
    total = int(said.split(" ")[0].replace(",", ""))
    assert total > 4
    app.switch_page("pages/review.py").run()
    assert not app.exception
    progress = app.get("progress")[0].proto.text
    assert (
        progress.startswith("0 of 5 reviewed (the 5 least confident of ") and "listed" in progress
    )
    assert app.markdown  # the first item's card, read in full from its run
    assert any(c.value == "Judge's explanation" for c in app.caption)


# --- the dashboard's own lake: no EVAL_DASHBOARD_LAKE_URL (the default) ---------------------


def own_lake_env(monkeypatch: pytest.MonkeyPatch, sim: Any, tmp_path: Path) -> None:
    """The app's environment with no lake URL (its own lake, the default), caches emptied."""
    monkeypatch.setenv("AYMARA_AI_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", sim.base_url)
    monkeypatch.setenv("EVAL_DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("FEATHER_API_KEY", "FEATHER_BASE_URL", "EVAL_DASHBOARD_WORKSPACES",
                 "EVAL_DASHBOARD_LAKE_URL", "EVAL_DASHBOARD_LOCAL_LAKE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    cache.dataset_cache().clear()


@pytest.fixture
def own_app(monkeypatch: pytest.MonkeyPatch, sim: Any, tmp_path: Path) -> Iterator[AppTest]:
    own_lake_env(monkeypatch, sim, tmp_path)
    yield AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    cache.dataset_cache().clear()


def test_the_first_visit_syncs_the_own_lake_and_a_restart_asks_only_the_listings(
    own_app: AppTest, sim: Any, tmp_path: Path
) -> None:
    control(sim, "POST", "/_sim/reset-stats")
    open_page(own_app, "Overview")
    totals = production_truth(sim)
    assert tile(own_app, "Evals") == f"{totals['evals']:,}"
    assert tile(own_app, "Responses scored") == f"{totals['passed'] + totals['failed']:,}"
    assert tile(own_app, "Pass rate") == pct(totals["pass_rate"])
    assert "Data synced just now (sync 1)" in [c.value for c in own_app.caption]
    lakes = list((tmp_path / "cache" / "lake").iterdir())
    assert len(lakes) == 1 and (lakes[0] / "responses" / "_delta_log").is_dir()
    [data] = [d for d in cache.dataset_cache().loaded() if getattr(d, "lake", None)]
    assert not data.responses_loaded  # the Overview asked SQL, as a replica does
    first = control(sim, "GET", "/_sim/stats")["by_route"]
    assert any(r.endswith("/responses") for r in first), first

    cache.dataset_cache().clear()  # a restart: what is in memory is gone, the lake is not
    control(sim, "POST", "/_sim/reset-stats")
    restarted = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    open_page(restarted, "Overview")
    assert tile(restarted, "Responses scored") == f"{totals['passed'] + totals['failed']:,}"
    routes = control(sim, "GET", "/_sim/stats")["by_route"]
    assert not any("/responses" in r or "/prompts" in r for r in routes), routes
    assert "Data synced just now (sync 1)" in [c.value for c in restarted.caption]


def test_on_the_own_lake_a_new_run_shows_after_refresh(own_app: AppTest, sim: Any) -> None:
    open_page(own_app, "Responses")
    before, _ = shown_of(own_app, "responses")
    _, prompts = score_new_run(client_of(sim), "Scored while the dashboard was open")
    own_app.run()
    assert shown_of(own_app, "responses")[0] == before  # kept for the cache's TTL
    assert cache.refresh(Source("aymara", sim.base_url, SIMULATOR_KEY))  # what Refresh calls
    own_app.run()
    assert not own_app.exception, [e.value for e in own_app.exception]
    assert shown_of(own_app, "responses")[0] == before + len(prompts)
    assert "Data synced just now (sync 2)" in [c.value for c in own_app.caption]


def test_with_the_local_lake_off_the_api_is_read_into_memory(
    own_app: AppTest, sim: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EVAL_DASHBOARD_LOCAL_LAKE", "off")
    open_page(own_app, "Overview")
    assert any(c.value.startswith("Data loaded just now") for c in own_app.caption)
    assert not (tmp_path / "cache" / "lake").exists()
    [data] = [d for d in cache.dataset_cache().loaded() if hasattr(d, "responses_loaded")]
    assert data.lake is None and data.responses_loaded


def test_a_replica_shows_only_the_keys_own_workspace_when_asked_for_it(
    app: AppTest, sim: Any
) -> None:
    truth = control(sim, "GET", "/_sim/ground-truth")["aymara"]
    own = truth["workspaces"][truth["key_workspace_uuid"]]["production"]
    assert own["evals"] < truth["totals"]["production"]["evals"]
    open_page(app, "Overview", workspace="key")
    assert tile(app, "Evals") == f"{own['evals']:,}"  # not every workspace of the lake
    assert tile(app, "Responses scored") == f"{own['passed'] + own['failed']:,}"
