"""Feather v1 contract values: the enums, the dataset's fixed clock, date-time parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

Json = dict[str, Any]

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HISTORY_DAYS = 90
BASE_SESSIONS = 280  # at scale 1 this gives ~2,200 runs: ~11 pages of 200

RUN_STATUSES = ("pending", "running", "completed", "failed", "errored")
SCOPES = ("live", "simulation", "test")
OUTCOMES = ("passed", "failed", "no_verdict", "errored")
SEVERITIES = ("info", "low", "medium", "high", "critical")
CHANNELS = ("chat", "sms", "voice", "email")
EVALUATOR_KINDS = ("model_judge", "deterministic")
EVALUATOR_STATUSES = ("active", "inactive", "archived")
POLICY_CLAUSES = ("Required disclosures", "Commitments within policy", "Escalation path offered")

# A judge-provider outage: most model-judge runs in this window errored (a visible error spike).
OUTAGE_START = datetime(2026, 10, 28, 9, 0, tzinfo=UTC)
OUTAGE_END = datetime(2026, 10, 28, 21, 0, tzinfo=UTC)
# Returns SMS Bot v15 shipped a holiday prompt that misstates the return window: the surge.
SURGE_START = datetime(2026, 11, 14, 9, 0, tzinfo=UTC)

TIMEOUT_ERROR = "Judge model timed out after 30s"
PARSE_ERROR = "Judge response could not be parsed: expected JSON with keys passed, rationale"
SIGNAL_ERROR = "Signal computation failed: observation store unavailable (503)"
RECORDING_ERROR = "Transcript unavailable: recording still processing"
SIGNAL_RECORDING_ERROR = "Signal unavailable: transcript not ready (recording still processing)"


def iso(value: datetime) -> str:
    """Format a datetime as ISO-8601 UTC with a Z suffix, the way the API does."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_utc(value: datetime | date | str) -> datetime:
    """Parse an API date-time or date into an aware UTC datetime; naive values count as UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def created_to_bound(created_to: datetime) -> datetime:
    """Exclusive upper bound for a `created_to` filter.

    The server receives a parsed datetime and cannot tell "2026-11-20" from midnight, so (as the
    docs describe) a created_to at exactly 00:00:00 UTC includes that whole day; any other
    instant is an inclusive bound.
    """
    if created_to.time() == datetime.min.time():
        return created_to + timedelta(days=1)
    return created_to + timedelta(microseconds=1)
