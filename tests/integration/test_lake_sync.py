"""`python -m jobs sync` into a local lake, against the simulator over real HTTP."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from client.aymara import ALL_WORKSPACES, AymaraClient
from client.aymara_models import ResponseToScore, ScoreRequest
from jobs import lake, lake_lock
from jobs.aymara_fetch import fetch_aymara
from jobs.cli import main
from jobs.lake import LakeLocation, lake_location, open_snapshot
from jobs.sync import run_syncs, sync_lake
from reporting.aymara import sql
from reporting.aymara.schema import RESPONSE_COLUMNS
from tests.conftest import SIMULATOR_KEY
from tests.unit.test_lake_queries import plain

LISTINGS = {"GET /v2/evals", "GET /v2/eval-runs", "GET /v2/eval-reports"}


def control(sim: Any, method: str, path: str) -> Any:
    """A simulator control endpoint's JSON."""
    answer = httpx.request(method, f"{sim.base_url}{path}", headers={"x-api-key": SIMULATOR_KEY})
    answer.raise_for_status()
    return answer.json()


def client_of(sim: Any) -> AymaraClient:
    return AymaraClient(SIMULATOR_KEY, sim.base_url, sleep=lambda seconds: None)


def lake_totals(con: Any) -> dict[str, dict[str, Any]]:
    """Per workspace: evals, runs by status, responses and verdicts, as the lake holds them."""
    totals: dict[str, dict[str, Any]] = {}
    for ws, responses, passed, failed, not_scored in con.execute(
        "SELECT workspace_uuid, count(*), count(*) FILTER (verdict = 'passed'), "
        "count(*) FILTER (verdict = 'failed'), count(*) FILTER (verdict = 'not scored') "
        "FROM responses GROUP BY workspace_uuid"
    ).fetchall():
        totals[ws] = {"responses": responses, "passed": passed, "failed": failed,
                      "not_scored": not_scored}  # fmt: skip
    for ws, status, n in con.execute(
        "SELECT workspace_uuid, status, count(*) FROM runs GROUP BY ALL"
    ).fetchall():
        row = totals.setdefault(ws, {})
        row.setdefault("runs_by_status", {})[status] = n
    for ws, n in con.execute("SELECT workspace_uuid, count(*) FROM evals GROUP BY ALL").fetchall():
        totals.setdefault(ws, {})["evals"] = n
    return totals


def truth_totals(sim: Any) -> dict[str, dict[str, Any]]:
    truth = control(sim, "GET", "/_sim/ground-truth")["aymara"]["workspaces"]
    keys = ("responses", "passed", "failed", "not_scored", "runs_by_status", "evals")
    return {ws: {k: row[k] for k in keys} for ws, row in truth.items()}


def review_first_finished(client: AymaraClient) -> tuple[Any, Any]:
    """Flip the verdict of a finished run's first response on the API: (run, response before)."""
    run = next(r for r in client.list_eval_runs(ALL_WORKSPACES).items if r.status == "finished")
    item = client.list_run_responses(run.eval_run_uuid, run.workspace_uuid).items[0]
    client.update_response(run.eval_run_uuid, item.response_uuid, is_passed=not item.is_passed,
                           workspace_uuid=run.workspace_uuid)  # fmt: skip
    return run, item


def score_new_run(client: AymaraClient, name: str | None = None) -> tuple[Any, list[Any]]:
    """Score a new run of a finished eval, every prompt answered: (the run, its prompts)."""
    target = next(e for e in client.list_evals(ALL_WORKSPACES).items if e.status == "finished")
    prompts = client.list_eval_prompts(target.eval_uuid, target.workspace_uuid).items
    answers = [ResponseToScore(prompt_uuid=p.prompt_uuid, content="ok") for p in prompts]
    run = client.score_responses(
        ScoreRequest(eval_uuid=target.eval_uuid, name=name, responses=answers),
        workspace_uuid=target.workspace_uuid,
    )
    return run, prompts


def versions(where: LakeLocation) -> dict[str, int | None]:
    return {name: lake.latest_version(where, name) for name in (*lake.TABLES, lake.SYNCS)}


