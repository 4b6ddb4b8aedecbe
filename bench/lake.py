"""The results lake at a million responses: DuckDB over Delta against today's pandas frames.

`generate` writes the lake straight from the simulator's generator (no HTTP): evals, runs and
prompts through the client's models and frame builders, each run's responses through
`ScoredResponse`, `response_records` and `responses_frame_from_records`, as a sync would, the
responses streamed into one commit. `duckdb` and `pandas` each run in a fresh process (so each
peak RSS is its own): `duckdb` opens the snapshot and asks the SQL queries
(reporting.aymara.sql); `pandas` reads the same table into the frame the loader holds today
(categoricals where it has them) and runs today's functions. `sync` times syncs against a
simulator over HTTP: cold, nothing changed, one response reviewed.

Run as `python -m bench.lake generate|duckdb|pandas|sync ...`; prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.frames_scale import _maxrss_mb, _vm_hwm_mb
from bench.stats import repeat as repeat_timed

CATEGORIES = ("self-harm", "medical advice", "privacy")
TEXT = "doctor"
PAGE_ROWS = 1_000  # components.tables.PAGE_ROWS: one page of the Responses table


def page_of(kept: Any) -> Any:
    """What the pandas path shows of a filter: its first page and its verdict counts."""
    from reporting.aymara.aggregates import verdict_counts

    return kept.head(PAGE_ROWS), verdict_counts(kept)


RESPONSES_PER_SCALE = 4_900  # 100 prompts an eval: ~49 fetchable runs of 100 per scale step
# The responses frame's categorical columns (reporting.aymara.responses builds them so).
CATEGORICAL = (
    "eval_run_uuid", "eval_uuid", "eval_name", "eval_type", "run_name", "workspace_uuid",
    "prompt_uuid", "prompt_content", "prompt_category", "content_type", "verdict", "thread_uuid",
)  # fmt: skip


def demo_frames(scale: float, prompts_per_eval: int | None) -> dict[str, Any]:
    """The demo account's evals, runs and prompts frames, built as the loader builds them."""
    from client.aymara_models import Eval, EvalPrompt, EvalRun
    from reporting.aymara.tables import evals_frame, prompts_frame, runs_frame
    from simulator.aymara.generator import AymaraDemoAccount
    from simulator.aymara.rendering import run_json
    from simulator.settings import SimSettings

    sim = AymaraDemoAccount(SimSettings(scale=scale, prompts_per_eval=prompts_per_eval))
    evals = evals_frame([Eval.model_validate(ev.json) for ev in sim.evals])
    live = sim.live_runs()
    runs = runs_frame([EvalRun.model_validate(run_json(sim, run)) for run in live], evals)
    prompts = prompts_frame(
        {ev.uuid: [EvalPrompt.model_validate(p.as_json()) for p in ev.prompts] for ev in sim.evals}
    )
    fetchable = [run for run in live if run.status not in ("failed", "created")]
    return {"sim": sim, "evals": evals, "runs": runs, "prompts": prompts, "live": live,
            "fetchable": fetchable}  # fmt: skip


def run_records(sim: Any, run: Any) -> Any:
    """One run's responses as the loader's per-run records (through ScoredResponse)."""
    from client.aymara_models import ScoredResponse
    from reporting.aymara.responses import response_records
    from simulator.aymara.rendering import scored_responses

    return response_records([ScoredResponse.model_validate(x) for x in scored_responses(sim, run)])


