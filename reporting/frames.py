"""Aymara models -> pandas frames, and pure aggregates over those frames."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from client.aymara_models import (
    AnswerHistory,
    Eval,
    EvalPrompt,
    EvalRun,
    EvalSuiteReport,
    ScoredResponse,
)
from reporting.stats import (
    IMPROVED,
    REGRESSED,
    WITHIN_NOISE,
    classify_change,
    mcnemar_test,
    two_proportion_test,
    wilson_bounds,
    wilson_interval,
)

FINISHED = "finished"
UNCATEGORISED = "Uncategorised"
OVERALL = "Overall"
PASSED, FAILED, NOT_SCORED = "passed", "failed", "not scored"
VERDICTS: tuple[str, ...] = (PASSED, FAILED, NOT_SCORED)
UNKNOWN_TYPE = "unknown"

STR = "str"  # pandas' own string dtype (Arrow-backed when pyarrow is installed)
UTC_TS = "datetime64[us, UTC]"  # microseconds: no overflow for odd far-future dates

EVAL_COLUMNS: dict[str, Any] = {
    "eval_uuid": STR,
    "eval_name": STR,
    "eval_type": STR,
    "modality": STR,
    "language": STR,
    "is_jailbreak": "boolean",
    "is_sandbox": "boolean",
    "num_prompts": "Int64",
    "status": STR,
    "workspace_uuid": STR,
    "created_at": UTC_TS,
    "updated_at": UTC_TS,
    "created_by": STR,
    "ai_description": STR,
}

RUN_COLUMNS: dict[str, Any] = {
    "eval_run_uuid": STR,
    "eval_uuid": STR,
    "run_name": STR,
    "eval_name": STR,
    "eval_type": STR,
    "status": STR,
    "created_at": UTC_TS,
    "updated_at": UTC_TS,
    "pass_rate": "float64",
    "num_prompts": "Int64",
    "num_responses_scored": "Int64",
    "is_sandbox": "boolean",
    "workspace_uuid": STR,
    "pass_rate_raw": "float64",
}

PROMPT_COLUMNS: dict[str, Any] = {
    "eval_uuid": STR,
    "prompt_uuid": STR,
    "prompt_content": STR,
    "prompt_category": STR,
    "thread_uuid": STR,
    "turn_number": "Int64",
}

RESPONSE_COLUMNS: tuple[str, ...] = (
    "eval_run_uuid",
    "eval_uuid",
    "eval_name",
    "eval_type",
    "run_name",
    "run_created_at",
    "workspace_uuid",
    "prompt_uuid",
    "prompt_content",
    "prompt_category",
    "response_uuid",
    "response_text",
    "content_type",
    "file_uuid",
    "file_path",
    "ai_refused",
    "exclude_from_scoring",
    "is_passed",
    "verdict",
    "confidence",
    "confidence_valid",
    "explanation",
    "thread_uuid",
    "turn_number",
    "manually_updated",
    "original_is_passed",
    "original_confidence",
    "verdict_overridden",
)

REPORT_ROW_COLUMNS: dict[str, Any] = {
    "eval_suite_report_uuid": STR,
    "report_status": STR,
    "report_created_at": UTC_TS,
    "eval_run_uuid": STR,
    "eval_name": STR,
    "eval_type": STR,
    "pass_rate": "float64",
    "section": STR,
    "level": STR,  # "report" (overall row), "run" (run-level text) or "category" (a <tag>)
    "passing_summary": STR,
    "failing_summary": STR,
    "improvement_advice": STR,
}

REPORT_COLUMNS: dict[str, Any] = {
    "eval_suite_report_uuid": STR,
    "status": STR,
    "created_at": UTC_TS,
    "updated_at": UTC_TS,
    "num_runs": "Int64",
    "eval_names": STR,
    "remaining_reports": "Int64",
}


# ---------------------------------------------------------------------------------------------
# Small helpers


def short_uuid(uuid: str | None) -> str:
    """The first eight characters of a uuid, for labels."""
    return (uuid or "")[:8]


def untitled_eval_name(eval_uuid: str | None) -> str:
    """The label of an eval that has no name."""
    short = short_uuid(eval_uuid)
    return f"Untitled eval {short}" if short else "Untitled eval"


def _name(value: str | None) -> str | None:
    """A usable name, or None when missing or blank."""
    return value if isinstance(value, str) and value.strip() else None


def _utc(values: Iterable[Any]) -> pd.Series:
    """Datetimes as tz-aware UTC; naive values are taken to be UTC already."""
    series = pd.Series(list(values), dtype=object)
    return pd.to_datetime(series, utc=True, errors="coerce").astype(UTC_TS)


def _frame(columns: Mapping[str, Sequence[Any]], schema: Mapping[str, Any]) -> pd.DataFrame:
    """A frame with exactly the schema's columns and dtypes (also when there are no rows)."""
    data: dict[str, Any] = {}
    for name, dtype in schema.items():
        values = columns.get(name, [])
        if dtype == UTC_TS:
            data[name] = _utc(values)
        else:
            data[name] = pd.Series(list(values), dtype=dtype)
    return pd.DataFrame(data)


def _is_finished(status: pd.Series) -> pd.Series:
    """Rows whose status is finished, whatever the case."""
    return status.astype(STR).str.lower().eq(FINISHED).fillna(False).astype(bool)