@pytest.mark.parametrize("fault_rate", [0.0, 0.2])
def test_the_lake_holds_the_ground_truth_of_every_workspace(
    start_simulator: Any, tmp_path: Path, fault_rate: float
) -> None:
    sim = start_simulator(seed=5, scale=1, fault_rate=fault_rate, retry_after_s=0)
    where = lake_location(str(tmp_path))
    result = sync_lake(client_of(sim), where)
    assert result.sync_id == 1 and not result.problems
    if fault_rate:
        assert control(sim, "GET", "/_sim/stats")["faults"], "faults were injected and retried"
    con = open_snapshot(where).connect()
    assert lake_totals(con) == truth_totals(sim)


def test_the_lake_holds_exactly_the_rows_the_loader_builds(simulator: Any, tmp_path: Path) -> None:
    where = lake_location(str(tmp_path))
    sync_lake(client_of(simulator), where)
    loaded = fetch_aymara(client_of(simulator), ALL_WORKSPACES)
    got = sql.responses(open_snapshot(where).connect(), include_sandbox=True)
    key = ["eval_run_uuid", "response_uuid"]
    shown = loaded.view(include_sandbox=True).responses  # sandbox runs marked, as SQL marks them
    assert plain(got, key=key) == plain(shown[list(RESPONSE_COLUMNS)], key=key)


def test_a_sync_after_nothing_changed_lists_and_writes_nothing(
    start_simulator: Any, tmp_path: Path
) -> None:
    sim = start_simulator(seed=6, scale=1)
    where = lake_location(str(tmp_path))
    sync_lake(client_of(sim), where)
    before = versions(where)
    control(sim, "POST", "/_sim/reset-stats")
    again = sync_lake(client_of(sim), where)
    assert again.sync_id is None and again.written == {}
    assert versions(where) == before
    routes = control(sim, "GET", "/_sim/stats")["by_route"]
    assert set(routes) == LISTINGS and again.requests == sum(routes.values())


def test_a_reviewed_run_is_the_only_run_replaced(start_simulator: Any, tmp_path: Path) -> None:
    sim = start_simulator(seed=7, scale=1)
    client = client_of(sim)
    where = lake_location(str(tmp_path))
    sync_lake(client, where)
    earlier = open_snapshot(where).connect()
    before = sql.responses(earlier, include_sandbox=True, columns=[*RESPONSE_COLUMNS, "row_index"])
    run = next(r for r in client.list_eval_runs(ALL_WORKSPACES).items if r.status == "finished")
    item = client.list_run_responses(run.eval_run_uuid, run.workspace_uuid).items[3]
    client.update_response(
        run.eval_run_uuid, item.response_uuid, is_passed=not item.is_passed,
        explanation="Reviewed by the lake test", workspace_uuid=run.workspace_uuid,
    )  # fmt: skip

    result = sync_lake(client, where)

    assert result.runs_replaced == (run.eval_run_uuid,)
    assert result.runs_added == () and result.runs_deleted == ()
    assert {"responses", "runs"} <= set(result.written) <= {"responses", "runs", "reports"}
    con = open_snapshot(where).connect()
    after = sql.responses(con, include_sandbox=True, columns=[*RESPONSE_COLUMNS, "row_index"])
    mine = after["eval_run_uuid"] == run.eval_run_uuid
    others = before["eval_run_uuid"] != run.eval_run_uuid
    assert plain(after[~mine]) == plain(before[others])  # every other run's rows untouched
    changed = after[mine & (after["response_uuid"] == item.response_uuid)].iloc[0]
    assert changed["is_passed"] == (not item.is_passed) and changed["manually_updated"]
    assert changed["explanation"] == "Reviewed by the lake test"
    assert mine.sum() == (~others).sum()  # replaced, not added to
    # A reader still on the earlier snapshot keeps reading it (Delta time travel).
    old = sql.responses(earlier, sql.Filters(runs=(run.eval_run_uuid,)), include_sandbox=True)
    assert (
        old.loc[old["response_uuid"] == item.response_uuid, "is_passed"].iloc[0] == item.is_passed
    )


