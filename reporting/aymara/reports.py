"""Aymara suite reports -> frames: one row per report, and per report section."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from client.aymara_models import (
    EvalSuiteReport,
)
from reporting.aymara.schema import (
    OVERALL,
    STR,
    UNKNOWN_TYPE,
    UTC_TS,
    normalise_pass_rate,
    prettify_tag,
    typed_frame,
    untitled_eval_name,
    usable_name,
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
        usable_name(ev.name if ev else None)
        or (known[0] if known else None)
        or usable_name(run.name if run else None)
        or untitled_eval_name(run.eval_uuid if run else None)
    )
    etype = ev.eval_type if ev and ev.eval_type != UNKNOWN_TYPE else None
    etype = etype or (known[1] if known else None) or UNKNOWN_TYPE
    rate = normalise_pass_rate(run.pass_rate) if run else math.nan
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
    return typed_frame(cols, REPORT_ROW_COLUMNS)


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
    frame = typed_frame(cols, REPORT_COLUMNS)
    order = frame.sort_values(
        ["created_at", "eval_suite_report_uuid"], ascending=False, kind="stable"
    )
    return order.reset_index(drop=True)
