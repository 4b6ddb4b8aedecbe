"""`python -m jobs check`: each eval's newest finished run against a baseline, beyond noise or not.

The comparison is the Regressions page's (reporting.aymara.regressions.regression_board: McNemar
on the prompts both runs answered, two proportions when they share none), run on the pair chosen
here, then judged at the given alpha and minimum drop.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from jobs.aymara_data import AymaraData
from jobs.connect import JobError, Scope, production_runs, resolve_eval, resolve_run
from reporting.aymara.regressions import regression_board
from reporting.aymara.schema import finished_sorted
from reporting.stats import REGRESSED, classify_change, p_label
from reporting.text import code_span, escape_markdown, plural

LATEST_FINISHED = "latest-finished"
NO_BASELINE = "no baseline"
SMALL_DROP = "below min drop"
MARK = {REGRESSED: "🔴 regressed", "improved": "🟢 improved", "within noise": "⚪ within noise"}


@dataclass(frozen=True)
class EvalCheck:
    """One eval's verdict: the newest finished run against its baseline."""

    eval_uuid: str
    eval_name: str
    verdict: str
    newest_run: str | None = None
    newest_run_name: str | None = None
    baseline_run: str | None = None
    baseline_run_name: str | None = None
    pass_rate_baseline: float | None = None
    pass_rate_newest: float | None = None
    change_pp: float | None = None
    p_value: float | None = None
    test: str = "none"
    shared_prompts: int | None = None
    newly_failed: int | None = None
    newly_passed: int | None = None
    note: str = ""


