"""reporting.aymara.sql over a Delta lake equals today's pandas path on the same demo data."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bench.lake import demo_frames, generate, run_records
from jobs import lake, lake_lock
from reporting.aymara import sql
from reporting.aymara.aggregates import (
    category_pass_rates,
    confidence_bands,
    failing_categories,
    latest_run_changes,
    verdict_counts,
)
from reporting.aymara.compare import flip_table
from reporting.aymara.definitions import sandbox_view
from reporting.aymara.regressions import regression_board
from reporting.aymara.responses import responses_frame_from_records
from reporting.aymara.schema import RESPONSE_COLUMNS, RUN_COLUMNS, cast_frame
from reporting.aymara.search import filter_responses


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """Today's frames of the scale-1 demo account, built as the loader builds them."""
    demo = demo_frames(scale=1, prompts_per_eval=None)
    records = {run.uuid: run_records(demo["sim"], run) for run in demo["fetchable"]}
    responses = responses_frame_from_records(records, demo["runs"], demo["prompts"])
    return {"evals": demo["evals"], "runs": demo["runs"], "prompts": demo["prompts"],
            "responses": responses}  # fmt: skip


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A DuckDB connection on a lake generated from the same demo account."""
    folder: Path = tmp_path_factory.mktemp("lake")
    generate(str(folder), scale=1, prompts_per_eval=None)
    snapshot = lake.open_snapshot(lake.lake_location(str(folder)))
    assert snapshot is not None
    return snapshot.connect()


def view(frames: dict[str, pd.DataFrame], include: bool) -> dict[str, pd.DataFrame]:
    evals, runs, prompts, responses = sandbox_view(
        frames["evals"], frames["runs"], frames["prompts"], frames["responses"], include
    )
    return {"evals": evals, "runs": runs, "prompts": prompts, "responses": responses}


def plain(frame: pd.DataFrame, columns: Any = None, key: Any = None) -> list[dict[str, Any]]:
    """Rows as plain Python values (categoricals, NA and NaN made comparable), in key order."""
    frame = frame[list(columns)] if columns is not None else frame
    rows = []
    for record in frame.astype(object).to_dict("records"):
        rows.append({k: None if _missing(v) else v for k, v in record.items()})
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in key)) if key else rows


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def same_frame(got: pd.DataFrame, want: pd.DataFrame, key: Any = None) -> None:
    assert list(got.columns) == list(want.columns)
    assert plain(got, key=key) == plain(want, key=key)


def test_the_demo_data_has_what_the_comparisons_need(frames: dict[str, pd.DataFrame]) -> None:
    responses = frames["responses"]
    assert len(responses) > 3000
    assert responses["manually_updated"].any() and responses["verdict_overridden"].any()
    assert frames["runs"]["is_sandbox"].fillna(False).any()


FILTERS: list[dict[str, Any]] = [
    {},
    {"verdicts": ("failed",), "categories": ("self-harm", "medical advice", "privacy")},
    {"verdicts": ("failed",), "categories": ("self-harm", "medical advice", "privacy"),
     "text": "doctor"},
    {"text": "REFUND"},
    {"text": "100%_"},  # LIKE's wildcards are matched literally
    {"verdicts": ()},
    {"verdicts": ("not scored",)},
    {"refused": True},
    {"excluded": False, "confidence": (0.5, 0.8)},
    {"eval_types": ("accuracy", "jailbreak")},
]  # fmt: skip


@pytest.mark.parametrize("include", [False, True])
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_filtered_responses_are_the_rows_filter_responses_keeps(
    con: Any, frames: dict[str, pd.DataFrame], filters: dict[str, Any], include: bool
) -> None:
    want = filter_responses(view(frames, include)["responses"], **filters)
    got = sql.responses(con, sql.Filters(**filters), include)
    same_frame(got, want[list(RESPONSE_COLUMNS)], key=["eval_run_uuid", "response_uuid"])
    assert sql.count_responses(con, sql.Filters(**filters), include) == len(want)


def test_filters_by_eval_name_and_by_marked_sandbox_run_name_match_as_pandas(
    con: Any, frames: dict[str, pd.DataFrame]
) -> None:
    shown = view(frames, True)
    sandbox_name = next(n for n in shown["runs"]["run_name"] if n.endswith("[sandbox]"))
    some_eval = str(shown["evals"]["eval_name"].iloc[0])
    filters = {"runs": (sandbox_name,), "evals": None}
    want = filter_responses(shown["responses"], **filters)
    assert len(want) > 0
    same_frame(sql.responses(con, sql.Filters(**filters), True), want[list(RESPONSE_COLUMNS)],
               key=["response_uuid"])  # fmt: skip
    want = filter_responses(view(frames, False)["responses"], evals=[some_eval])
    got = sql.responses(con, sql.Filters(evals=(some_eval,)), False)
    assert len(got) == len(want) > 0


def test_responses_come_in_run_order_and_the_apis_order_within_a_run(con: Any) -> None:
    got = sql.responses(con, columns=["run_created_at", "eval_run_uuid"], limit=500, offset=100)
    assert len(got) == 500
    keys = list(zip(got["run_created_at"], got["eval_run_uuid"], strict=True))
    assert keys == sorted(keys)


@pytest.mark.parametrize("include", [False, True])
def test_headline_counts_equal_verdict_counts(
    con: Any, frames: dict[str, pd.DataFrame], include: bool
) -> None:
    want = verdict_counts(view(frames, include)["responses"])
    got = sql.verdict_counts(con, include_sandbox=include)
    assert set(got) == set(want)
    for name, value in want.items():
        assert got[name] == value or (math.isnan(got[name]) and math.isnan(value)), name


@pytest.mark.parametrize("by", ["prompt_category", "eval_type"])
def test_pass_rates_per_group_equal_category_pass_rates(
    con: Any, frames: dict[str, pd.DataFrame], by: str
) -> None:
    want = category_pass_rates(view(frames, False)["responses"], by)
    same_frame(sql.category_pass_rates(con, by=by), want)


def test_failing_categories_equal(con: Any, frames: dict[str, pd.DataFrame]) -> None:
    filters = {"eval_types": ("safety", "jailbreak")}
    want = failing_categories(filter_responses(view(frames, False)["responses"], **filters))
    same_frame(sql.failing_categories(con, sql.Filters(**filters)), want)


@pytest.mark.parametrize("include", [False, True])
@pytest.mark.parametrize(
    "filters", [{}, {"eval_types": ("safety", "jailbreak")}, {"verdicts": ("failed",)}]
)
def test_the_overview_scan_equals_its_three_pandas_aggregates(
    con: Any, frames: dict[str, pd.DataFrame], include: bool, filters: dict[str, Any]
) -> None:
    kept = filter_responses(view(frames, include)["responses"], **filters)
    counts, rates, failing = sql.overview(con, sql.Filters(**filters), include)
    want = verdict_counts(kept)
    assert set(counts) == set(want)
    for name, value in want.items():
        assert counts[name] == value or (math.isnan(counts[name]) and math.isnan(value)), name
    same_frame(rates, category_pass_rates(kept))
    same_frame(failing, failing_categories(kept))
    assert len(failing) > 0


def test_run_ids_keep_exactly_those_runs(con: Any, frames: dict[str, pd.DataFrame]) -> None:
    responses = view(frames, False)["responses"]
    two = tuple(responses["eval_run_uuid"].astype(str).unique()[:2])
    got = sql.responses(con, sql.Filters(run_ids=two), columns=("eval_run_uuid",))
    assert sorted(set(got["eval_run_uuid"])) == sorted(two)
    assert len(got) == int(responses["eval_run_uuid"].isin(two).sum())
    assert sql.count_responses(con, sql.Filters(run_ids=())) == 0


@pytest.mark.parametrize("include", [False, True])
def test_calibration_bands_equal_confidence_bands(
    con: Any, frames: dict[str, pd.DataFrame], include: bool
) -> None:
    responses = view(frames, include)["responses"]
    same_frame(sql.confidence_bands(con, include_sandbox=include), confidence_bands(responses))
    all_types = confidence_bands(responses.assign(eval_type="All types"))
    same_frame(sql.confidence_bands(con, include_sandbox=include, eval_type="All types"),
               all_types)  # fmt: skip


@pytest.mark.parametrize("include", [False, True])
def test_runs_and_their_latest_changes_equal(
    con: Any, frames: dict[str, pd.DataFrame], include: bool
) -> None:
    shown = view(frames, include)
    same_frame(sql.runs(con, include), shown["runs"][list(RUN_COLUMNS)])
    same_frame(sql.latest_run_changes(con, include), latest_run_changes(shown["runs"]))
    same_frame(sql.evals(con, include), shown["evals"], key=["eval_uuid"])
    # Cast from the query, not rebuilt from Python objects: the same dtypes as the frames.
    assert (
        sql.runs(con, include).dtypes.to_dict() == shown["runs"][list(RUN_COLUMNS)].dtypes.to_dict()
    )
    assert sql.evals(con, include).dtypes.to_dict() == shown["evals"].dtypes.to_dict()


def test_an_empty_query_casts_to_the_schemas_empty_frame() -> None:
    got = cast_frame(pd.DataFrame({"eval_run_uuid": []}), RUN_COLUMNS)
    assert list(got.columns) == list(RUN_COLUMNS) and got.empty
    assert got.dtypes.astype(str).to_dict() == {k: str(v) for k, v in RUN_COLUMNS.items()}


@pytest.mark.parametrize("include", [False, True])
def test_the_regression_board_equals_the_pandas_board(
    con: Any, frames: dict[str, pd.DataFrame], include: bool
) -> None:
    shown = view(frames, include)
    want = regression_board(shown["runs"], shown["responses"])
    got = sql.regression_board(con, include)
    assert len(want) >= 5 and (want["test"] == "mcnemar").any()
    same_frame(got, want)
    run_a, run_b = want["run_a"].iloc[0], want["run_b"].iloc[0]
    responses = shown["responses"]
    flips = flip_table(responses[responses["eval_run_uuid"] == run_a],
                       responses[responses["eval_run_uuid"] == run_b])  # fmt: skip
    same_frame(sql.flips(con, run_a, run_b, include), flips)


# --- the lake's location and its writer lock -------------------------------------------------


def test_the_lake_defaults_to_a_folder_in_the_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EVAL_DASHBOARD_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("EVAL_DASHBOARD_LAKE_URL", raising=False)
    assert lake.lake_location().url == str((tmp_path / "lake").resolve())
    monkeypatch.setenv("EVAL_DASHBOARD_LAKE_URL", str(tmp_path / "elsewhere"))
    assert lake.lake_location().url == str((tmp_path / "elsewhere").resolve())


def test_an_s3_lake_takes_the_usual_aws_variables() -> None:
    env = {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_ACCESS_KEY_ID": "id",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    where = lake.lake_location("s3://bucket/evals/", env)
    assert where.is_s3 and where.table_url("runs") == "s3://bucket/evals/runs"
    assert where.storage_options["AWS_ALLOW_HTTP"] == "true"
    assert where.storage_options["AWS_REGION"] == "eu-west-1"
    assert where.storage_options["conditional_put"] == "etag"
    assert "secret" not in repr(where)


@pytest.mark.parametrize("url", ["s3://", "s3:///x", "gs://bucket/x", "https://host/lake"])
def test_a_url_that_is_not_a_folder_or_a_bucket_is_refused(url: str) -> None:
    with pytest.raises(lake.LakeError):
        lake.lake_location(url, {})


def test_a_second_writer_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    where = lake.lake_location(str(tmp_path))
    first = lake_lock.WriterLock(where, owner="worker-a").acquire()
    with pytest.raises(lake.LakeLocked, match="worker-a"):
        lake_lock.WriterLock(where, owner="worker-b").acquire()
    first.renew()
    first.release()
    lake_lock.WriterLock(where, owner="worker-b").acquire()


def test_an_expired_lock_is_taken_over_and_its_old_owner_can_no_longer_renew(
    tmp_path: Path,
) -> None:
    where = lake.lake_location(str(tmp_path))
    now = [1000.0]
    old = lake_lock.WriterLock(where, ttl_s=60, owner="old", clock=lambda: now[0]).acquire()
    now[0] += 61  # the old worker died, or stopped renewing
    lake_lock.WriterLock(where, ttl_s=60, owner="new", clock=lambda: now[0]).acquire()
    with pytest.raises(lake.LakeLocked):
        old.renew()


# --- the Responses page's rows: the frame and the lake answer alike ---------------------------

ROW_FILTERS = [
    {},
    {"query": {"verdicts": ("failed",), "categories": ("privacy", "self-harm", "medical advice")}},
    {"query": {"text": "doctor"}},
    {"query": {"eval_types": ("safety",)}, "reviewed": True},
    {"reviewed": False},
]


def both_rows(con: Any, frames: dict[str, pd.DataFrame], include: bool) -> tuple[Any, Any]:
    from reporting.aymara.response_rows import FrameRows, LakeRows

    responses = view(frames, include)["responses"]
    # The lake's order (oldest run first, the API's order within a run); the loader's frame
    # keeps the listing's, so the frame is put in the lake's order to compare row by row.
    key = pd.DataFrame({"at": responses["run_created_at"].to_numpy(),
                        "run": responses["eval_run_uuid"].astype(str).to_numpy()})  # fmt: skip
    ordered = responses.iloc[key.sort_values(["at", "run"], kind="stable").index.to_numpy()]
    return FrameRows(ordered), LakeRows(con.cursor, include, len(responses))


def row_filters(spec: dict[str, Any]) -> Any:
    from reporting.aymara.response_rows import RowFilters

    return RowFilters(sql.Filters(**spec.get("query", {})), spec.get("reviewed"))


@pytest.mark.parametrize("include", [False, True])
@pytest.mark.parametrize("spec", ROW_FILTERS)
def test_a_page_of_rows_and_its_counts_are_the_same_from_the_frame_and_the_lake(
    con: Any, frames: dict[str, pd.DataFrame], include: bool, spec: dict[str, Any]
) -> None:
    mine, lakes = both_rows(con, frames, include)
    filters = row_filters(spec)
    assert lakes.counts(filters) == mine.counts(filters) or _same_counts(
        lakes.counts(filters), mine.counts(filters)
    )
    for offset in (0, 100):
        want = mine.page(filters, offset, 50)
        got = lakes.page(filters, offset, 50)
        assert got["response_uuid"].tolist() == want["response_uuid"].astype(str).tolist()
    assert mine.counts(filters)["total"] > 0


@pytest.mark.parametrize("include", [False, True])
def test_a_page_read_in_two_steps_is_that_slice_of_the_whole_result(
    con: Any, include: bool
) -> None:
    chosen = sql.Filters(verdicts=("failed", "passed"))
    whole = sql.responses(con, chosen, include)
    assert len(whole) > 250
    for offset, limit in ((0, 50), (120, 100), (len(whole) - 10, 50)):
        page = sql.responses(con, chosen, include, limit=limit, offset=offset)
        want = whole.iloc[offset : offset + limit].reset_index(drop=True)
        pd.testing.assert_frame_equal(page, want)  # every column, run names marked or not
    past = sql.responses(con, chosen, include, limit=50, offset=len(whole))
    assert past.empty and list(past.columns) == list(whole.columns)


def _same_counts(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in b)


@pytest.mark.parametrize("spec", ROW_FILTERS[:3])
def test_a_responses_place_and_neighbours_are_the_same_from_the_frame_and_the_lake(
    con: Any, frames: dict[str, pd.DataFrame], spec: dict[str, Any]
) -> None:
    mine, lakes = both_rows(con, frames, False)
    filters = row_filters(spec)
    kept = mine.everything(filters)["response_uuid"].astype(str).tolist()
    for uuid in (kept[0], kept[len(kept) // 2], kept[-1]):
        assert lakes.position(filters, uuid) == mine.position(filters, uuid) == kept.index(uuid)
        assert lakes.neighbours(filters, uuid) == mine.neighbours(filters, uuid)
    assert lakes.neighbours(filters, kept[0])[0] is None
    assert lakes.neighbours(filters, kept[-1])[1] is None
    assert lakes.position(filters, "no-such-response") is None
    assert lakes.neighbours(filters, "no-such-response") == (None, None)


def test_filter_choices_and_threads_are_the_same_from_the_frame_and_the_lake(
    con: Any, frames: dict[str, pd.DataFrame]
) -> None:
    mine, lakes = both_rows(con, frames, True)
    for column in ("prompt_category", "eval_type", "eval_name", "run_name"):
        assert lakes.options(column) == mine.options(column), column
    responses = mine.responses
    turn = responses[responses["thread_uuid"].notna()].iloc[0]
    want = mine.thread(turn)
    got = lakes.thread(turn)
    assert len(want) > 1
    assert got["response_uuid"].tolist() == want["response_uuid"].astype(str).tolist()
    single = responses[responses["thread_uuid"].isna()].iloc[0]
    assert mine.thread(single) is None and lakes.thread(single) is None


QUEUES: list[dict[str, Any]] = [
    {"kind": "low_fail"},
    {"kind": "low_pass"},
    {"kind": "filter"},
    {"kind": "filter", "verdict": "failed"},
    {"kind": "filter", "verdict": "passed"},
]


@pytest.mark.parametrize("include", [False, True])
@pytest.mark.parametrize("spec", QUEUES, ids=lambda q: "-".join(map(str, q.values())))
def test_a_review_queue_in_sql_is_the_pandas_queue_in_its_order(
    con: Any, frames: dict[str, pd.DataFrame], include: bool, spec: dict[str, Any]
) -> None:
    from reporting.aymara.review_queue import review_queue

    shown = view(frames, include)
    if spec.get("verdict") == "failed":
        spec = {**spec, "eval_uuid": str(shown["runs"]["eval_uuid"].iloc[0])}
    kind, options = spec["kind"], {k: v for k, v in spec.items() if k != "kind"}
    want = review_queue(shown["responses"], shown["runs"], kind, **options)
    got, total = sql.review_queue(con, kind, include_sandbox=include, **options)
    assert total == len(want) > 0
    assert got["response_uuid"].tolist() == want["response_uuid"].astype(str).tolist()
    first, counted = sql.review_queue(con, kind, include_sandbox=include, limit=7, **options)
    assert counted == total
    assert first["response_uuid"].tolist() == got["response_uuid"].tolist()[:7]


def test_the_flips_queue_is_not_asked_of_sql(con: Any) -> None:
    with pytest.raises(ValueError, match="two runs"):
        sql.review_queue(con, "flips")


@pytest.mark.parametrize("include", [False, True])
@pytest.mark.parametrize("eval_type", [None, "safety"])
def test_low_confidence_failures_in_sql_are_the_pandas_list_in_its_order(
    con: Any, frames: dict[str, pd.DataFrame], include: bool, eval_type: str | None
) -> None:
    from reporting.aymara.review_queue import low_confidence_failures

    mine, _ = both_rows(con, frames, include)  # the lake's order, so ties break alike
    want = low_confidence_failures(mine.responses, 0.7, eval_type)
    got, total = sql.low_confidence_failures(con, 0.7, eval_type=eval_type, include_sandbox=include)
    assert total == len(want) > 0 and (want["confidence"] < 0.7).all()
    assert got["response_uuid"].tolist() == want["response_uuid"].astype(str).tolist()
    first, counted = sql.low_confidence_failures(
        con, 0.7, eval_type=eval_type, include_sandbox=include, limit=5
    )
    assert counted == total and first["response_uuid"].tolist() == got["response_uuid"][:5].tolist()
