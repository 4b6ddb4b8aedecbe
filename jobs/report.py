"""`python -m jobs report` and the pages' "Download report": one HTML file from the pages' own
tables, statistics and figures (reporting/), for a run, an eval's history, two runs or the board.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from client.aymara import AymaraClient
from client.errors import APIError
from jobs.aymara_data import AymaraData
from jobs.check import check_eval
from jobs.connect import JobError, Scope, production_runs, resolve_eval, resolve_run
from jobs.report_html import Markup, Page, esc, percent, when
from reporting.aymara.aggregates import category_pass_rates, latest_run_changes, verdict_counts
from reporting.aymara.compare import NEWLY_FAILED, flip_table, mcnemar_from_flips
from reporting.aymara.figures import (
    category_bars,
    confidence_histogram,
    grouped_category_bars,
    pass_rate_by_eval,
)
from reporting.aymara.schema import FAILED, finished_sorted
from reporting.aymara.trend import pass_rate_over_time
from reporting.stats import REGRESSED, classify_change, p_label
from reporting.text import plural

MAX_CARDS = 200  # failures written out in full; the tables hold every row
MAX_IMAGES = 24  # image responses embedded per file
MAX_IMAGE_BYTES = 150_000
_IMAGE_MAGIC = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}
RUN_COLUMNS = {
    "run_name": "Run", "created_at": "Created", "status": "Status", "pass_rate": "Pass rate",
    "num_responses_scored": "Responses scored", "is_sandbox": "Sandbox",
}  # fmt: skip
RUN_FORMATS = {
    "created_at": when,
    "pass_rate": percent,
    "is_sandbox": lambda v: "—" if v is None or pd.isna(v) else ("yes" if v else "no"),
}


@dataclass(frozen=True)
class ReportRequest:
    """What the report is about: exactly one of these is set."""

    eval: str | None = None
    run: str | None = None
    compare: tuple[str, ...] = ()
    regressions: bool = False


def build_report(
    data: AymaraData, scope: Scope, request: ReportRequest, client: AymaraClient | None = None
) -> str:
    """The report as one HTML document."""
    runs = production_runs(data.runs, scope.include_sandbox)
    images = _Images(client)
    if request.run:
        page = _run_report(data, runs, resolve_run(runs, request.run), images)
    elif request.compare:
        a, b = (resolve_run(runs, r) for r in request.compare)
        page = _compare_report(data, a, b, images)
    elif request.eval:
        page = _eval_report(data, runs, resolve_eval(data.evals, request.eval), images)
    elif request.regressions:
        page = _regressions_report(data, runs, images)
    else:
        raise JobError("Say what to report: --eval, --run, --compare A B or --regressions.")
    page.facts[:0] = [
        ("Generated", esc(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")),
        ("Data loaded", esc(when(data.loaded_at))),
        ("Source", esc(scope.source)),
        ("Workspace", esc(scope.workspace_label)),
        ("Sandbox runs", esc("included" if scope.include_sandbox else "excluded")),
    ]
    if data.problems:
        page.parts.insert(0, _problems(data))
    return page.render()


def _problems(data: AymaraData) -> Markup:
    items = "".join(f"<li>{esc(p.what)}: {esc(p.message)}</li>" for p in data.problems)
    return Markup(
        f'<div class="warn"><p>Partial data: these parts did not load.</p><ul>{items}</ul></div>'
    )


def _responses_of(data: AymaraData, run_uuid: str) -> pd.DataFrame:
    return data.run_responses(run_uuid)


def _run_facts(run: pd.Series) -> list[tuple[str, str]]:
    return [("Eval", esc(run["eval_name"])), ("Run", esc(run["run_name"])),
            ("Run uuid", esc(run["eval_run_uuid"])), ("Created", esc(when(run["created_at"]))),
            ("Status", esc(run["status"]))]  # fmt: skip


def _run_report(data: AymaraData, runs: pd.DataFrame, run: pd.Series, images: _Images) -> Page:
    page = Page(f"Run report: {run['run_name']}", _run_facts(run))
    resp = _responses_of(data, run["eval_run_uuid"])
    counts = verdict_counts(resp)
    page.heading("Summary")
    page.raw(_tiles([
        ("Pass rate", percent(counts["pass_rate"]),
         f"95% CI {percent(counts['pass_rate_low'])}–{percent(counts['pass_rate_high'])}"),
        ("Passed / failed", f"{counts['passed']:,} / {counts['failed']:,}", ""),
        ("Not scored", f"{counts['not_scored']:,}", ""),
        ("Refusal rate", percent(counts["refusal_rate"]), ""),
    ]))  # fmt: skip
    if counts["scored"]:
        page.heading("Pass rate by category, with 95% intervals")
        page.figure(category_bars(category_pass_rates(resp)))
        page.heading("The judge's confidence")
        page.figure(confidence_histogram(resp))
    _failures(page, resp, images)
    return page


def _eval_report(data: AymaraData, runs: pd.DataFrame, eval_uuid: str, images: _Images) -> Page:
    of_eval = runs[runs["eval_uuid"] == eval_uuid].sort_values("created_at", ascending=False)
    info = data.evals[data.evals["eval_uuid"] == eval_uuid].iloc[0]
    page = Page(
        f"Eval history: {info['eval_name']}",
        [("Eval", esc(info["eval_name"])), ("Type", esc(info["eval_type"])),
         ("Runs", esc(f"{len(of_eval):,}"))],
    )  # fmt: skip
    verdict = check_eval(runs, data.run_responses(*of_eval["eval_run_uuid"]), eval_uuid,
                         str(info["eval_name"]))  # fmt: skip
    page.heading("Latest finished run against the one before")
    v = verdict
    page.raw(_verdict_line(v.verdict, v.pass_rate_baseline, v.pass_rate_newest, v.p_value,
                           v.newly_failed, v.newly_passed))  # fmt: skip
    page.heading("Pass rate over time")
    page.figure(pass_rate_over_time(of_eval))
    page.heading(f"Runs ({len(of_eval):,}), newest first")
    page.table(of_eval, RUN_COLUMNS, RUN_FORMATS)
    finished = finished_sorted(of_eval, with_rate=False)
    if not finished.empty:
        latest = finished.iloc[-1]
        resp = _responses_of(data, latest["eval_run_uuid"])
        page.heading(f"Latest finished run: {latest['run_name']}")
        if verdict_counts(resp)["scored"]:
            page.figure(category_bars(category_pass_rates(resp)), "Pass rate by category")
        _failures(page, resp, images)
    return page


def _compare_report(data: AymaraData, a: pd.Series, b: pd.Series, images: _Images) -> Page:
    if a["eval_uuid"] != b["eval_uuid"]:
        raise JobError("Compare needs two runs of the same eval.")
    page = Page(f"Compare runs: {a['eval_name']}",
                [("Eval", esc(a["eval_name"])), ("Run A (before)", esc(a["run_name"])),
                 ("Run B (after)", esc(b["run_name"]))])  # fmt: skip
    resp_a, resp_b = (
        _responses_of(data, a["eval_run_uuid"]),
        _responses_of(data, b["eval_run_uuid"]),
    )
    flips = flip_table(resp_a, resp_b)
    newly_failed, newly_passed, p_value = mcnemar_from_flips(flips)
    counts_a, counts_b = verdict_counts(resp_a), verdict_counts(resp_b)
    delta = (counts_b["pass_rate"] or 0) - (counts_a["pass_rate"] or 0)
    verdict = classify_change(p_value, delta)
    page.heading("Summary")
    page.raw(_verdict_line(verdict, counts_a["pass_rate"], counts_b["pass_rate"], p_value,
                           newly_failed, newly_passed))  # fmt: skip
    if counts_a["scored"] or counts_b["scored"]:
        page.heading("Pass rate by category, with 95% intervals")
        page.figure(grouped_category_bars(category_pass_rates(resp_a), category_pass_rates(resp_b),
                                          "Run A (before)", "Run B (after)"))  # fmt: skip
    page.heading("Prompt by prompt")
    page.table(flips, {"change": "Change", "prompt_category": "Category",
                       "prompt_content": "Prompt", "verdict_a": "A", "verdict_b": "B"})  # fmt: skip
    _flip_cards(page, flips)
    return page


def _regressions_report(data: AymaraData, runs: pd.DataFrame, images: _Images) -> Page:
    from reporting.aymara.regressions import regression_board

    board = regression_board(runs, data.run_responses(*runs["eval_run_uuid"]))
    page = Page("Regressions", [("Evals compared", esc(f"{len(board):,}"))])
    regressed = board[board["verdict"] == REGRESSED]
    page.note(
        f"{plural(len(regressed), 'eval')} regressed beyond noise." if len(regressed)
        else "No eval regressed beyond noise in its latest run.",
        "bad" if len(regressed) else "good",
    )  # fmt: skip
    page.note(
        "Each eval's latest finished run against its previous one: McNemar's test on the "
        "prompts both runs answered (two proportions when they share none), p < 0.05."
    )
    page.table(
        board.assign(change=board["change"] * 100),
        {"verdict": "Result", "eval_name": "Eval", "pass_rate_a": "Previous run",
         "pass_rate_b": "Latest run", "change": "Change (pp)", "p_value": "p-value",
         "newly_failed": "Newly failed", "newly_passed": "Newly passed",
         "n_shared": "Shared prompts"},
        {"pass_rate_a": percent, "pass_rate_b": percent, "p_value": p_label,
         "change": lambda v: esc(f"{v:+.1f}") if pd.notna(v) else "—"},
        row_class=lambda row: str(row["verdict"]).replace(" ", "-"),
    )  # fmt: skip
    page.heading("Each eval's latest run against the one before")
    page.figure(pass_rate_by_eval(latest_run_changes(runs)))
    for row in regressed.itertuples():
        flips = flip_table(_responses_of(data, row.run_a), _responses_of(data, row.run_b))
        page.heading(f"{row.eval_name}: prompts that flipped from passed to failed")
        _flip_cards(page, flips)
    return page


def _tiles(items: list[tuple[str, str, str]]) -> Markup:
    cells = "".join(
        f'<div class="card"><dt>{esc(k)}</dt><dd><strong>{esc(v)}</strong>'
        f'<br><span class="note">{esc(n)}</span></dd></div>'
        for k, v, n in items
    )
    return Markup(f'<dl class="tiles" style="display:flex;flex-wrap:wrap;gap:10px">{cells}</dl>')


def _verdict_line(
    verdict: str, rate_a: Any, rate_b: Any, p: Any, failed: Any, passed: Any
) -> Markup:
    kind = {"regressed": "bad", "improved": "good"}.get(verdict, "note")
    flips = (
        ""
        if failed is None or pd.isna(failed)
        else f"; {failed} newly failed, {passed} newly passed"
    )
    text = f"{verdict.capitalize()}: {percent(rate_a)} → {percent(rate_b)}, p {p_label(p)}{flips}."
    return Markup(f'<p class="{kind}">{esc(text)}</p>')


def _flip_cards(page: Page, flips: pd.DataFrame) -> None:
    failed = flips[flips["change"] == NEWLY_FAILED].sort_values("confidence_b", ascending=False)
    page.heading(f"Prompts that flipped from passed to failed ({len(failed)})", 3)
    page.texts(
        (f"{r.prompt_category or 'Uncategorised'}",
         [("Prompt", r.prompt_content), ("Before: response", r.response_a),
          ("After: response", r.response_b), ("After: judge's explanation", r.explanation_b)])
        for r in failed.head(MAX_CARDS).itertuples()
    )  # fmt: skip


def _failures(page: Page, responses: pd.DataFrame, images: _Images) -> None:
    failed = responses[responses["verdict"] == FAILED]
    failed = failed.sort_values("confidence", ascending=False, na_position="last")
    page.heading(f"Failed responses ({len(failed):,}), with the judge's explanations")
    if failed.empty:
        page.note("No response failed.")
        return
    page.texts(
        (f"{r.prompt_category or 'Uncategorised'} · confidence {percent(r.confidence)}",
         [("Prompt", r.prompt_content), ("Response", images.body(r)),
          ("Judge's explanation", r.explanation)])
        for r in failed.head(MAX_CARDS).itertuples()
    )  # fmt: skip
    if len(failed) > MAX_CARDS:
        page.note(f"The {MAX_CARDS} most confident of {len(failed):,} failures are written out.")


class _Images:
    """Image responses embedded as data: URIs when small and on the API's host, else named."""

    def __init__(self, client: AymaraClient | None) -> None:
        self.client = client
        self.embedded = 0

    def body(self, row: Any) -> Any:
        """The response's text, or its image (or a labelled reference to it)."""
        if getattr(row, "content_type", None) != "image" or pd.isna(row.file_uuid):
            return row.response_text
        data = self._fetch(str(row.file_uuid))
        if data is None:
            return Markup(
                f'<p class="note">Image response, not embedded (file {esc(row.file_uuid)}: '
                "larger than 150 kB, not on the API's host, or not loaded).</p>"
            )
        mime, encoded = data
        return Markup(f'<img alt="The AI\'s image response" src="data:{mime};base64,{encoded}">')

    def _fetch(self, file_uuid: str) -> tuple[str, str] | None:
        if self.client is None or self.embedded >= MAX_IMAGES:
            return None
        try:
            url = self.client.get_file(file_uuid).file_url
        except APIError:
            return None
        raw = self.client.download_same_host(str(url), MAX_IMAGE_BYTES) if url else None
        mime = next((m for magic, m in _IMAGE_MAGIC.items() if raw and raw.startswith(magic)), None)
        if raw is None or mime is None:  # never SVG: it can carry script
            return None
        self.embedded += 1
        return mime, base64.b64encode(raw).decode()