def _strings(values: list[Any]) -> Any:
    """A pandas string array, built through Arrow directly (3x faster than pd.array)."""
    try:
        return pd.array(pa.array(values, type=pa.large_string()), dtype=STR)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.array(values, dtype=STR)  # an odd non-string value: let pandas coerce it


def _category(values: Sequence[Any] | np.ndarray) -> pd.Categorical:
    """A categorical from a list, without sorting the categories (factorize is one hash pass)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=STR))


def _codes_lut(categories: pd.Index, wanted: Iterable[Any]) -> np.ndarray:
    """A lookup table over category codes (last slot for code -1) marking the wanted values."""
    lut = np.zeros(len(categories) + 1, dtype=bool)
    positions = categories.get_indexer(pd.Index(list(wanted), dtype=object))
    lut[positions[positions >= 0]] = True
    lut[-1] = False
    return lut


def _isin(column: pd.Series, values: Iterable[Any]) -> np.ndarray:
    """Boolean mask of rows whose value is one of values; categorical columns by their codes."""
    if isinstance(values, str):
        values = [values]  # one value given bare: never split it into characters
    if isinstance(column.dtype, pd.CategoricalDtype):
        return _codes_lut(column.cat.categories, values)[column.cat.codes.to_numpy()]
    return column.isin(list(values)).to_numpy(dtype=bool)


def _bool_array(column: pd.Series) -> np.ndarray:
    """A plain bool array from a bool or nullable-boolean column (missing -> False)."""
    return column.fillna(False).to_numpy(dtype=bool)


def _normalise_pass_rate(value: float | None) -> float:
    """A pass rate as a fraction; percentages (1 < v <= 100) are scaled, nonsense is NaN."""
    if value is None:
        return math.nan
    rate = float(value)
    if not math.isfinite(rate) or rate < 0 or rate > 100:
        return math.nan
    # The API documents a fraction, but its docs' example is 42.0: read such values as percent.
    return rate / 100 if rate > 1 else rate


def prettify_tag(tag: str) -> str:
    """'billing_policy' -> 'Billing policy'."""
    text = re.sub(r"[_\-]+", " ", tag).strip()
    text = re.sub(r"\s+", " ", text)
    return text[:1].upper() + text[1:] if text else tag


# ---------------------------------------------------------------------------------------------
# Models -> frames


def evals_frame(evals: list[Eval]) -> pd.DataFrame:
    """One row per eval."""
    cols: dict[str, list[Any]] = {name: [] for name in EVAL_COLUMNS}
    for ev in evals:
        cols["eval_uuid"].append(ev.eval_uuid)
        cols["eval_name"].append(_name(ev.name) or untitled_eval_name(ev.eval_uuid))
        cols["eval_type"].append(ev.eval_type or UNKNOWN_TYPE)
        cols["modality"].append(ev.modality)
        cols["language"].append(ev.language)
        cols["is_jailbreak"].append(ev.is_jailbreak)
        cols["is_sandbox"].append(ev.is_sandbox)
        cols["num_prompts"].append(ev.num_prompts)
        cols["status"].append(ev.status)
        cols["workspace_uuid"].append(ev.workspace_uuid)
        cols["created_at"].append(ev.created_at)
        cols["updated_at"].append(ev.updated_at)
        cols["created_by"].append(ev.created_by)
        cols["ai_description"].append(ev.ai_description)
    return _frame(cols, EVAL_COLUMNS)


def _eval_lookup(evals: pd.DataFrame | None) -> dict[str, tuple[str | None, str | None, Any]]:
    """eval_uuid -> (real name or None, eval type or None, workspace) from an evals frame."""
    if evals is None or evals.empty:
        return {}
    lookup: dict[str, tuple[str | None, str | None, Any]] = {}
    for uuid, name, etype, ws in zip(
        evals["eval_uuid"],
        evals["eval_name"],
        evals["eval_type"],
        evals["workspace_uuid"],
        strict=True,
    ):
        if not isinstance(uuid, str) or uuid in lookup:
            continue
        # The placeholder name is ours, not the eval's: a run's own name is better than it.
        real = name if isinstance(name, str) and name != untitled_eval_name(uuid) else None
        known = etype if isinstance(etype, str) and etype != UNKNOWN_TYPE else None
        lookup[uuid] = (real, known, ws if isinstance(ws, str) else None)
    return lookup


def runs_frame(runs: list[EvalRun], evals: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per eval run, sorted by created_at."""
    lookup = _eval_lookup(evals)
    cols: dict[str, list[Any]] = {name: [] for name in RUN_COLUMNS}
    for run in runs:
        ev = run.evaluation
        known_name, known_type, known_ws = lookup.get(run.eval_uuid, (None, None, None))
        embedded_type = ev.eval_type if ev and ev.eval_type != UNKNOWN_TYPE else None
        cols["eval_run_uuid"].append(run.eval_run_uuid)
        cols["eval_uuid"].append(run.eval_uuid)
        cols["run_name"].append(_name(run.name) or f"Run {short_uuid(run.eval_run_uuid)}")
        cols["eval_name"].append(
            _name(ev.name if ev else None)
            or known_name
            or _name(run.name)
            or untitled_eval_name(run.eval_uuid)
        )
        cols["eval_type"].append(embedded_type or known_type or UNKNOWN_TYPE)
        cols["status"].append(run.status)
        cols["created_at"].append(run.created_at)
        cols["updated_at"].append(run.updated_at)
        cols["pass_rate"].append(_normalise_pass_rate(run.pass_rate))
        cols["pass_rate_raw"].append(math.nan if run.pass_rate is None else run.pass_rate)
        cols["num_prompts"].append(run.num_prompts)
        cols["num_responses_scored"].append(run.num_responses_scored)
        cols["is_sandbox"].append(
            run.is_sandbox if run.is_sandbox is not None else (ev.is_sandbox if ev else None)
        )
        cols["workspace_uuid"].append(
            run.workspace_uuid or (ev.workspace_uuid if ev else None) or known_ws
        )
    frame = _frame(cols, RUN_COLUMNS)
    return frame.sort_values(["created_at", "eval_run_uuid"], kind="stable").reset_index(drop=True)


