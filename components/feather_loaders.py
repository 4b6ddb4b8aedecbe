"""Feather loads, built like the Aymara ones: each `load_*` asks the cache seam, `fetch_*` works."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from client.errors import APIError
from client.feather import FeatherClient, RunFilters
from client.feather_models import Activity, Assistant, EvalRunDetail, Evaluator
from client.settings import settings
from components import cache
from components.connection import Source
from jobs.problems import LoadProblem, listing_problems
from reporting.feather.tables import assistant_labels, evaluator_labels, runs_frame, scores_frame
from reporting.feather.view import FeatherView, build_view

# Eval runs are live operational data ("always revalidate"), so they expire sooner than Aymara's.
RUNS_TTL_S = 120.0
CATALOG_TTL_S = 60.0  # evaluators change slowly: the API notes call a 30-60 s cache safe
ACTIVITY_TTL_S = 60.0  # the server caches the activity counts for 60 s itself
DETAIL_TTL_S = 60.0
# Built pages kept at most, apart from the loaded datasets; bounded in bytes too, since one
# holds its runs frame with names (~60 MB at 50,000 runs) beside ~1 MB of figures.
VIEWS = 32

# runs fetched so far, pages fetched so far
RunsProgress = Callable[[int, int], None]
FilterKey = tuple[tuple[str, Any], ...]


def filter_key(filters: RunFilters) -> FilterKey:
    """The filters as the cache sees them: the query parameters, sorted."""
    return tuple(sorted(filters.to_params().items()))


# --------------------------------------------------------------------------- eval runs


@dataclass(frozen=True)
class FeatherRuns:
    """The runs matching one filter set, as frames, with what did not load."""

    filters: FilterKey
    runs: pd.DataFrame
    scores: pd.DataFrame
    loaded_at: dt.datetime
    pages: int = 0
    problems: tuple[LoadProblem, ...] = ()
    fatal: APIError | None = None

    @property
    def complete(self) -> bool:
        """True when every run matching the filters was read."""
        return not self.problems and self.fatal is None

    @property
    def empty(self) -> bool:
        """True when no run matches (e.g. a link naming unknown ids): cached apart."""
        return self.runs.empty


def fetch_runs(
    client: FeatherClient, filters: RunFilters, progress: RunsProgress | None = None
) -> FeatherRuns:
    """Every run matching the filters (pushed to the API), page by page along the cursor."""
    say = progress or (lambda runs, pages: None)
    listing = client.list_eval_runs(
        filters,
        max_runs=settings().feather_max_runs,
        on_progress=lambda pages, _total, items: say(items, pages),
    )
    problems: list[LoadProblem] = []
    error = listing_problems("The list of eval runs", listing, problems)
    now = dt.datetime.now(dt.UTC)
    key = filter_key(filters)
    runs = runs_frame(listing.items)
    scores = scores_frame(listing.items)
    if error is not None and not listing.items:
        return FeatherRuns(key, runs, scores, now, listing.pages, fatal=error)
    return FeatherRuns(key, runs, scores, now, listing.pages, tuple(problems))


def load_runs(
    source: Source,
    filters: RunFilters,
    workspace: str | None = None,
    progress: RunsProgress | None = None,
) -> FeatherRuns:
    """The runs matching the filters, from the cache or the API."""
    return cache.dataset_cache().get_or_load(
        cache.cache_key(source, workspace, "runs", filter_key(filters)),
        lambda: fetch_runs(cache.feather_client(source), filters, progress),
        cache.ttl_for(min(cache.cache_ttl_s(), RUNS_TTL_S)),
    )


# --------------------------------------------------------------------------- the page's content


@st.cache_resource
def _views() -> cache.DatasetCache:
    """Built pages, shared by every session; apart from the datasets, so they never evict one."""
    return cache.DatasetCache(max_entries=VIEWS, max_bytes=cache.budgets()[1])


def load_view(
    source: Source,
    data: FeatherRuns,
    catalog: FeatherCatalog,
    activity: Activity | None,
    first_day: dt.date,
    last_day: dt.date,
    workspace: str | None = None,
) -> FeatherView:
    """Every count and figure of the page for these runs, built once per load and shared.

    Keyed by the load itself (its filters and when it was read), the names and the activity
    counts, so a reload, a rename or new counts build the page afresh.
    """
    buckets = tuple(activity.buckets) if activity is not None else None
    counts = (
        None if buckets is None else tuple((b.date, b.total, b.failed, b.errored) for b in buckets)
    )
    names = (
        tuple(sorted(catalog.evaluator_names.items())),
        tuple(sorted(catalog.assistant_names.items())),
    )
    key = cache.cache_key(
        source, workspace, "view", data.filters, data.loaded_at, names, counts, first_day, last_day
    )
    return _views().get_or_load(
        key,
        lambda: build_view(
            data.runs,
            data.scores,
            evaluator_names=catalog.evaluator_names,
            assistant_names=catalog.assistant_names,
            buckets=buckets,
            complete=data.complete,
            first_day=first_day,
            last_day=last_day,
        ),
        lambda _: RUNS_TTL_S,
    )


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class FeatherCatalog:
    """Evaluators and assistants, for names and filter options."""

    evaluators: tuple[Evaluator, ...] = ()
    assistants: tuple[Assistant, ...] = ()
    evaluator_names: dict[str, str] = field(default_factory=dict)
    assistant_names: dict[str, str] = field(default_factory=dict)
    problems: tuple[LoadProblem, ...] = ()


def fetch_catalog(client: FeatherClient) -> FeatherCatalog:
    """Every evaluator (archived ones too: old runs name them) and every assistant."""
    problems: list[LoadProblem] = []
    evaluators = client.list_evaluators()
    listing_problems("The list of evaluators (runs are named by id instead)", evaluators, problems)
    assistants = client.list_assistants()
    listing_problems("The list of assistants (runs are named by id instead)", assistants, problems)
    return FeatherCatalog(
        evaluators=tuple(evaluators.items),
        assistants=tuple(assistants.items),
        evaluator_names=evaluator_labels(evaluators.items),
        assistant_names=assistant_labels(assistants.items),
        problems=tuple(problems),
    )


def load_catalog(source: Source, workspace: str | None = None) -> FeatherCatalog:
    """Evaluators and assistants, cached for a minute."""
    return cache.dataset_cache().get_or_load(
        cache.cache_key(source, workspace, "catalog"),
        lambda: fetch_catalog(cache.feather_client(source)),
        cache.ttl_for(CATALOG_TTL_S),
    )


# --------------------------------------------------------------------------- activity


@dataclass(frozen=True)
class ActivityResult:
    """The activity counts, or the error that prevented them."""

    activity: Activity | None = None
    error: APIError | None = None

    @property
    def problems(self) -> tuple[LoadProblem, ...]:
        """The error as a problem to list; the page counts the loaded runs instead."""
        if self.error is None:
            return ()
        what = "Runs per day from the activity endpoint (counted from the loaded runs instead)"
        return (LoadProblem.from_error(what, self.error),)


def load_activity(
    source: Source,
    first_day: dt.date,
    last_day: dt.date,
    *,
    scope: str | None = None,
    channel: str | None = None,
    evaluator_id: str | None = None,
    agent_id: str | None = None,
    workspace: str | None = None,
) -> ActivityResult:
    """Runs per UTC day (total, failed, errored) over whole days, cached for a minute."""

    def fetch() -> ActivityResult:
        try:
            activity = cache.feather_client(source).activity(
                first_day,
                last_day,  # a date: the API includes that whole day
                scope=scope,
                channel=channel,
                evaluator_id=evaluator_id,
                agent_id=agent_id,
            )
        except APIError as exc:
            return ActivityResult(error=exc)
        return ActivityResult(activity=activity)

    key = ("activity", first_day, last_day, scope, channel, evaluator_id, agent_id)
    return cache.dataset_cache().get_or_load(
        cache.cache_key(source, workspace, *key), fetch, cache.ttl_for(ACTIVITY_TTL_S)
    )


# --------------------------------------------------------------------------- one run


@dataclass(frozen=True)
class RunDetailResult:
    """One run with its session and turns, or the error that prevented it."""

    run: EvalRunDetail | None = None
    error: APIError | None = None


def load_run(source: Source, run_id: str, workspace: str | None = None) -> RunDetailResult:
    """One run's scores, session and transcript turns, cached for a minute."""

    def fetch() -> RunDetailResult:
        try:
            return RunDetailResult(
                run=cache.feather_client(source).get_eval_run(run_id, include=("session", "turns"))
            )
        except APIError as exc:
            return RunDetailResult(error=exc)

    return cache.dataset_cache().get_or_load(
        cache.cache_key(source, workspace, "run", run_id), fetch, cache.ttl_for(DETAIL_TTL_S)
    )


def newest_run_day(source: Source, workspace: str | None = None) -> dt.date | None:
    """The UTC day of the newest run (the listing is newest first); None when unknown."""

    def fetch() -> tuple[dt.date | None]:
        listing = cache.feather_client(source).list_eval_runs(page_size=1, max_runs=1)
        newest = listing.items[0].created_at if listing.items else None
        if newest is not None and newest.tzinfo is None:
            newest = newest.replace(tzinfo=dt.UTC)  # the API speaks UTC
        # A one-tuple, because the cache reads None as "not loaded yet".
        return (newest.astimezone(dt.UTC).date() if newest else None,)

    return cache.dataset_cache().get_or_load(
        cache.cache_key(source, workspace, "newest"), fetch, lambda _: CATALOG_TTL_S
    )[0]
