"""Every headline number's one definition: what it counts, its name on screen, its help text.

Pages name a number with these constants and compute it with these functions, so "Finished
runs" or "Pass rate" means the same on every page.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from reporting.aymara.schema import bool_array, is_finished, status_is_finished

# --- Sandbox runs ----------------------------------------------------------------------------
SANDBOX_PARAM = "sandbox"
INCLUDE_SANDBOX = "Include sandbox runs"
INCLUDE_SANDBOX_HELP = (
    "Sandbox runs (a run or an eval marked is_sandbox, e.g. responses uploaded on Score "
    "responses in sandbox mode) are trials, not production. They are left out of every number, "
    'chart and table unless this is on; when included they are marked "sandbox".'
)
SANDBOX_MARK = " [sandbox]"  # appended to a sandbox run's name wherever it is shown

# --- Evals -----------------------------------------------------------------------------------
EVALS = "Evals"
EVALS_HELP = (
    "Evals in the workspace (sandbox evals left out unless included). An eval with no "
    "finished run yet has no pass rate, so it is counted here but not in the charts."
)

# --- Runs ------------------------------------------------------------------------------------
FINISHED_RUNS = "Finished runs"
FINISHED_RUNS_HELP = (
    "Runs whose status is finished: scoring is complete and their pass rate is final. Runs "
    "still processing, just created or failed are not counted."
)
LATEST_FINISHED_RUN = "Latest finished run"
LATEST_FINISHED_RUN_HELP = (
    "The eval's most recently created run whose status is finished (and that has a pass "
    "rate). Runs still processing are not its latest finished run."
)
LATEST_PASS_RATE = "Pass rate (latest finished run)"
LATEST_PASS_RATE_HELP = "The pass rate of the eval's latest finished run."
PREVIOUS_PASS_RATE = "Previous finished run"
PREVIOUS_PASS_RATE_HELP = "The pass rate of the finished run before the latest one."

# --- Responses and rates ---------------------------------------------------------------------
RESPONSES_SCORED = "Responses scored"
RESPONSES_SCORED_HELP = (
    "Responses the judge gave a verdict (passed or failed). Excluded responses and ones not "
    "scored yet are not counted."
)
PASS_RATE = "Pass rate"
PASS_RATE_HELP = (
    "Passed ÷ scored responses (passed + failed), over every run shown, including the "
    "verdicts so far of runs still processing; excluded and unscored responses are left out. "
    "Counts final verdicts, after any person's review. Under it, the 95% Wilson interval."
)
RUN_PASS_RATE_HELP = (
    "Passed ÷ scored responses (passed + failed) of this run; excluded and unscored responses "
    "are left out. Final only once the run is finished."
)
REFUSAL_RATE = "Refusal rate"
REFUSAL_RATE_HELP = "Responses where the AI refused ÷ all responses (scored or not)."


def sandbox_runs(runs: pd.DataFrame, evals: pd.DataFrame) -> pd.Series:
    """True for each run that is a sandbox run: its own flag, or its eval's."""
    flagged = pd.Series(bool_array(runs["is_sandbox"]), index=runs.index)
    sandbox_evals = set(evals.loc[bool_array(evals["is_sandbox"]), "eval_uuid"])
    return flagged | runs["eval_uuid"].isin(sandbox_evals)


def finished_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs counted as "Finished runs"."""
    return runs[is_finished(runs["status"]).to_numpy(dtype=bool)]


def counts_note(part: int, whole: int, what: str) -> str:
    """'1,421 of 1,791 scored responses', the counts behind a percentage."""
    return f"{part:,} of {whole:,} {what}"


def tile_help(definition: str, part: int, whole: int, what: str) -> str:
    """A tile's help text: its definition, then the counts behind its percentage."""
    return f"{definition}\n\n{counts_note(part, whole, what)}."


