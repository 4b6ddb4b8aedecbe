"""The Aymara pages under Streamlit's AppTest, reading the simulator over real HTTP.

Every number asserted here comes from the simulator's own ground truth (`/_sim/ground-truth`),
never from the app's frames, so a page that miscounts cannot agree with itself. The pages leave
sandbox runs and evals out by default, so they show each row's `production` counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from client.aymara import ALL_WORKSPACES, AymaraClient
from components import cache
from jobs.aymara_data import AymaraData
from tests.appserver import ROOT
from tests.conftest import SIMULATOR_KEY

APP = str(ROOT / "app.py")
TIMEOUT_S = 60
PAGES = {
    "Overview": "pages/overview.py",
    "Regressions": "pages/regressions.py",
    "Evals": "pages/evals.py",
    "Runs": "pages/runs.py",
    "Responses": "pages/responses.py",
    "Compare runs": "pages/compare.py",
    "Judge calibration": "pages/calibration.py",
    "Reports": "pages/reports.py",
}
_ESCAPED = re.compile(r"\\(.)")


@pytest.fixture(scope="module")
def truth(simulator: Any) -> dict[str, Any]:
    """The shared simulator's counts, per workspace and in total."""
    answer = httpx.get(
        f"{simulator.base_url}/_sim/ground-truth", headers={"x-api-key": SIMULATOR_KEY}
    )
    answer.raise_for_status()
    return answer.json()["aymara"]


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, simulator: Any, tmp_path: Any) -> Iterator[AppTest]:
    """The app pointed at the simulator (Aymara only), with an empty dataset cache."""
    monkeypatch.setenv("AYMARA_AI_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", simulator.base_url)
    monkeypatch.setenv("EVAL_DASHBOARD_CACHE_DIR", str(tmp_path))
    for name in ("FEATHER_API_KEY", "FEATHER_BASE_URL", "EVAL_DASHBOARD_WORKSPACES"):
        monkeypatch.delenv(name, raising=False)
    cache.dataset_cache().clear()
    yield AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    cache.dataset_cache().clear()


