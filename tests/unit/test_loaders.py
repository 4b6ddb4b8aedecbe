"""The one cache seam: shared, single-flight, bounded, refreshed on demand."""

from __future__ import annotations

import threading
from typing import Any

from components.cache import DatasetCache
from tests.conftest import SIMULATOR_KEY


def test_a_value_is_loaded_once_and_shared() -> None:
    cache = DatasetCache()
    calls = []
    first = cache.get_or_load("k", lambda: calls.append(1) or object(), lambda v: 60)
    second = cache.get_or_load("k", lambda: calls.append(1) or object(), lambda v: 60)
    assert first is second  # no copy per hit: every session reads the same object
    assert calls == [1]


def test_concurrent_readers_of_one_key_wait_for_a_single_load() -> None:
    cache = DatasetCache()
    started, release = threading.Event(), threading.Event()
    loads = []

    def slow_load() -> str:
        loads.append(1)
        started.set()
        release.wait(5)
        return "data"

    results = []
    readers = [
        threading.Thread(
            target=lambda: results.append(cache.get_or_load("k", slow_load, lambda v: 60))
        )
        for _ in range(4)
    ]
    readers[0].start()
    started.wait(5)
    for reader in readers[1:]:
        reader.start()
    release.set()
    for reader in readers:
        reader.join(5)
    assert results == ["data"] * 4
    assert loads == [1]


def test_an_expired_value_is_loaded_again() -> None:
    cache = DatasetCache()
    values = iter(["old", "new"])
    assert cache.get_or_load("k", lambda: next(values), lambda v: 0) == "old"
    assert cache.get_or_load("k", lambda: next(values), lambda v: 60) == "new"


def test_the_least_recently_used_entry_is_dropped_beyond_the_limit() -> None:
    cache = DatasetCache(max_entries=2)
    cache.get_or_load("a", lambda: "a1", lambda v: 60)
    cache.get_or_load("b", lambda: "b1", lambda v: 60)
    cache.get_or_load("a", lambda: "a2", lambda v: 60)  # touch a
    cache.get_or_load("c", lambda: "c1", lambda v: 60)  # evicts b
    assert cache.get_or_load("a", lambda: "a3", lambda v: 60) == "a1"
    assert cache.get_or_load("b", lambda: "b2", lambda v: 60) == "b2"


def test_refresh_moves_the_generation_and_forces_each_key_once() -> None:
    cache = DatasetCache()
    account = ("aymara", "https://api.test", "fp")
    assert cache.generation(account) == 0
    cache.refresh(account)
    generation = cache.generation(account)
    assert generation == 1
    assert cache.take_force(account, "workspace-a", generation) is True
    assert cache.take_force(account, "workspace-a", generation) is False  # a TTL reload later
    assert cache.take_force(account, "workspace-b", generation) is True


def test_a_refresh_after_scoring_does_not_skip_the_local_store() -> None:
    cache = DatasetCache()
    account = ("aymara", "https://api.test", "fp")
    cache.refresh(account, force=False)
    assert cache.take_force(account, "workspace-a", cache.generation(account)) is False


def test_the_sidebar_refresh_reloads_feather_data_too(simulator: Any) -> None:
    from components import cache, feather_loaders
    from components.connection import Source

    source = Source("feather", simulator.base_url, SIMULATOR_KEY)
    cache.dataset_cache().clear()
    client = cache.feather_client(source)
    first = feather_loaders.load_catalog(source, "workspace-a")
    sent = client.transport.requests_sent
    assert feather_loaders.load_catalog(source, "workspace-a") is first  # cached
    assert client.transport.requests_sent == sent
    cache.refresh(source)  # what the sidebar's Refresh button calls
    again = feather_loaders.load_catalog(source, "workspace-a")
    assert again is not first
    assert client.transport.requests_sent > sent  # asked the API again
    cache.dataset_cache().clear()


def test_the_feather_page_is_built_once_per_load_and_afresh_after_a_reload(simulator: Any) -> None:
    import dataclasses
    import datetime as dt

    from client.feather import RunFilters
    from components import cache, feather_loaders
    from components.connection import Source
    from reporting.feather.aggregates import outcome_summary
    from reporting.feather.tables import with_names

    source = Source("feather", simulator.base_url, SIMULATOR_KEY)
    cache.dataset_cache().clear()
    first_day, last_day = dt.date(2026, 10, 22), dt.date(2026, 11, 20)
    filters = RunFilters(created_from=first_day, created_to=last_day, outcome="failed")
    data = feather_loaders.load_runs(source, filters)
    catalog = feather_loaders.load_catalog(source)
    view = feather_loaders.load_view(source, data, catalog, None, first_day, last_day)

    again = feather_loaders.load_view(source, data, catalog, None, first_day, last_day)
    assert again is view  # a rerun redraws what was built
    named = with_names(data.runs, catalog.evaluator_names, catalog.assistant_names)
    assert view.summary == outcome_summary(named) and view.summary["runs"] > 0
    assert set(view.figures) >= {"daily", "by_evaluator", "scores", "by_scope"}
    reloaded = dataclasses.replace(data, loaded_at=data.loaded_at + dt.timedelta(seconds=1))
    fresh = feather_loaders.load_view(source, reloaded, catalog, None, first_day, last_day)
    assert fresh is not view  # a new load of the runs builds the page afresh
    renamed = dataclasses.replace(catalog, evaluator_names={})
    unnamed = feather_loaders.load_view(source, data, renamed, None, first_day, last_day)
    assert unnamed is not view and not unnamed.runs["evaluator_name"].equals(
        view.runs["evaluator_name"]
    )
    cache.dataset_cache().clear()
