"""The dashboard's own lake (no EVAL_DASHBOARD_LAKE_URL): synced on first visit, over HTTP.

Each test syncs the simulator into a folder of its own and checks the lake against the
simulator's ground truth, what a second sync asks, one writer, and what each failure says.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyarrow as pa
import pytest

from client.aymara import AymaraClient
from client.errors import AuthenticationError, ServerError
from client.paging import Listing
from jobs import lake
from jobs.lake import lake_location, open_snapshot
from jobs.lake_lock import WriterLock
from jobs.own_lake import LOCK_TTL_S, OwnLakeUnavailable, own_location, sync_own_lake
from tests.integration.test_lake_sync import (
    client_of,
    lake_totals,
    review_first_finished,
    score_new_run,
    truth_totals,
)


@pytest.fixture(scope="module")
def sim(start_simulator: Any) -> Any:
    return start_simulator(seed=11, scale=1, fault_rate=0.0, retry_after_s=0)


def test_the_own_lake_lives_under_the_cache_folder_one_per_account(
    sim: Any, tmp_path: Path
) -> None:
    client = client_of(sim)
    other = AymaraClient("another-key", sim.base_url)
    here = own_location(client, tmp_path)
    assert Path(here.url).parent == (tmp_path / "lake").resolve()
    assert own_location(other, tmp_path).url != here.url  # another key, another lake


def test_a_first_sync_holds_the_ground_truth_and_the_next_asks_only_the_listings(
    sim: Any, tmp_path: Path
) -> None:
    client = client_of(sim)
    location = own_location(client, tmp_path)
    first = sync_own_lake(client, location)
    assert first.sync_id == 1 and not first.partial and first.reports is not None
    snapshot = open_snapshot(location)
    assert snapshot is not None
    assert lake_totals(snapshot.connect()) == truth_totals(sim)

    again = sync_own_lake(client, location)
    assert again.sync_id == 1  # nothing moved: nothing written
    assert again.requests == 3  # the three listings (one page each at this scale)


def test_a_review_is_in_the_lake_after_the_next_sync(sim: Any, tmp_path: Path) -> None:
    client = client_of(sim)
    location = own_location(client, tmp_path)
    sync_own_lake(client, location)
    run, before = review_first_finished(client)
    try:
        after = sync_own_lake(client, location)
        assert after.sync_id == 2
        snapshot = open_snapshot(location)
        assert snapshot is not None
        [(verdict,)] = (
            snapshot.connect()
            .execute(
                "SELECT verdict FROM responses WHERE response_uuid = ?", [str(before.response_uuid)]
            )
            .fetchall()
        )
        assert verdict == ("failed" if before.is_passed else "passed")
    finally:
        client.update_response(
            run.eval_run_uuid,
            before.response_uuid,
            is_passed=before.is_passed,
            workspace_uuid=run.workspace_uuid,
        )


def test_while_another_writer_holds_the_lake_its_newest_sync_is_read_and_nothing_asked(
    sim: Any, tmp_path: Path
) -> None:
    client = client_of(sim)
    location = own_location(client, tmp_path)
    with WriterLock(location, owner="sync-worker-1"):
        waiting = sync_own_lake(client, location)
    assert waiting.sync_id is None and isinstance(waiting.error, OwnLakeUnavailable)
    assert "sync-worker-1" in waiting.error.message and "first sync" in waiting.error.message

    sync_own_lake(client, location)
    sent = client.transport.requests_sent
    with WriterLock(location, owner="sync-worker-1"):
        reading = sync_own_lake(client, location)
    assert reading.sync_id == 1 and reading.error is None and reading.written_elsewhere
    assert client.transport.requests_sent == sent  # the other writer keeps it current
    assert LOCK_TTL_S >= 600  # a first sync of a large account fits in one lease


def test_a_bad_key_says_the_apis_own_error_and_writes_nothing(sim: Any, tmp_path: Path) -> None:
    client = AymaraClient("not-the-key", sim.base_url, sleep=lambda seconds: None)
    location = own_location(client, tmp_path)
    synced = sync_own_lake(client, location)
    assert synced.sync_id is None and isinstance(synced.error, AuthenticationError)
    assert open_snapshot(location) is None


def test_a_folder_that_cannot_be_written_is_said_with_what_to_do(sim: Any, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    location = lake_location(str(blocked / "lake"))
    synced = sync_own_lake(client_of(sim), location)
    assert synced.sync_id is None and isinstance(synced.error, OwnLakeUnavailable)
    assert "EVAL_DASHBOARD_LOCAL_LAKE=off" in synced.error.hint


def test_a_half_read_runs_listing_keeps_the_runs_it_missed_and_says_so(
    sim: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_of(sim)
    location = own_location(client, tmp_path)
    sync_own_lake(client, location)
    whole = lake_totals(open_snapshot(location).connect())  # type: ignore[union-attr]
    listings = client.fetch_workspace_listings

    def cut(*spaces: str) -> tuple[Listing[Any], Listing[Any], Listing[Any]]:
        evals, runs, reports = listings(*spaces)
        error = ServerError("page 2 failed", status=503)
        return evals, replace(runs, items=runs.items[:3], error=error), reports

    monkeypatch.setattr(client, "fetch_workspace_listings", cut)
    synced = sync_own_lake(client, location)
    assert synced.missing.listings == ("runs",)
    assert any(p.what == "The list of runs" for p in synced.problems)
    # Nothing was deleted: a run missing from a half-read listing is not known to be gone.
    assert lake_totals(open_snapshot(location).connect()) == whole  # type: ignore[union-attr]


def test_syncs_that_keep_adding_runs_compact_the_partition_and_delete_replaced_files(
    sim: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lake, "FILES_PER_PARTITION", 2)
    monkeypatch.setattr(lake, "RETENTION_HOURS", 0)  # what a day later would delete, now
    client = client_of(sim)
    location = own_location(client, tmp_path)
    sync_own_lake(client, location)
    for n in range(3):  # each sync appends one small file to that eval's partition
        run, _ = score_new_run(client, f"Compaction {n}")
        sync_own_lake(client, location)
    table = lake.delta_table(location, "responses")
    actions = pa.table(table.get_add_actions(flatten=True)).to_pydict()
    of_eval = [e for e in actions["partition.eval_uuid"] if e == run.eval_uuid]
    assert 1 <= len(of_eval) <= 2  # compacted, not one file per run
    snapshot = open_snapshot(location)
    assert snapshot is not None
    assert lake_totals(snapshot.connect()) == truth_totals(sim)
    on_disk = {p.relative_to(location.url).as_posix()
               for p in Path(location.url, "responses").rglob("*.parquet")}  # fmt: skip
    referenced = {f"responses/{p}" for p in actions["path"]}
    assert on_disk == {unquote(p) for p in referenced}  # replaced files were deleted
