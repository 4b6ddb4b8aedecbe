"""Aymara scored responses -> Arrow records (what the store keeps) -> a responses frame."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from client.aymara_models import (
    AnswerHistory,
    ScoredResponse,
)
from reporting.aymara.schema import (
    STR,
    UNCATEGORISED,
    UNKNOWN_TYPE,
    VERDICTS,
    category_array,
    short_uuid,
    utc_series,
)


def _epoch(moment: datetime | None) -> float:
    """Seconds since the epoch for ordering; naive datetimes are UTC; None sorts last."""
    if moment is None:
        return math.inf
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _earliest(history: list[AnswerHistory]) -> AnswerHistory:
    """The first manual change (by time, then by position)."""
    return min(enumerate(history), key=lambda item: (_epoch(item[1].updated_at), item[0]))[1]


def _first_verdict(history: list[AnswerHistory]) -> bool | None:
    """The judge's verdict before any manual change: the earliest entry's previous value."""
    return _earliest(history).previous_is_passed


def _original_confidence(response: ScoredResponse) -> float | None:
    """The judge's own confidence: a reviewer's change may have replaced it (e.g. with 1.0)."""
    if response.update_history:
        before = _earliest(response.update_history).previous_confidence
        if before is not None:
            return before
    return response.confidence


def _file_fields(content: Any) -> tuple[str | None, str | None]:
    """(file_uuid, file_path) of a file reference given as a model or a dict."""
    if isinstance(content, Mapping):
        uuid, path = content.get("file_uuid"), content.get("remote_file_path")
        path = path if path is not None else content.get("file_path")
    else:
        uuid = getattr(content, "file_uuid", None)
        path = getattr(content, "remote_file_path", None)
    return (
        uuid if isinstance(uuid, str) else None,
        path if isinstance(path, str) else None,
    )


def _per_run(runs: pd.DataFrame, run_keys: list[str]) -> pd.DataFrame:
    """The runs frame's row for each response-list key, in key order (NaN for unknown runs)."""
    wanted = ["eval_uuid", "eval_name", "eval_type", "run_name", "created_at", "workspace_uuid"]
    if runs is None or "eval_run_uuid" not in runs:
        base = pd.DataFrame({c: pd.Series(dtype=object) for c in wanted})
        base.index = pd.Index([], dtype=object)
    else:
        base = runs.drop_duplicates("eval_run_uuid").set_index("eval_run_uuid")[wanted]
    table = base.reindex(pd.Index(run_keys, dtype=object))
    unknown = table["eval_name"].isna().to_numpy()
    if unknown.any():
        # Responses of a run missing from the runs listing still show, under a visible label.
        keys = np.asarray(run_keys, dtype=object)
        table["eval_name"] = table["eval_name"].astype(object).where(~unknown, "Unknown eval")
        table["eval_type"] = table["eval_type"].astype(object).where(~unknown, UNKNOWN_TYPE)
        run_names = pd.Series([f"Run {short_uuid(k)}" for k in keys], index=table.index)
        table["run_name"] = table["run_name"].astype(object).where(~unknown, run_names)
    return table


def _broadcast(per_run: pd.Series, run_codes: np.ndarray) -> pd.Categorical:
    """A run-level value repeated for each of that run's responses, as a categorical."""
    codes, uniques = pd.factorize(per_run.astype(object).to_numpy(), use_na_sentinel=True)
    categories = pd.Index(uniques, dtype=STR)
    return pd.Categorical.from_codes(codes[run_codes], categories=categories)


RECORD_SCHEMA = pa.schema(
    [
        ("prompt_uuid", pa.string()),
        ("response_uuid", pa.string()),
        ("response_text", pa.large_string()),
        ("content_type", pa.string()),
        ("file_uuid", pa.string()),
        ("file_path", pa.string()),
        ("ai_refused", pa.bool_()),
        ("exclude_from_scoring", pa.bool_()),
        ("is_passed", pa.bool_()),
        ("confidence", pa.float64()),
        ("explanation", pa.large_string()),
        ("thread_uuid", pa.string()),
        ("turn_number", pa.float64()),
        ("manually_updated", pa.bool_()),
        ("original_is_passed", pa.bool_()),
        ("original_confidence", pa.float64()),
    ]
)


def _original_verdict(response: ScoredResponse) -> bool | None:
    """The judge's first verdict: the earliest manual change's previous value, if any."""
    if response.update_history:
        first = _first_verdict(response.update_history)
        if first is not None:
            return first
    return response.is_passed