def generate(lake_url: str, scale: float, prompts_per_eval: int | None) -> dict[str, Any]:
    """Write the lake of a simulator at this scale; its sizes and the time taken."""
    import pyarrow as pa

    from client.aymara_models import EvalSuiteReport
    from jobs import lake
    from jobs.sync import eval_version, responses_table, versions_of_runs
    from reporting.aymara.reports import report_rows
    from reporting.aymara.responses import responses_frame_from_records
    from simulator.aymara.reports import report_json

    started = time.perf_counter()
    location = lake.lake_location(lake_url)
    demo = demo_frames(scale, prompts_per_eval)
    sim, evals_df, runs_df, prompts_df = demo["sim"], demo["evals"], demo["runs"], demo["prompts"]
    fetchable = demo["fetchable"]
    versions = versions_of_runs(runs_df)
    counted = {"responses": 0}

    def batches(size: int = 100) -> Iterator[pa.RecordBatch]:
        for start in range(0, len(fetchable), size):
            records = {run.uuid: run_records(sim, run) for run in fetchable[start : start + size]}
            rows = responses_table(
                responses_frame_from_records(records, runs_df, prompts_df), versions
            )
            counted["responses"] += rows.num_rows
            yield from rows.to_batches()

    schema = lake.SCHEMAS["responses"]
    lake.commit(location, "responses", pa.RecordBatchReader.from_batches(schema, batches()),
                mode="append")  # fmt: skip
    held = {run.uuid for run in fetchable}
    tables = {
        "prompts": prompts_df,
        "evals": evals_df.assign(prompts_version=[eval_version(t) for t in evals_df["updated_at"]]),
        "runs": runs_df.assign(
            responses_version=[versions[r] if r in held else None for r in runs_df["eval_run_uuid"]]
        ),
        "reports": report_rows(
            [EvalSuiteReport.model_validate(report_json(sim, r)) for r in sim.reports], runs_df
        ),
    }
    for name, frame in tables.items():
        table = lake.sorted_table(lake.arrow_of(frame, name), name)
        lake.commit(location, name, table, mode="overwrite")
    lake.record_sync(
        location, lake.last_sync(location), started=pd_now(), source="generated in-process",
        account="bench", workspace="**", runs_fetched=len(fetchable), requests=0,
    )  # fmt: skip
    return {
        "runs": len(demo["live"]),
        "fetchable_runs": len(fetchable),
        "responses": counted["responses"],
        "generate_s": time.perf_counter() - started,
    }


def pd_now() -> Any:
    """Now, in UTC."""
    from datetime import UTC, datetime

    return datetime.now(UTC)


def measure_duckdb(lake_url: str, repeat: int) -> dict[str, Any]:
    """The SQL queries over the lake's newest snapshot; the peak RSS after them."""
    from jobs.aymara_data import LIST_ROWS, QUEUE_ROWS
    from jobs.lake import lake_location, open_snapshot
    from jobs.lake_data import LIST_COLUMNS, QUEUE_KEYS
    from reporting.aymara import sql

    baseline = _maxrss_mb()
    started = time.perf_counter()
    snapshot = open_snapshot(lake_location(lake_url))
    assert snapshot is not None, "generate the lake first"
    con = snapshot.connect()
    open_s = time.perf_counter() - started
    chosen = sql.Filters(verdicts=("failed",), categories=CATEGORIES)
    searched = sql.Filters(verdicts=("failed",), categories=CATEGORIES, text=TEXT)

    def overview() -> Any:  # what pages/overview.py asks on the lake (AymaraData.response_summary)
        return sql.overview(con), sql.latest_run_changes(con)

    previous, latest = sql.board_pairs(con)[0]  # one eval's two latest finished runs
    keys = QUEUE_KEYS

    def calibration() -> Any:  # pages/calibration.py: its bands, both ways, and its list
        return (
            sql.confidence_bands(con),
            sql.confidence_bands(con, eval_type="All types"),
            sql.low_confidence_failures(con, 0.7, limit=LIST_ROWS, columns=LIST_COLUMNS),
        )

    out: dict[str, Any] = {"open_s": open_s, "baseline_rss_mb": baseline}
    # What the pages ask first, so the peak after them is a dashboard's: a page asks for one
    # page of rows and its counts, never every matching row (only a download does).
    for name, fn in (
        # What the paged Responses table asks for: its first page and the caption's counts.
        (
            "filter_page",
            lambda: (sql.responses(con, chosen, limit=PAGE_ROWS), sql.verdict_counts(con, chosen)),
        ),
        (
            "search_page",
            lambda: (
                sql.responses(con, searched, limit=PAGE_ROWS),
                sql.verdict_counts(con, searched),
            ),
        ),
        ("overview", overview),
        ("board", lambda: sql.regression_board(con)),
        ("bands", lambda: sql.confidence_bands(con)),
        # Runs (one run open), Compare (two runs), Calibration and the Review queue.
        ("run_page", lambda: sql.responses(con, sql.Filters(run_ids=(latest,)))),
        ("compare", lambda: sql.flips(con, previous, latest)),
        ("calibration", calibration),
        ("queue", lambda: sql.review_queue(con, "low_fail", limit=QUEUE_ROWS, columns=keys)),
        ("queue_all", lambda: sql.review_queue(con, "filter", limit=QUEUE_ROWS, columns=keys)),
        ("filter", lambda: sql.responses(con, chosen)),
        ("search", lambda: sql.responses(con, searched)),
        ("text_only", lambda: sql.responses(con, sql.Filters(text="refund"))),
    ):
        sample, result = repeat_timed(fn, repeat)
        out[f"{name}_s"] = list(sample.values)
        if hasattr(result, "__len__") and not isinstance(result, tuple):
            out[f"{name}_rows"] = len(result)
        if name == "queue_all":
            out["pages_rss_mb"] = _maxrss_mb()
    out["responses"] = sql.count_responses(con, include_sandbox=True)
    out["peak_rss_mb"] = _maxrss_mb()
    out["vm_hwm_mb"] = _vm_hwm_mb()
    return out


