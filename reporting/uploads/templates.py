"""Tables for the person uploading: the templates to fill in, the preview, the problems."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from client.aymara_models import FileReference
from reporting.text import spreadsheet_safe
from reporting.uploads.validate import (
    CONTENT_TYPES,
    TEMPLATE_COLUMNS,
    ParsedUpload,
    Problem,
    cell_text,
)


def template_rows(prompts: pd.DataFrame, content_type: str = "text") -> list[dict[str, Any]]:
    """One template row per prompt (columns of prompts_frame), content left empty."""
    rows: list[dict[str, Any]] = []
    for record in prompts.to_dict("records"):
        thread = record.get("thread_uuid")
        turn = record.get("turn_number")
        rows.append(
            {
                "prompt_uuid": str(record["prompt_uuid"]),
                "prompt": cell_text(record.get("prompt_content")),
                "content": "",
                "content_type": content_type if content_type in CONTENT_TYPES else "text",
                "ai_refused": False,
                "exclude_from_scoring": False,
                "thread_uuid": cell_text(thread) or None,
                "turn_number": int(turn) if cell_text(turn) else 1,
                "continue_thread": False,
            }
        )
    return rows


def template_csv(prompts: pd.DataFrame, content_type: str = "text") -> bytes:
    """The CSV template, UTF-8 with a BOM so that Excel reads accents correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for row in template_rows(prompts, content_type):
        cells = dict(row, prompt=spreadsheet_safe(row["prompt"]))
        writer.writerow(
            [
                "false" if cells[c] is False else "" if cells[c] is None else cells[c]
                for c in TEMPLATE_COLUMNS
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def template_jsonl(prompts: pd.DataFrame, content_type: str = "text") -> bytes:
    """The JSONL template: one object per prompt, content empty."""
    lines = [json.dumps(row, ensure_ascii=False) for row in template_rows(prompts, content_type)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def preview_frame(upload: ParsedUpload, prompt_texts: Mapping[str, str]) -> pd.DataFrame:
    """What will be sent, one row per response, with the prompt text alongside."""
    records = []
    for row, response in zip(upload.rows, upload.responses, strict=True):
        content = response.content
        if isinstance(content, FileReference):
            shown = f"file {content.file_uuid or content.remote_file_path}"
        else:
            shown = content or ""
        records.append(
            {
                "row": row,
                "prompt_uuid": response.prompt_uuid,
                "prompt": prompt_texts.get(response.prompt_uuid, ""),
                "content": shown,
                "content_type": response.content_type,
                "ai_refused": response.ai_refused,
                "exclude_from_scoring": response.exclude_from_scoring,
                "thread_uuid": response.thread_uuid or "",
                "turn_number": response.turn_number,
                "continue_thread": response.continue_thread,
            }
        )
    columns = ["row", "prompt_uuid", "prompt", *TEMPLATE_COLUMNS[2:]]
    return pd.DataFrame.from_records(records, columns=columns)


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """Problems as a table: where, column, what to fix."""
    return pd.DataFrame(
        {
            "where": [p.where for p in problems],
            "column": [p.column or "" for p in problems],
            "problem": [p.message for p in problems],
        }
    )


def file_slug(name: str) -> str:
    """A safe file-name stem from an eval's name."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "eval"
