"""Manual reviews of scored responses at runtime: the PATCH and history endpoints' state.

A change is kept per response as an overlay on the generated JSON (which is rebuilt whenever its
LRU entry is evicted), so the listing, the run's counts and `updated_at`, and the history all
agree. The run's `updated_at` moves on every change, at least one second, since the API writes
timestamps to the second and a client keys its stored copy of a run by that value.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from simulator.aymara.records import RunRecord, Summary
from simulator.aymara.rendering import scored_responses, user_json
from simulator.aymara.seeding import iso, stable_uuid

if TYPE_CHECKING:
    from simulator.aymara.generator import AymaraDemoAccount

# The key's owner: the API attributes a change to whoever owns the key that sent it.
KEY_OWNER = "priya.natarajan"
EXPECTED_STATE_HEADER = "x-expected-manually-updated-at"  # optional; absent = no check
FIELDS = ("is_passed", "explanation", "confidence")


class ReviewError(Exception):
    """A refused change: the status and message the route answers with."""

    def __init__(self, status: int, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or {}


@dataclass
class _Book:
    """One account's changes: per run, per response uuid, the response's reviewed JSON."""

    changed: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    updated_at: dict[str, datetime] = field(default_factory=dict)
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


_BOOKS: weakref.WeakKeyDictionary[Any, _Book] = weakref.WeakKeyDictionary()
_BOOKS_LOCK = threading.Lock()


def _book(account: AymaraDemoAccount) -> _Book:
    with _BOOKS_LOCK:
        book = _BOOKS.get(account)
        if book is None:
            book = _BOOKS[account] = _Book()
        return book


def overlay(account: AymaraDemoAccount, run: RunRecord, items: list[dict[str, Any]]) -> list:
    """The run's responses with every manual change made at runtime applied."""
    changed = _book(account).changed.get(run.uuid)
    if not changed:
        return items
    return [changed.get(item.get("response_uuid") or "", item) for item in items]


def run_updated_at(account: AymaraDemoAccount, run: RunRecord) -> datetime:
    """The run's `updated_at`: its own, or the time of its latest manual change."""
    return _book(account).updated_at.get(run.uuid, run.updated_at)


def find(account: AymaraDemoAccount, run: RunRecord, response_uuid: str) -> dict[str, Any]:
    """One response of a run as the listing shows it, or a 404."""
    for item in scored_responses(account, run):
        if item.get("response_uuid") == response_uuid:
            return item
    raise ReviewError(404, f"Response {response_uuid} not found in eval run {run.uuid}.")


def history(account: AymaraDemoAccount, run: RunRecord, response_uuid: str) -> list[Any]:
    """Every manual change to a response, oldest first (the bare array the API returns)."""
    return list(find(account, run, response_uuid).get("update_history") or [])


def _checked(body: Any) -> dict[str, Any]:
    """The fields a PATCH body sets, or a 422 naming the first bad one."""
    if not isinstance(body, dict):
        raise ReviewError(422, "The body must be a JSON object.", {"field": "body"})
    given = {name: body[name] for name in FIELDS if name in body}
    if not given:
        raise ReviewError(422, "Give is_passed, explanation or confidence.", {"field": "body"})
    value = given.get("is_passed")
    if value is not None and not isinstance(value, bool):
        raise ReviewError(422, "is_passed must be true, false or null.", {"field": "is_passed"})
    value = given.get("explanation")
    if value is not None and not isinstance(value, str):
        raise ReviewError(422, "explanation must be text or null.", {"field": "explanation"})
    value = given.get("confidence")
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1
    ):
        raise ReviewError(
            422, "confidence must be a number from 0 to 1, or null.", {"field": "confidence"}
        )
    return given


def update(
    account: AymaraDemoAccount,
    run: RunRecord,
    response_uuid: str,
    body: Any,
    expected: str | None = None,
) -> dict[str, Any]:
    """Apply a PATCH: a new history entry, the response changed, the run's counts and time moved.

    `expected` is the `manually_updated_at` the client saw ("" = never reviewed); when given and
    stale, the change is refused with a 409 that carries the current response.
    """
    given = _checked(body)
    book = _book(account)
    with book.lock:
        current = find(account, run, response_uuid)
        if expected is not None and expected != (current.get("manually_updated_at") or ""):
            raise ReviewError(
                409,
                "This response was changed since you saw it; look at the current verdict.",
                {"current": current},
            )
        book.count += 1
        now = datetime.now(UTC).replace(microsecond=0)
        previous = book.updated_at.get(run.uuid, run.updated_at)
        moment = max(now, previous + timedelta(seconds=1))
        owner = user_json(account, run.eval.workspace, KEY_OWNER)
        new = {name: given.get(name, current.get(name)) for name in FIELDS}
        entry = {
            "answer_history_uuid": stable_uuid(account.seed, "review", response_uuid, book.count),
            "updated_at": iso(moment),
            **{f"previous_{name}": current.get(name) for name in FIELDS},
            **{f"new_{name}": new[name] for name in FIELDS},
            "updated_by": owner,
        }
        reviewed = current | new
        reviewed["manually_updated"] = True
        reviewed["manually_updated_at"] = iso(moment)
        reviewed["manually_updated_by"] = owner
        reviewed["update_history"] = [*(current.get("update_history") or []), entry]
        book.changed.setdefault(run.uuid, {})[response_uuid] = reviewed
        book.updated_at[run.uuid] = moment
        verdicts = [item.get("is_passed") for item in scored_responses(account, run)]
        passed = sum(1 for v in verdicts if v is True)
        failed = sum(1 for v in verdicts if v is False)
        with account.lock:
            account.summaries[run.uuid] = Summary(
                len(verdicts), passed, failed, len(verdicts) - passed - failed
            )
        return reviewed