def measure_pandas(lake_url: str, repeat: int) -> dict[str, Any]:
    """Today's pandas path over the same data: the frame the loader holds, today's functions."""
    import pyarrow as pa

    from jobs.lake import lake_location, open_snapshot
    from reporting.aymara import sql
    from reporting.aymara.aggregates import (
        category_pass_rates,
        confidence_bands,
        failing_categories,
        latest_run_changes,
        verdict_counts,
    )
    from reporting.aymara.compare import flip_table
    from reporting.aymara.definitions import sandbox_view
    from reporting.aymara.regressions import regression_board
    from reporting.aymara.review_queue import low_confidence_failures, review_queue
    from reporting.aymara.search import filter_responses

    baseline = _maxrss_mb()
    started = time.perf_counter()
    snapshot = open_snapshot(lake_location(lake_url))
    assert snapshot is not None, "generate the lake first"
    con = snapshot.connect()
    evals, runs = sql.evals(con, True), sql.runs(con, True)
    table = snapshot.dataset("responses").to_table()
    table = table.select([c for c in table.column_names if c not in ("row_index", "run_version")])
    # Categoricals where the loader's frame has them (one dictionary-encoding pass each).
    for name in CATEGORICAL:
        i = table.column_names.index(name)
        table = table.set_column(i, name, pa.chunked_array(table[name].combine_chunks()
                                                           .dictionary_encode()))  # fmt: skip
    frame = table.to_pandas()
    del table
    prompts = sql.frame(con, "SELECT * FROM prompts")
    evals, runs, _, frame = sandbox_view(evals, runs, prompts, frame, include=False)
    load_s = time.perf_counter() - started
    out: dict[str, Any] = {"load_s": load_s, "baseline_rss_mb": baseline}

    previous, latest = sql.board_pairs(con)[0]  # one eval's two latest finished runs

    def listed(queue: Any) -> Any:  # as the page lists a queue: its first 10,000, its length
        return queue.head(10_000), len(queue)

    def of_run(uuid: str) -> Any:
        return frame[(frame["eval_run_uuid"] == uuid).to_numpy()]

    def overview() -> Any:
        return (
            verdict_counts(frame),
            category_pass_rates(frame),
            failing_categories(frame),
            latest_run_changes(runs),
        )

    for name, fn in (
        ("filter", lambda: filter_responses(frame, verdicts=["failed"], categories=CATEGORIES)),
        ("filter_page", lambda: page_of(
            filter_responses(frame, verdicts=["failed"], categories=CATEGORIES))),
        ("search_page", lambda: page_of(filter_responses(
            frame, verdicts=["failed"], categories=CATEGORIES, text=TEXT))),
        ("search", lambda: filter_responses(
            frame, verdicts=["failed"], categories=CATEGORIES, text=TEXT)),
        ("text_only", lambda: filter_responses(frame, text="refund")),
        ("overview", overview),
        ("board", lambda: regression_board(runs, frame)),
        ("bands", lambda: confidence_bands(frame)),
        ("run_page", lambda: frame[(frame["eval_run_uuid"] == latest).to_numpy()]),
        ("compare", lambda: flip_table(of_run(previous), of_run(latest))),
        ("calibration", lambda: (confidence_bands(frame), confidence_bands(
            frame.assign(eval_type="All types")), low_confidence_failures(frame, 0.7))),
        ("queue", lambda: listed(review_queue(frame, runs, "low_fail"))),
        ("queue_all", lambda: listed(review_queue(frame, runs, "filter"))),
    ):  # fmt: skip
        sample, result = repeat_timed(fn, repeat)
        out[f"{name}_s"] = list(sample.values)
        if hasattr(result, "__len__") and not isinstance(result, tuple):
            out[f"{name}_rows"] = len(result)
    out["responses"] = len(frame)
    out["frame_mb"] = frame.memory_usage(deep=True).sum() / 2**20
    out["peak_rss_mb"] = _maxrss_mb()
    out["vm_hwm_mb"] = _vm_hwm_mb()
    return out


