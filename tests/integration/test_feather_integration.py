"""The Feather client against the simulator over real HTTP: filters, run detail and activity.

The ground truth comes from `simulator.feather`, an independent implementation of the
contract: what the client pages through must equal what `filter_runs` says the server holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from client.feather import FeatherClient, RunFilters, count_activity
from client.feather_models import Activity
from tests.conftest import SIMULATOR_KEY

feather_dataset = pytest.importorskip("simulator.feather.dataset")
feather_truth = pytest.importorskip("simulator.feather.ground_truth")
from simulator.settings import SimSettings  # noqa: E402 - only once the simulator is there

Json = dict[str, Any]

WINDOW = (dt.date(2026, 10, 1), dt.date(2026, 11, 20))  # the last weeks of the demo history


@pytest.fixture(scope="module")
def dataset() -> Any:
    """The demo dataset the shared simulator serves (seed 7, scale 1)."""
    return feather_dataset.get_dataset(SimSettings(seed=7, scale=1))


@pytest.fixture(scope="module")
def feather(simulator: Any) -> Iterator[FeatherClient]:
    """A client of the shared simulator."""
    with FeatherClient(SIMULATOR_KEY, simulator.base_url) as client:
        yield client


def _first(dataset: Any, predicate: Callable[[Json], bool]) -> Json:
    """The newest run that satisfies a predicate."""
    return next(run for run in dataset.runs if predicate(run))


def _evaluator_id(dataset: Any, name: str) -> str:
    return next(e["id"] for e in dataset.evaluators if e["name"] == name)


def _agent_id(dataset: Any, name: str) -> str:
    return next(a["id"] for a in dataset.assistants if a["name"] == name)


# Each case: an id, and a function from the dataset to the filters (as RunFilters keywords).
FILTER_CASES: list[tuple[str, Callable[[Any], Json]]] = [
    ("status completed", lambda ds: {"status": "completed"}),
    ("status errored", lambda ds: {"status": "errored"}),
    ("status pending", lambda ds: {"status": "pending"}),
    ("scope live", lambda ds: {"scope": "live"}),
    ("scope simulation", lambda ds: {"scope": "simulation"}),
    ("scope test", lambda ds: {"scope": "test"}),
    ("outcome passed", lambda ds: {"outcome": "passed"}),
    ("outcome failed", lambda ds: {"outcome": "failed"}),
    ("outcome no_verdict", lambda ds: {"outcome": "no_verdict"}),
    ("outcome errored", lambda ds: {"outcome": "errored"}),
    ("severity critical", lambda ds: {"severity": "critical"}),
    ("severity info", lambda ds: {"severity": "info"}),
    ("score_min", lambda ds: {"score_min": 0.9}),
    ("score_max", lambda ds: {"score_max": 0.5}),
    ("score band", lambda ds: {"score_min": 0.6, "score_max": 0.8}),
    ("channel voice", lambda ds: {"channel": "voice"}),
    ("channel sms", lambda ds: {"channel": "sms"}),
    ("evaluator_id", lambda ds: {"evaluator_id": _evaluator_id(ds, "Refund policy accuracy")}),
    ("agent_id", lambda ds: {"agent_id": _agent_id(ds, "Billing Voice Line")}),
    ("session_id", lambda ds: {"session_id": _first(ds, lambda r: True)["session_id"]}),
    ("created_from date", lambda ds: {"created_from": dt.date(2026, 11, 10)}),
    ("created_to date", lambda ds: {"created_to": dt.date(2026, 9, 1)}),
    (
        "created window datetimes",
        lambda ds: {
            "created_from": dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC),
            "created_to": dt.datetime(
                2026, 11, 3, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))
            ),
        },
    ),
    ("is_critical true", lambda ds: {"is_critical": True}),
    ("is_critical false", lambda ds: {"is_critical": False}),
    ("q evaluator name", lambda ds: {"q": "refund"}),
    ("q assistant name", lambda ds: {"q": "VOICE line"}),
    ("q run id prefix", lambda ds: {"q": _first(ds, lambda r: True)["id"][:8]}),
    (
        "combined",
        lambda ds: {
            "scope": "live",
            "outcome": "failed",
            "severity": "high",
            "created_from": dt.date(2026, 10, 1),
        },
    ),
]


@pytest.mark.parametrize(
    "make_filters", [case for _, case in FILTER_CASES], ids=[name for name, _ in FILTER_CASES]
)
def test_each_filter_pages_through_exactly_the_runs_the_server_holds(
    feather: FeatherClient, dataset: Any, make_filters: Callable[[Any], Json]
) -> None:
    filters = make_filters(dataset)
    expected = [run["id"] for run in feather_dataset.filter_runs(dataset, **filters)]
    assert expected, f"the demo data has no run for {filters}; the case would prove nothing"

    listing = feather.list_eval_runs(RunFilters(**filters))

    assert listing.complete, listing.error or listing.skipped
    assert [run.id for run in listing.items] == expected


def test_the_whole_listing_takes_every_page_once(feather: FeatherClient, dataset: Any) -> None:
    truth = feather_truth.feather_ground_truth(SimSettings(seed=7, scale=1))
    progress: list[tuple[int, int | None, int]] = []

    listing = feather.list_eval_runs(on_progress=lambda *args: progress.append(args))

    assert listing.complete
    assert len(listing.items) == truth["runs"] == len({run.id for run in listing.items})
    assert listing.pages == -(-truth["runs"] // 200)
    assert progress[-1] == (listing.pages, None, truth["runs"])


def test_small_pages_give_the_same_runs_as_large_ones(feather: FeatherClient) -> None:
    filters = RunFilters(created_from=dt.date(2026, 11, 15))

    small = feather.list_eval_runs(filters, page_size=7)
    large = feather.list_eval_runs(filters)

    assert small.complete and small.pages > large.pages
    assert [run.id for run in small.items] == [run.id for run in large.items]


def test_a_limit_over_200_is_refused_by_the_simulator_with_a_readable_error(
    feather: FeatherClient,
) -> None:
    listing = feather.list_eval_runs(page_size=201)

    assert listing.error is not None and listing.error.status == 422
    assert "limit" in listing.error.message


def test_evaluators_and_assistants_are_listed(feather: FeatherClient, dataset: Any) -> None:
    evaluators = feather.list_evaluators()
    assistants = feather.list_assistants()

    assert evaluators.complete and assistants.complete
    assert {e.id for e in evaluators.items} <= {e["id"] for e in dataset.evaluators}
    assert {e.id for e in evaluators.items}
    assert {a.id for a in assistants.items} == {a["id"] for a in dataset.assistants}


def test_get_eval_run_returns_the_session_and_its_turns(
    feather: FeatherClient, dataset: Any
) -> None:
    run = _first(dataset, lambda r: len(dataset.turns.get(r["session_id"]) or []) >= 4)
    turns = dataset.turns[run["session_id"]]

    detail = feather.get_eval_run(run["id"])

    assert detail.id == run["id"]
    assert detail.session is not None and detail.session.id == run["session_id"]
    assert detail.turns is not None
    got = [turn.id for turn in detail.turns]
    expected = [turn["id"] for turn in turns]
    assert got == (expected[: len(got)] if detail.turns_truncated else expected)
    assert [turn.seq for turn in detail.turns] == sorted(turn.seq for turn in detail.turns)
    assert [score.id for score in detail.scores] == [score["id"] for score in run["scores"]]
    assert detail.recording is None  # not asked for


def test_get_eval_run_with_the_recording(feather: FeatherClient, dataset: Any) -> None:
    run = _first(dataset, lambda r: r["session_id"] in dataset.recordings)

    detail = feather.get_eval_run(run["id"], include=("session", "turns", "recording"))

    assert detail.recording is not None
    assert detail.recording.id == dataset.recordings[run["session_id"]]["id"]


def _buckets(activity: Activity) -> list[tuple[str, int, int, int]]:
    return [(b.date.isoformat(), b.total, b.failed, b.errored) for b in activity.buckets]


@pytest.mark.parametrize(
    "scoping",
    [{}, {"scope": "live"}, {"channel": "voice"}],
    ids=["everything", "live", "voice"],
)
def test_activity_equals_the_count_of_the_listing(
    feather: FeatherClient, dataset: Any, scoping: dict[str, str]
) -> None:
    activity = feather.activity(*WINDOW, **scoping)

    listing = feather.list_eval_runs(
        RunFilters(created_from=WINDOW[0], created_to=WINDOW[1], **scoping)
    )
    counted = count_activity(listing.items, *WINDOW)
    assert activity.computed_locally is False
    assert _buckets(activity) == [
        (b.date.isoformat(), b.total, b.failed, b.errored) for b in counted
    ]
    assert len(activity.buckets) == (WINDOW[1] - WINDOW[0]).days + 1
    assert sum(b.failed for b in activity.buckets) > 0


@pytest.fixture(scope="module")
def older_server(start_simulator: Callable[..., Any]) -> Iterator[FeatherClient]:
    """A client of a simulator without /v1/eval-runs/activity, as servers before v1.90."""
    sim = start_simulator(seed=7, scale=1, fault_rate=0.0, feather_activity=False)
    with FeatherClient(SIMULATOR_KEY, sim.base_url) as client:
        yield client


@pytest.mark.parametrize(
    "scoping",
    [{}, {"scope": "simulation"}, {"channel": "chat"}],
    ids=["everything", "simulation", "chat"],
)
def test_without_the_activity_endpoint_the_fallback_gives_the_same_buckets(
    feather: FeatherClient, older_server: FeatherClient, scoping: dict[str, str]
) -> None:
    served = feather.activity(*WINDOW, **scoping)

    computed = older_server.activity(*WINDOW, **scoping)

    assert computed.computed_locally is True and not computed.skipped
    assert _buckets(computed) == _buckets(served)
    assert computed.period_start == served.period_start
    assert computed.period_end == served.period_end
