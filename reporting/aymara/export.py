"""The Responses download: one frame of the filtered rows, as a safe CSV or as Parquet."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from reporting.aymara.definitions import sandbox_runs
from reporting.text import spreadsheet_safe

EXPORT_COLUMNS = [
    "eval_name", "eval_type", "run_name", "eval_run_uuid", "run_created_at", "is_sandbox",
    "prompt_uuid", "prompt_category", "prompt_content", "response_uuid", "response_text",
    "content_type", "file_uuid", "ai_refused", "exclude_from_scoring", "verdict", "confidence",
    "explanation", "verdict_overridden", "thread_uuid", "turn_number",
]  # fmt: skip
BOOL_COLUMNS = ("is_sandbox", "ai_refused", "exclude_from_scoring", "verdict_overridden")


def export_frame(responses: pd.DataFrame, runs: pd.DataFrame, evals: pd.DataFrame) -> pd.DataFrame:
    """The rows to hand out: the run's date, its sandbox flag and a person's override included."""
    sandbox = dict(
        zip(runs["eval_run_uuid"], sandbox_runs(runs, evals).to_numpy(dtype=bool), strict=True)
    )
    out = responses.assign(
        is_sandbox=responses["eval_run_uuid"].astype(object).map(sandbox).astype("boolean")
    )
    return out[[c for c in EXPORT_COLUMNS if c in out.columns]].reset_index(drop=True)


def _text_cell(value: object) -> object:
    return spreadsheet_safe(value) if isinstance(value, str) else value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV a spreadsheet opens safely: no cell runs as a formula, UTF-8 with a BOM (Excel then
    shows accents), booleans as true/false, times in ISO 8601 UTC."""
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        if name in BOOL_COLUMNS or pd.api.types.is_bool_dtype(column):
            values = column.astype("boolean")
            out[name] = np.where(values.isna(), "", np.where(values.fillna(False), "true", "false"))
        elif pd.api.types.is_datetime64_any_dtype(column):
            out[name] = column.dt.strftime("%Y-%m-%dT%H:%M:%SZ").fillna("")
        elif pd.api.types.is_numeric_dtype(column):
            out[name] = column
        else:
            out[name] = column.astype(object).map(_text_cell)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """The same rows as Parquet, typed (for pandas, DuckDB, Polars)."""
    buffer = io.BytesIO()
    plain = frame.copy()
    for name in plain.columns:
        if isinstance(plain[name].dtype, pd.CategoricalDtype):
            plain[name] = plain[name].astype(object)
    plain.to_parquet(buffer, index=False)
    return buffer.getvalue()