def open_page(at: AppTest, title: str, **params: str) -> AppTest:
    """Run the app once (st.navigation needs it), then the page, with query parameters."""
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if PAGES[title] != PAGES["Overview"]:
        at.switch_page(PAGES[title]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [title]
    return at


def table_of(at: AppTest, table: str) -> Any:
    """The dataframe whose key starts with `table` (keys of filtered tables add a digest)."""
    found = [d for d in at.dataframe if d.key and d.key.startswith(table)]
    assert found, f"no table keyed {table}… in {[d.key for d in at.dataframe]}"
    return found[0]


def select_row(at: AppTest, table: str, row: int = 0) -> AppTest:
    """Choose a row of a selectable table, as a click on its checkbox would.

    `table` is the start of its key: tables keyed by their filters add a digest to it.
    """
    keys = [d.key for d in at.dataframe if d.key and d.key.startswith(table)]
    assert keys, f"no table keyed {table}… in {[d.key for d in at.dataframe]}"
    at.session_state[keys[0]] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tile(at: AppTest, label: str) -> str:
    """The value of the KPI tile with this label."""
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no tile {label!r} in {[m.label for m in at.metric]}"
    return values[0]


def captions(at: AppTest) -> list[str]:
    """Every caption's markdown."""
    return [c.value for c in at.caption]


def shown_of(at: AppTest, noun: str) -> tuple[int, int]:
    """(N, M) from the page's 'N of M <noun>' caption."""
    for text in captions(at):
        match = re.search(rf"([\d,]+)\** of ([\d,]+) {noun}", text)
        if match:
            return int(match[1].replace(",", "")), int(match[2].replace(",", ""))
    raise AssertionError(f"no 'N of M {noun}' caption in {captions(at)}")


def plain(markdown: str) -> str:
    """Markdown written with components.response_card.md, read back as the text it shows."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u2060", "")


def pct(value: float) -> str:
    """As the tiles show a rate."""
    return f"{value * 100:.1f}%"


def charts(at: AppTest) -> int:
    """How many plotly charts the page drew."""
    return len(at.get("plotly_chart"))


# --------------------------------------------------------------------------- Overview


def test_the_overview_tiles_equal_the_simulators_ground_truth(
    app: AppTest, truth: dict[str, Any]
) -> None:
    totals = truth["totals"]["production"]
    open_page(app, "Overview")
    assert tile(app, "Evals") == f"{totals['evals']:,}"
    assert tile(app, "Finished runs") == f"{totals['runs_by_status']['finished']:,}"
    assert tile(app, "Responses scored") == f"{totals['passed'] + totals['failed']:,}"
    assert tile(app, "Pass rate") == pct(totals["pass_rate"])
    assert tile(app, "Refusal rate").endswith("%")
    assert charts(app) == 2  # pass rate over time, and by eval


def test_the_overview_shows_the_pass_rates_95_percent_interval_under_it(app: AppTest) -> None:
    open_page(app, "Overview")
    tile_ = next(m for m in app.metric if m.label == "Pass rate")
    low, high = re.fullmatch(r"95% CI ([\d.]+)–([\d.]+)%", tile_.delta).groups()
    assert float(low) < float(tile_.value.rstrip("%")) < float(high)


def test_the_overview_warns_of_the_seeded_regression_and_links_to_the_board(
    app: AppTest, truth: dict[str, Any]
) -> None:
    open_page(app, "Overview")
    regression = truth["scenarios"]["regression"]
    warnings = [plain(w.value) for w in app.warning]
    assert any(regression["eval_name"] in w and "regressed beyond noise" in w for w in warnings)


def test_a_workspace_in_the_link_restricts_every_tile_to_it(
    app: AppTest, truth: dict[str, Any]
) -> None:
    ws_uuid, ws = min(truth["workspaces"].items(), key=lambda item: item[1]["runs"])
    assert ws["runs"] < truth["totals"]["runs"]
    ws = ws["production"]
    open_page(app, "Overview", workspace=ws_uuid)
    assert tile(app, "Evals") == f"{ws['evals']:,}"
    assert tile(app, "Finished runs") == f"{ws['runs_by_status']['finished']:,}"
    assert tile(app, "Responses scored") == f"{ws['passed'] + ws['failed']:,}"
    assert tile(app, "Pass rate") == pct(ws["pass_rate"])


def test_an_unknown_workspace_in_the_link_says_what_to_do_instead_of_crashing(
    app: AppTest,
) -> None:
    open_page(app, "Overview", workspace="00000000-0000-4000-8000-000000000000")
    assert not app.metric
    errors = " ".join(e.value for e in app.error)
    assert "could not be loaded" in errors
    assert "Request id" in errors


# --------------------------------------------------------------------------- Evals


def test_the_evals_catalogue_lists_every_eval_and_filters_by_type(
    app: AppTest, truth: dict[str, Any]
) -> None:
    evals = truth["totals"]["production"]["evals"]
    open_page(app, "Evals")
    assert shown_of(app, "evals") == (evals,) * 2
    catalogue = app.dataframe[0].value
    accuracy = int((catalogue["eval_type"] == "Accuracy").sum())  # the table reads words
    assert 0 < accuracy < len(catalogue)
    app.multiselect(key="type").set_value(["accuracy"]).run()
    assert shown_of(app, "evals") == (accuracy, evals)


def test_choosing_an_eval_shows_its_runs_over_time_and_its_prompts(app: AppTest) -> None:
    open_page(app, "Evals")
    catalogue = app.dataframe[0].value
    position = int(((catalogue["runs"] > 1) & (catalogue["num_prompts"] > 0)).to_numpy().argmax())
    select_row(app, "evals_table", position)
    assert [plain(h.value) for h in app.header] == [catalogue.iloc[position]["eval_name"]]
    assert [s.value for s in app.subheader] == ["Pass rate of its runs", "Prompts"]
    prompts = app.dataframe[1].value
    assert any(f"{len(prompts):,} prompts in" in c for c in captions(app))
    assert charts(app) == 1


def test_a_link_to_an_eval_opens_it(app: AppTest, truth: dict[str, Any]) -> None:
    noise = truth["scenarios"]["noise"]
    open_page(app, "Evals", eval_uuid=noise["eval_uuid"])
    assert [plain(h.value) for h in app.header] == [noise["eval_name"]]


# --------------------------------------------------------------------------- Runs


def test_the_runs_status_filter_shows_the_ground_truth_count(
    app: AppTest, truth: dict[str, Any]
) -> None:
    totals = truth["totals"]["production"]
    by_status = totals["runs_by_status"]
    open_page(app, "Runs")
    assert shown_of(app, "runs") == (totals["runs"],) * 2
    app.multiselect(key="status").set_value(["finished"]).run()
    assert shown_of(app, "runs") == (by_status["finished"], totals["runs"])
    app.multiselect(key="status").set_value(["failed", "processing"]).run()
    expected = by_status.get("failed", 0) + by_status.get("processing", 0)
    assert shown_of(app, "runs")[0] == expected


def test_the_runs_pass_rate_range_drops_runs_outside_it(
    app: AppTest, truth: dict[str, Any]
) -> None:
    open_page(app, "Runs")
    rates = table_of(app, "runs_table").value["pass_rate"]  # shown scaled to percent
    app.slider(key="pass_rate").set_value((0.0, 0.8)).run()
    assert shown_of(app, "runs")[0] == int((rates <= 80).sum())


def test_a_run_opened_from_its_link_shows_tiles_categories_and_confidence(
    app: AppTest, truth: dict[str, Any]
) -> None:
    regression = truth["scenarios"]["regression"]
    open_page(app, "Runs", run=regression["latest_run_uuid"])
    assert tile(app, "Pass rate") == pct(regression["latest_pass_rate"])
    passed, failed = int(tile(app, "Passed")), int(tile(app, "Failed"))
    assert passed / (passed + failed) == pytest.approx(regression["latest_pass_rate"])
    assert [s.value for s in app.subheader][:2] == [
        "Pass rate by prompt category",
        "Judge confidence by verdict",
    ]
    assert charts(app) == 2
    # Its responses, failed first, with the first one's card open.
    responses = app.dataframe[-1].value
    assert len(responses) == passed + failed + int(tile(app, "Not scored"))
    assert list(responses["verdict"].iloc[0]) == ["Failed"]  # a pill, in words
    assert any(t.value == "Judge's explanation" for t in app.caption)


# --------------------------------------------------------------------------- Responses


def test_the_responses_verdict_filter_shows_the_ground_truth_failed_count(
    app: AppTest, truth: dict[str, Any]
) -> None:
    totals = truth["totals"]["production"]
    open_page(app, "Responses")
    assert shown_of(app, "responses") == (totals["responses"],) * 2
    app.button_group(key="verdict").set_value(["Failed"]).run()
    assert shown_of(app, "responses") == (totals["failed"], totals["responses"])
    app.button_group(key="verdict").set_value(["Passed", "Not scored"]).run()
    assert shown_of(app, "responses")[0] == totals["passed"] + totals["not_scored"]


def test_a_verdict_in_the_link_filters_the_responses(app: AppTest, truth: dict[str, Any]) -> None:
    open_page(app, "Responses", verdict="Failed")
    assert shown_of(app, "responses")[0] == truth["totals"]["production"]["failed"]


def test_a_workspace_in_the_link_restricts_the_responses(
    app: AppTest, truth: dict[str, Any]
) -> None:
    ws_uuid, ws = max(truth["workspaces"].items(), key=lambda item: item[1]["responses"])
    open_page(app, "Responses", workspace=ws_uuid)
    assert shown_of(app, "responses") == (ws["production"]["responses"],) * 2


def test_a_search_that_matches_nothing_says_so_in_a_sentence(app: AppTest) -> None:
    open_page(app, "Responses")
    app.text_input(key="q").input("no response ever says zqxjv").run()
    assert shown_of(app, "responses")[0] == 0
    assert any("No response matches" in i.value for i in app.info)
    assert not app.dataframe


def test_choosing_a_response_opens_its_card_and_puts_it_in_the_link(app: AppTest) -> None:
    open_page(app, "Responses")
    app.button_group(key="verdict").set_value(["Failed"]).run()
    first = table_of(app, "responses_table").value.iloc[0]
    select_row(app, "responses_table")
    texts = [t.value for t in app.text]
    assert first["prompt_content"] in texts
    # The explanation is on the card, not in the table: find it in the loaded dataset.
    uuid = app.query_params["response"]
    loaded = [e.value for e in cache.dataset_cache()._entries.values()]
    frames = [d.responses for d in loaded if getattr(d, "responses", None) is not None]
    match = next(f for f in frames if (f["response_uuid"].astype(str) == uuid).any())
    explanation = match.loc[match["response_uuid"].astype(str) == uuid, "explanation"].iloc[0]
    assert explanation and explanation in texts
    assert "response" in app.query_params
    assert any("Failed" in m.value and "badge" in m.value for m in app.markdown)


def test_the_responses_csv_holds_exactly_the_filtered_rows(
    app: AppTest, truth: dict[str, Any]
) -> None:
    open_page(app, "Responses")
    app.button_group(key="verdict").set_value(["Failed"]).run()
    button = next(b for b in app.get("download_button") if "CSV" in b.proto.label)
    assert f"{truth['totals']['production']['failed']:,} filtered rows" in button.proto.help


# --------------------------------------------------------------------------- the rest


def test_the_regression_board_puts_the_seeded_regression_on_top_and_the_noise_within_noise(
    app: AppTest, truth: dict[str, Any]
) -> None:
    scenarios = truth["scenarios"]
    open_page(app, "Regressions")
    board = table_of(app, "board").value
    top = board.iloc[0]
    assert top["eval_name"] == scenarios["regression"]["eval_name"]
    assert list(top["result"]) == ["Regressed"]  # a coloured pill: a one-item list
    noise = board[board["eval_name"] == scenarios["noise"]["eval_name"]].iloc[0]
    assert list(noise["result"]) == ["Within noise"]
    flipped = scenarios["regression"]["passed_then_failed"]
    assert f"Prompts that flipped from passed to failed ({flipped})" in [
        s.value for s in app.subheader
    ]


def test_compare_opens_on_the_worst_regression_with_its_latest_two_finished_runs(
    app: AppTest, truth: dict[str, Any]
) -> None:
    regression = truth["scenarios"]["regression"]
    open_page(app, "Compare runs")
    chosen = {s.label: s.value for s in app.selectbox if s.label != "Workspace"}
    assert chosen == {
        "Eval": regression["eval_uuid"],
        "Run A (before)": regression["previous_run_uuid"],
        "Run B (after)": regression["latest_run_uuid"],
    }
    assert tile(app, "Run A pass rate") == pct(regression["previous_pass_rate"])
    assert tile(app, "Run B pass rate") == pct(regression["latest_pass_rate"])
    assert tile(app, "Newly failed / passed") == (
        f"{regression['passed_then_failed']} / {regression['failed_then_passed']}"
    )
    assert charts(app) == 1


def test_judge_calibration_plots_bands_and_lists_low_confidence_failures(app: AppTest) -> None:
    open_page(app, "Judge calibration")
    assert charts(app) == 1
    bands = app.dataframe[0].value
    assert bands["scored"].sum() > 0
    review = app.dataframe[1].value
    assert (review["confidence"] < 0.7).all()
    app.button_group(key="cal_type").set_value("accuracy").run()
    accuracy = app.dataframe[0].value
    assert 0 < accuracy["scored"].sum() < bands["scored"].sum()


def test_reports_list_every_report_and_open_the_newest_finished_one(app: AppTest) -> None:
    open_page(app, "Reports")
    listing = app.dataframe[0].value
    assert any(c.startswith(f"{len(listing):,} reports") for c in captions(app))
    subheaders = [plain(s.value) for s in app.subheader]
    assert subheaders[0] == "Across all runs"
    assert len(subheaders) > 1  # then one section per run


def test_an_accuracy_report_shows_one_row_per_category(app: AppTest) -> None:
    open_page(app, "Reports")
    listing = app.dataframe[0].value
    for position in range(len(listing)):
        select_row(app, "reports_table", position)
        marks = [c.value for c in app.caption if c.value.startswith("By category (")]
        if marks:
            break
    else:
        pytest.fail("no report holds an accuracy run with per-category sections")
    count = int(re.match(r"By category \((\d+)\)", marks[0])[1])
    bold = [plain(m.value).strip("*") for m in app.markdown if m.value.startswith("**")]
    header = bold.index("How to improve")
    categories = bold[header + 1 : header + 1 + count]
    assert len(categories) == count > 1
    assert len(set(categories)) == count  # one row per category, none twice


@pytest.mark.parametrize(
    "hostile",
    [
        "![x](http://example.invalid/p.png)",
        "[open](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        ":red[loud] :material/block: $x^2$",
        "see http://example.invalid or www.example.invalid or a@example.invalid",
    ],
)
def test_api_text_put_into_markdown_reads_back_exactly_and_parses_as_nothing(
    hostile: str,
) -> None:
    from reporting.text import escape_markdown

    escaped = escape_markdown(hostile)
    assert plain(escaped) == hostile
    # Every markdown, directive and autolink trigger is escaped or broken by a word joiner.
    assert not re.search(r"(?<!\\)[!\[\]()<>:$`*_]", escaped)
    assert "://" not in escaped and "www." not in escaped and "@e" not in escaped


def test_on_demo_data_every_aymara_page_says_so_in_one_quiet_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    for name in ("AYMARA_AI_API_KEY", "AYMARA_AI_BASE_URL", "FEATHER_API_KEY", "FEATHER_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EVAL_DASHBOARD_CACHE_DIR", str(tmp_path))
    cache.dataset_cache().clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    try:
        for title in PAGES:
            open_page(at, title)
            notes = [c for c in captions(at) if "demo data" in c]
            assert len(notes) == 1, (title, captions(at))
            assert "AYMARA_AI_API_KEY" in notes[0]
    finally:
        cache.dataset_cache().clear()


def test_an_image_response_shows_its_picture_from_the_apis_own_host(
    app: AppTest, simulator: Any
) -> None:
    with AymaraClient(SIMULATOR_KEY, simulator.base_url) as client:
        runs = [r for r in client.list_eval_runs(ALL_WORKSPACES).items if r.status == "finished"]
        image = next(
            resp
            for run in runs
            if not run.is_sandbox
            for resp in client.list_run_responses(run.eval_run_uuid, run.workspace_uuid).items
            if resp.content_type == "image"
        )
    open_page(app, "Responses", response=str(image.response_uuid))
    shown = app.get("image")  # the card sits in the drawer, a dialog
    assert len(shown) == 1, "the card shows the image itself, not only its reference"
    assert 'caption: "The AI' in str(shown[0].proto)
    assert str(image.content.file_uuid) in " ".join(t.value for t in app.text)


def test_a_link_naming_api_values_chooses_them_in_the_filters(
    app: AppTest, truth: dict[str, Any]
) -> None:
    # The URL normally holds the words shown ("Finished"); a link may name the API's own values.
    open_page(app, "Runs", status="finished")
    finished = truth["totals"]["production"]["runs_by_status"]["finished"]
    assert shown_of(app, "runs")[0] == finished
    assert app.multiselect(key="status").value == ["finished"]


def test_a_second_session_on_the_same_data_computes_nothing_again(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jobs.aymara_data
    import reporting.aymara.compare

    flip_tables: list[int] = []
    real = reporting.aymara.compare.flip_table

    def counted(*args: Any, **kwargs: Any) -> Any:
        flip_tables.append(1)
        return real(*args, **kwargs)

    for module in (reporting.aymara.compare, jobs.aymara_data):  # a page or the dataset's
        monkeypatch.setattr(module, "flip_table", counted)
    open_page(app, "Overview")
    open_page(app, "Responses")
    app.pills(key="verdict").set_value(["Failed"]).run()
    (data,) = [v for v in cache.dataset_cache().loaded() if isinstance(v, AymaraData)]
    built, shared = data.shared_counts()
    assert built > 0

    mine = shown_of(app, "responses")
    open_page(app, "Compare runs")
    built, shared = data.shared_counts()
    flips_built = len(flip_tables)
    assert flips_built > 0

    other = AppTest.from_file(APP, default_timeout=TIMEOUT_S)  # a colleague opening the links
    open_page(other, "Overview")
    open_page(other, "Responses", verdict="Failed")
    assert shown_of(other, "responses") == mine
    open_page(other, "Compare runs")  # the same two runs: their flips, counts and chart
    assert not other.exception
    assert data.shared_counts()[0] == built, "the second session rebuilt a shared part"
    assert data.shared_counts()[1] > shared
    assert len(flip_tables) == flips_built, "the second session built its own flip table"


def test_a_long_table_sends_one_page_and_a_row_chosen_on_a_later_page_opens_itself(
    app: AppTest,
) -> None:
    from components.tables import PAGE_ROWS

    open_page(app, "Responses")
    shown, _ = shown_of(app, "responses")
    assert shown > PAGE_ROWS, "the demo has more responses than one page"
    assert len(table_of(app, "responses_table").value) == PAGE_ROWS
    assert f"Rows 1–{PAGE_ROWS:,} of {shown:,}" in " ".join(captions(app))
    first_page = table_of(app, "responses_table").value

    next(b for b in app.button if b.label == "Next rows").click().run()
    second = table_of(app, "responses_table")
    assert len(second.value) == min(PAGE_ROWS, shown - PAGE_ROWS)
    assert f"Rows {PAGE_ROWS + 1:,}–" in " ".join(captions(app))
    assert not second.value["prompt_content"].equals(
        first_page["prompt_content"].head(len(second.value))
    )

    # The second page's third row is the filtered rows' PAGE_ROWS + 3rd: the card says so.
    select_row(app, second.key, 2)
    assert any(
        c == f"Response {PAGE_ROWS + 3:,} of {shown:,} in the filtered rows" for c in captions(app)
    ), captions(app)