def run_pass_rate_label(
    status: Any, pass_rate: float | None, scored: int | None, prompts: int | None, pct: Any
) -> str:
    """A run's pass rate as text: final when finished, 'so far, N of M scored' while processing.

    A run that is not finished never shows its pass rate as a final figure.
    """
    rate = "—" if pass_rate is None or _nan(pass_rate) else pct(pass_rate)
    if status_is_finished(status):
        return rate
    if rate == "—":
        return "— (not scored yet)"
    of = f" of {int(prompts):,}" if prompts is not None and not _nan(prompts) else ""
    done = f"{int(scored):,}" if scored is not None and not _nan(scored) else "some"
    return f"{rate} so far, {done}{of} scored"


def _nan(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return isinstance(value, float) and math.isnan(value)


def sandbox_view(
    evals: pd.DataFrame,
    runs: pd.DataFrame,
    prompts: pd.DataFrame,
    responses: pd.DataFrame,
    include: bool,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(evals, runs, prompts, responses) as the pages show them.

    Without `include`, sandbox runs and sandbox evals (and their prompts and responses) are
    left out. With it, everything stays and each sandbox run's name carries SANDBOX_MARK, so
    it is marked wherever its name is shown.
    """
    sandbox = sandbox_runs(runs, evals)
    sandbox_evals = bool_array(evals["is_sandbox"])
    run_ids = set(runs.loc[sandbox.to_numpy(dtype=bool), "eval_run_uuid"])
    if not run_ids and not sandbox_evals.any():
        return evals, runs, prompts, responses
    in_sandbox = responses["eval_run_uuid"].isin(run_ids).to_numpy(dtype=bool)
    if include:
        runs = runs.assign(run_name=_marked(runs["run_name"], sandbox.to_numpy(dtype=bool)))
        if in_sandbox.any():
            responses = responses.assign(run_name=_marked(responses["run_name"], in_sandbox))
        return evals, runs, prompts, responses
    gone = set(evals.loc[sandbox_evals, "eval_uuid"])
    return (
        evals[~sandbox_evals].reset_index(drop=True),
        runs[~sandbox.to_numpy(dtype=bool)].reset_index(drop=True),
        prompts[~prompts["eval_uuid"].isin(gone).to_numpy(dtype=bool)].reset_index(drop=True),
        responses[~in_sandbox].reset_index(drop=True),
    )


def _marked(names: pd.Series, mask: Any) -> pd.Series:
    """Names with SANDBOX_MARK appended where `mask` is true (same dtype as given)."""
    text = names.astype(object).to_numpy(copy=True)
    text[mask] = [f"{n}{SANDBOX_MARK}" for n in text[mask]]
    if isinstance(names.dtype, pd.CategoricalDtype):  # the responses frame's compact names
        return pd.Series(pd.Categorical(text), index=names.index)
    return pd.Series(text, index=names.index).astype(names.dtype)


def runs_as_shown(runs: pd.DataFrame, responses: pd.DataFrame, pct: Any) -> pd.DataFrame:
    """Runs with `pass_rate` final only (blank unless finished) and `pass_rate_so_far` the
    partial figure ('97.9% so far, 47 of 100 scored') of every run not finished yet."""
    done = is_finished(runs["status"]).to_numpy(dtype=bool)
    out = runs.assign(pass_rate=runs["pass_rate"].where(done))
    labels = [""] * len(runs)
    pending = set(runs.loc[~done, "eval_run_uuid"])
    if pending:
        mine = responses[responses["eval_run_uuid"].isin(pending).to_numpy(dtype=bool)]
        verdict = mine["verdict"].astype(object)
        by_run = (
            pd.DataFrame(
                {
                    "run": mine["eval_run_uuid"].astype(object),
                    "passed": (verdict == "passed").to_numpy(),
                    "scored": verdict.isin(["passed", "failed"]).to_numpy(),
                }
            )
            .groupby("run")[["passed", "scored"]]
            .sum()
        )
        for i, (uuid, status, prompts) in enumerate(
            zip(runs["eval_run_uuid"], runs["status"], runs["num_prompts"], strict=True)
        ):
            if done[i]:
                continue
            passed, scored = by_run.loc[uuid] if uuid in by_run.index else (0, 0)
            rate = passed / scored if scored else None
            labels[i] = run_pass_rate_label(status, rate, int(scored), prompts, pct)
    return out.assign(pass_rate_so_far=labels)
