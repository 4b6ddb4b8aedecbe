"""Aymara numbers as SQL over the results lake: each query asks only for what a page shows.

Every function takes a DuckDB connection with the lake's tables as views (`evals`, `runs`,
`prompts`, `responses`, `reports`; jobs.lake.LakeSnapshot.connect opens one) and returns a
pandas frame (or dict) equal to what the pandas path computes from the loaded frames: the
counting runs in DuckDB, over only the rows and columns it needs, and the finishing (Wilson
intervals, McNemar, ordering) reuses the pandas path's own functions on the small result.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from reporting.aymara import aggregates, compare, regressions
from reporting.aymara.definitions import SANDBOX_MARK
from reporting.aymara.review_queue import LOW_CONFIDENCE
from reporting.aymara.schema import (
    EVAL_COLUMNS,
    FAILED,
    NOT_SCORED,
    PASSED,
    RESPONSE_COLUMNS,
    RUN_COLUMNS,
    cast_frame,
)

# A run is a sandbox run when it, or its eval, says so (definitions.sandbox_runs).
_SANDBOX_RUNS = (
    "SELECT eval_run_uuid FROM runs WHERE coalesce(is_sandbox, false) OR eval_uuid IN "
    "(SELECT eval_uuid FROM evals WHERE coalesce(is_sandbox, false))"
)
_SANDBOX_EVALS = "SELECT eval_uuid FROM evals WHERE coalesce(is_sandbox, false)"
_FINISHED = "lower(status) = 'finished'"  # schema.is_finished
_TYPES = {pa.bool_(): pd.BooleanDtype(), pa.int64(): pd.Int64Dtype()}


@dataclass(frozen=True)
class Filters:
    """The Responses page's filters (search.filter_responses): None is no filter, () none."""

    verdicts: tuple[str, ...] | None = None
    refused: bool | None = None
    excluded: bool | None = None
    confidence: tuple[float, float] | None = None
    categories: tuple[str, ...] | None = None
    eval_types: tuple[str, ...] | None = None
    evals: tuple[str, ...] | None = None  # eval uuids or names
    runs: tuple[str, ...] | None = None  # run uuids or names (sandbox runs' marked names)
    text: str | None = None  # case-insensitive literal substring of prompt, response, reason
    run_ids: tuple[str, ...] | None = None  # run uuids only (pushed down to the files' stats)
    reviewed: bool | None = None  # a person changed or confirmed the verdict (manually_updated)


NO_FILTERS = Filters()
# The order responses are shown in: oldest run first, the API's order within a run.
ROW_ORDER = ("run_created_at", "eval_run_uuid", "row_index")


def _in(column: str, values: Sequence[str], params: list[Any]) -> str:
    """`column IN (?, ...)` with its values bound; FALSE for an empty list (matches nothing)."""
    if not values:
        return "FALSE"
    params.extend(values)
    return f"{column} IN ({', '.join('?' * len(values))})"


