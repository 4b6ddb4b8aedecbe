"""The local store of finished runs: safe to lose, never stale, never shared across accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pyarrow as pa
import pytest

from client.aymara import ALL_WORKSPACES, AymaraClient
from jobs.aymara_fetch import fetch_aymara
from jobs.store import RunStore
from tests.conftest import SIMULATOR_KEY

WHEN = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def table(n: int = 3) -> pa.Table:
    return pa.table({"prompt_uuid": [f"p{i}" for i in range(n)], "confidence": [0.5] * n})


def test_a_stored_run_reads_back_the_same(tmp_path: Path) -> None:
    store = RunStore("https://api.test", "fp1", tmp_path)
    store.put("responses", "run-1", WHEN, table())
    assert store.get("responses", "run-1", WHEN).equals(table())
    assert store.hits == 1


def test_another_key_or_base_url_never_reads_these_files(tmp_path: Path) -> None:
    RunStore("https://api.test", "fp1", tmp_path).put("responses", "run-1", WHEN, table())
    assert RunStore("https://api.test", "fp2", tmp_path).get("responses", "run-1", WHEN) is None
    assert RunStore("https://other.test", "fp1", tmp_path).get("responses", "run-1", WHEN) is None


def test_the_folder_names_hold_no_key_url_or_id(tmp_path: Path) -> None:
    store = RunStore("https://api.test", "fp-secret-ish", tmp_path)
    store.put("responses", "../../escape-xyz", WHEN, table())
    names = " ".join(p.name for p in tmp_path.rglob("*"))
    assert "api.test" not in names and "fp-secret" not in names and "xyz" not in names
    assert all(p.resolve().is_relative_to(tmp_path.resolve()) for p in tmp_path.rglob("*"))


def test_a_new_updated_at_is_a_miss_and_replaces_the_old_version(tmp_path: Path) -> None:
    store = RunStore("https://api.test", "fp1", tmp_path)
    store.put("responses", "run-1", WHEN, table(3))
    later = WHEN + timedelta(minutes=5)
    assert store.get("responses", "run-1", later) is None
    store.put("responses", "run-1", later, table(4))
    assert store.get("responses", "run-1", later).num_rows == 4
    assert store.get("responses", "run-1", WHEN) is None
    assert store.stored_ids("responses") == 1


def test_a_corrupt_file_is_discarded_and_counts_as_a_miss(tmp_path: Path) -> None:
    store = RunStore("https://api.test", "fp1", tmp_path)
    store.put("responses", "run-1", WHEN, table())
    (stored,) = tmp_path.rglob("*.parquet")
    stored.write_bytes(stored.read_bytes()[:40])  # a crash mid-write, or a bad disk
    assert store.get("responses", "run-1", WHEN) is None
    assert store.discarded == 1
    assert not stored.exists()


def test_a_write_leaves_no_temporary_file_behind(tmp_path: Path) -> None:
    store = RunStore("https://api.test", "fp1", tmp_path)
    store.put_later([("responses", f"run-{i}", WHEN, table()) for i in range(5)])
    store.wait()
    assert store.stored_ids("responses") == 5
    assert not list(tmp_path.rglob("*.tmp"))


def test_an_unwritable_folder_never_breaks_a_load(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    RunStore("https://api.test", "fp1", blocker).put("responses", "run-1", WHEN, table())


# --- the loader with the simulator counting requests -------------------------------------


def _routes(sim: object) -> dict[str, int]:
    stats = httpx.get(f"{sim.base_url}/_sim/stats", headers={"x-api-key": SIMULATOR_KEY}).json()
    return stats["by_route"]


def _reset(sim: object) -> None:
    httpx.post(f"{sim.base_url}/_sim/reset-stats", headers={"x-api-key": SIMULATOR_KEY})


@pytest.fixture
def counted(start_simulator):  # type: ignore[no-untyped-def]
    return start_simulator(seed=11, scale=1)


def test_a_warm_load_makes_only_listing_requests(counted, tmp_path: Path) -> None:
    client = AymaraClient(SIMULATOR_KEY, counted.base_url)
    store = RunStore(counted.base_url, client.key_fingerprint, tmp_path)
    cold = fetch_aymara(client, ALL_WORKSPACES, store=store)
    store.wait()
    _reset(counted)
    warm = fetch_aymara(client, ALL_WORKSPACES, store=store)
    routes = _routes(counted)
    processing = int((cold.runs["status"] == "processing").sum())
    assert warm.from_store == int((cold.runs["status"] == "finished").sum())
    # The three listings, plus the runs still processing (they can still change).
    assert routes.get("GET /v2/eval-runs/{eval_run_uuid}/responses", 0) == processing
    assert "GET /v2/evals/{eval_uuid}/prompts" not in routes
    assert set(routes) <= {
        "GET /v2/evals",
        "GET /v2/eval-runs",
        "GET /v2/eval-reports",
        "GET /v2/eval-runs/{eval_run_uuid}/responses",
    }
    assert len(warm.responses) == len(cold.responses)
    assert warm.workspaces == cold.workspaces


def test_a_processing_run_is_never_served_from_the_store(counted, tmp_path: Path) -> None:
    client = AymaraClient(SIMULATOR_KEY, counted.base_url)
    store = RunStore(counted.base_url, client.key_fingerprint, tmp_path)
    cold = fetch_aymara(client, ALL_WORKSPACES, store=store)
    store.wait()
    processing = cold.runs.loc[cold.runs["status"] == "processing", "eval_run_uuid"].tolist()
    assert processing, "the demo data has runs still processing"
    for run_uuid in processing:
        updated = cold.runs.loc[cold.runs["eval_run_uuid"] == run_uuid, "updated_at"].iloc[0]
        assert store.get("responses", run_uuid, updated) is None


def test_refresh_forces_a_full_reload(counted, tmp_path: Path) -> None:
    client = AymaraClient(SIMULATOR_KEY, counted.base_url)
    store = RunStore(counted.base_url, client.key_fingerprint, tmp_path)
    cold = fetch_aymara(client, ALL_WORKSPACES, store=store)
    store.wait()
    forced = fetch_aymara(client, ALL_WORKSPACES, store=store, force=True)
    assert forced.from_store == 0
    assert forced.requests == cold.requests


def test_a_corrupt_stored_run_is_fetched_again(counted, tmp_path: Path) -> None:
    client = AymaraClient(SIMULATOR_KEY, counted.base_url)
    store = RunStore(counted.base_url, client.key_fingerprint, tmp_path)
    cold = fetch_aymara(client, ALL_WORKSPACES, store=store)
    store.wait()
    for path in list(tmp_path.rglob("*.parquet"))[:3]:
        path.write_bytes(b"PAR1 garbage")
    warm = fetch_aymara(client, ALL_WORKSPACES, store=store)
    assert len(warm.responses) == len(cold.responses)
    assert not warm.problems
