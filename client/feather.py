"""Typed client for the Feather v1 REST API: eval runs, evaluators, assistants and activity."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from client.base import APIClient, validate
from client.base import path_segment as _seg
from client.errors import APIError, APIStatusError, PagingError
from client.feather_models import (
    OUTCOME_ERRORED,
    OUTCOME_FAILED,
    Activity,
    ActivityBucket,
    Assistant,
    EvalRun,
    EvalRunDetail,
    Evaluator,
    run_outcome,
)
from client.paging import DEFAULT_CONCURRENCY, Listing, iter_cursor_pages, parse_items
from client.ratelimit import RateLimiter
from client.settings import FEATHER_DEFAULT_URL
from client.transport import DEFAULT_TIMEOUT, QueryValue

DEFAULT_BASE_URL = FEATHER_DEFAULT_URL
# Feather allows 6,000 requests a minute per organisation, shared by all of its keys.
DEFAULT_REQUESTS_PER_MINUTE = 6000.0
MAX_PAGE_SIZE = 200  # the server answers 422 above this
MAX_Q_LENGTH = 255
DEFAULT_ACTIVITY_DAYS = 365  # the server's default window when created_from is omitted
MAX_ACTIVITY_DAYS = 400

RUNS_PATH = "/v1/eval-runs"
ACTIVITY_PATH = "/v1/eval-runs/activity"

M = TypeVar("M", bound=BaseModel)
DateLike = dt.datetime | dt.date
# progress(pages_done, pages_total (unknown with cursors: None), items_so_far)
CursorProgress = Callable[[int, int | None, int], None]


def format_when(value: DateLike) -> str:
    """A date as YYYY-MM-DD; a datetime as ISO-8601 in UTC (a naive one is taken as UTC)."""
    if isinstance(value, dt.datetime):
        utc = _as_utc(value)
        # "Z" rather than "+00:00": a bare "+" in a query string would be read as a space.
        return utc.isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _as_utc(value: DateLike) -> dt.datetime:
    """A point in time in UTC: a date is its midnight, a naive datetime is taken as UTC."""
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


@dataclass(frozen=True)
class RunFilters:
    """Every filter of GET /v1/eval-runs; None means "not filtered on"."""

    session_id: str | None = None
    evaluator_id: str | None = None
    agent_id: str | None = None
    status: str | None = None  # pending | running | completed | failed | errored
    scope: str | None = None  # live | simulation | test (the session type)
    outcome: str | None = None  # passed | failed | no_verdict | errored
    severity: str | None = None  # info | low | medium | high | critical
    score_min: float | None = None  # on score.value in [0, 1]; numeric runs never match
    score_max: float | None = None
    channel: str | None = None
    created_from: DateLike | None = None
    created_to: DateLike | None = None  # a date includes that whole day
    is_critical: bool | None = None  # v1.90
    q: str | None = None  # v1.90: names (substring) or ids (exact or 8+ character prefix)

    def __post_init__(self) -> None:
        for name in ("score_min", "score_max"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
        if (
            self.score_min is not None
            and self.score_max is not None
            and self.score_min > self.score_max
        ):
            raise ValueError(
                f"score_min ({self.score_min}) must not be greater than score_max "
                f"({self.score_max})"
            )
        if self.q is not None and len(self.q) > MAX_Q_LENGTH:
            raise ValueError(f"q is at most {MAX_Q_LENGTH} characters, got {len(self.q)}")
        if _inverted(self.created_from, self.created_to):
            raise ValueError("created_from is after created_to")

    def to_params(self) -> dict[str, QueryValue]:
        """The query parameters: None dropped, dates formatted (booleans the transport encodes)."""
        params: dict[str, QueryValue] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value is None or (spec.name == "q" and value == ""):
                continue
            params[spec.name] = format_when(value) if isinstance(value, dt.date) else value
        return params


def _inverted(created_from: DateLike | None, created_to: DateLike | None) -> bool:
    """Whether a window ends before it starts."""
    if created_from is None or created_to is None:
        return False
    end = _as_utc(created_to)
    # As the server reads it: a created_to at midnight UTC (a date) includes that whole day.
    bound = end + (dt.timedelta(days=1) if end.time() == dt.time() else dt.timedelta.resolution)
    return _as_utc(created_from) >= bound


class FeatherClient(APIClient):
    """Reads eval runs, evaluators, assistants and activity; spaced to stay under the quota."""

    api_name = "Feather API"
    settings_prefix = "feather"  # FEATHER_API_KEY / FEATHER_BASE_URL
    default_base_url = DEFAULT_BASE_URL

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        requests_per_minute: float | None = DEFAULT_REQUESTS_PER_MINUTE,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.rate_limiter = (
            _quota_limiter(requests_per_minute, clock=clock, sleep=sleep)
            if requests_per_minute
            else None
        )
        self._connect(
            api_key,
            base_url,
            concurrency=concurrency,
            timeout=timeout,
            max_retries=max_retries,
            rate_limiter=self.rate_limiter,
            sleep=sleep,
            transport=transport,
        )
        # Learned on first use: an older server (v1.21) has no activity endpoint.
        self._has_activity_endpoint: bool | None = None

    # --- reads -------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, QueryValue] | None) -> Any:
        return self.transport.get(path, params)

    def _walk(
        self,
        path: str,
        model: type[M],
        params: Mapping[str, QueryValue],
        *,
        page_size: int,
        list_key: str = "items",
        max_items: int | None = None,
        on_progress: CursorProgress | None = None,
    ) -> Listing[M]:
        """Follow a cursor listing to its end; an error keeps the items read before it."""
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")
        if max_items is not None and max_items < 1:
            raise ValueError(f"max_items must be at least 1, got {max_items}")
        limit = page_size if max_items is None else min(page_size, max_items)
        listing: Listing[M] = Listing()
        seen: set[str] = set()
        try:
            for body in iter_cursor_pages(
                self._get, path, dict(params), page_size=limit, list_key=list_key
            ):
                items, skipped, _ = parse_items(body, model, list_key)
                listing.pages += 1
                listing.skipped.extend(skipped)
                for item in items:
                    ident = getattr(item, "id", None)
                    # Cursors never repeat an item, by contract; a repeat would double a count.
                    if ident is not None and ident in seen:
                        continue
                    if ident is not None:
                        seen.add(ident)
                    listing.items.append(item)
                if on_progress is not None:
                    on_progress(listing.pages, None, len(listing.items))
                if max_items is not None and len(listing.items) >= max_items:
                    if len(listing.items) > max_items or body.get("has_more"):
                        listing.error = PagingError(
                            f"Stopped after {max_items} items of {path}; "
                            "the listing is larger than the dashboard reads at once."
                        )
                    del listing.items[max_items:]
                    break
        except APIError as exc:
            listing.error = exc
        return listing

    def list_eval_runs(
        self,
        filters: RunFilters | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
        max_runs: int | None = None,
        on_progress: CursorProgress | None = None,
    ) -> Listing[EvalRun]:
        """Every run matching the filters (newest first), page by page along the cursor."""
        filters = filters or RunFilters()
        listing = self._walk(
            RUNS_PATH,
            EvalRun,
            filters.to_params(),
            page_size=page_size,
            max_items=max_runs,
            on_progress=on_progress,
        )
        if filters.is_critical is not None:
            # Servers before v1.90 ignore `is_critical`; every run carries its snapshot.
            listing.items = [
                run for run in listing.items if run.is_critical_snapshot == filters.is_critical
            ]
        return listing

    def get_eval_run(
        self, run_id: str, include: Iterable[str] | None = ("session", "turns")
    ) -> EvalRunDetail:
        """One run with its scores, plus the session, turns and/or recording asked for."""
        tokens = (include,) if isinstance(include, str) else tuple(include or ())
        body = self._get(f"{RUNS_PATH}/{_seg(run_id)}", {"include": tokens or None})
        return validate(EvalRunDetail, body, "for the eval run")

    def list_evaluators(
        self,
        *,
        kind: str | None = None,
        status: str | None = None,
        tag: str | None = None,
        name_contains: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        on_progress: CursorProgress | None = None,
    ) -> Listing[Evaluator]:
        """Every evaluator matching the filters (name_contains needs v1.90)."""
        params = {"kind": kind, "status": status, "tag": tag, "name_contains": name_contains}
        return self._walk(
            "/v1/evaluators", Evaluator, params, page_size=page_size, on_progress=on_progress
        )

    def list_assistants(
        self, *, page_size: int = MAX_PAGE_SIZE, on_progress: CursorProgress | None = None
    ) -> Listing[Assistant]:
        """Every assistant (its page's list is under `assistants`, not `items`)."""
        return self._walk(
            "/v1/assistants",
            Assistant,
            {},
            page_size=page_size,
            list_key="assistants",
            on_progress=on_progress,
        )

    def activity(
        self,
        created_from: DateLike | None = None,
        created_to: DateLike | None = None,
        scope: str | None = None,
        channel: str | None = None,
        evaluator_id: str | None = None,
        agent_id: str | None = None,
    ) -> Activity:
        """Runs per UTC day (total, failed, errored); counted from the listing on older servers."""
        if _inverted(created_from, created_to):
            raise ValueError("created_from is after created_to")
        # Checked here so that the fallback refuses what the endpoint would.
        if (
            created_from is not None
            and created_to is not None
            and _as_utc(created_to) - _as_utc(created_from) > dt.timedelta(days=MAX_ACTIVITY_DAYS)
        ):
            raise ValueError(f"the activity window is at most {MAX_ACTIVITY_DAYS} days")
        if self._has_activity_endpoint is not False:
            params: dict[str, QueryValue] = {
                "created_from": format_when(created_from) if created_from is not None else None,
                "created_to": format_when(created_to) if created_to is not None else None,
                "scope": scope,
                "channel": channel,
                "evaluator_id": evaluator_id,
                "agent_id": agent_id,
            }
            try:
                body = self._get(ACTIVITY_PATH, params)
            except APIStatusError as exc:
                if not _endpoint_missing(exc):
                    raise
                self._has_activity_endpoint = False
            else:
                self._has_activity_endpoint = True
                return validate(Activity, body, "for eval-run activity")
        return self._activity_from_listing(
            created_from, created_to, scope, channel, evaluator_id, agent_id
        )

    def _activity_from_listing(
        self,
        created_from: DateLike | None,
        created_to: DateLike | None,
        scope: str | None,
        channel: str | None,
        evaluator_id: str | None,
        agent_id: str | None,
    ) -> Activity:
        """What the activity endpoint would say, counted from every run in the window."""
        now = dt.datetime.now(dt.UTC)
        # The server's defaults: the last 365 days up to now.
        start = (
            created_from
            if created_from is not None
            else now - dt.timedelta(days=DEFAULT_ACTIVITY_DAYS)
        )
        end = created_to if created_to is not None else now
        filters = RunFilters(
            created_from=start,
            created_to=end,
            scope=scope,
            channel=channel,
            evaluator_id=evaluator_id,
            agent_id=agent_id,
        )
        listing = self.list_eval_runs(filters)
        if listing.error is not None:
            # Counts from part of the runs would be wrong without looking wrong.
            raise listing.error
        first_day = _as_utc(start).date()
        last_day = _as_utc(end).date()
        return Activity(
            period_start=_as_utc(start),
            period_end=_as_utc(end),
            buckets=count_activity(listing.items, first_day, last_day),
            computed_locally=True,
            skipped=listing.skipped,
        )


def count_activity(
    runs: Iterable[EvalRun], first_day: dt.date, last_day: dt.date
) -> list[ActivityBucket]:
    """Per UTC day from first_day to last_day (every day present): total, failed and errored."""
    days = (last_day - first_day).days + 1
    buckets = {
        first_day + dt.timedelta(days=offset): ActivityBucket(
            date=first_day + dt.timedelta(days=offset)
        )
        for offset in range(max(0, days))
    }
    for run in runs:
        bucket = buckets.get(_as_utc(run.created_at).date())
        if bucket is None:
            continue
        bucket.total += 1
        outcome = run_outcome(run)
        if outcome == OUTCOME_FAILED:
            bucket.failed += 1
        elif outcome == OUTCOME_ERRORED:
            bucket.errored += 1
    return list(buckets.values())


def _endpoint_missing(exc: APIStatusError) -> bool:
    """Whether an error means the server predates the activity endpoint."""
    if exc.status in (404, 405):
        return True
    # An older server routes /v1/eval-runs/activity to /v1/eval-runs/{run_id} and rejects
    # "activity" as a uuid.
    return exc.status == 422 and "run_id" in (exc.message or "")


def _quota_limiter(
    requests_per_minute: float,
    *,
    clock: Callable[[], float] | None,
    sleep: Callable[[float], None] | None,
) -> RateLimiter:
    """A token bucket that keeps every 60 s window within the quota, burst included."""
    if requests_per_minute <= 0:
        raise ValueError("requests_per_minute must be positive")
    burst = max(1, int(requests_per_minute // 60))
    # A full bucket plus a minute of refill must still fit in the quota (unlike per_minute()).
    spare = requests_per_minute - burst
    rate = (spare if spare > 0 else requests_per_minute) / 60.0
    return RateLimiter(rate, burst, clock=clock or time.monotonic, sleep=sleep or time.sleep)
