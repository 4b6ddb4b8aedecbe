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

import pandas as pd
import pyarrow as pa

from reporting.aymara import aggregates, compare, regressions
from reporting.aymara.definitions import SANDBOX_MARK
from reporting.aymara.schema import (
    EVAL_COLUMNS,
    FAILED,
    PASSED,
    RESPONSE_COLUMNS,
    RUN_COLUMNS,
    typed_frame,
)

# A run is a sandbox run when it, or its eval, says so (definitions.sandbox_runs).
_SANDBOX_RUNS = (
    "SELECT eval_run_uuid FROM runs WHERE coalesce(is_sandbox, false) OR eval_uuid IN "
    "(SELECT eval_uuid FROM evals WHERE coalesce(is_sandbox, false))"
)
_SANDBOX_EVALS = "SELECT eval_uuid FROM evals WHERE coalesce(is_sandbox, false)"
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


NO_FILTERS = Filters()


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
    relation = con.sql(sql, params=list(params))
    # DuckDB 2 names it to_arrow_table; 1.x arrow (both: one copy, into Arrow).
    table = (getattr(relation, "to_arrow_table", None) or relation.arrow)()
    return table.to_pandas(types_mapper=_TYPES.get)


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
    page = ""
    if limit is not None:
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}"
    return frame(
        con,
        f"SELECT {', '.join(shown)} FROM responses WHERE {where} "
        f"ORDER BY run_created_at, eval_run_uuid, row_index{page}",
        params,
    )


def count_responses(con: Any, filters: Filters = NO_FILTERS, include_sandbox: bool = False) -> int:
    """How many responses match the filters."""
    params: list[Any] = []
    where = _where(filters, include_sandbox, params)
    return int(
        con.execute(f"SELECT count(*) FROM responses WHERE {where}", params).fetchall()[0][0]
    )


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


def runs(con: Any, include_sandbox: bool = False) -> pd.DataFrame:
    """The runs frame as pages show it (tables.runs_frame, definitions.sandbox_view)."""
    where = "TRUE" if include_sandbox else f"eval_run_uuid NOT IN ({_SANDBOX_RUNS})"
    names = [f"{_run_name(include_sandbox)} AS run_name" if c == "run_name" else c
             for c in RUN_COLUMNS]  # fmt: skip
    got = frame(
        con,
        f"SELECT {', '.join(names)} FROM runs WHERE {where} ORDER BY created_at, eval_run_uuid",
    )
    return typed_frame({c: got[c].tolist() for c in RUN_COLUMNS}, RUN_COLUMNS)


def evals(con: Any, include_sandbox: bool = False) -> pd.DataFrame:
    """The evals frame as pages show it (sandbox evals left out unless included)."""
    where = "TRUE" if include_sandbox else f"eval_uuid NOT IN ({_SANDBOX_EVALS})"
    got = frame(con, f"SELECT {', '.join(EVAL_COLUMNS)} FROM evals WHERE {where}")
    return typed_frame({c: got[c].tolist() for c in EVAL_COLUMNS}, EVAL_COLUMNS)


def latest_run_changes(con: Any, include_sandbox: bool = False) -> pd.DataFrame:
    """aggregates.latest_run_changes over the runs table."""
    return aggregates.latest_run_changes(runs(con, include_sandbox))


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
        "   ORDER BY created_at DESC, eval_run_uuid DESC) AS n FROM runs"
        f"  WHERE lower(status) = 'finished' {where}"
        ") WHERE n <= 2 ORDER BY eval_uuid, n DESC"
    ).fetchall()
    found: dict[str, list[str]] = {}
    for eval_uuid, run_uuid, _ in rows:
        found.setdefault(eval_uuid, []).append(run_uuid)
    return [(pair[0], pair[1]) for pair in found.values() if len(pair) == 2]


def regression_board(con: Any, include_sandbox: bool = False) -> pd.DataFrame:
    """regressions.regression_board, reading only the responses of each eval's two runs."""
    pairs = board_pairs(con, include_sandbox)
    wanted = tuple(run for pair in pairs for run in pair)
    paired = responses(con, Filters(runs=wanted), include_sandbox, columns=PAIR_COLUMNS)
    return regressions.regression_board(runs(con, include_sandbox), paired)


def flips(con: Any, run_a: str, run_b: str, include_sandbox: bool = False) -> pd.DataFrame:
    """compare.flip_table of two runs, reading only their responses."""
    both = responses(con, Filters(runs=(run_a, run_b)), include_sandbox, columns=PAIR_COLUMNS)
    uuid = both["eval_run_uuid"]
    return compare.flip_table(both[uuid == run_a], both[uuid == run_b])
