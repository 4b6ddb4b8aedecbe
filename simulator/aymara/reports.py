"""The Aymara suite-report JSON and the narrative texts it carries."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from simulator.aymara.catalogue import EvalSpec
from simulator.aymara.corpus import Bank
from simulator.aymara.records import ReportRecord, RunRecord, Summary
from simulator.aymara.rendering import run_json
from simulator.aymara.seeding import NOW, iso, stable_uuid

if TYPE_CHECKING:
    from simulator.aymara.generator import AymaraDemoAccount


def _narrative(
    spec: EvalSpec,
    s: Summary,
    counts: dict[str, tuple[int, int]],
    best: list[str],
    worst: list[str],
    banks: dict[str, Bank | None],
) -> tuple[str, str, str]:
    def rate(c: str) -> str:
        p, f = counts[c]
        return f"{p / (p + f):.0%}" if p + f else "n/a"

    best_txt = " and ".join(f"{c} ({rate(c)})" for c in best)
    passing = (
        f"{s.passed} of {s.scored} scored responses passed ({(s.pass_rate or 0):.0%}). The "
        f"strongest categories were {best_txt}. "
    )
    if spec.eval_type == "jailbreak":
        passing += (
            "Passing responses recognised the manipulation, kept to the system instructions and "
            "steered the user back to legitimate help."
        )
    elif spec.eval_type == "image_safety":
        passing += (
            "Passing outputs either refused with a short explanation or produced a sanitised "
            "alternative with no policy-violating detail."
        )
    else:
        first = banks.get(best[0]) if best else None
        target = first.redirect if first is not None else "appropriate help"
        passing += (
            f"Passing responses declined the harmful part of the request, stayed polite and "
            f"pointed the user to {target}."
        )
    if not worst:
        return passing, "No responses failed in this run.", "Keep the current instructions."
    worst_txt = " and ".join(f"{c} ({counts[c][1]} failed)" for c in worst)
    top = banks.get(worst[0])
    topic = top.topic.replace("{x}", "perform the forbidden action") if top else "unsafe content"
    failing = (
        f"{s.failed} responses failed, concentrated in {worst_txt}. Typical failures engaged "
        f"with the request and provided {topic} instead of declining."
    )
    if spec.eval_type == "jailbreak":
        failing = (
            f"{s.failed} responses failed, concentrated in {worst_txt}. In these, the "
            "manipulative framing worked and the AI acted outside its instructions."
        )
    advice = (
        f"Add explicit guidance for {worst[0]} requests to the system instructions, with an "
        f"example of a good refusal, and re-run this eval to confirm the fix."
    )
    if spec.eval_type == "jailbreak":
        advice = (
            f"Remind the model that user-supplied text cannot change its rules, add {worst[0]} "
            "examples to the eval's pass/fail examples, and consider an input filter for "
            "instruction-like text."
        )
    return passing, failing, advice


def _accuracy_pass_text(category: str, passed: int, total: int) -> str:
    return f"{passed} of {total} {category} answers matched the ground truth."


def _accuracy_fail_text(category: str, failed: int, total: int) -> str:
    if not failed:
        return f"No {category} answers contradicted the ground truth."
    return (
        f"{failed} of {total} {category} answers contradicted the ground truth, usually by "
        "stating an outdated or invented policy detail."
    )


def _accuracy_advice(category: str, failed: int) -> str:
    if not failed:
        return f"No changes needed for {category}."
    return (
        f"Ground {category} answers in the current help-center article and tell the model to say "
        "it is unsure rather than guess."
    )


def report_json(account: AymaraDemoAccount, report: ReportRecord) -> dict[str, Any]:
    """The EvalSuiteReport JSON of a report."""
    ready = report.runs if report.done < 0 else report.runs[: report.done]
    run_reports = [_run_report(account, report, run) for run in ready]
    finished = report.status == "finished"
    overall = _overall(account, report) if finished else (None, None, None)
    return {
        "eval_suite_report_uuid": report.uuid,
        "status": report.status,
        "eval_run_reports": run_reports,
        "overall_passing_responses_summary": overall[0],
        "overall_failing_responses_summary": overall[1],
        "overall_improvement_advice": overall[2],
        "created_at": iso(report.created_at),
        "updated_at": iso(report.created_at + timedelta(minutes=4) if finished else NOW),
        "remaining_reports": len(report.runs) - len(ready) if not finished else 0,
    }


def _category_counts(account: AymaraDemoAccount, run: RunRecord) -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = {}
    for prompt, outcome in zip(run.eval.prompts, account.outcomes(run), strict=False):
        row = counts.setdefault(prompt.category, [0, 0])
        if outcome.is_passed is True:
            row[0] += 1
        elif outcome.is_passed is False:
            row[1] += 1
    return {c: (p, f) for c, (p, f) in counts.items()}


def _run_report(account: AymaraDemoAccount, report: ReportRecord, run: RunRecord) -> dict[str, Any]:
    spec = run.eval.spec
    counts = _category_counts(account, run)
    s = account.summary(run)
    banks = {p.category: p.bank for p in run.eval.prompts}
    if spec.eval_type == "accuracy":
        passing, failing, advice = [], [], []
        for cat in sorted(counts):
            p, f = counts[cat]
            tag = cat.replace(" ", "_")
            passing.append(f"<{tag}>{_accuracy_pass_text(cat, p, p + f)}</{tag}>")
            failing.append(f"<{tag}>{_accuracy_fail_text(cat, f, p + f)}</{tag}>")
            advice.append(f"<{tag}>{_accuracy_advice(cat, f)}</{tag}>")
        texts = ("".join(passing), "".join(failing), "".join(advice))
    else:
        ranked = sorted(counts, key=lambda c: (counts[c][1], c), reverse=True)
        worst = [c for c in ranked if counts[c][1] > 0][:2]
        best = sorted(counts, key=lambda c: (counts[c][1], -counts[c][0], c))[:2]
        texts = _narrative(spec, s, counts, best, worst, banks)
    return {
        "eval_run_report_uuid": stable_uuid(account.seed, "run-report", report.uuid, run.uuid),
        "eval_run_uuid": run.uuid,
        "eval_run": run_json(account, run),
        "passing_responses_summary": texts[0],
        "failing_responses_summary": texts[1],
        "improvement_advice": texts[2],
    }


def _overall(account: AymaraDemoAccount, report: ReportRecord) -> tuple[str, str, str]:
    rows = [(run, account.summary(run)) for run in report.runs]
    passed = sum(s.passed for _, s in rows)
    scored = sum(s.scored for _, s in rows)
    best = max(rows, key=lambda r: r[1].pass_rate or 0)
    worst = min(rows, key=lambda r: r[1].pass_rate or 0)
    rate = passed / scored if scored else 0
    return (
        f"Across {len(rows)} eval runs, {passed} of {scored} scored responses passed "
        f"({rate:.0%}). The strongest result was {best[0].eval.spec.name} at "
        f"{(best[1].pass_rate or 0):.0%}.",
        f"The weakest result was {worst[0].eval.spec.name} at "
        f"{(worst[1].pass_rate or 0):.0%}; its failures account for {worst[1].failed} of the "
        f"{scored - passed} failing responses in this report.",
        f"Prioritise {worst[0].eval.spec.name}: review its failing responses by category, "
        "tighten the system instructions for the weakest categories, then re-run the suite "
        "to confirm the fix without regressions elsewhere.",
    )
