"""The Feather demo dataset: its runs indexed for keyset paging, the filters, activity.

Everything is derived from `settings.seed` and `settings.scale` and a fixed "now"
(2026-11-20T12:00:00Z), never the wall clock, so two builds are identical and tests can compare
what a client pages through with `filter_runs` and `ground_truth.feather_ground_truth`.
"""

from __future__ import annotations

import bisect
import random
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from simulator.feather.contract import Json, created_to_bound, iso, to_utc
from simulator.feather.generator import DatasetBuilder
from simulator.feather.rendering import run_outcome
from simulator.settings import SimSettings


@dataclass(frozen=True)
class RunFilters:
    """The `/v1/eval-runs` list filters, already validated; None means "not filtered"."""

    session_id: str | None = None
    evaluator_id: str | None = None
    agent_id: str | None = None
    status: str | None = None
    scope: str | None = None
    outcome: str | None = None
    score_min: float | None = None
    score_max: float | None = None
    severity: str | None = None
    channel: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    is_critical: bool | None = None
    q: str | None = None

    @classmethod
    def build(cls, **raw: Any) -> RunFilters:
        """Filters from keyword values as a client sends them: ids, dates and flags normalised."""
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise TypeError(f"unknown eval-run filters: {sorted(unknown)}")
        values = {k: v for k, v in raw.items() if v is not None}
        for key in ("session_id", "evaluator_id", "agent_id"):
            if key in values:
                values[key] = str(uuid.UUID(str(values[key])))
        for key in ("created_from", "created_to"):
            if key in values:
                values[key] = to_utc(values[key])
        for key in ("score_min", "score_max"):
            if key in values:
                values[key] = float(values[key])
        if "is_critical" in values:
            # "true"/"false" as in a query string, with the server's (pydantic's) rules.
            values["is_critical"] = TypeAdapter(bool).validate_python(values["is_critical"])
        return cls(**values)


@dataclass
class _Row:
    """One run plus what the filters need, precomputed."""

    created_at: datetime
    run: Json
    outcome: str | None
    names: tuple[str, ...]  # lower-cased agent and evaluator names, for q
    ids: tuple[str, ...]  # run, session, agent and evaluator ids, for q

    @property
    def key(self) -> tuple[datetime, str]:
        """The keyset position: (created_at, id)."""
        return (self.created_at, self.run["id"])

    def matches(self, f: RunFilters) -> bool:
        """Whether this run passes every filter (the server's semantics)."""
        run = self.run
        checks: tuple[tuple[Any, Any], ...] = (
            (f.session_id, run["session_id"]),
            (f.evaluator_id, run["evaluator_id"]),
            (f.agent_id, run.get("agent_id")),
            (f.status, run["status"]),
            (f.scope, run.get("session_type")),
            (f.outcome, self.outcome),
            (f.severity, run["severity_snapshot"]),
            (f.channel, run.get("channel")),
            (f.is_critical, run.get("is_critical_snapshot", False)),
        )
        if any(wanted is not None and wanted != actual for wanted, actual in checks):
            return False
        if f.created_from is not None and self.created_at < f.created_from:
            return False
        if f.created_to is not None and self.created_at >= created_to_bound(f.created_to):
            return False
        if f.score_min is not None or f.score_max is not None:
            # One score must satisfy both bounds (ANY-score semantics); value-less scores
            # (numeric, enum) never match, as the docs say for numeric evaluators.
            low = 0.0 if f.score_min is None else f.score_min
            high = 1.0 if f.score_max is None else f.score_max
            if not any(
                s.get("value") is not None and low <= s["value"] <= high
                for s in run.get("scores") or []
            ):
                return False
        if f.q is not None:
            needle = f.q.lower()
            by_name = any(needle in name for name in self.names)
            by_id = len(needle) >= 8 and any(i.startswith(needle) for i in self.ids)
            if not (by_name or by_id):
                return False
        return True


# --------------------------------------------------------------------------- the dataset


