"""`python -m bench [--quick | --lake | --uploads]`: every benchmark, one table printed; no asserts.

`--viewers-uploads [--viewers-uploads-n 10]`: hostile uploads through the server beside N viewers.
`--clicks [--repeat 3]`: one viewer's budgets in Chromium (first visit, clicks, filters, search).

The simulator runs in its own process with 50 ms latency per request and 100 prompts per eval
(so ~100 responses per run); the full run uses scale 10 (500 runs, ~49,000 responses) over HTTP
and ~10,000 runs (~980,000 responses) for the frames part, generated in-process.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench import (
    browser,
    cache_cost,
    clicks,
    feather,
    lake,
    load,
    upload_load,
    uploads,
    viewers,
)
from bench.report import Row, facts, seconds, table, timed, verdict
from bench.stats import machine, sample

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Config:
    """How big and how often."""

    scale: float  # simulator scale: 1 = 50 runs
    prompts_per_eval: int
    latency_ms: float
    concurrency: int
    cold_repeat: int
    sequential_repeat: int
    warm_repeat: int
    pickle_repeat: int
    frames_scale: float
    frames_repeat: int
    frames_pickle_repeat: int
    browser_repeat: int


FULL = Config(
    scale=10,
    prompts_per_eval=100,
    latency_ms=50,
    concurrency=8,
    cold_repeat=5,
    sequential_repeat=3,
    warm_repeat=5,
    pickle_repeat=5,
    frames_scale=200,
    frames_repeat=5,
    frames_pickle_repeat=3,
    browser_repeat=3,
)
QUICK = replace(
    FULL,
    scale=1,
    cold_repeat=1,
    sequential_repeat=1,
    warm_repeat=3,
    pickle_repeat=3,
    frames_scale=5,
    frames_repeat=3,
    frames_pickle_repeat=2,
    browser_repeat=1,
)


def say(text: str) -> None:
    """Progress, on stderr (the table goes to stdout)."""
    print(text, file=sys.stderr, flush=True)


def _stages(stages: dict[str, int]) -> str:
    return " · ".join(f"{k} {v:,}" for k, v in stages.items())


def _python_json(args: list[str]) -> dict[str, Any]:
    """Run `python -m bench.frames_scale ...` in a fresh process; its JSON answer.

    Linux carries a parent's peak RSS into its child's ru_maxrss across fork and exec, so the
    child is started by a small `sh` (not exec'd by it): its ru_maxrss is then its own.
    """
    command = [sys.executable, "-m", "bench.frames_scale", *args]
    done = subprocess.run(
        ["sh", "-c", '"$@"; exit $?', "sh", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.frames_scale {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_loads(cfg: Config, base_url: str, key: str, work: Path, rows: list[Row]) -> Any:
    """Parts 1 and 2: cold (8 in flight, and one at a time) and warm loads. Returns the data."""
    latency = cfg.latency_ms / 1000
    colds, sequentials = [], []
    for rep in range(max(cfg.cold_repeat, cfg.sequential_repeat)):
        if rep < cfg.cold_repeat:
            result = load.cold_load(
                base_url, key, work / f"cold-{rep}", cfg.concurrency, keep_data=rep == 0
            )
            colds.append(result)
            say(
                f"  cold {rep + 1}/{cfg.cold_repeat}: {result.wall_s:.2f} s, "
                f"{result.requests} requests"
            )
        if rep < cfg.sequential_repeat:
            result = load.cold_load(base_url, key, work / f"one-at-a-time-{rep}", 1)
            sequentials.append(result)
            say(f"  one at a time {rep + 1}/{cfg.sequential_repeat}: {result.wall_s:.2f} s")
    first = colds[0]
    cold_s = sample([c.wall_s for c in colds])
    seq_s = sample([c.wall_s for c in sequentials])
    bound = first.bound(latency)
    per_stage = " + ".join(f"⌈{n}/{cfg.concurrency}⌉" for n in first.stages.values() if n)
    ratio = cold_s.median / bound
    speedup = seq_s.median / cold_s.median
    request_ms = sorted(t for c in colds for t in c.request_s)
    median_request = request_ms[len(request_ms) // 2] if request_ms else math.nan

    warms = []
    for rep in range(cfg.warm_repeat):
        result = load.warm_load(base_url, key, work / "cold-0", cfg.concurrency, keep_data=False)
        warms.append(result)
        say(
            f"  warm {rep + 1}/{cfg.warm_repeat}: {result.wall_s:.3f} s, {result.requests} requests"
        )
    warm = warms[0]
    warm_s = sample([w.wall_s for w in warms])
    warm_speedup = cold_s.median / warm_s.median

    part = "1 cold"
    rows += [
        Row(part, "Dataset over HTTP", f"{first.runs:,} runs ({first.finished_runs:,} finished), "
            f"{first.responses:,} responses; server latency {cfg.latency_ms:g} ms a request"),
        Row(part, "Requests (per stage a · b · c · d)",
            f"{first.requests:,} ({_stages(first.stages)})"),
        Row(part, f"Wall time, {cfg.concurrency} in flight, empty store", timed(cold_s)),
        Row(part, "Lower bound: Σ⌈stage / concurrency⌉ × latency",
            f"{seconds(bound)} = ({per_stage}) × {cfg.latency_ms:g} ms"),
        Row(part, "Ratio to the bound", f"{ratio:.2f}x", "≤ 1.5x", verdict(ratio <= 1.5)),
        Row(part, "Median request, sent to headers (8 in flight)",
            f"{median_request * 1000:.1f} ms (server latency {cfg.latency_ms:g} ms)"),
        Row(part, "One request at a time (concurrency 1), same data", timed(seq_s)),
        Row(part, f"Speed-up of {cfg.concurrency} in flight over one at a time",
            f"{speedup:.1f}x", "≥ 6x", verdict(speedup >= 6)),
        Row(part, "Background store writes after the load returned",
            f"{seconds(sample([c.store_write_s for c in colds]).median)} (not in the wall time)"),
        Row("2 warm", "Requests (per stage a · b · c · d)",
            f"{warm.requests:,} ({_stages(warm.stages)}); {warm.from_store:,} runs from the store"),
        Row("2 warm", "Wall time, store populated, nothing in memory", timed(warm_s),
            "< 1 s", verdict(warm_s.median < 1.0)),
        Row("2 warm", "Speed-up over cold", f"{warm_speedup:.1f}x", "≥ 10x",
            verdict(warm_speedup >= 10)),
        Row("2 warm", "Same rows as cold", "yes" if warm.responses == first.responses
            and warm.runs == first.runs else f"NO ({warm.responses:,} vs {first.responses:,})"),
    ]  # fmt: skip
    return first.data


def bench_frames(cfg: Config, work: Path, rows: list[Row]) -> dict[str, Any]:
    """Part 3 (and the large half of part 5) in fresh processes."""
    folder = work / "frames-data"
    say(f"  generating the scale-{cfg.frames_scale:g} dataset in a subprocess ...")
    made = _python_json(
        ["generate", "--out", str(folder), "--scale", str(cfg.frames_scale),
         "--prompts-per-eval", str(cfg.prompts_per_eval)]
    )  # fmt: skip
    say(f"  {made['responses']:,} responses in {made['generate_s']:.1f} s; measuring ...")
    got = _python_json(
        ["measure", "--data", str(folder), "--repeat", str(cfg.frames_repeat),
         "--pickle-repeat", str(cfg.frames_pickle_repeat)]
    )  # fmt: skip
    build = sample(got["build_s"])
    search = sample(got["filter_s"])
    text_only = sample(got["text_only_s"])
    aggregate = sample(got["aggregate_s"])
    peak = got["peak_rss_mb"]
    part = "3 frames"
    rows += [
        Row(part, "Dataset (in-process, see notes)",
            f"{made['runs']:,} runs, {got['responses']:,} responses in "
            f"{made['fetchable_runs']:,} per-run record tables"),
        Row(part, "Build the responses frame (responses_frame_from_records)", timed(build)),
        Row(part, "Responses-page filter: verdict failed + 3 categories + text 'doctor'",
            f"{timed(search)} → {got['filter_rows']:,} rows", "< 0.5 s",
            verdict(search.median < 0.5)),
        Row(part, "Text search alone over every row ('refund')",
            f"{timed(text_only)} → {got['text_only_rows']:,} rows"),
        Row(part, "Aggregates: verdict_counts + category_pass_rates", timed(aggregate)),
        Row(part, "Peak resident memory (ru_maxrss, fresh process, N=1)",
            f"{peak:,.0f} MB (VmHWM {got['vm_hwm_mb']:,.0f} MB; records "
            f"{got['records_mb']:,.0f} MB + frame {got['frame_mb']:,.0f} MB + interpreter and "
            f"libraries {got['baseline_rss_mb']:,.0f} MB, + transients)",
            "< 2 GB", verdict(peak < 2048)),
    ]  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)
    return got


def bench_cache(cfg: Config, data: Any, large: dict[str, Any], rows: list[Row]) -> None:
    """Part 5: a st.cache_data hit (pickle) against a DatasetCache hit (a dict lookup)."""
    value = cache_cost.frames_of(data)
    dumps, loads, size = cache_cost.pickle_cost(value, cfg.pickle_repeat)
    hit = cache_cost.in_process_hit_cost(data)
    n_small = len(data.responses)
    big_dumps = sample(large["pickle_dumps_s"])
    big_loads = sample(large["pickle_loads_s"])
    big_pair = sample([a + b for a, b in zip(large["pickle_dumps_s"], large["pickle_loads_s"],
                                              strict=True)])  # fmt: skip
    small_pair = sample([a + b for a, b in zip(dumps.values, loads.values, strict=True)])
    part = "5 cache"
    rows += [
        Row(part, f"st.cache_data, {n_small:,} responses ({size / 2**20:,.0f} MB pickled): "
            "dumps + loads", f"{timed(small_pair)} (dumps {seconds(dumps.median)}, "
            f"loads {seconds(loads.median)})"),
        Row(part, f"st.cache_data, {large['responses']:,} responses "
            f"({large['pickle_mb']:,.0f} MB pickled): dumps + loads",
            f"{timed(big_pair)} (dumps {seconds(big_dumps.median)}, "
            f"loads {seconds(big_loads.median)})"),
        Row(part, "DatasetCache hit (shared object, no copy)",
            f"{seconds(hit)} (mean of 20,000 hits)"),
        Row(part, "Choice", "DatasetCache: one shared immutable dataset per key. A "
            f"st.cache_data hit would cost {seconds(loads.median)} ({n_small:,} responses) to "
            f"{seconds(big_loads.median)} ({large['responses']:,}) of pickle.loads on every "
            "rerun of every session, and a private copy of the frames each time; a DatasetCache "
            f"hit costs {seconds(hit)}"),
    ]  # fmt: skip


def bench_million_http(cfg: Config, key: str, work: Path, rows: list[Row]) -> None:
    """Optional: one cold and one warm load of the frames part's dataset over HTTP (N=1)."""
    latency = cfg.latency_ms / 1000
    sim = load.start_simulator(key, cfg.frames_scale, cfg.prompts_per_eval, cfg.latency_ms)
    try:
        cold = load.cold_load(sim.base_url, key, work / "million", cfg.concurrency)
        say(f"  cold: {cold.wall_s:.1f} s, {cold.requests:,} requests")
        warm = load.warm_load(sim.base_url, key, work / "million", cfg.concurrency)
        say(f"  warm: {warm.wall_s:.1f} s, {warm.requests:,} requests")
    finally:
        sim.stop()
    part = "6 extra"
    bound = cold.bound(latency)
    rows += [
        Row(part, f"Cold load over HTTP, {cold.runs:,} runs / {cold.responses:,} responses",
            f"{seconds(cold.wall_s)} (N=1), {cold.requests:,} requests "
            f"({_stages(cold.stages)}); bound {seconds(bound)}, "
            f"ratio {cold.wall_s / bound:.2f}x; store writes {seconds(cold.store_write_s)} more"),
        Row(part, "Warm load of the same (store populated)",
            f"{seconds(warm.wall_s)} (N=1), {warm.requests:,} requests; "
            f"{warm.from_store:,} runs from the store"),
    ]  # fmt: skip


def bench_browser(cfg: Config, base_url: str, key: str, data: Any, rows: list[Row]) -> None:
    """Part 4: the Overview in Chromium, cold, warm from memory, warm from the disk store."""
    why_not = browser.available()
    part = "4 browser"
    if why_not:
        rows.append(Row(part, "Overview in Chromium", f"skipped: {why_not}"))
        return
    finished = int((data.runs["status"].astype(str) == "finished").sum())
    times = browser.overview_times(base_url, key, finished, cfg.browser_repeat, say)
    n_runs = len(data.runs)
    rows += [
        Row(part, f"Overview to charts drawn, cold ({n_runs:,} runs; fresh app, empty store)",
            timed(sample(times["cold"]))),
        Row(part, "Overview again, same app process (in-memory cache)",
            timed(sample(times["memory"]))),
        Row(part, "Overview, fresh app process, populated disk store",
            timed(sample(times["disk"]))),
        Row(part, "… of which: page load until Streamlit's shell is up (all opens)",
            timed(sample(times["shell"]))),
    ]  # fmt: skip


def _no_browser(what: str) -> bool:
    """True, having said why `what` is skipped, when Playwright or Chromium is missing."""
    why_not = browser.available()
    if why_not:
        print(f"{what} skipped: {why_not}")
    return bool(why_not)


def bench_feather(base: str | None, repeat: int) -> int:
    """`--feather`: the Feather page's interactions, medians printed (before/after with a base)."""
    if _no_browser("Feather in Chromium"):
        return 0
    facts_of_machine = machine()
    lines = feather.run(base, repeat, say)
    print(f"## Feather page in Chromium, demo scale ({repeat} fresh apps per checkout)\n")
    for label, figures in lines:
        print(f"- {label}: {figures}")
    print(f"\n{facts_of_machine['cores']} cores, {facts_of_machine['cpu']}, load at start "
          f"{facts_of_machine['load']}; medians, checkouts alternating per repetition")  # fmt: skip
    return 0


def bench_viewers(base: str | None, counts: str, scale: float, processes: int = 1) -> int:
    """`--viewers`: rounds of N concurrent new sessions, per checkout (before/after with a base)."""
    if _no_browser("Concurrent viewers"):
        return 0
    facts_of_machine = machine()
    work = Path(tempfile.mkdtemp(prefix="bench-viewers-"))
    try:
        roots = feather.checkouts(base, work)
        n = tuple(int(c) for c in counts.split(",") if c.strip())
        results = viewers.run(roots, n, scale, say, processes=processes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"## Concurrent viewers, warm server, simulator scale {scale:g} (50 ms latency)\n")
    for label, rounds in results.items():
        print(f"### {label}\n")
        for r in rounds:
            print(f"- {r.line()}")
        if label in viewers.refreshes:
            print(f"- {viewers.refreshes[label]}")
        print()
    print(f"{facts_of_machine['cores']} cores, {facts_of_machine['cpu']}, load at start "
          f"{facts_of_machine['load']}")  # fmt: skip
    return 0


def bench_uploads(base: str | None) -> int:
    """`--uploads`: each hostile upload through the parser in a fresh process (a base beside)."""
    facts_of_machine = machine()
    result = uploads.run(base, say=say)
    print(
        f"## Hostile uploads through the Score page's parser (fresh process each, "
        f"stopped after {uploads.TIMEOUT_S:.0f} s)\n"
    )
    print(result)
    print(f"\n{facts_of_machine['cores']} cores, {facts_of_machine['cpu']}, load at start "
          f"{facts_of_machine['load']}; N=1 per case; peak = VmHWM over the RSS before the "
          "parse, the file's own bytes excluded")  # fmt: skip
    return 0


def bench_clicks(repeat: int, scale: float, paths: tuple[str, ...] = ("lake",)) -> int:
    """`--clicks`: one viewer's budgets on the Aymara pages in Chromium."""
    if _no_browser("Clicks"):
        return 0
    facts_of_machine = machine()
    found = clicks.run(repeat, scale, say, paths)
    for path, measured in found.items():
        print(f"## One viewer in Chromium, simulator scale {scale:g} (50 ms latency), 1440 px: "
              f"{clicks.DATA_PATH_NAMES[path]}\n")  # fmt: skip
        print(clicks.table(measured) + "\n")
    if len(found) > 1:
        print("## The data paths side by side (medians, in turns, one run)\n")
        print(clicks.side_by_side(found))
    print(f"\n{facts_of_machine['cores']} cores, {facts_of_machine['cpu']}, load at start "
          f"{facts_of_machine['load']}; {repeat} fresh apps per path, each with an empty cache "
          "folder")  # fmt: skip
    return 0


def bench_viewers_uploads(n: int, scale: float) -> int:
    """`--viewers-uploads`: N viewers without, then with, hostile uploads through the server."""
    if _no_browser("Uploads beside viewers"):
        return 0
    facts_of_machine = machine()
    quiet, loaded = upload_load.run(n, scale, say)
    print(
        f"## Hostile uploads through the Score page beside {upload_load.viewers_named(n)}, warm "
        f"server, simulator scale {scale:g} (50 ms latency)\n"
    )
    print(upload_load.table(quiet, loaded))
    print(f"\n{facts_of_machine['cores']} cores, {facts_of_machine['cpu']}, load at start "
          f"{facts_of_machine['load']}; one upload per case; an upload not refused within "
          f"{upload_load.REFUSAL_BOUND_S:.0f} s is a failure")  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run every part, print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small version (50 runs), < 1 min")
    parser.add_argument("--repeat", type=int, help="override the repetitions of cold/browser")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    parser.add_argument("--markdown", type=Path, help="also write the output to this file")
    parser.add_argument(
        "--million-http",
        action="store_true",
        help="also load the frames part's ~1M responses over HTTP, cold and warm (+~3 min)",
    )
    parser.add_argument(
        "--feather",
        action="store_true",
        help="only the Feather page in Chromium at demo scale (first open, sidebar, filters)",
    )
    parser.add_argument(
        "--feather-base",
        metavar="REV",
        help="with --feather: also run this commit's app (or this folder's), side by side, as "
        "'before'",
    )
    parser.add_argument(
        "--lake",
        action="store_true",
        help="only the results lake: DuckDB over Delta and today's pandas frames, side by side",
    )
    parser.add_argument(
        "--lake-rows", type=int, default=1_000_000, help="with --lake: responses (1,000,000)"
    )
    parser.add_argument(
        "--viewers",
        action="store_true",
        help="only concurrent viewers in Chromium: N new sessions open Overview then Responses",
    )
    parser.add_argument(
        "--viewers-counts", default="1,10,20,50", help="with --viewers: the N of each round"
    )
    parser.add_argument(
        "--viewers-scale",
        type=float,
        default=10,
        help="with --viewers or --viewers-uploads: simulator scale (10)",
    )
    parser.add_argument(
        "--viewers-base",
        metavar="REV",
        help="with --viewers: also run this commit's app (or folder's) first, as 'before'",
    )
    parser.add_argument(
        "--viewers-processes",
        type=int,
        default=1,
        metavar="P",
        help="with --viewers: the websocket rounds again over P app processes (one per core)",
    )
    parser.add_argument(
        "--uploads",
        action="store_true",
        help="only hostile uploads through the Score page's parser: seconds, CPU, peak memory",
    )
    parser.add_argument(
        "--uploads-base",
        metavar="REV",
        help="with --uploads: also run this commit's parser (or this folder's), side by side",
    )
    parser.add_argument(
        "--viewers-uploads",
        action="store_true",
        help="only hostile uploads through the Score page while N viewers open Overview and "
        "Responses: refusal times, viewers' times and the server's peak RSS without and with",
    )
    parser.add_argument(
        "--viewers-uploads-n", type=int, default=10, help="with --viewers-uploads: viewers (10)"
    )
    parser.add_argument(
        "--clicks",
        action="store_true",
        help="only one viewer's budgets in Chromium at scale 10: first visit, new session, "
        "every sidebar click, filter changes and a text search on Responses",
    )
    parser.add_argument(
        "--clicks-paths",
        default="lake",
        help="with --clicks: the data paths, in turns: lake (the own lake, default), memory",
    )
    args = parser.parse_args(argv)
    if args.clicks:
        paths = tuple(p.strip() for p in args.clicks_paths.split(",") if p.strip())
        unknown = [p for p in paths if p not in clicks.DATA_PATHS]
        if unknown or not paths:
            parser.error(f"--clicks-paths: {', '.join(unknown) or 'none'}; use lake and/or memory")
        return bench_clicks(args.repeat or 3, args.viewers_scale, paths)
    if args.viewers_uploads:
        return bench_viewers_uploads(args.viewers_uploads_n, args.viewers_scale)
    if args.viewers:
        return bench_viewers(
            args.viewers_base, args.viewers_counts, args.viewers_scale, args.viewers_processes
        )
    if args.uploads:
        return bench_uploads(args.uploads_base)
    if args.lake:
        print(lake.run(args.lake_rows, args.repeat or 5, say))
        return 0
    if args.feather:
        return bench_feather(args.feather_base, args.repeat or 3)
    cfg = QUICK if args.quick else FULL
    if args.repeat:
        cfg = replace(
            cfg,
            cold_repeat=args.repeat,
            sequential_repeat=args.repeat,
            browser_repeat=args.repeat,
        )
    given = list(argv if argv is not None else sys.argv[1:])
    if args.markdown:  # where the output is copied changes nothing measured
        given = [a for a in given if a not in ("--markdown", str(args.markdown))]
        given = [a for a in given if not a.startswith("--markdown=")]
    command = " ".join(["python -m bench", *given])
    facts_of_machine = machine()
    started = time.perf_counter()
    rows: list[Row] = []
    key = load.bench_key()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    say(f"Simulator: scale {cfg.scale:g}, {cfg.prompts_per_eval} prompts per eval, "
        f"{cfg.latency_ms:g} ms latency")  # fmt: skip
    sim = load.start_simulator(key, cfg.scale, cfg.prompts_per_eval, cfg.latency_ms)
    try:
        say("Parts 1-2: cold and warm loads")
        data = bench_loads(cfg, sim.base_url, key, work, rows)
        say("Part 3: frames at scale")
        large = bench_frames(cfg, work, rows)
        say("Part 5: cache cost")
        bench_cache(cfg, data, large, rows)
        if args.million_http:
            say("Extra: the large dataset over HTTP")
            bench_million_http(cfg, key, work, rows)
        if args.no_browser:
            rows.append(Row("4 browser", "Overview in Chromium", "skipped (--no-browser)"))
        else:
            say("Part 4: browser")
            bench_browser(cfg, sim.base_url, key, data, rows)
    finally:
        sim.stop()
        shutil.rmtree(work, ignore_errors=True)
    rows.sort(key=lambda r: r.part[0])
    if args.quick:  # the targets are stated for the full size; a small run only shows the trend
        rows = [replace(r, status=f"{r.status} (full-size target)") if r.target else r
                for r in rows]  # fmt: skip
    notes = [
        f"Simulator in its own process: scale {cfg.scale:g}, {cfg.prompts_per_eval} prompts per "
        f"eval, {cfg.latency_ms:g} ms added to every request; loads use fetch_aymara with a "
        f"fresh client and RunStore each time, concurrency {cfg.concurrency}",
        "Stages: a = the 3 listings' first pages; b = their other pages; c = every eval's "
        "prompts and every unfinished-or-unstored run's responses, first pages; d = their "
        "other pages. Each stage waits for the one before it",
        f"Frames part: {cfg.frames_scale:g}x scale generated in-process from the simulator's "
        "generator (no HTTP), through the client's models and frames.response_records, "
        "then measured in a fresh process",
        f"Whole bench took {time.perf_counter() - started:.0f} s",
    ]
    output = "\n\n".join(
        [
            f"## Benchmark results ({'quick' if args.quick else 'full'})",
            table(rows),
            facts(facts_of_machine, command, notes),
        ]
    )
    print(output)
    if args.markdown:
        args.markdown.write_text(output + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
