"""The bench's cold and warm loads on a small dataset: correctness only, never timings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.load import cold_load, lower_bound, stage_of, warm_load
from tests.conftest import SIMULATOR_KEY


@pytest.fixture(scope="module")
def small_simulator(start_simulator: Any) -> Any:
    """About 20 runs of 20 responses each, no latency."""
    return start_simulator(seed=7, scale=0.4, prompts_per_eval=20, retry_after_s=0)


def test_requests_are_put_in_the_loader_stages() -> None:
    assert stage_of("/v2/eval-runs", 0) == "a"
    assert stage_of("/v2/eval-runs", 100) == "b"
    assert stage_of("/v2/eval-runs/abc/responses", 0) == "c"
    assert stage_of("/v2/evals/abc/prompts", 100) == "d"


def test_the_lower_bound_sums_rounded_up_waves_per_stage() -> None:
    stages = {"a": 3, "b": 4, "c": 502, "d": 0}
    assert lower_bound(stages, 8, 0.05) == pytest.approx((1 + 1 + 63) * 0.05)


def test_a_warm_load_asks_for_less_and_shows_the_same_rows(
    small_simulator: Any, tmp_path: Path
) -> None:
    cold = cold_load(small_simulator.base_url, SIMULATOR_KEY, tmp_path / "store", 4)
    warm = warm_load(small_simulator.base_url, SIMULATOR_KEY, tmp_path / "store", 4)

    assert cold.problems == 0 and warm.problems == 0
    assert cold.from_store == 0
    assert warm.from_store == cold.finished_runs > 0
    assert warm.requests < cold.requests
    assert sum(cold.stages.values()) == cold.requests
    assert sum(warm.stages.values()) == warm.requests
    assert (warm.responses, warm.runs) == (cold.responses, cold.runs)
    assert cold.responses > 0


def test_a_cold_load_refuses_a_folder_that_is_not_empty(
    small_simulator: Any, tmp_path: Path
) -> None:
    (tmp_path / "leftover").write_text("x")
    with pytest.raises(ValueError, match="empty"):
        cold_load(small_simulator.base_url, SIMULATOR_KEY, tmp_path, 4)


def test_prompts_per_eval_sizes_every_eval_and_leaves_the_default_alone() -> None:
    from simulator.aymara.catalogue import EVAL_SPECS
    from simulator.aymara.generator import AymaraDemoAccount
    from simulator.settings import SimSettings

    default = AymaraDemoAccount(SimSettings(scale=1))
    grown = AymaraDemoAccount(SimSettings(scale=1, prompts_per_eval=130))
    shrunk = AymaraDemoAccount(SimSettings(scale=1, prompts_per_eval=10))

    for spec, ev in zip(EVAL_SPECS, default.evals, strict=True):
        assert len(ev.prompts) == (0 if spec.status == "processing" else spec.num_prompts)
    for spec, big, small in zip(EVAL_SPECS, grown.evals, shrunk.evals, strict=True):
        if spec.status == "processing":
            continue
        assert len(big.prompts) == 130
        assert len({p.prompt_uuid for p in big.prompts}) == 130
        # The regression board's scenarios need their own 100 prompts.
        assert len(small.prompts) == (spec.num_prompts if spec.scenario else 10)
    threads = [p.thread_uuid for ev in grown.evals for p in ev.prompts if p.thread_uuid]
    originals = {p.thread_uuid for ev in default.evals for p in ev.prompts if p.thread_uuid}
    assert originals < set(threads)  # repeated threads get threads of their own


def test_the_feather_bench_chooses_options_the_filter_panel_offers_and_takes_medians() -> None:
    from bench.feather import FILTER_STEPS, Timings
    from client.feather_models import CHANNELS, OUTCOMES, SEVERITIES

    offered = {"Outcome": OUTCOMES, "Severity": SEVERITIES, "Channel": CHANNELS}
    for label, option in FILTER_STEPS:
        assert option in offered[label]
    times = Timings(first_open=[3.0], sidebar=[1.0, 5.0, 2.0])
    medians = times.medians()
    assert medians["first_open"] == 3.0 and medians["sidebar"] == 2.0
    assert medians["filter_new"] != medians["filter_new"]  # NaN: not measured


def test_the_feather_bench_exports_an_older_commit_to_run_beside_this_one(tmp_path: Path) -> None:
    from bench.feather import export_commit

    tree = export_commit("HEAD", tmp_path / "base")
    assert (tree / "app.py").is_file() and (tree / "pages" / "feather.py").is_file()
