"""jobs.memo: a page's parts built once per dataset and parameters, shared, bounded."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pandas as pd

from jobs.aymara_data import AymaraData
from jobs.memo import Memo, frozen
from jobs.sizes import estimate_bytes as size_of


def test_a_result_is_built_once_and_shared_by_later_askers() -> None:
    memo = Memo()
    calls: list[int] = []
    first = memo.get("k", lambda: calls.append(1) or object())
    assert memo.get("k", lambda: calls.append(2) or object()) is first
    assert calls == [1]
    assert (memo.builds, memo.hits) == (1, 1)


def test_sessions_asking_at_once_wait_for_one_build() -> None:
    memo = Memo()
    started, release = threading.Event(), threading.Event()
    builds: list[int] = []

    def slow() -> str:
        builds.append(1)
        started.set()
        release.wait(10)
        return "built"

    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(memo.get("k", slow)))
    first.start()
    started.wait(10)  # the first session is building
    others = [
        threading.Thread(target=lambda: results.append(memo.get("k", slow))) for _ in range(5)
    ]
    for t in others:
        t.start()
    release.set()
    for t in [first, *others]:
        t.join(10)
    assert results == ["built"] * 6
    assert builds == [1]


def test_different_parameters_are_different_results() -> None:
    memo = Memo()
    assert memo.get(("trend", frozen([["a"]])), lambda: 1) == 1
    assert memo.get(("trend", frozen([["b"]])), lambda: 2) == 2
    assert memo.get(("trend", frozen([["a"]])), lambda: 3) == 1


def test_the_least_recently_used_go_first_beyond_the_count() -> None:
    memo = Memo(max_entries=2)
    memo.get("a", lambda: "A")
    memo.get("b", lambda: "B")
    memo.get("a", lambda: "never")  # a is now the most recent
    memo.get("c", lambda: "C")
    assert memo.get("a", lambda: "rebuilt") == "A"
    assert memo.get("b", lambda: "rebuilt") == "rebuilt"


def test_the_byte_bound_evicts_but_keeps_the_newest_even_when_alone_too_big() -> None:
    frame = pd.DataFrame({"x": range(100_000)})  # 800 KB of int64
    memo = Memo(max_bytes=1_000_000)
    memo.get("one", lambda: frame)
    memo.get("two", lambda: frame.copy())
    assert len(memo) == 1 and memo.nbytes >= 800_000
    assert memo.get("two", lambda: None) is not None


def test_parameters_freeze_into_hashable_keys() -> None:
    key = frozen(("Any", ["Failed"], (0.0, 1.0), {"b": [1], "a": {2}}, None))
    hash(key)
    assert key == ("Any", ("Failed",), (0.0, 1.0), (("a", (2,)), ("b", (1,))), None)


def test_results_are_sized_frames_collections_and_figures_alike() -> None:
    import plotly.graph_objects as go

    frame = pd.DataFrame({"x": range(1000)})
    assert size_of(frame) >= 8000
    assert size_of((frame, frame.copy())) >= 16000  # a frame held twice counts once
    assert size_of(go.Figure()) > 0


def _dataset() -> AymaraData:
    empty = pd.DataFrame()
    return AymaraData("http://x", None, empty, empty, empty, empty, (), datetime.now(UTC))


def test_each_dataset_has_its_own_results_and_a_view_starts_empty() -> None:
    data = _dataset()
    assert data.shared("part", lambda: 1, "f") == 1
    assert data.shared("part", lambda: 2, "f") == 1
    assert data.shared("part", lambda: 3, "g") == 3
    assert _dataset().shared("part", lambda: 4, "f") == 4


def test_sessions_asking_for_a_view_at_once_share_one(monkeypatch) -> None:
    from jobs import aymara_data

    inside = threading.Semaphore(0)
    built: list[int] = []

    def slow_view(evals, runs, prompts, responses, include_sandbox):
        built.append(1)
        inside.release()
        # A second builder inside at the same time would arrive here; with one at a time the
        # wait runs out and the first goes on.
        inside.acquire(timeout=1.0)
        return evals, runs, prompts, responses

    monkeypatch.setattr(aymara_data, "sandbox_view", slow_view)
    evals = pd.DataFrame({"eval_uuid": ["e"], "is_sandbox": [False]})
    runs = pd.DataFrame({"eval_run_uuid": ["r"], "eval_uuid": ["e"], "is_sandbox": [False]})
    empty = pd.DataFrame()
    data = AymaraData("http://x", None, evals, runs, empty, empty, (), datetime.now(UTC))
    start = threading.Barrier(6)
    views: list[AymaraData] = []

    def ask() -> None:
        start.wait(10)
        views.append(data.view(False))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(views) == 6 and built == [1]
    assert all(v is views[0] for v in views) and data.view(False) is views[0]