def _like(text: str) -> str:
    """A literal substring as an ILIKE pattern (%, _ and the escape itself escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _run_name(include_sandbox: bool) -> str:
    """The run name as pages show it: sandbox runs marked when they are included."""
    if not include_sandbox:
        return "run_name"
    mark = SANDBOX_MARK.replace("'", "''")
    return (
        f"CASE WHEN eval_run_uuid IN ({_SANDBOX_RUNS}) THEN run_name || '{mark}' ELSE run_name END"
    )


def _where(filters: Filters, include_sandbox: bool, params: list[Any]) -> str:
    """The WHERE clause over `responses` for these filters (sandbox runs left out unless)."""
    parts = [] if include_sandbox else [f"eval_run_uuid NOT IN ({_SANDBOX_RUNS})"]
    f = filters
    if f.verdicts is not None:
        parts.append(_in("verdict", list(f.verdicts), params))
    if f.refused is not None:
        parts.append(f"coalesce(ai_refused, false) = {'true' if f.refused else 'false'}")
    if f.excluded is not None:
        parts.append(f"coalesce(exclude_from_scoring, false) = {'true' if f.excluded else 'false'}")
    if f.confidence is not None:
        params.extend([float(f.confidence[0]), float(f.confidence[1])])
        parts.append("(confidence >= ? AND confidence <= ?)")
    if f.categories is not None:
        parts.append(_in("prompt_category", list(f.categories), params))
    if f.eval_types is not None:
        parts.append(_in("eval_type", list(f.eval_types), params))
    if f.evals is not None:
        by_id = _in("eval_uuid", list(f.evals), params)
        parts.append(f"({by_id} OR {_in('eval_name', list(f.evals), params)})")
    if f.runs is not None:
        by_id = _in("eval_run_uuid", list(f.runs), params)
        parts.append(f"({by_id} OR {_in(_run_name(include_sandbox), list(f.runs), params)})")
    if f.run_ids is not None:
        parts.append(_in("eval_run_uuid", list(f.run_ids), params))
    if f.reviewed is not None:
        parts.append(f"coalesce(manually_updated, false) = {'true' if f.reviewed else 'false'}")
    if f.text:
        pattern = _like(f.text)
        params.extend([pattern] * 3)
        parts.append(
            "(prompt_content ILIKE ? ESCAPE '\\' OR response_text ILIKE ? ESCAPE '\\' "
            "OR explanation ILIKE ? ESCAPE '\\')"
        )
    return " AND ".join(parts) or "TRUE"


def frame(con: Any, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """A query's result as pandas (nullable booleans and integers kept nullable)."""
    return to_arrow(con.sql(sql, params=list(params))).to_pandas(types_mapper=_TYPES.get)


def to_arrow(relation: Any) -> pa.Table:
    """A relation's result as Arrow (DuckDB 2 names it to_arrow_table, 1.x arrow: one copy)."""
    return (getattr(relation, "to_arrow_table", None) or relation.arrow)()


def responses(
    con: Any,
    filters: Filters = NO_FILTERS,
    include_sandbox: bool = False,
    *,
    columns: Sequence[str] = RESPONSE_COLUMNS,
    limit: int | None = None,
    offset: int = 0,
) -> pd.DataFrame:
    """The responses matching the filters, oldest run first and in each run's API order."""
    params: list[Any] = []
    where = _where(filters, include_sandbox, params)
    shown = [f"{_run_name(include_sandbox)} AS run_name" if c == "run_name" else c for c in columns]
    order = ", ".join(ROW_ORDER)
    every = f"SELECT {', '.join(shown)} FROM responses WHERE {where} ORDER BY {order}"
    if limit is None:
        return frame(con, every, params)
    # A page in two steps: the page's keys first (a top-N over a few narrow columns), then
    # only those rows in full. One step carries every column of every matching row into the
    # sort: at 10M responses a page of a 190,000-row filter took 1.1 s that way, 0.2 s so.
    keys = to_arrow(
        con.sql(
            f"SELECT eval_uuid, eval_run_uuid, row_index, run_created_at FROM responses "
            f"WHERE {where} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}",
            params=params,
        )
    )
    if not keys.num_rows or keys["eval_run_uuid"].null_count or keys["row_index"].null_count:
        return frame(con, f"{every} LIMIT {int(limit)} OFFSET {int(offset)}", params)
    wanted: list[Any] = []
    # The eval (a partition: whole files skipped) and the time span (row groups skipped by
    # their statistics) narrow the scan; a join with the keys picks the page's rows exactly.
    # The keys go in as an Arrow table: as 2,000 bound parameters they cost more to bind
    # than the query took to run (50k responses: 82 -> 32 ms a page).
    scope = [_in("eval_run_uuid", _unique(keys["eval_run_uuid"]), wanted)]
    if not keys["eval_uuid"].null_count:
        scope.append(_in("eval_uuid", _unique(keys["eval_uuid"]), wanted))
    if not keys["run_created_at"].null_count:
        span = pc.min_max(keys["run_created_at"])
        scope.append("run_created_at BETWEEN ? AND ?")
        wanted += [span["min"].as_py(), span["max"].as_py()]
    name = f"page_keys_{uuid4().hex}"
    con.register(name, keys.select(["eval_run_uuid", "row_index"]))
    try:
        return frame(
            con,
            f"SELECT {', '.join(shown)} FROM responses WHERE {' AND '.join(scope)} "
            f"AND (eval_run_uuid, row_index) IN (SELECT eval_run_uuid, row_index FROM {name}) "
            f"ORDER BY {order}",
            wanted,
        )
    finally:
        con.unregister(name)


