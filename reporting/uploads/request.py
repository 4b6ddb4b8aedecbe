"""A clean upload -> the score-responses request: examples, the run's name, its fingerprints."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from client.aymara_models import EvalRunExample, ScoreRequest
from reporting.uploads.validate import (
    EXAMPLE_COLUMNS,
    EXAMPLE_TYPES,
    MAX_EXAMPLES,
    ParsedUpload,
    Problem,
    cell_text,
)


def parse_examples(rows: Iterable[Mapping[str, Any]]) -> tuple[list[EvalRunExample], list[Problem]]:
    """Pass/fail examples from an edited table; empty rows are skipped, numbered from 1."""
    examples: list[EvalRunExample] = []
    problems: list[Problem] = []
    for number, raw in enumerate(rows, start=1):
        cells = {c: cell_text(raw.get(c)) for c in EXAMPLE_COLUMNS}
        if not any(cells.values()):
            continue
        kind = cells["type"].lower()
        bad = len(problems)
        if kind not in EXAMPLE_TYPES:
            problems.append(Problem(number, "type", "type must be pass or fail.", "example"))
        for column in ("prompt", "response"):
            if not cells[column]:
                problems.append(
                    Problem(
                        number,
                        column,
                        f"{column} is empty; fill it in or delete the row.",
                        "example",
                    )
                )
        if len(problems) == bad:
            examples.append(
                EvalRunExample(
                    type=kind,
                    prompt=cells["prompt"],
                    response=cells["response"],
                    explanation=cells["explanation"] or None,
                )
            )
    if len(examples) > MAX_EXAMPLES:
        problems.append(
            Problem(
                None,
                None,
                f"{len(examples)} examples; keep at most {MAX_EXAMPLES} (a few clear ones help "
                "the judge most).",
                "file",
            )
        )
    return examples, problems


def default_run_name(eval_name: str, today: date) -> str:
    """'<eval name> upload <date>'."""
    return f"{eval_name} upload {today:%Y-%m-%d}"


def build_request(
    eval_uuid: str,
    upload: ParsedUpload,
    name: str,
    examples: Sequence[EvalRunExample] = (),
) -> ScoreRequest:
    """The score-responses body for a clean upload."""
    if not upload.ok:
        raise ValueError("the upload has problems; fix them before building a request")
    return ScoreRequest(
        eval_uuid=eval_uuid,
        responses=list(upload.responses),
        name=name.strip() or None,
        eval_run_examples=list(examples) or None,
    )


def payload_key(request: ScoreRequest, workspace_uuid: str | None, is_sandbox: bool) -> str:
    """A hash of exactly what would be sent: the same payload never goes out twice."""
    body = {
        "request": request.model_dump(mode="json", exclude_none=True),
        "workspace_uuid": workspace_uuid,
        "is_sandbox": is_sandbox,
    }
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def responses_key(request: ScoreRequest) -> str:
    """A hash of the eval and responses alone, to warn before sending them under a new name."""
    body = {
        "eval_uuid": request.eval_uuid,
        "responses": [r.model_dump(mode="json", exclude_none=True) for r in request.responses],
    }
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
