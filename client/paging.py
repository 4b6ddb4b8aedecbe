"""Paging for both APIs: offset pages (Aymara) fetched in parallel, cursor pages (Feather)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from client.errors import APIError, MalformedResponseError, PagingError

T = TypeVar("T", bound=BaseModel)

DEFAULT_PAGE_SIZE = 100
MAX_PAGES = 2_000
DEFAULT_CONCURRENCY = 8

# fetch(path, params) -> decoded JSON; the transport's `get`.
Fetch = Callable[[str, dict[str, Any]], Any]
# progress(listings_done, listings_total, items_so_far)
Progress = Callable[[int, int, int], None]


@dataclass
class Listing(Generic[T]):
    """Everything one listing returned, with what could not be read kept in view."""

    items: list[T] = field(default_factory=list)
    reported_count: int | None = None
    pages: int = 0
    skipped: list[str] = field(default_factory=list)  # items that did not fit the schema
    error: APIError | None = None  # set when the listing stopped before its end

    @property
    def shortfall(self) -> int:
        """How many fewer items arrived than the API's own count promised."""
        if self.reported_count is None:
            return 0
        return max(0, self.reported_count - len(self.items) - len(self.skipped))

    @property
    def complete(self) -> bool:
        """True when every page was read, every item parsed, and the count adds up."""
        return self.error is None and not self.skipped and not self.shortfall


@dataclass(frozen=True)
class ListingJob(Generic[T]):
    """One offset-paged listing to walk: where, with which filters, into which model."""

    key: Hashable
    path: str
    model: type[T]
    params: dict[str, Any] = field(default_factory=dict)
    item_id: Callable[[T], Hashable | None] = lambda item: None