def _unique(column: pa.ChunkedArray) -> list[str]:
    """A key column's distinct values, sorted (an IN list that reads the same every time)."""
    return sorted(str(value) for value in pc.unique(column).to_pylist())


def _key_of(con: Any, uuid: str) -> tuple[Any, ...] | None:
    """A response's ORDER key (first match by uuid), or None when there is no such response."""
    got = con.execute(
        f"SELECT {', '.join(ROW_ORDER)} FROM responses WHERE response_uuid = ? "
        f"ORDER BY {', '.join(ROW_ORDER)} LIMIT 1",
        [uuid],
    ).fetchall()
    return tuple(got[0]) if got else None


def position(con: Any, filters: Filters, uuid: str, include_sandbox: bool = False) -> int | None:
    """Where a response sits among the matching rows in their order (None: it does not match).

    A count of the matching rows that come before it, not a window over all of them.
    """
    key = _key_of(con, uuid)
    if key is None:
        return None
    params: list[Any] = []
    where = _where(filters, include_sandbox, params)
    cols = ", ".join(ROW_ORDER)
    before, matches = con.execute(
        f"SELECT count(*) FILTER (({cols}) < (?, ?, ?)), "
        f"count(*) FILTER (({cols}) = (?, ?, ?) AND response_uuid = ?) "
        f"FROM responses WHERE {where}",
        [*key, *key, uuid, *params],
    ).fetchall()[0]
    return int(before) if matches else None


def neighbours(
    con: Any, filters: Filters, uuid: str, include_sandbox: bool = False
) -> tuple[str | None, str | None]:
    """The matching responses just before and after this one in the rows' order."""
    key = _key_of(con, uuid)
    if key is None or position(con, filters, uuid, include_sandbox) is None:
        return None, None
    cols = ", ".join(ROW_ORDER)
    found: list[str | None] = []
    for op, direction in (("<", "DESC"), (">", "ASC")):
        params: list[Any] = [*key]
        where = _where(filters, include_sandbox, params)
        got = con.execute(
            f"SELECT response_uuid FROM responses WHERE ({cols}) {op} (?, ?, ?) AND {where} "
            f"ORDER BY {', '.join(f'{c} {direction}' for c in ROW_ORDER)} LIMIT 1",
            params,
        ).fetchall()
        found.append(str(got[0][0]) if got else None)
    return found[0], found[1]


def thread(
    con: Any,
    run_uuid: str,
    thread_uuid: str,
    include_sandbox: bool = False,
    columns: Sequence[str] = RESPONSE_COLUMNS,
) -> pd.DataFrame:
    """The responses of one conversation in one run, in their order."""
    params: list[Any] = []
    where = _where(Filters(run_ids=(run_uuid,)), include_sandbox, params)
    shown = [f"{_run_name(include_sandbox)} AS run_name" if c == "run_name" else c for c in columns]
    return frame(
        con,
        f"SELECT {', '.join(shown)} FROM responses WHERE {where} AND thread_uuid = ? "
        f"ORDER BY {', '.join(ROW_ORDER)}",
        [*params, thread_uuid],
    )