def response_records(responses: Sequence[ScoredResponse]) -> pa.Table:
    """One run's responses as plain columns (an Arrow table): what the local store keeps."""
    contents = [r.content for r in responses]
    n = len(contents)
    file_uuid: list[str | None] = [None] * n
    file_path: list[str | None] = [None] * n
    for i, content in enumerate(contents):
        if content is not None and not isinstance(content, str):
            file_uuid[i], file_path[i] = _file_fields(content)
    columns = {
        "prompt_uuid": [r.prompt_uuid for r in responses],
        "response_uuid": [r.response_uuid for r in responses],
        "response_text": [c if isinstance(c, str) else "" for c in contents],
        "content_type": [r.content_type for r in responses],
        "file_uuid": file_uuid,
        "file_path": file_path,
        "ai_refused": [r.ai_refused is True for r in responses],
        "exclude_from_scoring": [r.exclude_from_scoring is True for r in responses],
        "is_passed": [r.is_passed for r in responses],
        "confidence": [r.confidence for r in responses],
        "explanation": [r.explanation or "" for r in responses],
        "thread_uuid": [r.thread_uuid for r in responses],
        "turn_number": [r.turn_number for r in responses],
        "manually_updated": [r.manually_updated is True for r in responses],
        "original_is_passed": [_original_verdict(r) for r in responses],
        "original_confidence": [_original_confidence(r) for r in responses],
    }
    return pa.table(columns, schema=RECORD_SCHEMA)


def responses_frame(
    responses_by_run: Mapping[str, Sequence[ScoredResponse]],
    runs: pd.DataFrame,
    prompts: pd.DataFrame,
) -> pd.DataFrame:
    """One row per scored response, joined to its run and prompt; built column-wise for scale."""
    return responses_frame_from_records(
        {key: response_records(chunk or []) for key, chunk in responses_by_run.items()},
        runs,
        prompts,
    )


