"""Fixtures shared by the test files: recorded sleeps, and the simulator on a free port."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

SIMULATOR_KEY = "sim-test-key-7f3a9c"


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Keep the local run store of every test (and app under test) out of the user's cache."""
    import os

    folder = tmp_path_factory.mktemp("run-store")
    previous = os.environ.get("EVAL_DASHBOARD_CACHE_DIR")
    os.environ["EVAL_DASHBOARD_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("EVAL_DASHBOARD_CACHE_DIR", None)
    else:
        os.environ["EVAL_DASHBOARD_CACHE_DIR"] = previous


@pytest.fixture
def sleeps() -> list[float]:
    """Pass `sleep=sleeps.append` to a client: waits are recorded, never slept."""
    return []


def _simulator_server() -> Any:
    """The simulator's server module, or a clean skip while it does not exist yet."""
    try:
        return importlib.import_module("simulator.server")
    except ModuleNotFoundError as exc:
        if exc.name not in ("simulator.server", "simulator"):
            raise  # the module exists but is broken: that is a failure, not a skip
        pytest.skip("simulator.server is not importable yet (the simulator has not landed)")


@pytest.fixture(scope="session")
def start_simulator() -> Iterator[Callable[..., Any]]:
    """Start extra simulators with their own settings (stopped at the end of the session)."""
    server = _simulator_server()
    from simulator.settings import SimSettings

    running: list[Any] = []

    def start(**settings: Any) -> Any:
        sim = server.start_in_thread(SimSettings(**{"api_key": SIMULATOR_KEY, **settings}))
        running.append(sim)
        return sim

    yield start
    # All at once: each stop waits for its server's loop to notice, ~0.5 s apiece in a row.
    stopping = [threading.Thread(target=sim.stop) for sim in running]
    for thread in stopping:
        thread.start()
    for thread in stopping:
        thread.join()


@pytest.fixture(scope="session")
def simulator(start_simulator: Callable[..., Any]) -> Any:
    """One fault-free simulator over real HTTP on a loopback port, shared by the session.

    Treat its data as read-only: tests that write start their own with `start_simulator`.
    """
    return start_simulator(seed=7, scale=1, fault_rate=0.0, retry_after_s=0)
