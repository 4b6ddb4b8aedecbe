"""The Aymara dataset the pages show: every eval, run, prompt, response and report, as frames.

Headless (no streamlit). It is read from the API into memory (`jobs.aymara_fetch`) or from a
results lake (`jobs.lake_data`); its methods answer the pages the same way on both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

import pandas as pd
import pyarrow as pa

from client.aymara_models import EvalSuiteReport
from client.errors import APIError
from client.paging import Listing
from jobs.memo import Memo, Once, frozen
from jobs.problems import LoadProblem, Missing
from reporting.aymara import sql
from reporting.aymara.aggregates import confidence_bands, failing_categories, verdict_counts
from reporting.aymara.compare import flip_table
from reporting.aymara.definitions import sandbox_runs, sandbox_view
from reporting.aymara.regressions import regression_board
from reporting.aymara.response_rows import FrameRows, ResponseRows, RowFilters
from reporting.aymara.review_queue import flip_runs, low_confidence_failures, review_queue

T = TypeVar("T")

# A review queue read from the lake lists this many (sql.review_queue orders it).
QUEUE_ROWS = 10_000
# A list of responses to read lists this many (a table of more is not read through).
LIST_ROWS = 1_000
# stage label, done, total
ProgressFn = Callable[[str, int, int], None]


class LakeSource(Protocol):
    """Where a dataset read from the lake gets its responses (jobs.lake_data.LakeQueries)."""

    def responses(self, include_sandbox: bool | None) -> pd.DataFrame:
        """Every response of the dataset's scope as the loader's frame (sandbox view applied)."""

    def rows(self, include_sandbox: bool | None) -> ResponseRows:
        """The Responses page's rows as SQL over the lake."""

    def empty_responses(self) -> pd.DataFrame:
        """A responses frame with no rows (the loader's columns and dtypes)."""

    def board(self, include_sandbox: bool | None) -> pd.DataFrame:
        """The regression board as SQL over the lake."""

    def summary(self, include_sandbox: bool | None) -> tuple[dict[str, Any], pd.DataFrame]:
        """(verdict counts, failing categories) as SQL over the lake."""

    def flips(self, run_a: str, run_b: str, include_sandbox: bool | None) -> pd.DataFrame:
        """Two runs' flip table as SQL over the lake."""

    def has_confidences(self, include_sandbox: bool | None) -> bool:
        """True when some response carries a judge confidence."""

    def bands(self, include_sandbox: bool | None, label: str | None) -> pd.DataFrame:
        """The calibration bands as SQL over the lake (`label`: every type under one name)."""

    def review_queue(
        self, include_sandbox: bool | None, kind: str, eval_uuid: str | None,
        verdict: str | None, limit: int,
    ) -> tuple[pd.DataFrame, int]:  # fmt: skip
        """A review queue's first `limit` responses (their keys) as SQL, and its length."""

    def low_confidence_failures(
        self, include_sandbox: bool | None, below: float, eval_type: str | None, limit: int
    ) -> tuple[pd.DataFrame, int]:
        """The calibration page's list as SQL over the lake: its first `limit` rows, its length."""


@dataclass(frozen=True)
class Resume:
    """What a partial load did read in full, so that Try again asks only for the rest."""

    listings: dict[str, Listing[Any]]  # "evals", "runs", "reports" read to their end
    prompts: dict[str, pa.Table]  # eval uuid -> its prompts, read in full
    records: dict[str, pa.Table]  # run uuid -> its responses, read in full