def test_a_second_writer_is_refused_and_writes_nothing(
    simulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("AYMARA_AI_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", simulator.base_url)
    where = lake_location(str(tmp_path))
    with lake_lock.WriterLock(where, owner="worker-a"):
        assert main(["sync", "--lake", str(tmp_path)]) == 2
        assert "worker-a" in capsys.readouterr().err
        assert open_snapshot(where) is None
    assert main(["sync", "--lake", str(tmp_path)]) == 0
    assert open_snapshot(where).sync_id == 1


def test_a_sync_that_dies_half_way_leaves_readers_on_the_previous_one(
    start_simulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = start_simulator(seed=8, scale=1)
    client = client_of(sim)
    where = lake_location(str(tmp_path))
    sync_lake(client, where)
    first = open_snapshot(where)
    run, item = review_first_finished(client)
    real_commit = lake.commit

    def dies_at_runs(where: Any, name: str, *args: Any, **kwargs: Any) -> int:
        if name == "runs":
            raise RuntimeError("killed after the responses commit")
        return real_commit(where, name, *args, **kwargs)

    monkeypatch.setattr(lake, "commit", dies_at_runs)
    with pytest.raises(RuntimeError):
        sync_lake(client, where)
    assert lake.latest_version(where, "responses") > first.versions["responses"]
    current = open_snapshot(where)
    assert current == first  # readers still see sync 1, in full
    shown = sql.responses(current.connect(), sql.Filters(runs=(run.eval_run_uuid,)), True)
    assert shown.loc[shown["response_uuid"] == item.response_uuid, "is_passed"].iloc[0] == (
        item.is_passed
    )

    monkeypatch.setattr(lake, "commit", real_commit)
    healed = sync_lake(client, where)
    assert healed.sync_id == 2 and healed.runs_replaced == (run.eval_run_uuid,)
    con = open_snapshot(where).connect()
    assert lake_totals(con) == truth_totals(sim)  # no run twice, the review in


def test_every_keeps_the_lock_renews_it_and_releases_it(
    simulator: Any, tmp_path: Path, capsys: Any
) -> None:
    slept: list[float] = []
    code = run_syncs(client_of(simulator), str(tmp_path), ALL_WORKSPACES, 600.0,
                     sleep=slept.append, rounds=2)  # fmt: skip
    assert code == 0 and slept == [600.0]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Sync 1:") and lines[1].startswith("Nothing changed")
    lake_lock.WriterLock(lake_location(str(tmp_path)), owner="next").acquire()  # released


def test_a_lake_of_another_account_is_refused(start_simulator: Any, tmp_path: Path) -> None:
    where = lake_location(str(tmp_path))
    sync_lake(client_of(start_simulator(seed=9, scale=1)), where)
    with pytest.raises(lake.LakeError, match="another account"):
        sync_lake(client_of(start_simulator(seed=9, scale=1)), where)


def test_runs_by_status_in_the_lake_follow_the_listing(simulator: Any, tmp_path: Path) -> None:
    where = lake_location(str(tmp_path))
    sync_lake(client_of(simulator), where)
    con = open_snapshot(where).connect()
    listed = Counter(r.status for r in client_of(simulator).list_eval_runs(ALL_WORKSPACES).items)
    assert dict(con.execute("SELECT status, count(*) FROM runs GROUP BY ALL").fetchall()) == listed


def test_a_run_added_one_reviewed_and_one_deleted_are_one_responses_commit(
    start_simulator: Any, tmp_path: Path
) -> None:

    sim = start_simulator(seed=10, scale=1)
    client = client_of(sim)
    where = lake_location(str(tmp_path))
    sync_lake(client, where)
    before = lake.latest_version(where, "responses")
    finished = [r for r in client.list_eval_runs(ALL_WORKSPACES).items if r.status == "finished"]
    reviewed, deleted = finished[0], finished[-1]
    item = client.list_run_responses(reviewed.eval_run_uuid, reviewed.workspace_uuid).items[0]
    client.update_response(
        reviewed.eval_run_uuid, item.response_uuid, is_passed=not item.is_passed,
        workspace_uuid=reviewed.workspace_uuid,
    )  # fmt: skip
    httpx.delete(
        f"{sim.base_url}/v2/eval-runs/{deleted.eval_run_uuid}",
        params={"workspace_uuid": deleted.workspace_uuid},
        headers={"x-api-key": SIMULATOR_KEY},
    ).raise_for_status()
    added, _ = score_new_run(client)

    result = sync_lake(client, where)

    assert result.runs_added == (added.eval_run_uuid,)
    assert result.runs_replaced == (reviewed.eval_run_uuid,)
    assert result.runs_deleted == (deleted.eval_run_uuid,)
    assert lake.latest_version(where, "responses") == before + 1
    con = open_snapshot(where).connect()
    assert lake_totals(con) == truth_totals(sim)
    gone = con.execute(
        "SELECT count(*) FROM responses WHERE eval_run_uuid = ?", [deleted.eval_run_uuid]
    )
    assert gone.fetchall()[0][0] == 0


def test_a_run_deleted_alone_is_one_delete_commit(start_simulator: Any, tmp_path: Path) -> None:
    sim = start_simulator(seed=11, scale=1)
    client = client_of(sim)
    where = lake_location(str(tmp_path))
    sync_lake(client, where)
    run = next(r for r in client.list_eval_runs(ALL_WORKSPACES).items if r.status == "finished")
    httpx.delete(
        f"{sim.base_url}/v2/eval-runs/{run.eval_run_uuid}",
        params={"workspace_uuid": run.workspace_uuid},
        headers={"x-api-key": SIMULATOR_KEY},
    ).raise_for_status()
    result = sync_lake(client, where)
    assert result.runs_deleted == (run.eval_run_uuid,) and result.runs_added == ()
    assert lake_totals(open_snapshot(where).connect()) == truth_totals(sim)


# Put first on the killed worker's path: it SIGKILLs its own process as the runs commit starts,
# after the responses commit is written: no finally block, no lock release, no cleanup runs.
KILL_AT_RUNS = """
import os, signal
from jobs import lake
_commit = lake.commit
def _killed(where, name, *args, **kwargs):
    if name == "runs":
        os.kill(os.getpid(), signal.SIGKILL)
    return _commit(where, name, *args, **kwargs)
lake.commit = _killed
"""


def test_a_sync_worker_killed_mid_way_leaves_the_lake_readable_and_its_lock_free(
    start_simulator: Any, tmp_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys

    from tests.appserver import ROOT

    sim = start_simulator(seed=8, scale=1)
    client = client_of(sim)
    where = lake_location(str(tmp_path / "lake"))
    sync_lake(client, where)
    first = open_snapshot(where)
    run, item = review_first_finished(client)

    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(KILL_AT_RUNS)
    env = {
        **os.environ,
        "AYMARA_AI_API_KEY": SIMULATOR_KEY,
        "AYMARA_AI_BASE_URL": sim.base_url,
        "PYTHONPATH": os.pathsep.join([str(hook), str(ROOT)]),
    }
    worker = subprocess.run(
        [sys.executable, "-m", "jobs", "sync", "--lake", str(tmp_path / "lake"),
         "--workspace", ALL_WORKSPACES],
        cwd=ROOT, env=env, capture_output=True, timeout=240,
    )  # fmt: skip
    assert worker.returncode == -signal.SIGKILL, worker.stderr.decode()[-2000:]
    assert lake.latest_version(where, "responses") > first.versions["responses"]  # half written

    current = open_snapshot(where)
    assert current == first  # readers still see the first sync, in full
    shown = sql.responses(current.connect(), sql.Filters(runs=(run.eval_run_uuid,)), True)
    assert shown.loc[shown["response_uuid"] == item.response_uuid, "is_passed"].iloc[0] == (
        item.is_passed
    )
    assert lake_totals(current.connect()) != truth_totals(sim)  # the review is not in yet

    healed = sync_lake(client, where)  # the dead worker's lock went with its process
    assert healed.sync_id == 2 and healed.runs_replaced == (run.eval_run_uuid,)
    assert lake_totals(open_snapshot(where).connect()) == truth_totals(sim)
