"""Frames at a million responses, each step in a fresh process.

`generate` makes the data in-process from the simulator's own generator (no HTTP, no JSON): the
evals, runs and prompts go through the client's pydantic models and the frames builders, and
every run's responses through `ScoredResponse` and `response_records`, exactly as the
loader turns a fetched page into a per-run record table. The records are written to an Arrow
file (one batch per run) and the small frames to a pickle.

`measure` runs in a fresh process, so its peak resident memory is this part's alone: it reads
the records back as per-run Arrow tables (what the loader holds after a load), builds the
responses frame with `responses_frame_from_records` as the loader does, times a typical
Responses-page filter and the Overview's aggregates, takes `ru_maxrss`, and only then times
pickling the frames (what st.cache_data would do), which needs memory of its own.

Run as `python -m bench.frames_scale generate|measure ...`; prints one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import resource
import sys
import time
from pathlib import Path
from typing import Any

# A Responses-page filter a person would use: failed answers in three sensitive categories
# that mention a word common in the demo texts.
FILTER = {
    "verdicts": ["failed"],
    "categories": ["self-harm", "medical advice", "privacy"],
    "text": "doctor",
}
TEXT_ONLY = {"text": "refund"}  # the worst case: a search over every row, no other filter


def generate(out: Path, scale: float, prompts_per_eval: int) -> dict[str, Any]:
    """Write the dataset of a simulator at this scale: records.arrow and frames.pkl."""
    import pyarrow as pa

    from client.aymara_models import Eval, EvalPrompt, EvalRun, ScoredResponse
    from reporting.aymara.responses import RECORD_SCHEMA, response_records
    from reporting.aymara.tables import evals_frame, prompts_frame, runs_frame
    from simulator.aymara.generator import AymaraDemoAccount
    from simulator.aymara.rendering import run_json, scored_responses
    from simulator.settings import SimSettings

    started = time.perf_counter()
    sim = AymaraDemoAccount(SimSettings(scale=scale, prompts_per_eval=prompts_per_eval))
    evals = [Eval.model_validate(ev.json) for ev in sim.evals]
    live = sim.live_runs()
    runs = [EvalRun.model_validate(run_json(sim, run)) for run in live]
    evals_df = evals_frame(evals)
    runs_df = runs_frame(runs, evals_df)
    prompts_df = prompts_frame(
        {ev.uuid: [EvalPrompt.model_validate(p.as_json()) for p in ev.prompts] for ev in sim.evals}
    )
    out.mkdir(parents=True, exist_ok=True)
    responses = 0
    fetchable = [run for run in live if run.status not in ("failed", "created")]
    # One record batch per run, so `measure` reads each run's table into buffers of its own.
    with pa.ipc.new_file(str(out / "records.arrow"), RECORD_SCHEMA) as writer:
        for run in fetchable:
            items = [ScoredResponse.model_validate(raw) for raw in scored_responses(sim, run)]
            table = response_records(items)
            responses += table.num_rows
            writer.write_table(table, max_chunksize=max(1, table.num_rows))
    order = [run.uuid for run in fetchable]
    with (out / "frames.pkl").open("wb") as handle:
        pickle.dump({"evals": evals_df, "runs": runs_df, "prompts": prompts_df, "order": order},
                    handle)  # fmt: skip
    return {
        "runs": len(live),
        "fetchable_runs": len(fetchable),
        "responses": responses,
        "generate_s": time.perf_counter() - started,
    }


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _vm_hwm_mb() -> float:
    """The kernel's own peak-RSS counter of this process image (a cross-check of ru_maxrss)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def measure(data: Path, repeat: int, pickle_repeat: int) -> dict[str, Any]:
    """Build the frames from per-run record tables, filter, aggregate; then the pickle cost."""
    import pyarrow as pa

    from reporting.aymara.aggregates import category_pass_rates, verdict_counts
    from reporting.aymara.responses import (
        responses_frame_from_records,
    )
    from reporting.aymara.search import filter_responses

    baseline_mb = _maxrss_mb()
    with (data / "frames.pkl").open("rb") as handle:
        small = pickle.load(handle)
    runs_df, prompts_df, order = small["runs"], small["prompts"], small["order"]

    # Per-run tables, each read into buffers of its own, as the loader has them after a load.
    records: dict[str, pa.Table] = {}
    with pa.OSFile(str(data / "records.arrow")) as source:
        reader = pa.ipc.open_file(source)
        for index, key in enumerate(order):
            records[key] = pa.Table.from_batches([reader.get_batch(index)])
    records_mb = sum(t.nbytes for t in records.values()) / 2**20
    gc.collect()

    def timed(fn: Any, times: int) -> tuple[list[float], Any]:
        values, result = [], None
        for _ in range(max(1, times)):
            started = time.perf_counter()
            result = fn()
            values.append(time.perf_counter() - started)
        return values, result

    def build() -> Any:
        return responses_frame_from_records(records, runs_df, prompts_df)

    def search() -> Any:
        return filter_responses(responses, **FILTER)

    def aggregate() -> Any:
        return verdict_counts(responses), category_pass_rates(responses)

    # First pass, as one load and one page view: the peak memory is taken right after it,
    # while the records are still held (the loader drops them once the frame is built).
    build_s, responses = timed(build, 1)
    filter_s, shown = timed(search, 1)
    agg_s, _ = timed(aggregate, 1)
    peak_mb = _maxrss_mb()
    hwm_mb = _vm_hwm_mb()
    frame_mb = responses.memory_usage(deep=True).sum() / 2**20

    # Further repetitions for the timings only.
    for _ in range(max(0, repeat - 1)):
        responses = None
        gc.collect()
        more, responses = timed(build, 1)
        build_s += more
    records.clear()  # the loader keeps only the frame
    gc.collect()
    filter_s += timed(search, repeat - 1)[0] if repeat > 1 else []
    agg_s += timed(aggregate, repeat - 1)[0] if repeat > 1 else []
    text_s, text_hits = timed(lambda: filter_responses(responses, **TEXT_ONLY), repeat)

    # st.cache_data: pickle.dumps when the value is stored, pickle.loads on every hit.
    value = {"evals": small["evals"], "runs": runs_df, "prompts": prompts_df,
             "responses": responses}  # fmt: skip
    dumps_s, loads_s, size = [], [], 0
    for _ in range(max(1, pickle_repeat)):
        started = time.perf_counter()
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        dumps_s.append(time.perf_counter() - started)
        size = len(blob)
        started = time.perf_counter()
        copy = pickle.loads(blob)
        loads_s.append(time.perf_counter() - started)
        del blob, copy
        gc.collect()
    return {
        "responses": len(responses),
        "runs": len(runs_df),
        "baseline_rss_mb": baseline_mb,
        "records_mb": records_mb,
        "frame_mb": frame_mb,
        "peak_rss_mb": peak_mb,
        "vm_hwm_mb": hwm_mb,
        "build_s": build_s,
        "filter_s": filter_s,
        "filter_rows": len(shown),
        "text_only_s": text_s,
        "text_only_rows": len(text_hits),
        "aggregate_s": agg_s,
        "pickle_dumps_s": dumps_s,
        "pickle_loads_s": loads_s,
        "pickle_mb": size / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point: one subcommand, one JSON line on stdout."""
    parser = argparse.ArgumentParser(prog="python -m bench.frames_scale")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--scale", type=float, default=200)
    gen.add_argument("--prompts-per-eval", type=int, default=100)
    mea = sub.add_parser("measure")
    mea.add_argument("--data", type=Path, required=True)
    mea.add_argument("--repeat", type=int, default=5)
    mea.add_argument("--pickle-repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.command == "generate":
        result = generate(args.out, args.scale, args.prompts_per_eval)
    else:
        result = measure(args.data, args.repeat, args.pickle_repeat)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