@dataclass(frozen=True)
class AymaraData:
    """Everything the Aymara pages show for one account and workspace, as frames."""

    base_url: str
    workspace: str | None
    evals: pd.DataFrame
    runs: pd.DataFrame
    prompts: pd.DataFrame
    # The responses frame; None when read from the lake, where the Responses page asks SQL
    # for the rows it shows and other pages read the frame on first use (`responses`).
    response_frame: pd.DataFrame | None
    reports: tuple[EvalSuiteReport, ...]
    loaded_at: datetime
    workspaces: dict[str, str] = field(default_factory=dict)
    problems: tuple[LoadProblem, ...] = ()
    fatal: APIError | None = None
    requests: int = 0
    from_store: int = 0  # runs whose responses came from the local store
    lake_sync: int | None = None  # read from the results lake: the finished sync's id
    missing: Missing = field(default_factory=Missing)
    resume: Resume | None = field(default=None, repr=False, compare=False)
    _memo: Memo = field(default_factory=Memo, repr=False, compare=False)
    _views: dict[bool, AymaraData] = field(default_factory=dict, repr=False, compare=False)
    _views_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    sandbox_included: bool | None = None  # None: the loaded data; else a view (see `view`)
    sandbox_hidden: int = 0  # sandbox runs this view leaves out
    lake: LakeSource | None = field(default=None, repr=False, compare=False)
    _lazy: Once = field(default_factory=Once, repr=False, compare=False)

    @property
    def _on_lake(self) -> bool:
        """Read from the lake without a responses frame: pages ask the lake's SQL instead."""
        return self.response_frame is None and self.lake is not None

    @property
    def responses(self) -> pd.DataFrame:
        """Every response as a frame: loaded, or read from the lake once, on first use."""
        if self.response_frame is not None:
            return self.response_frame
        assert self.lake is not None, "a dataset without responses has a lake to read them from"
        return self._lazy.get(lambda: self.lake.responses(self.sandbox_included))

    @property
    def responses_loaded(self) -> bool:
        """True when the responses frame is in memory (always, unless read from the lake)."""
        return self.response_frame is not None or self._lazy.value is not None

    def response_summary(self) -> tuple[dict[str, Any], pd.DataFrame]:
        """(verdict counts, failing categories) of every response, built once per dataset.

        On the lake: one grouped scan in SQL; the responses are not read into memory.
        """
        if self._on_lake:
            lake = self.lake
            return self.shared("response_summary", lambda: lake.summary(self.sandbox_included))
        return self.shared(
            "response_summary",
            lambda: (verdict_counts(self.responses), failing_categories(self.responses)),
        )

    def flips(self, run_a: str, run_b: str) -> pd.DataFrame:
        """Two runs compared prompt by prompt (compare.flip_table), built once per pair."""
        if self._on_lake:
            lake = self.lake
            return self.shared("flips", lambda: lake.flips(run_a, run_b, self.sandbox_included),
                               run_a, run_b)  # fmt: skip

        def build() -> pd.DataFrame:
            run = self.responses["eval_run_uuid"]
            return flip_table(self.responses[run == run_a], self.responses[run == run_b])

        return self.shared("flips", build, run_a, run_b)

    def response_rows(self) -> ResponseRows:
        """The Responses page's rows: SQL over the lake, else the loaded frame."""
        if self._on_lake:
            return self.shared("response_rows", lambda: self.lake.rows(self.sandbox_included))
        return FrameRows(self.responses, self.shared)

    def responses_where(self, filters: sql.Filters) -> pd.DataFrame:
        """The responses matching `filters`, in order, once per filter set for every session.

        On the lake only those rows are read; else the loaded frame is filtered.
        """
        return self.shared(
            "responses_where", lambda: self.response_rows().everything(RowFilters(filters)), filters
        )

    def run_responses(self, *run_uuids: str) -> pd.DataFrame:
        """The responses of these runs (a run's page, a comparison, a report)."""
        return self.responses_where(sql.Filters(run_ids=tuple(run_uuids)))

    def response(self, run_uuid: str, response_uuid: str) -> pd.Series | None:
        """One response in full (a listed row's card), read with the rest of its run."""
        of_run = self.run_responses(run_uuid)
        hit = of_run[(of_run["response_uuid"].astype(object) == response_uuid).to_numpy()]
        return None if hit.empty else hit.iloc[0]

    def has_confidences(self) -> bool:
        """True when the judge gave a confidence for some response."""
        if self._on_lake:
            lake = self.lake
            return self.shared(
                "has_confidences", lambda: lake.has_confidences(self.sandbox_included)
            )
        return self.shared(
            "has_confidences", lambda: bool(self.responses["confidence"].notna().any())
        )

    def confidence_bands(self, label: str | None = None) -> pd.DataFrame:
        """aggregates.confidence_bands per eval type, or of every response under one `label`."""
        if self._on_lake:
            lake = self.lake
            return self.shared(
                "confidence_bands", lambda: lake.bands(self.sandbox_included, label), label
            )
        return self.shared("confidence_bands", lambda: confidence_bands(
            self.responses if label is None else self.responses.assign(eval_type=label)
        ), label)  # fmt: skip

    def review_queue(
        self, kind: str, *, eval_uuid: str | None = None, verdict: str | None = None
    ) -> tuple[pd.DataFrame, int]:
        """(a review queue's responses in review order, how many the queue holds).

        On the lake the queue lists its first QUEUE_ROWS (its order is least confident first,
        so those are the ones worth a look) and reads only them; the frame lists all.
        """

        def build() -> tuple[pd.DataFrame, int]:
            if self._on_lake and kind != "flips":
                return self.lake.review_queue(
                    self.sandbox_included, kind, eval_uuid, verdict, QUEUE_ROWS
                )
            # Flips read the two runs each eval compares (every response on the frame path).
            source = (
                self.run_responses(*flip_runs(self.runs)) if kind == "flips" else self.responses
            )
            queue = review_queue(source, self.runs, kind, eval_uuid=eval_uuid, verdict=verdict)
            return (queue.head(QUEUE_ROWS) if self._on_lake else queue), len(queue)

        return self.shared("review_queue", build, kind, eval_uuid, verdict)

    def low_confidence_failures(
        self, below: float, eval_type: str | None = None, limit: int | None = None
    ) -> tuple[pd.DataFrame, int]:
        """(failed verdicts under `below` confidence, newest first: the first `limit`, count)."""
        limit = LIST_ROWS if limit is None else limit
        if self._on_lake:
            lake, key = self.lake, (below, eval_type, limit)
            return self.shared("low_confidence_failures", lambda: lake.low_confidence_failures(
                self.sandbox_included, *key), *key)  # fmt: skip

        def build() -> tuple[pd.DataFrame, int]:
            low = low_confidence_failures(self.responses, below, eval_type)
            return low.head(limit), len(low)

        return self.shared("low_confidence_failures", build, below, eval_type, limit)

    @property
    def partial(self) -> bool:
        """True when something did not load."""
        return bool(self.problems) or self.fatal is not None

    @property
    def empty(self) -> bool:
        """True when nothing is there (e.g. a link naming an unknown workspace): cached apart."""
        return self.evals.empty and self.runs.empty

    @property
    def regression_board(self) -> pd.DataFrame:
        """Each eval's latest finished run against the one before, built once per dataset.

        Three pages show it on every rerun, and it costs ~0.5 s at a million responses.
        """
        if self._on_lake:  # the two runs' verdicts only
            return self.shared("regression_board", lambda: self.lake.board(self.sandbox_included))
        return self.shared("regression_board", lambda: regression_board(self.runs, self.responses))

    def shared(self, name: str, build: Callable[[], T], *key: Any) -> T:
        """`build()` computed once for this dataset, `name` and `key`, shared by every session.

        The dataset never changes, so a page's aggregates, figures and filtered frames depend
        only on it and the page's parameters (`key`: filters, choices). Callers treat the
        result as read-only, like the dataset itself.
        """
        return self._memo.get((name, frozen(key)), build)

    def shared_counts(self) -> tuple[int, int]:
        """(results built, results shared) so far, by this dataset and its views."""
        memos = [self._memo, *(v._memo for v in self._views.values())]
        return sum(m.builds for m in memos), sum(m.hits for m in memos)

    @property
    def sandbox_run_count(self) -> int:
        """How many of these runs are sandbox runs (their own flag or their eval's)."""
        return int(sandbox_runs(self.runs, self.evals).sum())

    def view(self, include_sandbox: bool) -> AymaraData:
        """The data as pages show it: sandbox runs left out, or included and marked.

        Built once per dataset and choice (shared, read-only, like the dataset itself). Under
        a lock: ten sessions pressing Refresh together each built a view of their own (17 MB
        of responses apiece at scale 10, and none shared its results), and each session's
        widgets kept its view alive, so the server stayed 250 MB up after the Refresh.
        """
        if self.sandbox_included is not None:
            return self
        with self._views_lock:
            if include_sandbox not in self._views:
                self._views[include_sandbox] = self._sandbox_view(include_sandbox)
            return self._views[include_sandbox]

    def _sandbox_view(self, include_sandbox: bool) -> AymaraData:
        """A new view of this dataset for one sandbox choice (`view` keeps it)."""
        lazy = self._on_lake
        evals, runs, prompts, responses = sandbox_view(
            self.evals, self.runs, self.prompts,
            self.lake.empty_responses() if lazy else self.responses, include_sandbox,
        )  # fmt: skip
        return replace(
            self,
            evals=evals,
            runs=runs,
            prompts=prompts,
            response_frame=None if lazy else responses,
            _memo=Memo(),
            _views={},
            _views_lock=threading.Lock(),
            _lazy=Once(),
            sandbox_included=include_sandbox,
            sandbox_hidden=0 if include_sandbox else self.sandbox_run_count,
        )