def distinct(con: Any, column: str, include_sandbox: bool = False) -> list[str]:
    """A column's distinct non-empty values as text, sorted (a filter's choices)."""
    if column not in RESPONSE_COLUMNS:
        raise ValueError(f"no responses column {column!r}")
    params: list[Any] = []
    where = _where(NO_FILTERS, include_sandbox, params)
    name = _run_name(include_sandbox) if column == "run_name" else column
    rows = con.execute(
        f"SELECT DISTINCT CAST({name} AS VARCHAR) AS v FROM responses WHERE {where}", params
    ).fetchall()
    return sorted({str(v) for (v,) in rows if v is not None and str(v)})


def count_responses(con: Any, filters: Filters = NO_FILTERS, include_sandbox: bool = False) -> int:
    """How many responses match the filters."""
    params: list[Any] = []
    return _count(con, _where(filters, include_sandbox, params), params)


def verdict_counts(
    con: Any, filters: Filters = NO_FILTERS, include_sandbox: bool = False
) -> dict[str, Any]:
    """aggregates.verdict_counts over the matching responses."""
    params: list[Any] = [PASSED, FAILED]
    where = _where(filters, include_sandbox, params)
    passed, failed, total, refused = con.execute(
        "SELECT count(*) FILTER (verdict = ?), count(*) FILTER (verdict = ?), count(*), "
        f"count(*) FILTER (coalesce(ai_refused, false)) FROM responses WHERE {where}",
        params,
    ).fetchall()[0]
    return aggregates.counts_from_totals(passed, failed, total, refused)


_GROUPABLE = ("prompt_category", "eval_type", "eval_name", "eval_uuid", "workspace_uuid")


def category_pass_rates(
    con: Any,
    filters: Filters = NO_FILTERS,
    include_sandbox: bool = False,
    by: str = "prompt_category",
) -> pd.DataFrame:
    """aggregates.category_pass_rates: pass rate with a 95% Wilson interval per group."""
    if by not in _GROUPABLE:
        raise ValueError(f"cannot group responses by {by!r}")
    params: list[Any] = [PASSED, FAILED]
    where = _where(filters, include_sandbox, params)
    counts = frame(
        con,
        f"SELECT {by} AS label, count(*) FILTER (verdict = ?) AS passed, "
        f"count(*) FILTER (verdict = ?) AS failed FROM responses WHERE {where} "
        "GROUP BY label ORDER BY label NULLS LAST",
        params,
    )
    return aggregates.pass_rates_from_counts(by, counts["label"], counts["passed"],
                                             counts["failed"])  # fmt: skip


def failing_categories(
    con: Any, filters: Filters = NO_FILTERS, include_sandbox: bool = False, top: int = 10
) -> pd.DataFrame:
    """aggregates.failing_categories: the categories with the most failures, and their types."""
    rates = category_pass_rates(con, filters, include_sandbox)
    params: list[Any] = [FAILED]
    where = _where(filters, include_sandbox, params)
    pairs = con.execute(
        f"SELECT DISTINCT prompt_category, eval_type FROM responses WHERE verdict = ? AND {where}",
        params,
    ).fetchall()
    return aggregates.failing_from_rates(rates, pairs, top)