def prompts_frame(prompts_by_eval: Mapping[str, list[EvalPrompt]]) -> pd.DataFrame:
    """One row per (eval, prompt); a prompt listed twice (paging overlap) is kept once."""
    cols: dict[str, list[Any]] = {name: [] for name in PROMPT_COLUMNS}
    for eval_uuid, prompts in prompts_by_eval.items():
        for prompt in prompts or []:
            cols["eval_uuid"].append(eval_uuid)
            cols["prompt_uuid"].append(prompt.prompt_uuid)
            cols["prompt_content"].append(prompt.content if prompt.content is not None else "")
            cols["prompt_category"].append(_name(prompt.category) or UNCATEGORISED)
            cols["thread_uuid"].append(prompt.thread_uuid)
            cols["turn_number"].append(prompt.turn_number)
    frame = _frame(cols, PROMPT_COLUMNS)
    return frame.drop_duplicates(["eval_uuid", "prompt_uuid"]).reset_index(drop=True)


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


def _bools(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(values, missing) of a nullable Arrow boolean column, as numpy arrays."""
    missing = column.is_null().to_numpy(zero_copy_only=False)
    values = column.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
    return values, missing


def _arrow_category(column: pa.ChunkedArray) -> pd.Categorical:
    """An Arrow string column as a pandas categorical (one dictionary-encoding pass)."""
    encoded = column.combine_chunks().dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    categories = pd.Index(encoded.dictionary.to_pylist(), dtype=STR)
    return pd.Categorical.from_codes(codes, categories=categories)


def _arrow_strings(column: pa.ChunkedArray) -> Any:
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
    run_created_at = _utc(table["created_at"]).array.take(run_codes)

    # Response-level columns straight from Arrow: no per-row Python objects.
    prompt_uuid = _arrow_category(records["prompt_uuid"])
    response_uuid = _arrow_strings(records["response_uuid"])
    response_text = _arrow_strings(records["response_text"])
    file_uuid = _arrow_strings(records["file_uuid"])
    file_path = _arrow_strings(records["file_path"])
    content_type = _arrow_category(records["content_type"])
    ai_refused = _bools(records["ai_refused"])[0]
    excluded = _bools(records["exclude_from_scoring"])[0]
    passed, unknown = _bools(records["is_passed"])
    confidence = records["confidence"].to_numpy().astype(float)
    explanation = _arrow_strings(records["explanation"])
    thread = np.asarray(records["thread_uuid"].to_pylist(), dtype=object)
    turn = records["turn_number"].to_numpy().astype(float)
    manual = _bools(records["manually_updated"])[0]
    original, original_unknown = _bools(records["original_is_passed"])
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
            "thread_uuid": _category(thread),
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


# ---------------------------------------------------------------------------------------------
# Reports

_TAG = re.compile(r"<([A-Za-z_][\w\-]*)>(.*?)</\1\s*>", re.DOTALL)


def _split_tags(text: str) -> tuple[str, dict[str, str]]:
    """(text outside tags, {tag: text inside}) of an accuracy report text."""
    sections: dict[str, str] = {}
    for match in _TAG.finditer(text):
        tag, body = match.group(1), match.group(2).strip()
        sections[tag] = f"{sections[tag]}\n\n{body}" if tag in sections else body
    return _TAG.sub("", text).strip(), sections


def _run_identity(
    run_report: Any, lookup: Mapping[str, tuple[str, str, float]]
) -> tuple[str, str, float]:
    """(eval name, eval type, pass rate) of a run report, from its embedded run or the runs."""
    run = run_report.eval_run
    ev = run.evaluation if run else None
    known = lookup.get(run_report.eval_run_uuid)
    name = (
        _name(ev.name if ev else None)
        or (known[0] if known else None)
        or _name(run.name if run else None)
        or untitled_eval_name(run.eval_uuid if run else None)
    )
    etype = ev.eval_type if ev and ev.eval_type != UNKNOWN_TYPE else None
    etype = etype or (known[1] if known else None) or UNKNOWN_TYPE
    rate = _normalise_pass_rate(run.pass_rate) if run else math.nan
    if math.isnan(rate) and known:
        rate = known[2]
    return name, etype, rate


def _runs_lookup(runs: pd.DataFrame | None) -> dict[str, tuple[str, str, float]]:
    """eval_run_uuid -> (eval name, eval type, pass rate) from a runs frame."""
    if runs is None or runs.empty:
        return {}
    return {
        uuid: (name, etype, float(rate))
        for uuid, name, etype, rate in zip(
            runs["eval_run_uuid"],
            runs["eval_name"],
            runs["eval_type"],
            runs["pass_rate"],
            strict=True,
        )
    }


def report_rows(reports: list[EvalSuiteReport], runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (report, run report, section), plus each report's Overall row."""
    lookup = _runs_lookup(runs)
    cols: dict[str, list[Any]] = {name: [] for name in REPORT_ROW_COLUMNS}

    def add(
        report: EvalSuiteReport, level: str, section: str, texts: Sequence[str], **run: Any
    ) -> None:
        cols["eval_suite_report_uuid"].append(report.eval_suite_report_uuid)
        cols["report_status"].append(report.status)
        cols["report_created_at"].append(report.created_at)
        cols["eval_run_uuid"].append(run.get("eval_run_uuid"))
        cols["eval_name"].append(run.get("eval_name", OVERALL))
        cols["eval_type"].append(run.get("eval_type"))
        cols["pass_rate"].append(run.get("pass_rate", math.nan))
        cols["section"].append(section)
        cols["level"].append(level)
        cols["passing_summary"].append(texts[0])
        cols["failing_summary"].append(texts[1])
        cols["improvement_advice"].append(texts[2])

    for report in reports:
        for run_report in report.eval_run_reports or []:
            name, etype, rate = _run_identity(run_report, lookup)
            ident = {
                "eval_run_uuid": run_report.eval_run_uuid,
                "eval_name": name,
                "eval_type": etype,
                "pass_rate": rate,
            }
            texts = [
                run_report.passing_responses_summary or "",
                run_report.failing_responses_summary or "",
                run_report.improvement_advice or "",
            ]
            if "accuracy" not in etype.lower():
                add(report, "run", OVERALL, texts, **ident)
                continue
            split = [_split_tags(text) for text in texts]
            outside = [rest for rest, _ in split]
            tags = list(dict.fromkeys(tag for _, sections in split for tag in sections))
            if any(outside) or not tags:
                add(report, "run", OVERALL, outside, **ident)
            for tag in tags:
                inside = [sections.get(tag, "") for _, sections in split]
                add(report, "category", prettify_tag(tag), inside, **ident)
        overall = [
            report.overall_passing_responses_summary,
            report.overall_failing_responses_summary,
            report.overall_improvement_advice,
        ]
        if any(text is not None for text in overall):
            add(report, "report", OVERALL, [text or "" for text in overall])
    return _frame(cols, REPORT_ROW_COLUMNS)


def reports_frame(reports: list[EvalSuiteReport], runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per suite report, newest first."""
    lookup = _runs_lookup(runs)
    cols: dict[str, list[Any]] = {name: [] for name in REPORT_COLUMNS}
    for report in reports:
        run_reports = report.eval_run_reports or []
        names = [_run_identity(rr, lookup)[0] for rr in run_reports]
        cols["eval_suite_report_uuid"].append(report.eval_suite_report_uuid)
        cols["status"].append(report.status)
        cols["created_at"].append(report.created_at)
        cols["updated_at"].append(report.updated_at)
        cols["num_runs"].append(len(run_reports))
        cols["eval_names"].append(", ".join(dict.fromkeys(names)))
        cols["remaining_reports"].append(report.remaining_reports)
    frame = _frame(cols, REPORT_COLUMNS)
    order = frame.sort_values(
        ["created_at", "eval_suite_report_uuid"], ascending=False, kind="stable"
    )
    return order.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Aggregates


def _verdict_masks(responses: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(passed, failed) boolean arrays from the verdict column."""
    verdict = responses["verdict"]
    return (verdict == PASSED).to_numpy(dtype=bool), (verdict == FAILED).to_numpy(dtype=bool)


def verdict_counts(responses: pd.DataFrame) -> dict[str, Any]:
    """Headline counts and rates; excluded responses count as not scored."""
    passed_mask, failed_mask = _verdict_masks(responses)
    passed, failed = int(passed_mask.sum()), int(failed_mask.sum())
    total = len(responses)
    refused = int(_bool_array(responses["ai_refused"]).sum()) if total else 0
    scored = passed + failed
    low, high = wilson_interval(passed, scored)
    return {
        "passed": passed,
        "failed": failed,
        "not_scored": total - scored,
        "refused": refused,
        "total": total,
        "scored": scored,
        "pass_rate": passed / scored if scored else math.nan,
        "pass_rate_low": low,
        "pass_rate_high": high,
        "refusal_rate": refused / total if total else math.nan,
    }


def _plain_strings(values: Any) -> pd.Series:
    """Group labels as a plain string column (categoricals confuse later joins and charts)."""
    return pd.Series(np.asarray(values, dtype=object), dtype=STR)


def category_pass_rates(responses: pd.DataFrame, by: str = "prompt_category") -> pd.DataFrame:
    """Pass rate with a 95% Wilson interval per group, lowest pass rate first."""
    passed_mask, failed_mask = _verdict_masks(responses)
    counts = pd.DataFrame(
        {by: responses[by].array, "passed": passed_mask, "failed": failed_mask}, copy=False
    )
    grouped = counts.groupby(by, observed=True, dropna=False, sort=True)[["passed", "failed"]]
    sums = grouped.sum().astype(np.int64)
    out = pd.DataFrame(
        {
            by: _plain_strings(sums.index),
            "passed": sums["passed"].to_numpy(),
            "failed": sums["failed"].to_numpy(),
        }
    )
    out["scored"] = out["passed"] + out["failed"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pass_rate"] = np.where(out["scored"] > 0, out["passed"] / out["scored"], np.nan)
    out["low"], out["high"] = wilson_bounds(out["passed"], out["scored"])
    out = out.sort_values(["pass_rate", by], na_position="last", kind="stable")
    return out.reset_index(drop=True)


def failing_categories(responses: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The categories with the most failures, and the eval types they failed in."""
    rates = category_pass_rates(responses, "prompt_category")
    rates = rates[rates["failed"] > 0]
    _, failed_mask = _verdict_masks(responses)
    failing = responses.loc[failed_mask, ["prompt_category", "eval_type"]]
    types: dict[str, set[str]] = {}
    if not failing.empty:
        pairs = failing.groupby(["prompt_category", "eval_type"], observed=True).size()
        for category, etype in pairs.index:
            types.setdefault(str(category), set()).add(str(etype))
    out = pd.DataFrame(
        {
            "category": rates["prompt_category"].to_numpy(),
            "failed": rates["failed"].to_numpy(),
            "scored": rates["scored"].to_numpy(),
            "pass_rate": rates["pass_rate"].to_numpy(),
            "eval_types": [", ".join(sorted(types.get(c, ()))) for c in rates["prompt_category"]],
        }
    )
    out = out.astype({"category": STR, "eval_types": STR, "failed": np.int64, "scored": np.int64})
    out = out.sort_values(["failed", "pass_rate", "category"], ascending=[False, True, True])
    return out.head(top).reset_index(drop=True)


def _finished_sorted(runs: pd.DataFrame, with_rate: bool) -> pd.DataFrame:
    """Finished runs (optionally only those with a pass rate), oldest first."""
    keep = _is_finished(runs["status"])
    if with_rate:
        keep &= runs["pass_rate"].notna()
    chosen = runs.loc[keep]
    return chosen.sort_values(["created_at", "eval_run_uuid"], kind="stable")


LATEST_COLUMNS: dict[str, Any] = {
    "eval_uuid": STR,
    "eval_name": STR,
    "eval_type": STR,
    "latest_run_uuid": STR,
    "latest_run_name": STR,
    "latest_created_at": UTC_TS,
    "latest_pass_rate": "float64",
    "latest_num_responses_scored": "Int64",
    "previous_run_uuid": STR,
    "previous_pass_rate": "float64",
    "change": "float64",
    "runs": "int64",
}


def latest_run_changes(runs: pd.DataFrame) -> pd.DataFrame:
    """Per eval, the latest finished run's pass rate and its change from the one before."""
    finished = _finished_sorted(runs, with_rate=True)
    cols: dict[str, list[Any]] = {name: [] for name in LATEST_COLUMNS}
    for eval_uuid, group in finished.groupby("eval_uuid", sort=False):
        latest = group.iloc[-1]
        previous = group.iloc[-2] if len(group) > 1 else None
        cols["eval_uuid"].append(eval_uuid)
        cols["eval_name"].append(latest["eval_name"])
        cols["eval_type"].append(latest["eval_type"])
        cols["latest_run_uuid"].append(latest["eval_run_uuid"])
        cols["latest_run_name"].append(latest["run_name"])
        cols["latest_created_at"].append(latest["created_at"])
        cols["latest_pass_rate"].append(latest["pass_rate"])
        cols["latest_num_responses_scored"].append(latest["num_responses_scored"])
        cols["previous_run_uuid"].append(None if previous is None else previous["eval_run_uuid"])
        prev_rate = math.nan if previous is None else previous["pass_rate"]
        cols["previous_pass_rate"].append(prev_rate)
        cols["change"].append(latest["pass_rate"] - prev_rate)
        cols["runs"].append(len(group))
    out = _frame(cols, LATEST_COLUMNS)
    out = out.sort_values(
        ["latest_pass_rate", "change", "eval_name"], na_position="last", kind="stable"
    )
    return out.reset_index(drop=True)


def eval_catalogue(evals: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """The evals frame plus run count, latest pass rate and latest run time per eval."""
    base = evals.drop_duplicates("eval_uuid")
    known = set(base["eval_uuid"].dropna())
    orphans = runs.loc[~runs["eval_uuid"].isin(known)].drop_duplicates("eval_uuid", keep="last")
    if not orphans.empty:
        # Runs of an eval missing from the evals listing still get a row: never hide data.
        shared = ["eval_uuid", "eval_name", "eval_type", "workspace_uuid"]
        schema = {c: evals[c].dtype for c in evals.columns}
        extra = _frame({c: orphans[c].tolist() for c in shared if c in schema}, schema)
        base = extra if base.empty else pd.concat([base, extra], ignore_index=True)
    ordered = runs.sort_values(["created_at", "eval_run_uuid"], kind="stable")
    by_eval = ordered.groupby("eval_uuid", sort=False)
    count = by_eval.size()
    last = by_eval.tail(1).set_index("eval_uuid")
    finished = _finished_sorted(runs, with_rate=True).groupby("eval_uuid").tail(1)
    finished = finished.set_index("eval_uuid")
    out = base.reset_index(drop=True)
    keys = out["eval_uuid"]
    wanted = keys.to_numpy()
    # reindex, not map: pandas 3 cannot map through an empty datetime series (no finished runs).
    out["runs"] = count.reindex(wanted).fillna(0).astype(np.int64).to_numpy()
    out["latest_pass_rate"] = finished["pass_rate"].reindex(wanted).astype("float64").to_numpy()
    out["latest_run_at"] = last["created_at"].reindex(wanted).astype(UTC_TS).to_numpy()
    out["latest_run_status"] = last["status"].reindex(wanted).astype(STR).to_numpy()
    out["latest_finished_at"] = finished["created_at"].reindex(wanted).astype(UTC_TS).to_numpy()
    return out


def filter_responses(
    responses: pd.DataFrame,
    *,
    verdicts: Collection[str] | None = None,
    refused: bool | None = None,
    excluded: bool | None = None,
    confidence: tuple[float, float] | None = None,
    categories: Collection[str] | None = None,
    eval_types: Collection[str] | None = None,
    evals: Collection[str] | None = None,
    runs: Collection[str] | None = None,
    text: str | None = None,
) -> pd.DataFrame:
    """The responses matching every given filter; None means no filter, [] matches nothing.

    `evals` matches eval_uuid or eval_name, `runs` eval_run_uuid or run_name. `text` is a
    case-insensitive literal substring of the prompt, the response or the explanation.
    """
    mask = np.ones(len(responses), dtype=bool)
    if verdicts is not None:
        mask &= _isin(responses["verdict"], verdicts)
    if refused is not None:
        mask &= _bool_array(responses["ai_refused"]) == bool(refused)
    if excluded is not None:
        mask &= _bool_array(responses["exclude_from_scoring"]) == bool(excluded)
    if confidence is not None:
        lo, hi = confidence
        values = responses["confidence"].to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            mask &= (values >= lo) & (values <= hi)
    if categories is not None:
        mask &= _isin(responses["prompt_category"], categories)
    if eval_types is not None:
        mask &= _isin(responses["eval_type"], eval_types)
    if evals is not None:
        mask &= _isin(responses["eval_uuid"], evals) | _isin(responses["eval_name"], evals)
    if runs is not None:
        mask &= _isin(responses["eval_run_uuid"], runs) | _isin(responses["run_name"], runs)
    rows = np.flatnonzero(mask)
    if text:
        rows = rows[_text_hits(responses, rows, text)]
    elif len(rows) == len(responses):
        return responses.copy(deep=False)  # no filter: no need to copy a million rows
    return responses.iloc[rows]


def _text_hits(responses: pd.DataFrame, rows: np.ndarray, needle: str) -> np.ndarray:
    """Which of rows contain needle in the prompt, response or explanation (case-insensitive)."""
    hit = np.zeros(len(rows), dtype=bool)
    prompt = responses["prompt_content"]
    if isinstance(prompt.dtype, pd.CategoricalDtype):
        # A few thousand distinct prompts: search them once, then read the answer per row.
        cats = prompt.cat.categories
        found = cats.astype(object).str.contains(needle, case=False, regex=False)
        lut = np.append(np.asarray(found, dtype=bool), False)
        hit |= lut[prompt.cat.codes.to_numpy()[rows]]
    else:
        hit |= _contains(prompt.iloc[rows], needle)
    for column in ("response_text", "explanation"):
        todo = np.flatnonzero(~hit)
        if not len(todo):
            break
        hit[todo] = _contains(responses[column].iloc[rows[todo]], needle)
    return hit


def _contains(values: pd.Series, needle: str) -> np.ndarray:
    """Case-insensitive literal substring test, missing values never match."""
    found = values.str.contains(needle, case=False, regex=False, na=False)
    return found.to_numpy(dtype=bool, na_value=False)


def _band_label(low: float, high: float) -> str:
    """'0.5–0.6' style label; the open top edge shows as 1.0."""

    def fmt(x: float) -> str:
        return f"{x:.1f}" if round(x, 1) == x else f"{x:.2f}"

    return f"{fmt(low)}–{fmt(min(high, 1.0))}"


BAND_COLUMNS: dict[str, Any] = {
    "band": STR,
    "eval_type": STR,
    "scored": "int64",
    "passed": "int64",
    "pass_rate": "float64",
    "overridden": "int64",
    "override_rate": "float64",
}


def confidence_bands(
    responses: pd.DataFrame, edges: Sequence[float] = (0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)
) -> pd.DataFrame:
    """Per band of the judge's own confidence and eval type: scored, pass rate, and overturns.

    Bands use the confidence the judge gave with its verdict, not the one after a review: a
    reviewer's change replaces it (often with 1.0), which would pile every overturn at the top.
    """
    labels = [_band_label(lo, hi) for lo, hi in itertools.pairwise(edges)]
    passed_mask, failed_mask = _verdict_masks(responses)
    column = "original_confidence" if "original_confidence" in responses else "confidence"
    judged = responses[column].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(judged) & (judged >= 0) & (judged <= 1)
    usable = (passed_mask | failed_mask) & valid
    frame = pd.DataFrame(
        {
            "confidence": judged[usable],
            "eval_type": np.asarray(responses["eval_type"], dtype=object)[usable],
            "passed": passed_mask[usable],
            "overridden": _bool_array(responses["verdict_overridden"])[usable],
        }
    )
    unique = len(set(labels)) == len(labels)
    frame["band"] = pd.cut(
        frame["confidence"], bins=list(edges), right=False, labels=labels if unique else None
    )
    grouped = frame.groupby(["band", "eval_type"], observed=True, sort=True)
    sums = grouped.agg(
        scored=("passed", "size"), passed=("passed", "sum"), overridden=("overridden", "sum")
    )
    band_order = labels if unique else [str(c) for c in frame["band"].cat.categories]
    out = _frame(
        {
            "band": [str(b) for b, _ in sums.index],
            "eval_type": [t for _, t in sums.index],
            "scored": sums["scored"].tolist(),
            "passed": sums["passed"].tolist(),
            "overridden": sums["overridden"].tolist(),
        },
        BAND_COLUMNS,
    )
    out["band"] = pd.Categorical(out["band"], categories=band_order, ordered=True)
    out["pass_rate"] = out["passed"] / out["scored"]
    out["override_rate"] = out["overridden"] / out["scored"]
    return out


CHANGE_ORDER: tuple[str, ...] = (
    "newly failed",
    "newly passed",
    "failed in both",
    "not scored",
    "missing in A",
    "missing in B",
    "passed in both",
)
_FLIP_KEYS = ["_prompt", "_thread", "_turn"]


def _flip_side(responses: pd.DataFrame) -> pd.DataFrame:
    """One run's responses reduced to the flip-table columns with plain join keys."""
    turn = pd.to_numeric(responses["turn_number"], errors="coerce")
    side = pd.DataFrame(
        {
            "_prompt": responses["prompt_uuid"].astype(object).to_numpy(),
            "_thread": responses["thread_uuid"].astype(object).fillna("").to_numpy(),
            "_turn": turn.fillna(-1).astype(np.int64).to_numpy(),
            "prompt_content": responses["prompt_content"].astype(object).to_numpy(),
            "prompt_category": responses["prompt_category"].astype(object).to_numpy(),
            "verdict": responses["verdict"].astype(object).to_numpy(),
            "response": responses["response_text"].astype(object).to_numpy(),
            "explanation": responses["explanation"].astype(object).to_numpy(),
            "confidence": responses["confidence"].to_numpy(dtype=float, na_value=np.nan),
        }
    )
    # One answer per key: a duplicated response would otherwise multiply the join.
    return side.drop_duplicates(_FLIP_KEYS, keep="first")


def flip_table(responses_a: pd.DataFrame, responses_b: pd.DataFrame) -> pd.DataFrame:
    """Run A against run B prompt by prompt: how each verdict changed."""
    side_a, side_b = _flip_side(responses_a), _flip_side(responses_b)
    both = side_a.merge(side_b, on=_FLIP_KEYS, how="outer", suffixes=("_a", "_b"), indicator=True)
    va = both["verdict_a"].to_numpy(dtype=object)
    vb = both["verdict_b"].to_numpy(dtype=object)
    where = both["_merge"].to_numpy(dtype=object)
    change = np.select(
        [
            where == "right_only",
            where == "left_only",
            (va == NOT_SCORED) | (vb == NOT_SCORED),
            (va == PASSED) & (vb == PASSED),
            (va == FAILED) & (vb == FAILED),
            (va == PASSED) & (vb == FAILED),
            (va == FAILED) & (vb == PASSED),
        ],
        [
            "missing in A",
            "missing in B",
            "not scored",
            "passed in both",
            "failed in both",
            "newly failed",
            "newly passed",
        ],
        default="not scored",
    )
    thread = both["_thread"].to_numpy(dtype=object)
    turn = both["_turn"].to_numpy(dtype=np.int64)
    out = pd.DataFrame(
        {
            "prompt_uuid": pd.array(both["_prompt"].to_numpy(dtype=object), dtype=STR),
            "thread_uuid": pd.array(np.where(thread == "", None, thread), dtype=STR),
            "turn_number": pd.arrays.IntegerArray(np.maximum(turn, 0), turn < 0),
            "prompt_content": pd.array(
                both["prompt_content_b"]
                .combine_first(both["prompt_content_a"])
                .to_numpy(dtype=object),
                dtype=STR,
            ),
            "prompt_category": pd.array(
                both["prompt_category_b"]
                .combine_first(both["prompt_category_a"])
                .to_numpy(dtype=object),
                dtype=STR,
            ),
            "verdict_a": pd.Categorical(va, categories=list(VERDICTS)),
            "verdict_b": pd.Categorical(vb, categories=list(VERDICTS)),
            "change": pd.Categorical(change, categories=list(CHANGE_ORDER), ordered=True),
            "response_a": pd.array(both["response_a"].to_numpy(dtype=object), dtype=STR),
            "response_b": pd.array(both["response_b"].to_numpy(dtype=object), dtype=STR),
            "explanation_a": pd.array(both["explanation_a"].to_numpy(dtype=object), dtype=STR),
            "explanation_b": pd.array(both["explanation_b"].to_numpy(dtype=object), dtype=STR),
            "confidence_a": both["confidence_a"].to_numpy(dtype=float),
            "confidence_b": both["confidence_b"].to_numpy(dtype=float),
        }
    )
    out = out.sort_values(
        ["change", "prompt_category", "prompt_content", "prompt_uuid", "turn_number"],
        kind="stable",
        na_position="last",
    )
    return out.reset_index(drop=True)


def mcnemar_from_flips(flips: pd.DataFrame) -> tuple[int, int, float]:
    """(newly failed, newly passed, McNemar p-value) over the prompts scored in both runs."""
    change = flips["change"]
    b = int((change == "newly failed").sum())
    c = int((change == "newly passed").sum())
    return b, c, mcnemar_test(b, c)


BOARD_COLUMNS: dict[str, Any] = {
    "eval_uuid": STR,
    "eval_name": STR,
    "eval_type": STR,
    "run_a": STR,
    "run_b": STR,
    "run_a_name": STR,
    "run_b_name": STR,
    "run_a_created_at": UTC_TS,
    "run_b_created_at": UTC_TS,
    "pass_rate_a": "float64",
    "pass_rate_b": "float64",
    "change": "float64",
    "n_shared": "Int64",
    "newly_failed": "Int64",
    "newly_passed": "Int64",
    "p_value": "float64",
    "test": STR,  # "mcnemar", "two-proportion" or "none"
    "verdict": STR,
}
_VERDICT_RANK = {REGRESSED: 0, WITHIN_NOISE: 1, IMPROVED: 2}


def _scored_counts(responses: pd.DataFrame | None) -> tuple[int, int]:
    """(passed, scored) in a run's responses."""
    if responses is None or responses.empty:
        return 0, 0
    passed_mask, failed_mask = _verdict_masks(responses)
    return int(passed_mask.sum()), int(passed_mask.sum() + failed_mask.sum())


def _run_totals(run: pd.Series, responses: pd.DataFrame | None) -> tuple[float, float, float]:
    """(pass rate, passed, scored) of a run: the API's figures first, the responses second."""
    rate = float(run["pass_rate"]) if pd.notna(run["pass_rate"]) else math.nan
    scored_api = run.get("num_responses_scored")
    passed, scored = _scored_counts(responses)
    if math.isnan(rate) and scored:
        rate = passed / scored
    if pd.notna(scored_api) and scored_api and not math.isnan(rate):
        return rate, round(rate * float(scored_api)), float(scored_api)
    if scored:
        return rate, float(passed), float(scored)
    return rate, math.nan, math.nan


def regression_board(runs: pd.DataFrame, responses: pd.DataFrame | None) -> pd.DataFrame:
    """Per eval, latest finished run against the previous one, with a significance verdict."""
    finished = _finished_sorted(runs, with_rate=False)
    positions: dict[Any, np.ndarray] = {}
    if responses is not None and not responses.empty:
        positions = responses.groupby("eval_run_uuid", observed=True, sort=False).indices
    cols: dict[str, list[Any]] = {name: [] for name in BOARD_COLUMNS}
    for eval_uuid, group in finished.groupby("eval_uuid", sort=False):
        if len(group) < 2:
            continue
        run_a, run_b = group.iloc[-2], group.iloc[-1]
        rows_a = positions.get(run_a["eval_run_uuid"])
        rows_b = positions.get(run_b["eval_run_uuid"])
        resp_a = responses.iloc[rows_a] if rows_a is not None else None
        resp_b = responses.iloc[rows_b] if rows_b is not None else None
        rate_a, x_a, n_a = _run_totals(run_a, resp_a)
        rate_b, x_b, n_b = _run_totals(run_b, resp_b)
        shared = newly_failed = newly_passed = None
        p_value, test = math.nan, "none"
        if resp_a is not None and resp_b is not None:
            flips = flip_table(resp_a, resp_b)
            newly_failed, newly_passed, p_mcnemar = mcnemar_from_flips(flips)
            shared = int(
                flips["change"]
                .isin(["passed in both", "failed in both", "newly failed", "newly passed"])
                .sum()
            )
            if shared:
                p_value, test = p_mcnemar, "mcnemar"
        if test == "none" and not (math.isnan(n_a) or math.isnan(n_b)):
            # Without paired answers, compare the two pass rates as independent samples.
            p_value = two_proportion_test(x_a, n_a, x_b, n_b)
            test = "two-proportion" if not math.isnan(p_value) else "none"
        change = rate_b - rate_a
        cols["eval_uuid"].append(eval_uuid)
        cols["eval_name"].append(run_b["eval_name"])
        cols["eval_type"].append(run_b["eval_type"])
        cols["run_a"].append(run_a["eval_run_uuid"])
        cols["run_b"].append(run_b["eval_run_uuid"])
        cols["run_a_name"].append(run_a["run_name"])
        cols["run_b_name"].append(run_b["run_name"])
        cols["run_a_created_at"].append(run_a["created_at"])
        cols["run_b_created_at"].append(run_b["created_at"])
        cols["pass_rate_a"].append(rate_a)
        cols["pass_rate_b"].append(rate_b)
        cols["change"].append(change)
        cols["n_shared"].append(shared)
        cols["newly_failed"].append(newly_failed)
        cols["newly_passed"].append(newly_passed)
        cols["p_value"].append(p_value)
        cols["test"].append(test)
        # McNemar tests the paired flips, so their balance gives the direction it speaks for.
        direction = newly_passed - newly_failed if test == "mcnemar" else change
        cols["verdict"].append(classify_change(p_value, direction))
    out = _frame(cols, BOARD_COLUMNS)
    rank = out["verdict"].map(_VERDICT_RANK).astype("int64")
    out = out.assign(_rank=rank).sort_values(
        ["_rank", "change", "eval_name"], na_position="last", kind="stable"
    )
    return out.drop(columns="_rank").reset_index(drop=True)
