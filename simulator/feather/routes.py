"""Feather v1 routes: eval runs, activity, scores, evaluators, assistants and conversations.

Handlers read and validate their query parameters themselves (rather than through FastAPI
signatures) so that a 422 always has FastAPI's standard `{"detail": [...]}` shape, even when the
app installs a custom validation handler for the Aymara routes. Latency and fault injection are
the app's middleware; this module does auth and the contract.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import Field, TypeAdapter, ValidationError

from simulator.feather.contract import (
    EVALUATOR_KINDS,
    EVALUATOR_STATUSES,
    NOW,
    OUTCOMES,
    RUN_STATUSES,
    SCOPES,
    SEVERITIES,
    Json,
    iso,
    to_utc,
)
from simulator.feather.dataset import FeatherDataset, RunFilters, activity, get_dataset
from simulator.feather.rendering import eval_summary
from simulator.settings import SimSettings

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_TURNS = 200  # turns beyond this are cut and `turns_truncated` is set
MAX_ACTIVITY_WINDOW = timedelta(days=400)
DEFAULT_ACTIVITY_WINDOW = timedelta(days=365)

_UUID = TypeAdapter(uuid.UUID)
_STR = TypeAdapter(str)
_BOOL = TypeAdapter(bool)
_DATETIME = TypeAdapter(datetime)
_LIMIT = TypeAdapter(Annotated[int, Field(ge=1, le=MAX_LIMIT)])
_POSITIVE_INT = TypeAdapter(Annotated[int, Field(ge=1)])
_UNIT = TypeAdapter(Annotated[float, Field(ge=0, le=1)])
_Q = TypeAdapter(Annotated[str, Field(max_length=255)])

T = TypeVar("T")


def _choice(values: tuple[str, ...]) -> TypeAdapter[str]:
    """A validator for one of `values`, failing with pydantic's own literal_error."""
    return TypeAdapter(Literal[values])  # type: ignore[valid-type]


_STATUS = _choice(RUN_STATUSES)
_SCOPE = _choice(SCOPES)
_OUTCOME = _choice(OUTCOMES)
_SEVERITY = _choice(SEVERITIES)
_KIND = _choice(EVALUATOR_KINDS)
_EVALUATOR_STATUS = _choice(EVALUATOR_STATUSES)


class _Problem(Exception):
    """An error answer raised inside a handler; `_endpoint` turns it into the response."""

    def __init__(self, status: int, body: Json) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def _error(status: int, code: str, message: str) -> _Problem:
    """A Feather `ErrorResponse`: {error, message, retryable, retry_after}."""
    body = {"error": code, "message": message, "retryable": False, "retry_after": None}
    return _Problem(status, body)


def _or_404(found: T | None, what: str) -> T:
    """What a lookup found, or the API's 404 naming the kind of thing that is missing."""
    if found is None:
        raise _error(404, "not_found", f"{what} not found.")
    return found


