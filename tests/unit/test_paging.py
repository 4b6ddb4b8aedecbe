"""Offset paging (Aymara): every item once, the fewest requests, and no endless loops.

A fake listing endpoint serves `{items, count}` pages through `httpx.MockTransport`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from client.aymara_models import Eval, EvalRun
from client.errors import MalformedResponseError, NotFoundError, PagingError
from client.paging import Listing, ListingJob, fetch_listing, gather_listings, iter_cursor_pages
from client.transport import Transport

BASE = "https://api.example.test"
KEY = "paging-test-key"

TRUTH = object()  # `count` tells the truth


def eval_item(i: int) -> dict[str, Any]:
    return {"eval_uuid": f"ev-{i:04d}", "ai_description": f"AI {i}", "eval_type": "safety"}


class PagedEndpoint:
    """A listing served as offset pages; records every (offset, limit) asked for.

    `cap` is the server's own maximum page size; `count` is what the page says the total is
    (TRUTH, a number, or None to leave it out); `page` may be overridden per test.
    """

    def __init__(
        self,
        total: int,
        *,
        cap: int | None = None,
        count: object = TRUTH,
        make_item: Callable[[int], dict[str, Any]] = eval_item,
    ) -> None:
        self.items = [make_item(i) for i in range(total)]
        self.cap = cap
        self.count = count
        self.requests: list[tuple[int, int]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.overlap = threading.Event()  # set once two requests are in flight together
        self.linger_s = 0.0  # how long a request waits for another to overlap it

    def page(self, offset: int, limit: int) -> dict[str, Any] | httpx.Response:
        body: dict[str, Any] = {"items": self.items[offset : offset + limit]}
        if self.count is TRUTH:
            body["count"] = len(self.items)
        elif self.count is not None:
            body["count"] = self.count
        return body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        with self.lock:
            self.requests.append((offset, limit))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if self.in_flight > 1:
                self.overlap.set()
        try:
            if self.linger_s and offset > 0:  # the first page is alone by design
                self.overlap.wait(self.linger_s)
            answer = self.page(offset, min(limit, self.cap) if self.cap else limit)
        finally:
            with self.lock:
                self.in_flight -= 1
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=answer)

    @property
    def offsets(self) -> list[int]:
        return sorted(offset for offset, _ in self.requests)


def walk(
    endpoint: PagedEndpoint,
    sleeps: list[float],
    *,
    page_size: int = 100,
    concurrency: int = 8,
    max_pages: int = 2_000,
    model: type[Any] = Eval,
    item_id: Callable[[Any], Any] = lambda item: item.eval_uuid,
) -> Listing[Any]:
    transport = Transport(BASE, KEY, sleep=sleeps.append, transport=httpx.MockTransport(endpoint))
    return fetch_listing(
        transport.get,
        "/v2/evals",
        model,
        {"workspace_uuid": "ws_1"},
        item_id=item_id,
        concurrency=concurrency,
        page_size=page_size,
        max_pages=max_pages,
    )


def uuids(listing: Listing[Any]) -> list[str]:
    return [item.eval_uuid for item in listing.items]


def expected_uuids(n: int) -> list[str]:
    return [f"ev-{i:04d}" for i in range(n)]


def test_items_are_gathered_across_pages_with_one_request_per_page(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(250)

    listing = walk(endpoint, sleeps)

    assert uuids(listing) == expected_uuids(250)
    assert endpoint.offsets == [0, 100, 200]
    assert listing.pages == 3
    assert listing.reported_count == 250
    assert listing.complete


def test_a_listing_that_fits_one_page_takes_one_request(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(7)

    listing = walk(endpoint, sleeps)

    assert len(listing.items) == 7
    assert endpoint.requests == [(0, 100)]


def test_an_empty_listing_takes_one_request(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(0)

    listing = walk(endpoint, sleeps)

    assert listing.items == []
    assert listing.complete
    assert endpoint.requests == [(0, 100)]


def test_a_listing_of_exactly_whole_pages_takes_no_extra_request(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(200)

    walk(endpoint, sleeps)

    assert endpoint.offsets == [0, 100]


def test_the_filters_travel_with_every_page(sleeps: list[float]) -> None:
    seen: list[dict[str, str]] = []
    endpoint = PagedEndpoint(25)
    transport = Transport(
        BASE,
        KEY,
        sleep=sleeps.append,
        transport=httpx.MockTransport(lambda r: seen.append(dict(r.url.params)) or endpoint(r)),
    )

    fetch_listing(transport.get, "/v2/evals", Eval, {"workspace_uuid": "ws_1"}, page_size=10)

    assert [p["workspace_uuid"] for p in seen] == ["ws_1"] * 3
    assert sorted(int(p["offset"]) for p in seen) == [0, 10, 20]


def test_a_server_that_caps_the_page_size_still_gives_everything(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(95, cap=30)

    listing = walk(endpoint, sleeps, page_size=100)

    assert uuids(listing) == expected_uuids(95)
    assert endpoint.offsets == [0, 30, 60, 90]  # strides by what the server honours
    assert {limit for _, limit in endpoint.requests} == {100}


@pytest.mark.timeout(10)
def test_an_empty_first_page_with_a_positive_count_stops(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(0, count=50)

    listing = walk(endpoint, sleeps)

    assert listing.items == []
    assert listing.reported_count == 50  # the shortfall stays visible to the caller
    assert endpoint.requests == [(0, 100)]


@pytest.mark.timeout(10)
def test_an_empty_page_in_the_middle_with_a_positive_count_stops(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(20, count=50)

    listing = walk(endpoint, sleeps, page_size=10)

    assert uuids(listing) == expected_uuids(20)
    assert endpoint.offsets == [0, 10, 20, 30, 40]  # the pages `count` promised, once each


def test_a_count_smaller_than_the_truth_stops_at_the_count(sleeps: list[float]) -> None:
    # `count` is the total by contract, so paging stops at the first page that reaches it;
    # that page's items are all kept, and nothing beyond it is asked for.
    endpoint = PagedEndpoint(40, count=25)

    listing = walk(endpoint, sleeps, page_size=10)

    assert endpoint.offsets == [0, 10, 20]
    assert uuids(listing) == expected_uuids(30)
    assert listing.reported_count == 25


@pytest.mark.timeout(10)
def test_a_count_larger_than_the_truth_stops_on_the_empty_pages(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(35, count=100)

    listing = walk(endpoint, sleeps, page_size=10)

    assert uuids(listing) == expected_uuids(35)
    assert listing.error is None
    assert listing.reported_count == 100
    # The ten pages `count` promised, plus at most one to fill after the short page.
    assert len(endpoint.requests) <= 11
    assert all(offset < 100 for offset in endpoint.offsets)


def test_an_item_repeated_at_a_page_edge_is_kept_once(sleeps: list[float]) -> None:
    # Newest first: an eval created after the first page pushes every later item down one.
    endpoint = PagedEndpoint(20)
    before = list(endpoint.items)
    after = [{**eval_item(999), "eval_uuid": "ev-new"}, *before]

    def page(offset: int, limit: int) -> dict[str, Any]:
        items = before if offset == 0 else after
        return {"items": items[offset : offset + limit], "count": len(items)}

    endpoint.page = page  # type: ignore[method-assign]

    listing = walk(endpoint, sleeps, page_size=10)

    assert uuids(listing) == expected_uuids(20)  # ev-0009 came twice, is kept once
    assert endpoint.offsets == [0, 10, 20]  # the grown count asked for one more page


def test_a_short_page_in_the_middle_is_filled(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(30)
    original = endpoint.page

    def page(offset: int, limit: int) -> dict[str, Any]:
        body = original(offset, limit)
        if offset == 10:
            body = {**body, "items": body["items"][:7]}  # three items went missing
        return body  # type: ignore[return-value]

    endpoint.page = page  # type: ignore[method-assign]

    listing = walk(endpoint, sleeps, page_size=10)

    assert uuids(listing) == expected_uuids(30)
    assert 17 in endpoint.offsets  # the gap was asked for


def test_a_missing_count_walks_one_page_at_a_time_until_an_empty_page(
    sleeps: list[float],
) -> None:
    endpoint = PagedEndpoint(30, count=None)
    endpoint.linger_s = 0.02  # give a parallel request the chance to show itself

    listing = walk(endpoint, sleeps, page_size=10)

    assert uuids(listing) == expected_uuids(30)
    assert [offset for offset, _ in endpoint.requests] == [0, 10, 20, 30]
    assert endpoint.max_in_flight == 1
    assert listing.reported_count is None
    assert listing.complete


def test_a_missing_count_stops_after_a_short_last_page(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(25, count=None)

    listing = walk(endpoint, sleeps, page_size=10)

    assert uuids(listing) == expected_uuids(25)
    assert len(endpoint.requests) <= 5


@pytest.mark.timeout(10)
def test_the_page_cap_stops_with_a_paging_error_and_keeps_the_items(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(100)

    listing = walk(endpoint, sleeps, page_size=10, max_pages=3)

    assert isinstance(listing.error, PagingError)
    assert "3 pages" in str(listing.error)
    assert uuids(listing) == expected_uuids(30)
    assert len(endpoint.requests) == 3
    assert not listing.complete


@pytest.mark.timeout(10)
def test_the_page_cap_also_bounds_a_listing_without_count(sleeps: list[float]) -> None:
    endpoint = PagedEndpoint(10_000, count=None)

    listing = walk(endpoint, sleeps, page_size=10, max_pages=5)

    assert isinstance(listing.error, PagingError)
    assert len(listing.items) == 50
    assert len(endpoint.requests) == 5


def test_an_item_that_does_not_fit_the_schema_is_reported_and_the_rest_kept(
    sleeps: list[float],
) -> None:
    def run_item(i: int) -> dict[str, Any]:
        item = {
            "eval_run_uuid": f"run-{i}",
            "eval_uuid": "ev-1",
            "status": "finished",
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
        }
        if i == 3:
            del item["status"]
        return item

    endpoint = PagedEndpoint(12, make_item=run_item)

    listing = walk(
        endpoint, sleeps, page_size=5, model=EvalRun, item_id=lambda run: run.eval_run_uuid
    )

    assert [run.eval_run_uuid for run in listing.items] == [f"run-{i}" for i in range(12) if i != 3]
    assert len(listing.skipped) == 1
    assert "run-3" in listing.skipped[0]
    assert "status" in listing.skipped[0]
    assert endpoint.offsets == [0, 5, 10]  # a skipped item still counts toward the offset
    assert listing.error is None
    assert not listing.complete


def test_a_page_that_is_not_a_listing_stops_with_a_malformed_response(
    sleeps: list[float],
) -> None:
    endpoint = PagedEndpoint(30)
    original = endpoint.page

    def page(offset: int, limit: int) -> dict[str, Any] | httpx.Response:
        if offset == 20:
            return httpx.Response(200, json=["not", "a", "page"])
        return original(offset, limit)

    endpoint.page = page  # type: ignore[method-assign]

    listing = walk(endpoint, sleeps, page_size=10)

    assert isinstance(listing.error, MalformedResponseError)
    assert uuids(listing) == expected_uuids(20)


def test_a_failing_page_keeps_the_pages_that_arrived_and_carries_its_error(
    sleeps: list[float],
) -> None:
    endpoint = PagedEndpoint(30)
    original = endpoint.page

    def page(offset: int, limit: int) -> dict[str, Any] | httpx.Response:
        if offset == 10:
            return httpx.Response(404, json={"error": {"code": "resource.not_found"}})
        return original(offset, limit)

    endpoint.page = page  # type: ignore[method-assign]

    listing = walk(endpoint, sleeps, page_size=10)

    assert isinstance(listing.error, NotFoundError)
    assert uuids(listing) == expected_uuids(10) + [f"ev-{i:04d}" for i in range(20, 30)]
    assert not listing.complete


@pytest.mark.parametrize(("concurrency", "parallel"), [(8, True), (1, False)])
def test_the_remaining_pages_are_requested_in_parallel_up_to_the_concurrency(
    concurrency: int, parallel: bool, sleeps: list[float]
) -> None:
    endpoint = PagedEndpoint(50)
    # Each request waits for a second one to overlap it: at once when they run in parallel,
    # and for the short timeout (then alone) when they do not.
    endpoint.linger_s = 5.0 if parallel else 0.02

    listing = walk(endpoint, sleeps, page_size=10, concurrency=concurrency)

    assert uuids(listing) == expected_uuids(50)
    assert len(endpoint.requests) == 5
    if parallel:
        assert endpoint.max_in_flight > 1
    else:
        assert endpoint.max_in_flight == 1


def test_many_listings_are_walked_together_and_report_progress(sleeps: list[float]) -> None:
    endpoints = {f"/v2/evals/ev-{n}/prompts": PagedEndpoint(n * 7) for n in range(1, 6)}

    def handler(request: httpx.Request) -> httpx.Response:
        return endpoints[request.url.path](request)

    transport = Transport(BASE, KEY, sleep=sleeps.append, transport=httpx.MockTransport(handler))
    jobs = [ListingJob(key=path, path=path, model=Eval) for path in endpoints]
    progress: list[tuple[int, int, int]] = []

    listings = gather_listings(
        transport.get, jobs, page_size=10, on_progress=lambda *p: progress.append(p)
    )

    assert {path: len(listing.items) for path, listing in listings.items()} == {
        path: len(endpoint.items) for path, endpoint in endpoints.items()
    }
    assert [done for done, _, _ in progress] == [1, 2, 3, 4, 5]
    assert {total for _, total, _ in progress} == {5}
    assert progress[-1] == (5, 5, 7 + 14 + 21 + 28 + 35)


def test_gathering_no_listings_sends_nothing(sleeps: list[float]) -> None:
    def fetch(path: str, params: dict[str, Any]) -> Any:
        raise AssertionError("no request expected")

    assert gather_listings(fetch, []) == {}


def test_a_bug_in_fetch_stops_that_listing_without_hanging_the_others() -> None:
    def fetch(path: str, params: dict[str, Any]) -> Any:
        if path == "/broken":
            raise KeyError("boom")
        return {"items": [eval_item(0)], "count": 1}

    jobs = [ListingJob(key=p, path=p, model=Eval) for p in ("/broken", "/fine")]

    listings = gather_listings(fetch, jobs)

    assert isinstance(listings["/broken"].error, MalformedResponseError)
    assert len(listings["/fine"].items) == 1


# --- cursor pages (Feather) ----------------------------------------------------------------


def test_cursor_pages_are_followed_until_has_more_is_false() -> None:
    pages = {
        None: {"items": [1, 2], "has_more": True, "next_cursor": "c1"},
        "c1": {"items": [3], "has_more": True, "next_cursor": "c2"},
        "c2": {"items": [4], "has_more": False, "next_cursor": None},
    }
    asked: list[Any] = []

    def fetch(path: str, params: dict[str, Any]) -> Any:
        asked.append(params.get("cursor"))
        return pages[params.get("cursor")]

    items = [i for page in iter_cursor_pages(fetch, "/v1/eval-runs") for i in page["items"]]

    assert items == [1, 2, 3, 4]
    assert asked == [None, "c1", "c2"]


@pytest.mark.timeout(10)
def test_a_repeating_cursor_stops_with_a_paging_error() -> None:
    def fetch(path: str, params: dict[str, Any]) -> Any:
        return {"items": [1], "has_more": True, "next_cursor": "same"}

    with pytest.raises(PagingError, match="already given"):
        list(iter_cursor_pages(fetch, "/v1/eval-runs"))


def test_has_more_without_a_cursor_stops_with_a_paging_error() -> None:
    def fetch(path: str, params: dict[str, Any]) -> Any:
        return {"items": [1], "has_more": True}

    with pytest.raises(PagingError, match="no cursor"):
        list(iter_cursor_pages(fetch, "/v1/eval-runs"))