def measure_sync(scale: float) -> dict[str, Any]:
    """Syncs against a simulator over real HTTP: cold, nothing changed, after one review."""
    import httpx

    from client.aymara import AymaraClient
    from jobs.lake import lake_location
    from jobs.sync import sync_lake
    from simulator.server import start_in_thread
    from simulator.settings import SimSettings

    key = "bench-lake-key"
    sim = start_in_thread(SimSettings(api_key=key, scale=scale))
    out: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-lake-sync-") as folder:
            location = lake_location(folder)
            client = AymaraClient(key, sim.base_url)

            def routes() -> dict[str, int]:
                stats = httpx.get(f"{sim.base_url}/_sim/stats", headers={"x-api-key": key})
                httpx.post(f"{sim.base_url}/_sim/reset-stats", headers={"x-api-key": key})
                return stats.json()["by_route"]

            for label in ("cold", "unchanged"):
                routes()
                started = time.perf_counter()
                result = sync_lake(client, location)
                out[f"{label}_s"] = time.perf_counter() - started
                out[f"{label}_requests"] = result.requests
                out[f"{label}_routes"] = routes()
                out[f"{label}_written"] = sorted(result.written)
                out[f"{label}_runs_fetched"] = len(result.runs_added) + len(result.runs_replaced)
            runs = client.list_eval_runs("**").items
            run = next(r for r in runs if r.status == "finished")
            item = client.list_run_responses(run.eval_run_uuid, run.workspace_uuid).items[0]
            client.update_response(
                run.eval_run_uuid, item.response_uuid, is_passed=not item.is_passed,
                explanation="bench: reviewed", workspace_uuid=run.workspace_uuid,
            )  # fmt: skip
            routes()
            started = time.perf_counter()
            result = sync_lake(client, location)
            out["reviewed_s"] = time.perf_counter() - started
            out["reviewed_requests"] = result.requests
            out["reviewed_replaced"] = len(result.runs_replaced)
            out["reviewed_written"] = sorted(result.written)
    finally:
        sim.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point: one subcommand, one JSON line on stdout."""
    parser = argparse.ArgumentParser(prog="python -m bench.lake")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--lake", required=True)
    gen.add_argument("--scale", type=float, default=204)
    gen.add_argument("--prompts-per-eval", type=int, default=100)
    for name in ("duckdb", "pandas"):
        part = sub.add_parser(name)
        part.add_argument("--lake", required=True)
        part.add_argument("--repeat", type=int, default=5)
    syn = sub.add_parser("sync")
    syn.add_argument("--scale", type=float, default=1)
    args = parser.parse_args(argv)
    if args.command == "generate":
        result = generate(args.lake, args.scale, args.prompts_per_eval)
    elif args.command == "duckdb":
        result = measure_duckdb(args.lake, args.repeat)
    elif args.command == "pandas":
        result = measure_pandas(args.lake, args.repeat)
    else:
        result = measure_sync(args.scale)
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    return 0


def scale_for(rows: int) -> float:
    """The simulator scale that gives about this many responses (100 prompts an eval)."""
    return max(0.05, rows / RESPONSES_PER_SCALE)


def _fresh(args: list[str]) -> dict[str, Any]:
    """`python -m bench.lake ...` in a fresh process (its own peak RSS); its JSON answer."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "bench.lake", *args]
    # Started by a small sh, not exec'd by it, so ru_maxrss is the child's own (see __main__).
    done = subprocess.run(["sh", "-c", '"$@"; exit $?', "sh", *command], cwd=root,
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"bench.lake {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# (figure, key in both answers, DuckDB target in seconds or None)
FIGURES: tuple[tuple[str, str, float | None], ...] = (
    ("Responses filter: verdict failed + 3 categories (every matching row)", "filter", None),
    (f"Same + text search '{TEXT}' (every matching row)", "search", None),
    ("Responses page as shown: the filter's first 1,000 rows + its verdict counts",
     "filter_page", 0.3),
    (f"Same + text search '{TEXT}', as shown", "search_page", 1.5),
    ("Text search alone over every row ('refund')", "text_only", None),
    ("Overview aggregates: verdict counts, category pass rates, failing categories, latest "
     "runs", "overview", 0.5),
    ("Regression board (each eval's two latest finished runs, McNemar)", "board", 1.0),
    ("Calibration bands (confidence x eval type)", "bands", None),
    ("Runs: one run's responses (its page)", "run_page", None),
    ("Compare: two runs prompt by prompt", "compare", None),
    ("Calibration page: bands both ways + its list of low-confidence failures", "calibration",
     None),
    ("Review queue: low-confidence failures (the first 10,000 listed)", "queue", None),
    ("Review queue: every scored response (the first 10,000 listed)", "queue_all", None),
)  # fmt: skip


def run(rows: int, repeat: int, say: Any) -> str:
    """Generate, measure both paths and the syncs; the Markdown to print."""
    import shutil

    from bench.report import seconds, timed, verdict
    from bench.stats import machine, sample

    facts = machine()
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="bench-lake-"))
    try:
        scale = scale_for(rows)
        say(f"  generating ~{rows:,} responses (scale {scale:g}) into {folder} ...")
        made = _fresh(["generate", "--lake", str(folder / "lake"), "--scale", f"{scale:g}"])
        say(f"  {made['responses']:,} responses in {made['generate_s']:.1f} s; DuckDB ...")
        duck = _fresh(["duckdb", "--lake", str(folder / "lake"), "--repeat", str(repeat)])
        say("  pandas ...")
        panda = _fresh(["pandas", "--lake", str(folder / "lake"), "--repeat", str(repeat)])
        size = sum(f.stat().st_size for f in (folder / "lake").rglob("*") if f.is_file())
        say("  syncs over HTTP ...")
        syncs = _fresh(["sync", "--scale", "1"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    lines = [
        f"## The results lake: DuckDB over Delta against today's pandas frames "
        f"({made['responses']:,} responses)",
        "",
        "| Measure | DuckDB over the lake | pandas frames (today) | Target (DuckDB) | Status |",
        "|---|---|---|---|---|",
    ]
    for label, key, target in FIGURES:
        d, p = sample(duck[f"{key}_s"]), sample(panda[f"{key}_s"])
        rows_d, rows_p = duck.get(f"{key}_rows"), panda.get(f"{key}_rows")
        found = f" → {rows_d:,} rows" if rows_d is not None else ""
        same = "" if rows_d == rows_p else f" (pandas: {rows_p} rows)"
        status = verdict(d.median < target) if target else ""
        goal = f"< {seconds(target)}" if target else ""
        lines.append(f"| {label} | {timed(d)}{found}{same} | {timed(p)} | {goal} | {status} |")
    lines += [
        f"| Ready to answer (open the snapshot / build the frame from the lake) | "
        f"{seconds(duck['open_s'])} | {seconds(panda['load_s'])} (frame "
        f"{panda['frame_mb']:,.0f} MB) | | |",
        f"| Peak resident memory after what every page asks (the rows above to here) | "
        f"{duck['pages_rss_mb']:,.0f} MB | {panda['peak_rss_mb']:,.0f} MB (the frame) | "
        f"< 1,024 MB | {verdict(duck['pages_rss_mb'] < 1024)} |",
        f"| Peak resident memory after every query, whole-result ones too (fresh process) | "
        f"{duck['peak_rss_mb']:,.0f} MB | {panda['peak_rss_mb']:,.0f} MB | | |",
        f"| Lake on disk (Delta, Parquet, snappy) | {size / 2**20:,.0f} MB for "
        f"{made['responses']:,} responses ({made['fetchable_runs']:,} runs) | | | |",
        "",
        "Syncs against the simulator over real HTTP (scale 1, no latency):",
        "",
        f"- cold: {seconds(syncs['cold_s'])}, {syncs['cold_requests']:,} requests, "
        f"{syncs['cold_runs_fetched']} runs fetched, wrote {', '.join(syncs['cold_written'])}",
        f"- nothing changed: {seconds(syncs['unchanged_s'])}, {syncs['unchanged_requests']} "
        f"requests ({', '.join(f'{k} x{v}' for k, v in syncs['unchanged_routes'].items())}), "
        f"wrote {', '.join(syncs['unchanged_written']) or 'nothing'}",
        f"- one response reviewed: {seconds(syncs['reviewed_s'])}, "
        f"{syncs['reviewed_requests']} requests, {syncs['reviewed_replaced']} run replaced, "
        f"wrote {', '.join(syncs['reviewed_written'])}",
        "",
        f"- Machine: {facts['cores']} cores ({facts['cpu']}), {facts['ram']} RAM; "
        f"{facts['python']}; load average at start {facts['load']}",
        f"- Both paths count the production view (sandbox runs left out): "
        f"{panda['responses']:,} of {made['responses']:,} responses; medians of {repeat}",
        "- pandas: the lake's responses read into the frame the loader holds today "
        "(categoricals where it has them), then today's functions; its peak includes that "
        "read. DuckDB: the snapshot opened, the SQL of reporting.aymara.sql",
        f"- Whole lake bench took {time.perf_counter() - started:.0f} s",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