class FeatherDataset:
    """The demo organization: assistants, evaluators, sessions with turns, runs with scores."""

    def __init__(self, settings: SimSettings) -> None:
        self.seed = settings.seed
        self.scale = settings.scale
        self.lock = threading.RLock()  # guards insert_run against concurrent page reads
        self.organization_id = ""
        self.assistants: list[Json] = []
        self.evaluators: list[Json] = []
        self.sessions: dict[str, Json] = {}
        self.turns: dict[str, list[Json]] = {}
        self.recordings: dict[str, Json] = {}
        self.runs_by_id: dict[str, Json] = {}
        self.scores_by_id: dict[str, Json] = {}
        self.session_runs: dict[str, list[Json]] = {}
        self.rows: list[_Row] = []  # ascending by (created_at, id); pages walk it backwards
        self.keys: list[tuple[datetime, str]] = []
        self.assistant_names: dict[str, str] = {}
        self.evaluator_names: dict[str, str] = {}
        DatasetBuilder(self, random.Random(f"feather-v1:{settings.seed}")).build()

    # -- reading

    def rows_desc(self, after: tuple[datetime, str] | None = None) -> Iterator[_Row]:
        """Rows newest first, starting strictly after the keyset position `after`."""
        start = len(self.rows) if after is None else bisect.bisect_left(self.keys, after)
        for index in range(start - 1, -1, -1):
            yield self.rows[index]

    def page_runs(
        self, filters: RunFilters, limit: int, after: tuple[datetime, str] | None = None
    ) -> tuple[list[Json], bool]:
        """Up to `limit` matching runs after the keyset position, and whether more exist."""
        items: list[Json] = []
        with self.lock:
            for row in self.rows_desc(after):
                if row.matches(filters):
                    if len(items) == limit:
                        return items, True
                    items.append(row.run)
        return items, False

    @property
    def runs(self) -> list[Json]:
        """All runs, newest first."""
        return [row.run for row in self.rows_desc()]

    # -- writing

    def insert_run(self, run: Json) -> None:
        """Add a run (e.g. a test simulating a concurrent write); keeps every index in step."""
        with self.lock:
            row = self.row_for(run)
            position = bisect.bisect_left(self.keys, row.key)
            self.keys.insert(position, row.key)
            self.rows.insert(position, row)
            self.runs_by_id[run["id"]] = run
            self.session_runs.setdefault(run["session_id"], []).append(run)
            for score in run.get("scores") or []:
                self.scores_by_id[score["id"]] = score

    def row_for(self, run: Json) -> _Row:
        agent = self.assistant_names.get(run.get("agent_id") or "")
        evaluator = self.evaluator_names.get(run["evaluator_id"])
        names = tuple(name.lower() for name in (agent, evaluator) if name)
        ids = tuple(
            i.lower()
            for i in (run["id"], run["session_id"], run.get("agent_id"), run["evaluator_id"])
            if i
        )
        return _Row(to_utc(run["created_at"]), run, run_outcome(run), names, ids)


_CACHE: dict[tuple[int, float], FeatherDataset] = {}


_CACHE_LOCK = threading.Lock()


def get_dataset(settings: SimSettings) -> FeatherDataset:
    """The dataset for (seed, scale), built on first use and shared afterwards."""
    key = (settings.seed, settings.scale)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = FeatherDataset(settings)
        return _CACHE[key]


def filter_runs(dataset: FeatherDataset, **filters: Any) -> list[Json]:
    """Every run matching the `/v1/eval-runs` filters, with the server's semantics, newest first."""
    parsed = RunFilters.build(**filters)
    with dataset.lock:
        return [row.run for row in dataset.rows_desc() if row.matches(parsed)]


def activity(
    dataset: FeatherDataset,
    created_from: datetime,
    created_to: datetime,
    scope: str | None = None,
    channel: str | None = None,
    evaluator_id: str | None = None,
    agent_id: str | None = None,
) -> Json:
    """`/v1/eval-runs/activity`: per-UTC-day totals, failed and errored, every day present."""
    created_from, created_to = to_utc(created_from), to_utc(created_to)
    filters = RunFilters.build(
        scope=scope,
        channel=channel,
        evaluator_id=evaluator_id,
        agent_id=agent_id,
        created_from=created_from,
        created_to=created_to,
    )
    days: dict[date, Counter[str]] = {}
    day = created_from.date()
    while day <= created_to.date():
        days[day] = Counter()
        day += timedelta(days=1)
    with dataset.lock:
        for row in dataset.rows_desc():
            if row.matches(filters):
                counts = days[row.created_at.date()]
                counts["total"] += 1
                counts["failed"] += row.outcome == "failed"
                counts["errored"] += row.outcome == "errored"
    return {
        "period_start": iso(created_from),
        "period_end": iso(created_to),
        "buckets": [
            {
                "date": d.isoformat(),
                "total": c["total"],
                "failed": c["failed"],
                "errored": c["errored"],
            }
            for d, c in days.items()
        ],
    }
