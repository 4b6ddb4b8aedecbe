"""The lake on S3: one sync worker and two readers against a real S3-compatible server (moto)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from client.aymara import ALL_WORKSPACES
from jobs import lake, lake_lock
from jobs.lake import lake_location, open_snapshot
from jobs.sync import run_syncs
from reporting.aymara import sql
from simulator.server import PROJECT_ROOT
from tests.integration.test_lake_sync import (
    client_of,
    control,
    lake_totals,
    score_new_run,
    truth_totals,
)

BUCKET = "eval-lake"
URL = f"s3://{BUCKET}/team/results"
# A second process reads the same lake: what a dashboard replica does.
READER = """
import json
from jobs.lake import lake_location, open_snapshot
from tests.integration.test_lake_sync import lake_totals
snapshot = open_snapshot(lake_location({url!r}))
print(json.dumps({{"sync_id": snapshot.sync_id, "totals": lake_totals(snapshot.connect())}}))
"""


@pytest.fixture(scope="module")
def s3() -> Iterator[Any]:
    """A moto S3 server on a loopback port, the AWS variables pointing at it, one bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            patch.setenv(name, value)
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield client
    server.stop()


def read_in_another_process() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", READER.format(url=URL)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_worker_and_two_readers_agree_and_a_new_run_reaches_both(
    s3: Any, start_simulator: Any, capsys: Any
) -> None:
    sim = start_simulator(seed=12, scale=1)
    client = client_of(sim)
    assert run_syncs(client, URL, ALL_WORKSPACES, None) == 0
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert any(k.startswith("team/results/responses/workspace_uuid=") for k in keys)
    assert not any(k.endswith(lake.LOCK_NAME) for k in keys)  # released after the sync

    here = open_snapshot(lake_location(URL))
    there = read_in_another_process()
    truth = truth_totals(sim)
    assert lake_totals(here.connect()) == truth
    assert there == {"sync_id": here.sync_id, "totals": truth}

    new, prompts = score_new_run(client, "Scored while the lake test ran")
    assert run_syncs(client, URL, ALL_WORKSPACES, None) == 0
    assert "1 runs added, 0 replaced" in capsys.readouterr().out

    here = open_snapshot(lake_location(URL))
    there = read_in_another_process()
    truth = truth_totals(sim)
    assert lake_totals(here.connect()) == truth
    assert there == {"sync_id": here.sync_id, "totals": truth}
    count = here.connect().execute(
        "SELECT count(*) FROM responses WHERE eval_run_uuid = ?", [new.eval_run_uuid]
    )
    assert count.fetchall()[0][0] == len(prompts)


def test_a_second_writer_on_s3_is_refused_by_a_conditional_put(s3: Any) -> None:
    where = lake_location(f"s3://{BUCKET}/locks-test")
    now = [5000.0]
    first = lake_lock.WriterLock(where, ttl_s=60, owner="worker-a", clock=lambda: now[0]).acquire()
    with pytest.raises(lake.LakeLocked, match="worker-a"):
        lake_lock.WriterLock(where, owner="worker-b", clock=lambda: now[0]).acquire()
    body = json.loads(
        s3.get_object(Bucket=BUCKET, Key=f"locks-test/{lake.LOCK_NAME}")["Body"].read()
    )
    assert body["owner"] == "worker-a" and body["expires_at"] == 5060.0
    now[0] += 61  # worker-a stopped renewing
    lake_lock.WriterLock(where, ttl_s=60, owner="worker-b", clock=lambda: now[0]).acquire()
    with pytest.raises(lake.LakeLocked):
        first.renew()  # its If-Match no longer matches: the lock is worker-b's


def test_two_dashboards_on_the_lake_agree_and_both_show_a_new_run_after_one_sync(
    s3: Any, start_simulator: Any
) -> None:
    from tests.appserver import start_app
    from tests.conftest import SIMULATOR_KEY
    from tests.stsession import page_tiles

    sim = start_simulator(seed=13, scale=1)
    client = client_of(sim)
    url = f"s3://{BUCKET}/two-dashboards"
    assert run_syncs(client, url, ALL_WORKSPACES, None) == 0
    env = {
        "AYMARA_AI_API_KEY": SIMULATOR_KEY,
        "AYMARA_AI_BASE_URL": sim.base_url,
        "EVAL_DASHBOARD_LAKE_URL": url,
        "EVAL_DASHBOARD_LAKE_CHECK_S": "0",  # look for a newer sync on every page run
        **{k: v for k, v in os.environ.items() if k.startswith("AWS_")},
    }
    apps = [start_app(env, name=f"lake-replica-{n}") for n in (1, 2)]
    try:

        def scored() -> list[str]:
            return [page_tiles(app.url)["Responses scored"] for app in apps]

        def truth() -> str:
            totals = control(sim, "GET", "/_sim/ground-truth")["aymara"]["totals"]["production"]
            return f"{totals['passed'] + totals['failed']:,}"

        before = scored()
        assert before == [truth()] * 2

        score_new_run(client, "Scored while two dashboards read the lake")
        assert scored() == before  # the API moved; the lake has not yet
        assert run_syncs(client, url, ALL_WORKSPACES, None) == 0
        counts = sql.verdict_counts(open_snapshot(lake_location(url)).connect())
        assert counts["scored"] > int(before[0].replace(",", ""))  # the new run is in the lake
        assert scored() == [f"{counts['scored']:,}"] * 2  # and on both dashboards
    finally:
        for app in apps:
            app.stop()