@dataclass(frozen=True)
class CheckResult:
    """Every eval's verdict and the settings they were judged with."""

    scope: Scope
    alpha: float
    min_drop_pp: float
    baseline: str
    evals: list[EvalCheck] = field(default_factory=list)

    @property
    def regressed(self) -> list[EvalCheck]:
        """The evals that regressed beyond noise."""
        return [e for e in self.evals if e.verdict == REGRESSED]

    @property
    def exit_code(self) -> int:
        """1 when any eval regressed beyond noise, else 0."""
        return 1 if self.regressed else 0


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _count(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def check_eval(
    runs: pd.DataFrame,
    responses: pd.DataFrame,
    eval_uuid: str,
    eval_name: str,
    baseline: str = LATEST_FINISHED,
    alpha: float = 0.05,
    min_drop_pp: float = 0.0,
) -> EvalCheck:
    """One eval's newest finished run against the baseline (the run before it, or a given run)."""
    finished = finished_sorted(runs[runs["eval_uuid"] == eval_uuid], with_rate=False)
    if finished.empty:
        return EvalCheck(eval_uuid, eval_name, NO_BASELINE, note="no finished run")
    newest = finished.iloc[-1]
    if baseline == LATEST_FINISHED:
        if len(finished) < 2:
            return EvalCheck(
                eval_uuid, eval_name, NO_BASELINE, newest["eval_run_uuid"], newest["run_name"],
                note="only one finished run",
            )  # fmt: skip
        base = finished.iloc[-2]
    else:
        base = resolve_run(finished, baseline)
        if base["eval_run_uuid"] == newest["eval_run_uuid"]:
            raise JobError(f"The baseline {baseline!r} is the newest finished run itself.")
    pair = runs[runs["eval_run_uuid"].isin([base["eval_run_uuid"], newest["eval_run_uuid"]])]
    answered = responses[responses["eval_run_uuid"].isin(pair["eval_run_uuid"])]
    row = regression_board(pair, answered).iloc[0]
    paired = row["test"] == "mcnemar"
    direction = (row["newly_passed"] - row["newly_failed"]) if paired else row["change"]
    verdict = classify_change(row["p_value"], direction, alpha)
    change_pp = _number(row["change"] * 100)
    note = ""
    if verdict == REGRESSED and change_pp is not None and -change_pp < min_drop_pp:
        verdict, note = SMALL_DROP, f"beyond noise but smaller than {min_drop_pp:g} pp"
    return EvalCheck(
        eval_uuid=eval_uuid,
        eval_name=eval_name,
        verdict=verdict,
        newest_run=row["run_b"],
        newest_run_name=row["run_b_name"],
        baseline_run=row["run_a"],
        baseline_run_name=row["run_a_name"],
        pass_rate_baseline=_number(row["pass_rate_a"]),
        pass_rate_newest=_number(row["pass_rate_b"]),
        change_pp=change_pp,
        p_value=_number(row["p_value"]),
        test=str(row["test"]),
        shared_prompts=_count(row["n_shared"]),
        newly_failed=_count(row["newly_failed"]),
        newly_passed=_count(row["newly_passed"]),
        note=note,
    )


def validate(alpha: float, min_drop_pp: float) -> None:
    """A JobError for an alpha outside (0, 1) or a negative minimum drop."""
    if not 0 < alpha < 1:
        raise JobError(f"--alpha must be between 0 and 1, got {alpha:g}.")
    if min_drop_pp < 0 or math.isnan(min_drop_pp):
        raise JobError(f"--min-drop must be 0 or more percentage points, got {min_drop_pp:g}.")


def run_check(
    data: AymaraData,
    scope: Scope,
    evals: list[str] | None = None,
    baseline: str = LATEST_FINISHED,
    alpha: float = 0.05,
    min_drop_pp: float = 0.0,
) -> CheckResult:
    """The check over the chosen evals (names or uuids); by default every eval with a run."""
    validate(alpha, min_drop_pp)
    runs = production_runs(data.runs, scope.include_sandbox)
    if evals:
        wanted = list(dict.fromkeys(resolve_eval(data.evals, e) for e in evals))
    elif baseline != LATEST_FINISHED:
        wanted = [str(resolve_run(runs, baseline)["eval_uuid"])]  # the baseline names its eval
    else:
        wanted = list(dict.fromkeys(finished_sorted(runs, with_rate=False)["eval_uuid"]))
    if baseline != LATEST_FINISHED and len(wanted) != 1:
        raise JobError("A baseline run compares one eval: pass one --eval with --baseline RUN.")
    names = dict(zip(data.evals["eval_uuid"], data.evals["eval_name"], strict=False))
    results = [
        check_eval(runs, data.responses, u, str(names.get(u) or u), baseline, alpha, min_drop_pp)
        for u in wanted
    ]
    order = {REGRESSED: 0, SMALL_DROP: 1, "within noise": 2, "improved": 3, NO_BASELINE: 4}
    results.sort(key=lambda e: (order.get(e.verdict, 5), e.change_pp or 0.0, e.eval_name))
    return CheckResult(scope, alpha, min_drop_pp, baseline, results)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def to_markdown(result: CheckResult) -> str:
    """A short summary fit for a pull-request comment."""
    n = len(result.regressed)
    title = f"{plural(n, 'eval')} regressed beyond noise" if n else "No eval regressed beyond noise"
    lines = [
        f"### {'🔴' if n else '✅'} Aymara eval check: {title}",
        "",
        "| Result | Eval | Baseline → newest | Change | p-value | Newly failed / passed "
        "| Shared prompts |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in result.evals:
        mark = MARK.get(e.verdict, e.verdict)
        rates = f"{_pct(e.pass_rate_baseline)} → {_pct(e.pass_rate_newest)}"
        change = "—" if e.change_pp is None else f"{e.change_pp:+.1f} pp"
        flips = "—" if e.newly_failed is None else f"{e.newly_failed} / {e.newly_passed}"
        shared = "—" if e.shared_prompts is None else str(e.shared_prompts)
        name = escape_markdown(e.eval_name) + (f" ({escape_markdown(e.note)})" if e.note else "")
        p = p_label(e.p_value) if e.test != "none" else "—"
        lines.append(f"| {mark} | {name} | {rates} | {change} | {p} | {flips} | {shared} |")
    scope = result.scope
    against = (
        "the finished run before it"
        if result.baseline == LATEST_FINISHED
        else f"run `{code_span(result.baseline)}`"
    )
    lines += [
        "",
        f"Newest finished run against {against}; McNemar's test on the prompts both runs "
        f"answered, alpha {result.alpha:g}, minimum drop {result.min_drop_pp:g} pp. "
        f"Source `{code_span(scope.source)}`, workspace `{code_span(scope.workspace_label)}`, "
        f"{scope.sandbox_label}.",
    ]
    return "\n".join(lines)


def to_json(result: CheckResult) -> str:
    """The same summary as JSON."""
    body = {
        "status": "regressed" if result.regressed else "ok",
        "exit_code": result.exit_code,
        "alpha": result.alpha,
        "min_drop_pp": result.min_drop_pp,
        "baseline": result.baseline,
        "source": result.scope.source,
        "workspace": result.scope.workspace,
        "include_sandbox": result.scope.include_sandbox,
        "evals": [asdict(e) for e in result.evals],
    }
    return json.dumps(body, indent=2, allow_nan=False, default=str)
