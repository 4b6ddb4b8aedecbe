"""Aymara models -> frames: evals, runs and prompts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from client.aymara_models import (
    Eval,
    EvalPrompt,
    EvalRun,
)
from reporting.aymara.schema import (
    EVAL_COLUMNS,
    PROMPT_COLUMNS,
    RUN_COLUMNS,
    UNCATEGORISED,
    UNKNOWN_TYPE,
    normalise_pass_rate,
    short_uuid,
    typed_frame,
    untitled_eval_name,
    usable_name,
)


def evals_frame(evals: list[Eval]) -> pd.DataFrame:
    """One row per eval."""
    cols: dict[str, list[Any]] = {name: [] for name in EVAL_COLUMNS}
    for ev in evals:
        cols["eval_uuid"].append(ev.eval_uuid)
        cols["eval_name"].append(usable_name(ev.name) or untitled_eval_name(ev.eval_uuid))
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
    return typed_frame(cols, EVAL_COLUMNS)


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
        cols["run_name"].append(usable_name(run.name) or f"Run {short_uuid(run.eval_run_uuid)}")
        cols["eval_name"].append(
            usable_name(ev.name if ev else None)
            or known_name
            or usable_name(run.name)
            or untitled_eval_name(run.eval_uuid)
        )
        cols["eval_type"].append(embedded_type or known_type or UNKNOWN_TYPE)
        cols["status"].append(run.status)
        cols["created_at"].append(run.created_at)
        cols["updated_at"].append(run.updated_at)
        cols["pass_rate"].append(normalise_pass_rate(run.pass_rate))
        cols["pass_rate_raw"].append(math.nan if run.pass_rate is None else run.pass_rate)
        cols["num_prompts"].append(run.num_prompts)
        cols["num_responses_scored"].append(run.num_responses_scored)
        cols["is_sandbox"].append(
            run.is_sandbox if run.is_sandbox is not None else (ev.is_sandbox if ev else None)
        )
        cols["workspace_uuid"].append(
            run.workspace_uuid or (ev.workspace_uuid if ev else None) or known_ws
        )
    frame = typed_frame(cols, RUN_COLUMNS)
    return frame.sort_values(["created_at", "eval_run_uuid"], kind="stable").reset_index(drop=True)


def prompts_frame(prompts_by_eval: Mapping[str, list[EvalPrompt]]) -> pd.DataFrame:
    """One row per (eval, prompt); a prompt listed twice (paging overlap) is kept once."""
    cols: dict[str, list[Any]] = {name: [] for name in PROMPT_COLUMNS}
    for eval_uuid, prompts in prompts_by_eval.items():
        for prompt in prompts or []:
            cols["eval_uuid"].append(eval_uuid)
            cols["prompt_uuid"].append(prompt.prompt_uuid)
            cols["prompt_content"].append(prompt.content if prompt.content is not None else "")
            cols["prompt_category"].append(usable_name(prompt.category) or UNCATEGORISED)
            cols["thread_uuid"].append(prompt.thread_uuid)
            cols["turn_number"].append(prompt.turn_number)
    frame = typed_frame(cols, PROMPT_COLUMNS)
    return frame.drop_duplicates(["eval_uuid", "prompt_uuid"]).reset_index(drop=True)
