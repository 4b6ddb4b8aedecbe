"""A person's review of a judge's verdict: who may write, the PATCH, and what it changes here.

After a change the one response the API returns is patched into every cached dataset of the
account (and the run's new `updated_at` and pass rate into its runs frame), and the stored copy
of that run is rewritten under its new `updated_at`; nothing else is reloaded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import MutableMapping
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from client.aymara import UNSET
from client.aymara_models import AnswerHistory, EvalRun, ScoredResponse
from client.errors import APIError, ConflictError
from components import access, aymara_loaders, cache, shell
from components.connection import Source
from components.errors import show_error
from jobs.memo import Memo
from reporting.aymara.responses import response_records
from reporting.aymara.review_queue import with_response
from reporting.text import escape_markdown, is_missing

AGREED = "_review_agreed"  # response uuids a person agreed with in this session
NOTICE = "_review_notice"
HISTORIES = "_review_histories"


def reviewer_email() -> str | None:
    """The signed-in person's email, if sign-in is configured and they are signed in."""
    try:
        return st.user.get("email") if st.user.get("is_logged_in") else None
    except (AttributeError, KeyError):
        return None


def write_block() -> str | None:
    """Why this viewer may not write (review, score), or None when they may."""
    return access.may_write(shell.secrets(), reviewer_email())


def reviewed_labels(responses: pd.DataFrame) -> pd.Series:
    """A table column: whether a person changed (or confirmed) each verdict through the API."""
    manual = responses["manually_updated"].to_numpy(dtype=bool)
    overridden = responses.get("verdict_overridden", pd.Series(False, index=responses.index))
    changed = overridden.to_numpy(dtype=bool)
    words = [
        "Verdict changed" if c else "Verdict kept" if m else "Not reviewed"
        for m, c in zip(manual, changed, strict=True)
    ]
    return pd.Series(words, index=responses.index, dtype="str")


def reason_text(reason: str, email: str | None) -> str:
    """The explanation stored with a change: the person's email first, since the API records
    the key's owner as the one who changed it."""
    reason = reason.strip()
    return f"reviewed by {email}: {reason}" if email else f"reviewed on the dashboard: {reason}"


def _record(response: ScoredResponse) -> dict[str, Any]:
    """The response as one RECORD_SCHEMA row (what the frames and the store hold)."""
    return response_records([response]).to_pylist()[0]


def _patch_dataset(run: EvalRun | None, run_uuid: str, record: dict[str, Any]) -> Any:
    """A function that puts one reviewed response (and its run's new numbers) into a dataset."""

    def change(data: Any) -> Any:
        if getattr(data, "response_frame", True) is None:
            return data  # read from the lake: the pages show the review after the next sync
        responses = getattr(data, "responses", None)
        if not isinstance(responses, pd.DataFrame) or "response_uuid" not in responses:
            return data
        patched = with_response(responses, run_uuid, record)
        if patched is responses:
            return data
        runs = data.runs
        if run is not None and "eval_run_uuid" in runs:
            runs = runs.copy(deep=False)
            row = (runs["eval_run_uuid"].astype(object) == run_uuid).to_numpy()
            for column, value in (
                ("updated_at", pd.Timestamp(run.updated_at)),
                ("pass_rate", run.pass_rate),
                ("pass_rate_raw", run.pass_rate),
                ("num_responses_scored", run.num_responses_scored),
            ):
                if column in runs and value is not None:
                    values = runs[column].copy()
                    values[row] = value
                    runs[column] = values
        # Fresh derived copies: the regression board and the sandbox views are rebuilt from it.
        return dataclasses.replace(data, response_frame=patched, runs=runs, _memo=Memo(), _views={})

    return change


def _restore(source: Source, old: Any, run: EvalRun, record: dict[str, Any]) -> None:
    """Rewrite the stored copy of the run under its new `updated_at` (the old one goes)."""
    store = cache.run_store(source)
    if store is None or old is None or run.status != "finished":
        return
    table = store.get("responses", run.eval_run_uuid, old)
    if table is None:
        return  # nothing stored: the next load fetches the run
    rows = table.to_pylist()
    rows = [record if r.get("response_uuid") == record["response_uuid"] else r for r in rows]
    store.put(
        "responses", run.eval_run_uuid, run.updated_at, pa.Table.from_pylist(rows, table.schema)
    )