def parse_items(
    body: Any, model: type[T], list_key: str = "items"
) -> tuple[list[T], list[str], Any]:
    """Validate a page's items one by one; a bad item is reported, never silently dropped."""
    if not isinstance(body, dict) or not isinstance(body.get(list_key), list):
        raise MalformedResponseError(
            f"Expected a page with an '{list_key}' list, got {type(body).__name__}."
        )
    items: list[T] = []
    skipped: list[str] = []
    for index, raw in enumerate(body[list_key]):
        try:
            items.append(model.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "item"
            ident = _guess_id(raw)
            skipped.append(f"{model.__name__} {ident or f'#{index}'}: {where} {first['msg']}")
    return items, skipped, body


def _guess_id(raw: Any) -> str | None:
    if isinstance(raw, dict):
        for name, value in raw.items():
            if (name.endswith("_uuid") or name == "id") and isinstance(value, str):
                return value[:40]
    return None


def _count(body: dict[str, Any]) -> int | None:
    count = body.get("count")
    return count if isinstance(count, int) and count >= 0 else None


class _JobState:
    """Bookkeeping for one listing while its pages are in flight."""

    def __init__(self, job: ListingJob[Any], page_size: int) -> None:
        self.job = job
        self.page_size = page_size
        self.pages: dict[int, list[Any]] = {}
        self.listing: Listing[Any] = Listing()
        self.planned_until = 0  # offsets below this are fetched or scheduled
        self.stride = page_size  # the page size the server actually honours
        self.in_flight = 0
        self.stopped = False

    def result(self) -> Listing[Any]:
        seen: set[Hashable] = set()
        items = []
        for offset in sorted(self.pages):
            for item in self.pages[offset]:
                ident = self.job.item_id(item)
                if ident is not None:
                    # Offset paging over changing data can repeat an item at a page edge.
                    if ident in seen:
                        continue
                    seen.add(ident)
                items.append(item)
        self.listing.items = items
        return self.listing


def gather_listings(
    fetch: Fetch,
    jobs: Sequence[ListingJob[Any]],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int = DEFAULT_PAGE_SIZE,
    max_pages: int = MAX_PAGES,
    on_progress: Progress | None = None,
    on_listing: Callable[[Hashable, Listing[Any]], None] | None = None,
) -> dict[Hashable, Listing[Any]]:
    """Walk many offset-paged listings at once with at most `concurrency` requests in flight.

    Each listing's first page tells the total; its remaining pages are then requested in
    parallel. A listing that fails keeps the pages it got and carries its error; the others
    go on. Progress is reported from the calling thread, so it may update a UI.

    With `on_listing`, each finished listing is handed over as soon as it is complete and its
    items are then released (the returned listing keeps its counts and errors, not its items),
    so a million responses never sit in memory as models all at once.
    """
    states = {job.key: _JobState(job, page_size) for job in jobs}
    events: queue.Queue[tuple[Hashable, int, int, Any]] = queue.Queue()
    lock = threading.Lock()
    outstanding = 0
    done_jobs = 0
    items_so_far = 0

    def run(key: Hashable, offset: int, limit: int) -> None:
        state = states[key]
        params = {**state.job.params, "limit": limit, "offset": offset}
        try:
            body = fetch(state.job.path, params)
            result: Any = parse_items(body, state.job.model)
        except APIError as exc:
            result = exc
        except Exception as exc:  # noqa: BLE001 - a bug in one page must not hang the others
            result = MalformedResponseError(f"Could not read a page: {type(exc).__name__}")
        events.put((key, offset, limit, result))

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:

        def submit(key: Hashable, offset: int, limit: int) -> None:
            nonlocal outstanding
            state = states[key]
            if state.listing.pages + state.in_flight >= max_pages:
                if state.listing.error is None:
                    state.listing.error = PagingError(
                        f"Stopped after {max_pages} pages of {state.job.path}; "
                        "the listing is larger than the dashboard reads at once."
                    )
                state.stopped = True
                return
            state.in_flight += 1
            outstanding += 1
            pool.submit(run, key, offset, limit)

        for key in states:
            submit(key, 0, page_size)
            states[key].planned_until = page_size

        while outstanding:
            key, offset, limit, result = events.get()
            outstanding -= 1
            state = states[key]
            state.in_flight -= 1
            state.listing.pages += 1
            if isinstance(result, APIError):
                state.listing.error = state.listing.error or result
                state.stopped = True
            else:
                items, skipped, body = result
                state.pages[offset] = items
                state.listing.skipped.extend(skipped)
                received = len(items) + len(skipped)
                with lock:
                    items_so_far += len(items)
                count = _count(body)
                if count is not None:
                    state.listing.reported_count = max(state.listing.reported_count or 0, count)
                if offset == 0 and received:
                    # The server may cap `limit`: the first page shows the real page size.
                    state.stride = min(received, page_size)
                    state.planned_until = received
                if not state.stopped and received:
                    _schedule_more(state, offset, received, limit, count, submit)
            if state.in_flight == 0:
                done_jobs += 1
                if on_listing is not None:
                    on_listing(key, state.result())
                    state.pages.clear()
                    state.listing.items = []
                if on_progress is not None:
                    on_progress(done_jobs, len(states), items_so_far)
    if on_listing is not None:
        return {key: state.listing for key, state in states.items()}
    return {key: state.result() for key, state in states.items()}


def _schedule_more(
    state: _JobState,
    offset: int,
    received: int,
    limit: int,
    count: int | None,
    submit: Callable[[Hashable, int, int], None],
) -> None:
    """Plan the pages that follow one that just arrived."""
    end = offset + received
    key = state.job.key
    known_end = state.planned_until if count is None else min(state.planned_until, count)
    if received < min(limit, state.stride) and end < known_end:
        # A short page in the middle: fetch the gap it left before the next planned page.
        submit(key, end, min(state.page_size, state.planned_until - end))
    if count is None:
        # Without a total, walk one page at a time until a page comes back empty.
        if end >= state.planned_until:
            submit(key, end, state.page_size)
            state.planned_until = end + state.stride
        return
    while state.planned_until < count and not state.stopped:
        submit(key, state.planned_until, state.page_size)
        state.planned_until += state.stride


def fetch_listing(
    fetch: Fetch,
    path: str,
    model: type[T],
    params: dict[str, Any] | None = None,
    *,
    item_id: Callable[[T], Hashable | None] = lambda item: None,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int = DEFAULT_PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> Listing[T]:
    """Walk one offset-paged listing (its pages in parallel after the first)."""
    job = ListingJob(key=path, path=path, model=model, params=dict(params or {}), item_id=item_id)
    return gather_listings(
        fetch, [job], concurrency=concurrency, page_size=page_size, max_pages=max_pages
    )[path]


def iter_cursor_pages(
    fetch: Fetch,
    path: str,
    params: dict[str, Any] | None = None,
    *,
    page_size: int = 200,
    list_key: str = "items",
    max_pages: int = MAX_PAGES,
) -> Iterator[dict[str, Any]]:
    """Yield each page of a cursor-paged listing; stop with an error if a cursor repeats."""
    seen: set[str] = set()
    cursor: str | None = None
    for _ in range(max_pages):
        query = {**(params or {}), "limit": page_size}
        if cursor is not None:
            query["cursor"] = cursor
        body = fetch(path, query)
        if not isinstance(body, dict) or not isinstance(body.get(list_key), list):
            raise MalformedResponseError(f"Expected a page with an '{list_key}' list.")
        yield body
        if not body.get("has_more"):
            return
        cursor = body.get("next_cursor")
        if not cursor:
            raise PagingError(f"{path} said it has more pages but gave no cursor to reach them.")
        if cursor in seen:
            raise PagingError(f"{path} returned a cursor it had already given; stopped paging.")
        seen.add(cursor)
    raise PagingError(f"Stopped after {max_pages} pages of {path}.")