def arrow_bools(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(values, missing) of a nullable Arrow boolean column, as numpy arrays."""
    missing = column.is_null().to_numpy(zero_copy_only=False)
    values = column.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
    return values, missing


def arrow_category(column: pa.ChunkedArray) -> pd.Categorical:
    """An Arrow string column as a pandas categorical (one dictionary-encoding pass)."""
    encoded = column.combine_chunks().dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    categories = pd.Index(encoded.dictionary.to_pylist(), dtype=STR)
    return pd.Categorical.from_codes(codes, categories=categories)


def arrow_strings(column: pa.ChunkedArray) -> Any:
    """An Arrow string column as a pandas string array, without a Python round trip."""
    return pd.array(column.combine_chunks().cast(pa.large_string()), dtype=STR)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The table with exactly the schema's columns and types (as is when it has them already)."""
    if table.schema.equals(schema):
        return table  # the common case; select + cast cost ~0.1 ms a table, 1 s at 10k runs
    return table.select(schema.names).cast(schema)


def responses_frame_from_records(
    records_by_run: Mapping[str, pa.Table],
    runs: pd.DataFrame,
    prompts: pd.DataFrame,
) -> pd.DataFrame:
    """The responses frame from per-run record tables (fetched now or read from the store)."""
    run_keys = list(records_by_run.keys())
    schema = RECORD_SCHEMA
    tables = [_conform(records_by_run[key], schema) for key in run_keys]
    sizes = np.fromiter((t.num_rows for t in tables), dtype=np.int64, count=len(tables))
    run_codes = np.repeat(np.arange(len(run_keys), dtype=np.int64), sizes)
    records = pa.concat_tables(tables) if tables else RECORD_SCHEMA.empty_table()
    del tables

    # Run-level columns: computed once per run, then spread by integer codes.
    table = _per_run(runs, run_keys)
    eval_run_uuid = pd.Categorical.from_codes(run_codes, categories=pd.Index(run_keys, dtype=STR))
    eval_uuid = _broadcast(table["eval_uuid"], run_codes)
    run_created_at = utc_series(table["created_at"]).array.take(run_codes)

    # Response-level columns straight from Arrow: no per-row Python objects.
    prompt_uuid = arrow_category(records["prompt_uuid"])
    response_uuid = arrow_strings(records["response_uuid"])
    response_text = arrow_strings(records["response_text"])
    file_uuid = arrow_strings(records["file_uuid"])
    file_path = arrow_strings(records["file_path"])
    content_type = arrow_category(records["content_type"])
    ai_refused = arrow_bools(records["ai_refused"])[0]
    excluded = arrow_bools(records["exclude_from_scoring"])[0]
    passed, unknown = arrow_bools(records["is_passed"])
    confidence = records["confidence"].to_numpy().astype(float)
    explanation = arrow_strings(records["explanation"])
    thread = np.asarray(records["thread_uuid"].to_pylist(), dtype=object)
    turn = records["turn_number"].to_numpy().astype(float)
    manual = arrow_bools(records["manually_updated"])[0]
    original, original_unknown = arrow_bools(records["original_is_passed"])
    original_confidence = records["original_confidence"].to_numpy().astype(float)
    del records
    overridden = (original_unknown != unknown) | (
        ~original_unknown & ~unknown & (original != passed)
    )

    # Prompt join on (eval_uuid, prompt_uuid) by integer keys: no string merge over n rows.
    pos = _prompt_positions(eval_uuid, prompt_uuid, prompts)
    found = pos >= 0
    p_content, p_category, p_thread, p_turn = _prompt_columns(prompts)
    content_codes, content_categories = _join_codes(p_content, pos, "")
    category_codes, category_categories = _join_codes(p_category, pos, UNCATEGORISED)
    missing_thread = pd.isna(thread) & found
    if missing_thread.any():
        thread[missing_thread] = p_thread[pos[missing_thread]]
    missing_turn = np.isnan(turn) & found
    if missing_turn.any():
        turn[missing_turn] = p_turn[pos[missing_turn]]

    verdict_codes = np.where(unknown | excluded, 2, np.where(passed, 0, 1)).astype(np.int8)
    with np.errstate(invalid="ignore"):
        confidence_valid = np.isfinite(confidence) & (confidence >= 0) & (confidence <= 1)
    turn_missing = np.isnan(turn)

    frame = pd.DataFrame(
        {
            "eval_run_uuid": eval_run_uuid,
            "eval_uuid": eval_uuid,
            "eval_name": _broadcast(table["eval_name"], run_codes),
            "eval_type": _broadcast(table["eval_type"], run_codes),
            "run_name": _broadcast(table["run_name"], run_codes),
            "run_created_at": run_created_at,
            "workspace_uuid": _broadcast(table["workspace_uuid"], run_codes),
            "prompt_uuid": prompt_uuid,
            "prompt_content": pd.Categorical.from_codes(content_codes, content_categories),
            "prompt_category": pd.Categorical.from_codes(category_codes, category_categories),
            "response_uuid": response_uuid,
            "response_text": response_text,
            "content_type": content_type,
            "file_uuid": file_uuid,
            "file_path": file_path,
            "ai_refused": ai_refused,
            "exclude_from_scoring": excluded,
            "is_passed": pd.arrays.BooleanArray(passed, unknown),
            "verdict": pd.Categorical.from_codes(verdict_codes, categories=list(VERDICTS)),
            "confidence": confidence,
            "confidence_valid": confidence_valid,
            "explanation": explanation,
            "thread_uuid": category_array(thread),
            "turn_number": pd.arrays.IntegerArray(
                np.where(turn_missing, 0, turn).astype(np.int64), turn_missing
            ),
            "manually_updated": manual,
            "original_is_passed": pd.arrays.BooleanArray(original, original_unknown),
            "original_confidence": original_confidence,
            "verdict_overridden": overridden,
        },
        copy=False,
    )
    return frame


def _prompt_positions(
    eval_uuid: pd.Categorical, prompt_uuid: pd.Categorical, prompts: pd.DataFrame
) -> np.ndarray:
    """For each response, the row of its (eval_uuid, prompt_uuid) in prompts, or -1."""
    n = len(prompt_uuid)
    if prompts is None or prompts.empty or n == 0:
        return np.full(n, -1, dtype=np.int64)
    width = len(prompt_uuid.categories) + 1
    p_eval = eval_uuid.categories.get_indexer(prompts["eval_uuid"].astype(object))
    p_prompt = prompt_uuid.categories.get_indexer(prompts["prompt_uuid"].astype(object))
    usable = (p_eval >= 0) & (p_prompt >= 0)
    prompt_keys = np.where(usable, p_eval.astype(np.int64) * width + p_prompt, -1)
    r_eval = np.asarray(eval_uuid.codes, dtype=np.int64)
    r_prompt = np.asarray(prompt_uuid.codes, dtype=np.int64)
    response_keys = np.where((r_eval >= 0) & (r_prompt >= 0), r_eval * width + r_prompt, -2)
    # Keep the first of any duplicate keys so the lookup index is unique.
    keys = pd.Index(prompt_keys)
    first = ~keys.duplicated(keep="first") & usable
    lookup = pd.Index(prompt_keys[first])
    rows = np.flatnonzero(first)
    hit = lookup.get_indexer(response_keys)
    return np.where(hit >= 0, rows[np.maximum(hit, 0)], -1)


def _prompt_columns(prompts: pd.DataFrame) -> tuple[pd.Series, pd.Series, np.ndarray, np.ndarray]:
    """The prompts frame's content, category, thread and turn, with defaults for gaps."""
    if prompts is None or prompts.empty:
        empty = pd.Series([], dtype=object)
        return empty, empty, np.array([], dtype=object), np.array([], dtype=float)
    content = prompts["prompt_content"].astype(object).fillna("")
    category = prompts["prompt_category"].astype(object).fillna(UNCATEGORISED)
    thread = prompts["thread_uuid"].astype(object).to_numpy()
    turn = pd.to_numeric(prompts["turn_number"], errors="coerce").astype(float).to_numpy()
    return content, category, thread, turn


def _join_codes(values: pd.Series, pos: np.ndarray, default: str) -> tuple[np.ndarray, pd.Index]:
    """Categorical codes per response for a prompt-level column; default where not joined."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    categories = list(uniques)
    if default in categories:
        default_code = categories.index(default)
    else:
        default_code = len(categories)
        categories.append(default)
    codes = np.where(codes >= 0, codes, default_code)
    per_prompt = np.append(codes, default_code)  # position -1 reads the default
    return per_prompt[pos], pd.Index(categories, dtype=STR)