def submit(
    source: Source,
    row: pd.Series,
    *,
    is_passed: bool | None,
    reason: str,
    session: MutableMapping[str, Any],
    workspace: str | None = None,
) -> bool:
    """Send one change; True when the API took it. A conflict shows the current verdict."""
    client = cache.aymara_client(source)
    run_uuid, response_uuid = str(row["eval_run_uuid"]), str(row["response_uuid"])
    ws = None if is_missing(row.get("workspace_uuid")) else str(row.get("workspace_uuid"))
    ws = ws or workspace
    seen = session.get(HISTORIES, {}).get((run_uuid, response_uuid))
    expected: Any = UNSET
    if seen is not None and not isinstance(seen, APIError):
        expected = max((h.updated_at for h in seen if h.updated_at), default=None)
        expected = expected.strftime("%Y-%m-%dT%H:%M:%SZ") if expected else None
    try:
        updated = client.update_response(
            run_uuid,
            response_uuid,
            is_passed=is_passed,
            explanation=reason_text(reason, reviewer_email()),
            confidence=1.0 if is_passed is not None else None,
            workspace_uuid=ws,
            expected_updated_at=expected,
        )
    except ConflictError as error:
        session[NOTICE] = (
            "warning",
            "Someone else changed this verdict since you opened it. The card now shows "
            f"theirs; decide again. ({escape_markdown(str(error))})",
        )
        _refetch(source, run_uuid, response_uuid, ws, session)
        return False
    except APIError as error:
        session[NOTICE] = ("error", error)
        return False
    apply_change(source, run_uuid, updated, ws, session)
    return True


def _refetch(
    source: Source,
    run_uuid: str,
    response_uuid: str,
    ws: str | None,
    session: MutableMapping[str, Any],
) -> None:
    """Read the response as it is now (after a conflict) and put it into the cached data."""
    client = cache.aymara_client(source)
    try:
        listing = client.list_run_responses(run_uuid, ws)
    except APIError:
        return
    for item in listing.items:
        if item.response_uuid == response_uuid:
            apply_change(source, run_uuid, item, ws, session)


def apply_change(
    source: Source,
    run_uuid: str,
    response: ScoredResponse,
    ws: str | None,
    session: MutableMapping[str, Any],
) -> None:
    """Show a changed response at once: cached datasets, the run's numbers, the stored run."""
    record = _record(response)
    client = cache.aymara_client(source)
    try:
        run: EvalRun | None = client.get_eval_run(run_uuid, ws)
    except APIError:
        run = None  # the response still shows; the run's own numbers catch up on Refresh
    old: list[Any] = []

    def change(data: Any) -> Any:
        runs = getattr(data, "runs", None)
        if isinstance(runs, pd.DataFrame) and "updated_at" in runs and not old:
            hit = runs.loc[runs["eval_run_uuid"].astype(object) == run_uuid, "updated_at"]
            old.extend(hit.dropna().tolist()[:1])
        return _patch_dataset(run, run_uuid, record)(data)

    cache.dataset_cache().update_loaded(cache.account(source), change)
    aymara_loaders.sync_soon(source)  # the own lake shows the change after one small sync
    if run is not None:
        _restore(source, old[0] if old else None, run, record)
    session.setdefault(HISTORIES, {}).pop((run_uuid, str(response.response_uuid)), None)


def history(
    source: Source, row: pd.Series, session: MutableMapping[str, Any], workspace: str | None
) -> list[AnswerHistory] | APIError:
    """A response's history from the API, kept for this session until it changes."""
    key = (str(row["eval_run_uuid"]), str(row["response_uuid"]))
    kept = session.setdefault(HISTORIES, {})
    if key not in kept:
        ws = None if is_missing(row.get("workspace_uuid")) else str(row.get("workspace_uuid"))
        try:
            kept[key] = cache.aymara_client(source).get_response_history(
                key[0], key[1], ws or workspace
            )
        except APIError as error:
            kept[key] = error
    return kept[key]


def show_notice(session: MutableMapping[str, Any]) -> None:
    """The outcome of the last change, once."""
    notice = session.pop(NOTICE, None)
    if notice is None:
        return
    kind, body = notice
    if isinstance(body, APIError):
        show_error(body, what="The change was not saved")
    elif kind == "warning":
        st.warning(body, icon=":material/sync_problem:")
    else:
        st.success(body, icon=":material/check:")