def overview(
    con: Any, filters: Filters = NO_FILTERS, include_sandbox: bool = False, top: int = 10
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """(verdict_counts, category_pass_rates, failing_categories) from one scan of responses.

    The three read the same rows, so one GROUP BY category, eval type and verdict gives every
    total they need: a third of the scans of asking each on its own.
    """
    params: list[Any] = []
    where = _where(filters, include_sandbox, params)
    groups = frame(
        con,
        "SELECT prompt_category, eval_type, verdict, count(*) AS n, "
        "count(*) FILTER (coalesce(ai_refused, false)) AS refused "
        f"FROM responses WHERE {where} GROUP BY ALL",
        params,
    )
    n = groups["n"].astype("int64")
    passed_rows, failed_rows = groups["verdict"] == PASSED, groups["verdict"] == FAILED
    counts = aggregates.counts_from_totals(
        int(n[passed_rows].sum()), int(n[failed_rows].sum()), int(n.sum()),
        int(groups["refused"].sum()),
    )  # fmt: skip
    by_category = (
        pd.DataFrame({"label": groups["prompt_category"], "passed": n.where(passed_rows, 0),
                      "failed": n.where(failed_rows, 0)})
        .groupby("label", dropna=False, sort=True)[["passed", "failed"]].sum()
    )  # fmt: skip
    rates = aggregates.pass_rates_from_counts(
        "prompt_category", by_category.index, by_category["passed"], by_category["failed"]
    )
    failed_pairs = groups.loc[failed_rows, ["prompt_category", "eval_type"]]
    pairs = list(failed_pairs.drop_duplicates().itertuples(index=False, name=None))
    return counts, rates, aggregates.failing_from_rates(rates, pairs, top)


def confidence_bands(
    con: Any,
    filters: Filters = NO_FILTERS,
    include_sandbox: bool = False,
    edges: Sequence[float] = (0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001),
    eval_type: str | None = None,
) -> pd.DataFrame:
    """aggregates.confidence_bands; `eval_type` puts every response under that one label."""
    labels = aggregates.band_labels(edges)
    if len(set(labels)) != len(labels):
        raise ValueError("band edges must give distinct labels")
    params: list[Any] = []
    cases = []
    for i, (low, high) in enumerate(itertools.pairwise(edges)):
        params.extend([float(low), float(high)])
        cases.append(f"WHEN c >= ? AND c < ? THEN {i}")
    if eval_type is not None:
        params.append(eval_type)
    kind = "?" if eval_type is not None else "eval_type"
    where = _where(filters, include_sandbox, params)
    sums = frame(
        con,
        f"SELECT band, kind, count(*) AS scored, count(*) FILTER (verdict = '{PASSED}') AS "
        "passed, count(*) FILTER (overridden) AS overridden, count(*) FILTER (reviewed) AS "
        "reviewed, count(*) FILTER (reviewed AND NOT overridden) AS agreed FROM ("
        f"  SELECT CASE {' '.join(cases)} END AS band, {kind} AS kind, verdict,"
        "   coalesce(verdict_overridden, false) AS overridden,"
        "   coalesce(manually_updated, false) AS reviewed"
        "  FROM (SELECT *, coalesce(original_confidence, confidence) AS c FROM responses)"
        f"  WHERE verdict IN ('{PASSED}', '{FAILED}') AND isfinite(c) AND c >= 0 AND c <= 1"
        f"   AND {where}"
        ") WHERE band IS NOT NULL GROUP BY band, kind ORDER BY band, kind",
        params,
    )
    columns = {name: sums[name].astype("int64").tolist() for name in aggregates.BAND_SUMS}
    bands = [labels[int(i)] for i in sums["band"]]
    return aggregates.bands_from_sums(bands, sums["kind"].tolist(), columns, labels)


def runs(
    con: Any, include_sandbox: bool = False, *, latest: int | None = None, rated: bool = False
) -> pd.DataFrame:
    """The runs frame as pages show it (tables.runs_frame, definitions.sandbox_view).

    With `latest`, only each eval's latest `latest` finished runs (those with a pass rate when
    `rated`): what the board and the latest changes read of 100,000 runs is a few dozen.
    """
    where = "TRUE" if include_sandbox else f"eval_run_uuid NOT IN ({_SANDBOX_RUNS})"
    names = [f"{_run_name(include_sandbox)} AS run_name" if c == "run_name" else c
             for c in RUN_COLUMNS]  # fmt: skip
    source = "runs"
    if latest is not None:
        rate = "AND pass_rate IS NOT NULL AND NOT isnan(pass_rate)" if rated else ""
        # NULLS FIRST: the pandas path's ascending sort puts a run without a date last.
        source = (
            "(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY eval_uuid ORDER BY "
            "created_at DESC NULLS FIRST, eval_run_uuid DESC) AS _n FROM runs "
            f"WHERE {_FINISHED} {rate} AND {where}) WHERE _n <= {int(latest)})"
        )
    got = frame(
        con,
        f"SELECT {', '.join(names)} FROM {source} WHERE {where} ORDER BY created_at, eval_run_uuid",
    )
    return cast_frame(got, RUN_COLUMNS)


def evals(con: Any, include_sandbox: bool = False) -> pd.DataFrame:
    """The evals frame as pages show it (sandbox evals left out unless included)."""
    where = "TRUE" if include_sandbox else f"eval_uuid NOT IN ({_SANDBOX_EVALS})"
    got = frame(con, f"SELECT {', '.join(EVAL_COLUMNS)} FROM evals WHERE {where}")
    return cast_frame(got, EVAL_COLUMNS)


def latest_run_changes(con: Any, include_sandbox: bool = False) -> pd.DataFrame:
    """aggregates.latest_run_changes over the runs table."""
    changes = aggregates.latest_run_changes(runs(con, include_sandbox, latest=2, rated=True))
    # Its `runs` column counts every finished run of the eval, rated or not.
    where = "" if include_sandbox else f"AND eval_run_uuid NOT IN ({_SANDBOX_RUNS})"
    finished = dict(con.execute(
        f"SELECT eval_uuid, count(*) FROM runs WHERE {_FINISHED} {where} GROUP BY eval_uuid"
    ).fetchall())  # fmt: skip
    changes["runs"] = [int(finished.get(e, 0)) for e in changes["eval_uuid"]]
    return changes


# The flip table's columns: what a regression pair needs of each response.
PAIR_COLUMNS = (
    "eval_run_uuid",
    "prompt_uuid",
    "thread_uuid",
    "turn_number",
    "prompt_content",
    "prompt_category",
    "verdict",
    "response_text",
    "explanation",
    "confidence",
)


def board_pairs(con: Any, include_sandbox: bool = False) -> list[tuple[str, str]]:
    """Per eval with two finished runs, (previous, latest) by created_at then uuid."""
    where = "" if include_sandbox else f"AND eval_run_uuid NOT IN ({_SANDBOX_RUNS})"
    rows = con.execute(
        "SELECT eval_uuid, eval_run_uuid, n FROM ("
        "  SELECT eval_uuid, eval_run_uuid, row_number() OVER (PARTITION BY eval_uuid"
        "   ORDER BY created_at DESC NULLS FIRST, eval_run_uuid DESC) AS n FROM runs"
        f"  WHERE {_FINISHED} {where}"
        ") WHERE n <= 2 ORDER BY eval_uuid, n DESC"
    ).fetchall()
    found: dict[str, list[str]] = {}
    for eval_uuid, run_uuid, _ in rows:
        found.setdefault(eval_uuid, []).append(run_uuid)
    return [(pair[0], pair[1]) for pair in found.values() if len(pair) == 2]


# What the board's counts need of a pair's responses; its texts are left empty (never read).
_BOARD_KEYS = ("eval_run_uuid", "prompt_uuid", "thread_uuid", "turn_number", "verdict")


def regression_board(con: Any, include_sandbox: bool = False) -> pd.DataFrame:
    """regressions.regression_board, reading only the keys and verdicts of each eval's two runs.

    The board counts flips; it never shows a prompt or an answer, so their texts (most of the
    bytes) are not read: the flip table of one pair (`flips`) reads them when it is opened.
    """
    pairs = board_pairs(con, include_sandbox)
    wanted = tuple(run for pair in pairs for run in pair)
    paired = responses(con, Filters(run_ids=wanted), include_sandbox, columns=_BOARD_KEYS)
    for name in PAIR_COLUMNS:
        if name not in paired.columns:
            paired[name] = None if name != "confidence" else float("nan")
    # The board reads each eval's two latest finished runs, so those are all it is given.
    return regressions.regression_board(runs(con, include_sandbox, latest=2), paired)


def flips(con: Any, run_a: str, run_b: str, include_sandbox: bool = False) -> pd.DataFrame:
    """compare.flip_table of two runs, reading only their responses."""
    both = responses(con, Filters(run_ids=(run_a, run_b)), include_sandbox, columns=PAIR_COLUMNS)
    uuid = both["eval_run_uuid"]
    return compare.flip_table(both[uuid == run_a], both[uuid == run_b])


def review_queue(
    con: Any,
    kind: str,
    *,
    eval_uuid: str | None = None,
    verdict: str | None = None,
    low: float = LOW_CONFIDENCE,
    include_sandbox: bool = False,
    limit: int | None = None,
    columns: Sequence[str] = RESPONSE_COLUMNS,
) -> tuple[pd.DataFrame, int]:
    """review_queue.review_queue's first `limit` rows and its length, for every kind but flips.

    Membership and order use the judge's own verdict and confidence, as the pandas queue does:
    least confident first (none last), then the newest run, then the response's uuid.
    """
    if kind == "flips":
        raise ValueError("the flips queue compares two runs: build it from their responses")
    params: list[Any] = []
    parts = [
        _where(NO_FILTERS, include_sandbox, params),
        "original_is_passed IS NOT NULL",
        "NOT coalesce(exclude_from_scoring, false)",
    ]
    if kind in ("low_fail", "low_pass"):
        parts.append(f"original_is_passed = {'false' if kind == 'low_fail' else 'true'}")
        parts.append("isfinite(original_confidence) AND original_confidence < ?")
        params.append(float(low))
    else:
        if eval_uuid:
            parts.append("eval_uuid = ?")
            params.append(eval_uuid)
        if verdict in (PASSED, FAILED, NOT_SCORED):
            parts.append("verdict = ?")
            params.append(verdict)
    where = " AND ".join(parts)
    total = _count(con, where, params)
    judged = "CASE WHEN isnan(original_confidence) THEN NULL ELSE original_confidence END"
    page = ""
    if limit is not None and total > limit:
        page = f" LIMIT {int(limit)}"
        # The limit-th confidence first, from that one numeric column: then only the rows up
        # to it are read in full and ordered (3.7 s -> 1.3 s for 7.9M rows, at 10M).
        (cut,) = con.execute(
            f"SELECT {judged} AS c FROM responses WHERE {where} "
            f"ORDER BY c ASC NULLS LAST LIMIT 1 OFFSET {int(limit) - 1}",
            params,
        ).fetchall()[0]
        if cut is not None:
            where += " AND original_confidence <= ?"
            params = [*params, float(cut)]
    shown = [f"{_run_name(include_sandbox)} AS run_name" if c == "run_name" else c for c in columns]
    rows = frame(
        con,
        f"SELECT {', '.join(shown)} FROM responses WHERE {where} ORDER BY {judged} ASC NULLS "
        f"LAST, run_created_at DESC NULLS LAST, response_uuid ASC NULLS LAST{page}",
        params,
    )
    return rows, total


def _count(con: Any, where: str, params: Sequence[Any]) -> int:
    """How many responses match a WHERE clause."""
    got = con.execute(f"SELECT count(*) FROM responses WHERE {where}", list(params))
    return int(got.fetchall()[0][0])


def low_confidence_failures(
    con: Any,
    below: float,
    *,
    eval_type: str | None = None,
    include_sandbox: bool = False,
    limit: int | None = None,
    columns: Sequence[str] = RESPONSE_COLUMNS,
) -> tuple[pd.DataFrame, int]:
    """review_queue.low_confidence_failures' first `limit` rows, and how many there are."""
    params: list[Any] = []
    kept = Filters(verdicts=(FAILED,), eval_types=(eval_type,) if eval_type else None)
    where = _where(kept, include_sandbox, params) + " AND confidence < ?"
    params.append(float(below))
    total = _count(con, where, params)
    shown = [f"{_run_name(include_sandbox)} AS run_name" if c == "run_name" else c for c in columns]
    page = f" LIMIT {int(limit)}" if limit is not None else ""
    rows = frame(
        con,
        f"SELECT {', '.join(shown)} FROM responses WHERE {where} ORDER BY run_created_at DESC "
        f"NULLS LAST, confidence ASC NULLS LAST, {', '.join(ROW_ORDER[1:])}{page}",
        params,
    )
    return rows, total