def _endpoint(handler: Callable[..., Json]) -> Callable[..., JSONResponse]:
    """Serialise a handler's dict as JSON and answer any `_Problem` it raises."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> JSONResponse:
        try:
            return JSONResponse(handler(*args, **kwargs))
        except _Problem as problem:
            return JSONResponse(problem.body, status_code=problem.status)

    return wrapper


def _details(location: str, name: str, exc: ValidationError) -> list[Json]:
    """A pydantic error as FastAPI reports it for a request parameter."""
    details = []
    for error in exc.errors(include_url=False):
        detail = {
            "loc": [location, name, *error["loc"]],
            "msg": error["msg"],
            "type": error["type"],
            "input": error.get("input"),
        }
        if "ctx" in error:
            detail["ctx"] = error["ctx"]
        details.append(jsonable_encoder(detail))
    return details


def _path_uuid(name: str, raw: str) -> str:
    """A uuid path parameter in canonical form, or a 422 naming it."""
    try:
        return str(_UUID.validate_python(raw))
    except ValidationError as exc:
        raise _Problem(422, {"detail": _details("path", name, exc)}) from None


class _Params:
    """Validates query parameters one by one, collecting FastAPI-shaped 422 errors."""

    def __init__(self, request: Request) -> None:
        self.query = request.query_params
        self.errors: list[Json] = []

    def get(self, name: str, adapter: TypeAdapter[T], default: T | None = None) -> T | None:
        """A query parameter (the last one when repeated, as FastAPI does) or `default`."""
        raw = self.query.get(name)
        if raw is None:
            return default
        try:
            return adapter.validate_python(raw)
        except ValidationError as exc:
            self.errors.extend(_details("query", name, exc))
            return default

    def uuid(self, name: str) -> str | None:
        """A uuid query parameter in canonical lower-case form."""
        value = self.get(name, _UUID)
        return None if value is None else str(value)

    def fail(self, name: str, message: str, raw: Any) -> None:
        """Record a cross-field error (FastAPI's shape for a model validator)."""
        self.errors.append(
            {"loc": ["query", name], "msg": message, "type": "value_error", "input": raw}
        )

    def raise_if_invalid(self) -> None:
        """Answer 422 with every error collected so far, if any."""
        if self.errors:
            raise _Problem(422, {"detail": self.errors})


# --------------------------------------------------------------------------- cursors


def encode_cursor(created_at: str, item_id: str) -> str:
    """An opaque keyset cursor: the last item's created_at and id, urlsafe base64 JSON."""
    raw = json.dumps([created_at, item_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The keyset position a cursor encodes, or a 400 bad_request."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, item_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        return to_utc(str(created_at)), str(uuid.UUID(str(item_id)))
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise _error(
            400, "bad_request", "The cursor is not valid; start again without it."
        ) from None


def _cursor_page(
    items: Iterable[Json], limit: int, cursor: str | None, keep: Callable[[Json], bool]
) -> tuple[list[Json], bool, str | None]:
    """Keyset paging over a small catalog (newest first by created_at then id)."""
    ordered = sorted(items, key=lambda i: (to_utc(i["created_at"]), i["id"]), reverse=True)
    after = decode_cursor(cursor) if cursor is not None else None
    page: list[Json] = []
    for item in ordered:
        if after is not None and (to_utc(item["created_at"]), item["id"]) >= after:
            continue
        if not keep(item):
            continue
        if len(page) == limit:
            last = page[-1]
            return page, True, encode_cursor(last["created_at"], last["id"])
        page.append(item)
    return page, False, None


# --------------------------------------------------------------------------- router


def make_router(settings: SimSettings, dataset: FeatherDataset | None = None) -> APIRouter:
    """The Feather v1 API over the demo dataset (built on first request unless `dataset`)."""
    router = APIRouter(prefix="/v1", tags=["feather"])

    def data() -> FeatherDataset:
        """The dataset served (built lazily so that creating the app stays instant)."""
        return dataset if dataset is not None else get_dataset(settings)

    def authenticate(request: Request) -> None:
        """401 unless the x-api-key header holds the configured key."""
        # Constant-time comparison; the key is never echoed back.
        given = request.headers.get("x-api-key") or ""
        if not hmac.compare_digest(given.encode(), settings.api_key.encode()):
            raise _error(
                401,
                "authentication_required",
                "A valid API key is required in the x-api-key header.",
            )

    @router.get("/eval-runs")
    @_endpoint
    def list_eval_runs(request: Request) -> Json:
        authenticate(request)
        p = _Params(request)
        filters = RunFilters.build(
            session_id=p.uuid("session_id"),
            evaluator_id=p.uuid("evaluator_id"),
            agent_id=p.uuid("agent_id"),
            status=p.get("status", _STATUS),
            scope=p.get("scope", _SCOPE),
            outcome=p.get("outcome", _OUTCOME),
            score_min=p.get("score_min", _UNIT),
            score_max=p.get("score_max", _UNIT),
            severity=p.get("severity", _SEVERITY),
            channel=p.get("channel", _STR),
            created_from=p.get("created_from", _DATETIME),
            created_to=p.get("created_to", _DATETIME),
            is_critical=p.get("is_critical", _BOOL),
            q=p.get("q", _Q),
        )
        limit = p.get("limit", _LIMIT, DEFAULT_LIMIT) or DEFAULT_LIMIT
        cursor = p.get("cursor", _STR)
        p.raise_if_invalid()
        after = decode_cursor(cursor) if cursor is not None else None
        items, has_more = data().page_runs(filters, limit, after)
        next_cursor = None
        if has_more:
            next_cursor = encode_cursor(items[-1]["created_at"], items[-1]["id"])
        return {"items": items, "has_more": has_more, "next_cursor": next_cursor}

    # Declared before /eval-runs/{run_id} so "activity" is not taken for a run id.
    @router.get("/eval-runs/activity")
    @_endpoint
    def eval_run_activity(request: Request) -> Json:
        authenticate(request)
        if not settings.feather_activity:
            # Like a server from before v1.90, which has no such endpoint.
            raise _error(404, "not_found", "Not found.")
        p = _Params(request)
        created_to = to_utc(p.get("created_to", _DATETIME) or NOW)
        created_from = to_utc(p.get("created_from", _DATETIME) or NOW - DEFAULT_ACTIVITY_WINDOW)
        scope = p.get("scope", _SCOPE)
        channel = p.get("channel", _STR)
        evaluator_id = p.uuid("evaluator_id")
        agent_id = p.uuid("agent_id")
        if not p.errors:
            if created_to < created_from:
                p.fail("created_to", "created_to must not be before created_from", iso(created_to))
            elif created_to - created_from > MAX_ACTIVITY_WINDOW:
                p.fail("created_from", "The window must be at most 400 days", iso(created_from))
        p.raise_if_invalid()
        return activity(
            data(),
            created_from,
            created_to,
            scope=scope,
            channel=channel,
            evaluator_id=evaluator_id,
            agent_id=agent_id,
        )

    @router.get("/eval-runs/{run_id}")
    @_endpoint
    def get_eval_run(request: Request, run_id: str) -> Json:
        authenticate(request)
        key = _path_uuid("run_id", run_id)
        ds = data()
        with ds.lock:
            run = _or_404(ds.runs_by_id.get(key), "Eval run")
            # Unknown include tokens are ignored, as documented.
            include = {
                t.strip().lower() for t in request.query_params.get("include", "").split(",")
            }
            session = ds.sessions.get(run["session_id"])
            turns = ds.turns.get(run["session_id"], [])
            detail = dict(run)
            detail["session"] = _conversation_summary(session) if "session" in include else None
            detail["turns"] = turns[:MAX_TURNS] if "turns" in include else None
            detail["turns_truncated"] = "turns" in include and len(turns) > MAX_TURNS
            recording = ds.recordings.get(run["session_id"])
            detail["recording"] = recording if "recording" in include else None
            return detail

    @router.get("/eval-scores/{score_id}")
    @_endpoint
    def get_eval_score(request: Request, score_id: str) -> Json:
        authenticate(request)
        return _or_404(data().scores_by_id.get(_path_uuid("score_id", score_id)), "Eval score")

    @router.get("/evaluators")
    @_endpoint
    def list_evaluators(request: Request) -> Json:
        authenticate(request)
        p = _Params(request)
        kind = p.get("kind", _KIND)
        status = p.get("status", _EVALUATOR_STATUS)
        tag = p.get("tag", _STR)
        name_contains = p.get("name_contains", _STR)
        limit = p.get("limit", _LIMIT, DEFAULT_LIMIT) or DEFAULT_LIMIT
        cursor = p.get("cursor", _STR)
        p.raise_if_invalid()
        needle = name_contains.lower() if name_contains is not None else None

        def keep(evaluator: Json) -> bool:
            return (
                (kind is None or evaluator["kind"] == kind)
                and (status is None or evaluator["status"] == status)
                and (tag is None or tag in evaluator.get("tags", []))
                and (needle is None or needle in evaluator["name"].lower())
            )

        items, has_more, next_cursor = _cursor_page(data().evaluators, limit, cursor, keep)
        return {"items": items, "has_more": has_more, "next_cursor": next_cursor}

    @router.get("/evaluators/{evaluator_id}")
    @_endpoint
    def get_evaluator(request: Request, evaluator_id: str) -> Json:
        authenticate(request)
        key = _path_uuid("evaluator_id", evaluator_id)
        return _or_404(_first(e for e in data().evaluators if e["id"] == key), "Evaluator")

    @router.get("/assistants")
    @_endpoint
    def list_assistants(request: Request) -> Json:
        authenticate(request)
        p = _Params(request)
        # Unlike the eval endpoints, a limit above 200 is capped rather than rejected.
        limit = min(p.get("limit", _POSITIVE_INT, DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT)
        cursor = p.get("cursor", _STR)
        p.raise_if_invalid()
        items, has_more, next_cursor = _cursor_page(
            data().assistants, limit, cursor, lambda _: True
        )
        return {"assistants": items, "has_more": has_more, "next_cursor": next_cursor}

    @router.get("/conversations/{conversation_id}")
    @_endpoint
    def get_conversation(request: Request, conversation_id: str) -> Json:
        authenticate(request)
        key = _path_uuid("conversation_id", conversation_id)
        ds = data()
        with ds.lock:
            session = _or_404(ds.sessions.get(key), "Conversation")
            return session | {"eval_summary": eval_summary(ds.session_runs.get(key, []))}

    return router


def _conversation_summary(session: Json | None) -> Json | None:
    """The `ConversationSummary` embedded in a run detail."""
    if session is None:
        return None
    return {
        "id": session["id"],
        "channel": session["channel"],
        "session_type": session["session_type"],
        "status": session["status"],
        "assistant_id": session["assistant"]["id"],
        "assistant_revision_id": session["revision_id"],
        "subject": session["subject"],
        "created_at": session["created_at"],
        "last_activity_at": session["last_activity_at"],
    }


def _first(items: Iterator[Json]) -> Json | None:
    """The first item, or None."""
    return next(items, None)
