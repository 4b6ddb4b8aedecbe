"""Cold and warm loads through the real loader, against the simulator over real HTTP.

Every request is recorded at the HTTP layer (so retries would count too) and put in one of the
loader's four stages, each of which cannot start before the one before it has answered:

  a. the first page of each of the three workspace listings (evals, runs, reports);
  b. the rest of those listings' pages (their first page tells how many there are);
  c. the first page of every eval's prompts and every run's responses (they need the listings);
  d. the rest of those pages (their first page tells how many there are).

The lower bound of a load is, summed over the stages, ceil(stage requests / concurrency) x the
server's latency: no client can do better with that many requests in flight.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from client.aymara import AymaraClient
from jobs.aymara_data import AymaraData
from jobs.aymara_fetch import fetch_aymara
from jobs.store import RunStore
from simulator.server import RunningSimulator, start_subprocess
from simulator.settings import SimSettings

LISTINGS = ("/v2/evals", "/v2/eval-runs", "/v2/eval-reports")
STAGES = ("a", "b", "c", "d")
STAGE_NAMES = {
    "a": "listings, first pages",
    "b": "listings, other pages",
    "c": "prompts + responses, first pages",
    "d": "prompts + responses, other pages",
}


def stage_of(path: str, offset: int) -> str:
    """The loader stage a GET belongs to (see the module docstring)."""
    listing = path.rstrip("/") in LISTINGS
    if offset == 0:
        return "a" if listing else "c"
    return "b" if listing else "d"


class RecordingTransport(httpx.BaseTransport):
    """Wraps the client's own HTTP transport and notes each request's path, offset and time."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.lock = threading.Lock()
        self.records: list[tuple[str, int, float]] = []  # (stage, offset, seconds to headers)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = self.inner.handle_request(request)
        took = time.perf_counter() - started
        offset = int(request.url.params.get("offset") or 0)
        with self.lock:
            self.records.append((stage_of(request.url.path, offset), offset, took))
        return response

    def close(self) -> None:
        self.inner.close()

    def stages(self) -> dict[str, int]:
        """Requests per stage."""
        counted = Counter(stage for stage, _, _ in self.records)
        return {stage: counted.get(stage, 0) for stage in STAGES}


def recording_client(base_url: str, api_key: str, concurrency: int) -> tuple[AymaraClient, Any]:
    """A normal AymaraClient whose connection pool is watched by a RecordingTransport."""
    client = AymaraClient(api_key, base_url, concurrency=concurrency)
    http = getattr(client.transport, "_http", None)  # the pool the client built, its limits
    if not isinstance(http, httpx.Client) or not hasattr(http, "_transport"):
        raise RuntimeError("the bench expects AymaraClient.transport._http to be an httpx.Client")
    recorder = RecordingTransport(http._transport)
    http._transport = recorder
    return client, recorder


def lower_bound(stages: dict[str, int], concurrency: int, latency_s: float) -> float:
    """Sum over stages of ceil(requests / concurrency) x latency."""
    return sum(math.ceil(n / concurrency) for n in stages.values() if n) * latency_s


@dataclass
class LoadResult:
    """One load: how long it took, what it asked for, what it got."""

    wall_s: float
    requests: int
    stages: dict[str, int]
    responses: int
    runs: int
    finished_runs: int
    from_store: int
    concurrency: int
    problems: int
    store_write_s: float = 0.0  # waiting for the background writes, after the load returned
    request_s: list[float] = field(default_factory=list)  # each request's time to headers
    data: AymaraData | None = field(default=None, repr=False)

    def bound(self, latency_s: float) -> float:
        """This load's lower bound at a given server latency."""
        return lower_bound(self.stages, self.concurrency, latency_s)


def _load(
    base_url: str, api_key: str, root: Path, concurrency: int, *, keep_data: bool
) -> LoadResult:
    client, recorder = recording_client(base_url, api_key, concurrency)
    store = RunStore(client.base_url, client.key_fingerprint, root)
    try:
        started = time.perf_counter()
        data = fetch_aymara(client, None, store=store)
        wall = time.perf_counter() - started
        waited = time.perf_counter()
        store.wait()
        write_s = time.perf_counter() - waited
    finally:
        client.close()
    status = data.runs["status"].astype(str)
    return LoadResult(
        wall_s=wall,
        requests=data.requests,
        stages=recorder.stages(),
        responses=len(data.responses),
        runs=len(data.runs),
        finished_runs=int((status == "finished").sum()),
        from_store=data.from_store,
        concurrency=concurrency,
        problems=len(data.problems) + (data.fatal is not None),
        store_write_s=write_s,
        request_s=[took for _, _, took in recorder.records],
        data=data if keep_data else None,
    )


def cold_load(
    base_url: str, api_key: str, root: Path, concurrency: int = 8, *, keep_data: bool = False
) -> LoadResult:
    """fetch_aymara with an empty RunStore folder: everything over HTTP. Waits for the writes."""
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise ValueError(f"a cold load needs an empty store folder, and {root} is not")
    return _load(base_url, api_key, root, concurrency, keep_data=keep_data)


def warm_load(
    base_url: str, api_key: str, root: Path, concurrency: int = 8, *, keep_data: bool = False
) -> LoadResult:
    """fetch_aymara with a populated RunStore, nothing in memory (fresh client and store)."""
    return _load(base_url, api_key, root, concurrency, keep_data=keep_data)


def bench_key() -> str:
    """A throwaway key for the bench's own simulator (never printed)."""
    return "bench-" + secrets.token_hex(12)


def start_simulator(
    api_key: str, scale: float, prompts_per_eval: int, latency_ms: float
) -> RunningSimulator:
    """The simulator in its own process (own GIL), so serving never competes with the client."""
    return start_subprocess(
        SimSettings(
            api_key=api_key,
            scale=scale,
            prompts_per_eval=prompts_per_eval,
            latency_ms=latency_ms,
        )
    )
