"""Loading through faults: retried where safe, and what cannot load is named, never hidden.

`jobs.aymara_fetch.fetch_aymara` against the simulator's fault injection over real HTTP, and
against an httpx transport wrapper that breaks the API at a chosen moment. A fault-free load of
the same seed is the reference: a load that recovered gives exactly the same frames.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pandas as pd
import pytest

from client.aymara import ALL_WORKSPACES, AymaraClient
from client.errors import (
    APIConnectionError,
    APITimeoutError,
    MalformedResponseError,
    NotFoundError,
    ServerError,
)
from jobs.aymara_data import AymaraData
from jobs.aymara_fetch import fetch_aymara
from tests.conftest import SIMULATOR_KEY

SHORT_TIMEOUT = httpx.Timeout(0.5, connect=1.0)
FRAMES = ("evals", "runs", "prompts", "responses")
SORT_KEYS = {
    "evals": ["eval_uuid"],
    "runs": ["eval_run_uuid"],
    "prompts": ["eval_uuid", "prompt_uuid"],
    "responses": ["eval_run_uuid", "prompt_uuid", "response_uuid", "turn_number"],
}


# --------------------------------------------------------------------------- helpers


def connect(base_url: str, sleeps: list[float], **options: Any) -> AymaraClient:
    """A client whose backoff waits are recorded, never slept."""
    return AymaraClient(SIMULATOR_KEY, base_url, concurrency=8, sleep=sleeps.append, **options)


def load(client: AymaraClient, label: str) -> AymaraData:
    """fetch_aymara, timed (printed, never asserted)."""
    started = time.perf_counter()
    with client:
        data = fetch_aymara(client, ALL_WORKSPACES)
    print(f"{label}: {time.perf_counter() - started:.2f} s, {data.requests} requests")
    return data


def normalised(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows in a fixed order; categoricals as plain values (their category order is arrival)."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object)
    out = out.sort_values(keys, key=lambda s: s.astype(str), kind="stable")
    return out.reset_index(drop=True)


def assert_same_frames(got: AymaraData, want: AymaraData, names: tuple[str, ...] = FRAMES) -> None:
    for name in names:
        pd.testing.assert_frame_equal(
            normalised(getattr(got, name), SORT_KEYS[name]),
            normalised(getattr(want, name), SORT_KEYS[name]),
            obj=name,
        )


def sim_call(sim: Any, method: str, path: str, **kwargs: Any) -> Any:
    """A control or API call to a simulator, with its key."""
    answer = httpx.request(
        method, f"{sim.base_url}{path}", headers={"x-api-key": SIMULATOR_KEY}, timeout=10, **kwargs
    )
    answer.raise_for_status()
    return answer.json() if answer.content else None


def faults_injected(sim: Any) -> dict[str, int]:
    return sim_call(sim, "GET", "/_sim/stats")["faults_by_kind"]


def assert_key_absent(data: AymaraData) -> None:
    """Nothing a page would show holds the key."""
    texts = [repr(p) for p in data.problems]
    if data.fatal is not None:
        texts += [str(data.fatal), repr(data.fatal), data.fatal.hint, str(data.fatal.url)]
    assert all(SIMULATOR_KEY not in text for text in texts)


def fetchable_runs(data: AymaraData) -> pd.DataFrame:
    """Runs whose responses the loader asks for (failed and created runs have none)."""
    return data.runs[~data.runs["status"].isin(["failed", "created"])]


def unaccounted(got: AymaraData, want: AymaraData) -> list[str]:
    """Evals and runs whose items are short of the reference and not named in `problems`."""
    named = " ".join(f"{p.what} {p.message}" for p in got.problems)
    missing = []
    want_prompts = want.prompts.groupby("eval_uuid").size()
    got_prompts = got.prompts.groupby("eval_uuid").size()
    for eval_uuid, count in want_prompts.items():
        if got_prompts.get(eval_uuid, 0) != count and str(eval_uuid) not in named:
            missing.append(f"prompts of {eval_uuid}")
    want_resp = want.responses.groupby("eval_run_uuid", observed=True).size()
    got_resp = got.responses.groupby("eval_run_uuid", observed=True).size()
    for run_uuid, count in want_resp.items():
        if got_resp.get(run_uuid, 0) != count and str(run_uuid) not in named:
            missing.append(f"responses of {run_uuid}")
    return missing


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_item_request(request: httpx.Request) -> bool:
    """A prompts or responses listing: what is fetched after the evals, runs and reports."""
    return request.url.path.endswith(("/prompts", "/responses"))


class Interceptor(httpx.BaseTransport):
    """Real HTTP, with `before_items` run once ahead of the first prompts/responses request,
    and `answer(request)` able to replace any answer."""

    def __init__(
        self,
        before_items: Callable[[], None] | None = None,
        answer: Callable[[httpx.Request], httpx.Response | None] | None = None,
    ) -> None:
        self.inner = httpx.HTTPTransport()
        self.before_items = before_items
        self.answer = answer
        self.fired = False
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.before_items is not None and is_item_request(request):
            with self.lock:  # every item request waits until the hook has run
                if not self.fired:
                    self.fired = True
                    self.before_items()
        if self.answer is not None:
            replaced = self.answer(request)
            if replaced is not None:
                return replaced
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def reference(simulator: Any) -> AymaraData:
    """A fault-free load of the shared simulator (seed 7, scale 1)."""
    data = load(connect(simulator.base_url, []), "fault-free")
    assert data.fatal is None and not data.problems
    assert len(data.responses) > 1000 and len(data.prompts) > 100
    return data


# --------------------------------------------------------------------------- recovered faults


def test_a_fifth_of_requests_failing_with_500_503_429_gives_the_same_data(start_simulator, sleeps):
    # Seed 4: its faults include all three statuses (seed 7's happen to have no 429).
    clean = load(connect(start_simulator(seed=4, scale=1).base_url, []), "seed 4 fault-free")
    sim = start_simulator(seed=4, scale=1, fault_rate=0.2, retry_after_s=0)
    data = load(connect(sim.base_url, sleeps), "20% errors")
    assert data.fatal is None
    assert data.problems == ()
    assert_same_frames(data, clean)
    assert len(data.reports) == len(clean.reports)
    injected = faults_injected(sim)
    assert {"error_500", "error_503", "error_429"} <= set(injected)
    assert data.requests == clean.requests + sum(injected.values())
    assert sleeps and all(s <= 8 for s in sleeps)


def test_read_timeouts_are_retried_and_give_the_same_data(start_simulator, reference, sleeps):
    sim = start_simulator(seed=7, scale=1, stall_rate=0.2, stall_s=3.0)
    data = load(connect(sim.base_url, sleeps, timeout=SHORT_TIMEOUT), "20% stalls")
    assert data.fatal is None
    assert data.problems == ()
    assert_same_frames(data, reference)
    assert faults_injected(sim).get("stall", 0) > 0


def test_truncated_json_is_retried_and_gives_the_same_data(start_simulator, reference, sleeps):
    sim = start_simulator(seed=7, scale=1, truncate_rate=0.2)
    data = load(connect(sim.base_url, sleeps), "20% truncated")
    assert data.fatal is None
    assert data.problems == ()
    assert_same_frames(data, reference)
    assert faults_injected(sim).get("truncate", 0) > 0


# --------------------------------------------------------------------------- retries run out


def test_timeouts_without_retries_end_in_a_clear_timeout_error(start_simulator, sleeps):
    sim = start_simulator(seed=7, scale=0.2, stall_rate=1.0, stall_s=3.0)
    data = load(connect(sim.base_url, sleeps, timeout=SHORT_TIMEOUT, max_retries=0), "stalled")
    assert isinstance(data.fatal, APITimeoutError)
    assert "did not answer in time" in data.fatal.message
    assert "Refresh" in data.fatal.hint
    assert data.evals.empty and data.responses.empty
    assert_key_absent(data)


def test_truncated_json_without_retries_ends_in_a_clear_malformed_response_error(
    start_simulator, sleeps
):
    sim = start_simulator(seed=7, scale=0.2, truncate_rate=1.0)
    data = load(connect(sim.base_url, sleeps, max_retries=0), "all truncated")
    assert isinstance(data.fatal, MalformedResponseError)
    assert "not valid JSON" in data.fatal.message and "cut off" in data.fatal.message
    assert data.fatal.request_id  # the simulator's x-request-id, to quote to support
    assert_key_absent(data)


def test_some_truncated_answers_without_retries_are_each_named_in_problems(
    start_simulator, reference, sleeps
):
    sim = start_simulator(seed=7, scale=1, truncate_rate=0.1)
    data = load(connect(sim.base_url, sleeps, max_retries=0), "10% truncated, no retries")
    assert data.fatal is None, data.fatal  # the seed's listings' first pages get through
    assert data.problems
    assert all("not valid JSON" in p.message and p.hint for p in data.problems)
    assert unaccounted(data, reference) == []
    # The runs not named in problems loaded whole: the reference's responses, row for row.
    named = " ".join(p.what for p in data.problems)
    whole = [r for r in reference.runs["eval_run_uuid"] if f"({r})" not in named]
    assert 0 < len(whole) < len(reference.runs)
    columns = ["eval_run_uuid", "response_uuid", "prompt_uuid", "response_text", "verdict",
               "confidence", "explanation"]  # fmt: skip

    def of_whole_runs(frame: pd.DataFrame) -> pd.DataFrame:
        return normalised(
            frame.loc[frame["eval_run_uuid"].astype(str).isin(whole), columns],
            SORT_KEYS["responses"][:3],
        )

    pd.testing.assert_frame_equal(of_whole_runs(data.responses), of_whole_runs(reference.responses))
    assert_key_absent(data)


# --------------------------------------------------------------------------- the API down


def test_an_api_that_refuses_connections_gives_a_clear_connection_error(sleeps):
    base_url = f"http://127.0.0.1:{free_port()}"
    data = load(connect(base_url, sleeps), "closed port")
    assert isinstance(data.fatal, APIConnectionError)
    assert not isinstance(data.fatal, APITimeoutError)
    assert f"Could not reach Aymara API at {base_url}" in data.fatal.message
    assert "base URL" in data.fatal.hint
    assert data.problems == () or all(p.message for p in data.problems)
    assert len(sleeps) >= 2  # connection errors are retried before giving up
    assert_key_absent(data)


def test_an_api_that_is_down_at_start_gives_a_clear_server_error_then_recovers(
    start_simulator, reference, sleeps
):
    sim = start_simulator(seed=7, scale=1, retry_after_s=0)
    sim_call(sim, "POST", "/_sim/config", json={"down": True})
    try:
        data = load(connect(sim.base_url, sleeps), "down")
    finally:
        sim_call(sim, "POST", "/_sim/config", json={"down": False})
    assert isinstance(data.fatal, ServerError)
    assert data.fatal.status == 503
    assert "unavailable" in data.fatal.message
    assert "Refresh" in data.fatal.hint
    assert data.fatal.request_id
    assert_key_absent(data)
    again = load(connect(sim.base_url, sleeps), "back up")
    assert again.fatal is None and again.problems == ()
    assert_same_frames(again, reference)


def test_an_api_going_down_mid_load_keeps_what_loaded_and_names_what_did_not(
    start_simulator, reference, sleeps
):
    sim = start_simulator(seed=7, scale=1, retry_after_s=0)
    cut = Interceptor(
        before_items=lambda: sim_call(sim, "POST", "/_sim/config", json={"down": True})
    )
    try:
        data = load(connect(sim.base_url, sleeps, transport=cut), "down mid-load")
    finally:
        sim_call(sim, "POST", "/_sim/config", json={"down": False})
    assert cut.fired
    assert data.fatal is None
    assert_same_frames(data, reference, ("evals", "runs"))
    assert len(data.reports) == len(reference.reports)
    assert data.prompts.empty and data.responses.empty
    named = " ".join(p.what for p in data.problems)
    for eval_uuid in reference.evals["eval_uuid"]:
        assert f"Prompts of eval {eval_uuid}" in named
    for run_uuid in fetchable_runs(reference)["eval_run_uuid"]:
        assert f"({run_uuid})" in named
    assert all(p.hint == ServerError.hint for p in data.problems)
    assert_key_absent(data)


# --------------------------------------------------------------------------- one run fails


def pick_run(reference: AymaraData) -> pd.Series:
    """A finished run with responses and a name."""
    counts = reference.responses.groupby("eval_run_uuid", observed=True).size()
    finished = reference.runs[reference.runs["status"] == "finished"]
    return finished[finished["eval_run_uuid"].isin(counts[counts > 0].index)].iloc[0]


def test_a_run_deleted_between_listing_and_fetching_is_named_and_the_rest_loads(
    start_simulator, reference, sleeps
):
    sim = start_simulator(seed=7, scale=1)
    run = pick_run(reference)
    gone = Interceptor(
        before_items=lambda: sim_call(sim, "DELETE", f"/v2/eval-runs/{run['eval_run_uuid']}")
    )
    data = load(connect(sim.base_url, sleeps, transport=gone), "one run deleted")
    assert data.fatal is None
    assert len(data.problems) == 1
    problem = data.problems[0]
    assert problem.what == f"Responses of run '{run['run_name']}' ({run['eval_run_uuid']})"
    assert "not found" in problem.message
    assert problem.hint == NotFoundError.hint
    assert problem.request_id
    assert_same_frames(data, reference, ("evals", "runs", "prompts"))
    others = reference.responses[reference.responses["eval_run_uuid"] != run["eval_run_uuid"]]
    pd.testing.assert_frame_equal(
        normalised(data.responses, SORT_KEYS["responses"]),
        normalised(others, SORT_KEYS["responses"]),
    )
    assert_key_absent(data)


def test_a_run_whose_responses_always_fail_is_named_and_the_rest_loads(
    simulator, reference, sleeps
):
    run = pick_run(reference)
    broken_path = f"/v2/eval-runs/{run['eval_run_uuid']}/responses"
    envelope = {"error": {"code": "server.internal_error", "message": "Internal server error."}}
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == broken_path:
            calls.append(request.url.path)
            return httpx.Response(500, json=envelope, headers={"x-request-id": "req_broken"})
        return None

    data = load(connect(simulator.base_url, sleeps, transport=Interceptor(answer=answer)), "500")
    assert len(calls) == 3  # the first try and two retries
    assert data.fatal is None
    assert [p.what for p in data.problems] == [
        f"Responses of run '{run['run_name']}' ({run['eval_run_uuid']})"
    ]
    assert data.problems[0].message == "Internal server error."
    assert data.problems[0].hint == ServerError.hint
    assert data.problems[0].request_id == "req_broken"
    others = reference.responses[reference.responses["eval_run_uuid"] != run["eval_run_uuid"]]
    assert len(data.responses) == len(others) > 0
    assert unaccounted(data, reference) == []
