"""The Responses page's rows, asked for a page at a time: from the loaded frame or from the lake.

The page shows one page of the filtered rows, their verdict counts, the filter choices and one
chosen response with its neighbours. `FrameRows` answers from the frame the loader holds (the
API path); `LakeRows` asks DuckDB over the lake for exactly those rows and counts, so a
dashboard reading ten million responses never holds them. Both give equal answers (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import pandas as pd

from reporting.aymara import sql
from reporting.aymara.aggregates import verdict_counts
from reporting.aymara.schema import RESPONSE_COLUMNS
from reporting.aymara.search import filter_responses


@dataclass(frozen=True)
class RowFilters:
    """The Responses page's filters: the query's, and whether a person reviewed it."""

    query: sql.Filters = sql.NO_FILTERS
    reviewed: bool | None = None


class ResponseRows(Protocol):
    """What the Responses page asks of its rows."""

    def options(self, column: str) -> list[str]:
        """A filter's choices: the column's distinct values, sorted."""

    def counts(self, filters: RowFilters) -> dict[str, Any]:
        """verdict_counts of the matching rows."""

    def total(self) -> int:
        """How many responses there are, unfiltered."""

    def page(self, filters: RowFilters, offset: int, size: int) -> pd.DataFrame:
        """`size` matching rows from `offset`, in order (sql.ROW_ORDER; a frame keeps its own)."""

    def position(self, filters: RowFilters, uuid: str) -> int | None:
        """Where the response sits among the matching rows (None when it does not match)."""

    def neighbours(self, filters: RowFilters, uuid: str) -> tuple[str | None, str | None]:
        """The matching responses just before and after it."""

    def everything(self, filters: RowFilters) -> pd.DataFrame:
        """Every matching row (a download)."""

    def thread(self, row: pd.Series) -> pd.DataFrame | None:
        """The responses of the row's run and conversation (None when single-turn)."""


def distinct_values(series: pd.Series) -> list[str]:
    """The distinct non-empty values of a column, sorted, as text (a filter's choices)."""
    return sorted({str(v) for v in series.dropna().unique() if str(v)})


def thread_of(row: pd.Series, responses: pd.DataFrame) -> pd.DataFrame | None:
    """The responses of the same run and conversation as row (None when it is single-turn)."""
    thread = row.get("thread_uuid")
    if _missing(thread) or "thread_uuid" not in responses:
        return None
    same = responses["thread_uuid"].astype(object) == thread
    if "eval_run_uuid" in responses and not _missing(row.get("eval_run_uuid")):
        same &= (responses["eval_run_uuid"].astype(object) == row.get("eval_run_uuid")).to_numpy()
    return responses.loc[same.to_numpy()]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


class FrameRows:
    """ResponseRows over a loaded responses frame (filtered once per filter set)."""

    def __init__(self, responses: pd.DataFrame, shared: Callable[..., Any] | None = None) -> None:
        self.responses = responses
        # data.shared: the filtered rows kept once per filter set for every session (the page
        # shares its own answers the same way); a plain call in tests.
        self._shared = shared or (lambda name, build, *key: build())

    def _kept(self, filters: RowFilters) -> pd.DataFrame:
        def build() -> pd.DataFrame:
            q = filters.query
            kept = filter_responses(
                self.responses, verdicts=q.verdicts, refused=q.refused, excluded=q.excluded,
                confidence=q.confidence, categories=q.categories, eval_types=q.eval_types,
                evals=q.evals, runs=q.runs, text=q.text,
            )  # fmt: skip
            if q.run_ids is not None:
                kept = kept[kept["eval_run_uuid"].astype(object).isin(q.run_ids).to_numpy()]
            if filters.reviewed is not None:
                reviewed = kept["manually_updated"].to_numpy(dtype=bool)
                kept = kept[reviewed == filters.reviewed]
            return kept

        return self._shared("rows.kept", build, filters)

    def options(self, column: str) -> list[str]:
        return distinct_values(self.responses[column])

    def counts(self, filters: RowFilters) -> dict[str, Any]:
        return verdict_counts(self._kept(filters))

    def total(self) -> int:
        return len(self.responses)

    def page(self, filters: RowFilters, offset: int, size: int) -> pd.DataFrame:
        return self._kept(filters).iloc[offset : offset + size]

    def _ids(self, filters: RowFilters) -> dict[str, int]:
        def build() -> dict[str, int]:
            uuids = self._kept(filters)["response_uuid"].astype(str).tolist()
            return {u: i for i, u in reversed(list(enumerate(uuids)))}  # first wins

        return self._shared("rows.ids", build, filters)

    def position(self, filters: RowFilters, uuid: str) -> int | None:
        return self._ids(filters).get(uuid)

    def neighbours(self, filters: RowFilters, uuid: str) -> tuple[str | None, str | None]:
        at = self.position(filters, uuid)
        if at is None:
            return None, None
        ids = self._kept(filters)["response_uuid"]
        before = str(ids.iloc[at - 1]) if at > 0 else None
        after = str(ids.iloc[at + 1]) if at + 1 < len(ids) else None
        return before, after

    def everything(self, filters: RowFilters) -> pd.DataFrame:
        return self._kept(filters)

    def thread(self, row: pd.Series) -> pd.DataFrame | None:
        return thread_of(row, self.responses)


class LakeRows:
    """ResponseRows as SQL over the lake's responses (only the rows and counts asked for)."""

    def __init__(
        self,
        connect: Callable[[], Any],
        include_sandbox: bool,
        total: int,
        columns: Sequence[str] = RESPONSE_COLUMNS,
        typed: Callable[[pd.DataFrame], pd.DataFrame] = lambda frame: frame,
    ) -> None:
        self._connect = connect  # a fresh cursor per call: DuckDB connections are per thread
        self.include_sandbox = include_sandbox
        self._total = total
        self.columns = tuple(columns)
        self._typed = typed  # rows as the loader types them (jobs.lake_data.typed_responses)

    def _query(self, filters: RowFilters) -> sql.Filters:
        """The SQL filters, 'reviewed' included (the frame path filters it apart)."""
        return filters.query if filters.reviewed is None else replace(
            filters.query, reviewed=filters.reviewed
        )  # fmt: skip

    def options(self, column: str) -> list[str]:
        return sql.distinct(self._connect(), column, self.include_sandbox)

    def counts(self, filters: RowFilters) -> dict[str, Any]:
        return sql.verdict_counts(self._connect(), self._query(filters), self.include_sandbox)

    def total(self) -> int:
        return self._total

    def page(self, filters: RowFilters, offset: int, size: int) -> pd.DataFrame:
        return self._typed(sql.responses(
            self._connect(), self._query(filters), self.include_sandbox, columns=self.columns,
            limit=size, offset=offset,
        ))  # fmt: skip

    def position(self, filters: RowFilters, uuid: str) -> int | None:
        return sql.position(self._connect(), self._query(filters), uuid, self.include_sandbox)

    def neighbours(self, filters: RowFilters, uuid: str) -> tuple[str | None, str | None]:
        return sql.neighbours(self._connect(), self._query(filters), uuid, self.include_sandbox)

    def everything(self, filters: RowFilters) -> pd.DataFrame:
        return self._typed(sql.responses(
            self._connect(), self._query(filters), self.include_sandbox, columns=self.columns
        ))  # fmt: skip

    def thread(self, row: pd.Series) -> pd.DataFrame | None:
        thread = row.get("thread_uuid")
        if _missing(thread):
            return None
        return self._typed(sql.thread(
            self._connect(), str(row["eval_run_uuid"]), str(thread), self.include_sandbox,
            columns=self.columns,
        ))  # fmt: skip
