"""Typed client for the Aymara v2 REST API: every read the dashboard needs, and scoring."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, NamedTuple, TypeVar

import httpx
from pydantic import BaseModel

from client.aymara_models import (
    AnswerHistory,
    Eval,
    EvalPrompt,
    EvalRun,
    EvalSuiteReport,
    EvalType,
    FileDetail,
    ScoredResponse,
    ScoreRequest,
)
from client.base import APIClient, validate
from client.base import path_segment as _seg
from client.errors import MalformedResponseError
from client.paging import (
    DEFAULT_CONCURRENCY,
    Listing,
    ListingJob,
    Progress,
    fetch_listing,
    gather_listings,
)
from client.ratelimit import RateLimiter
from client.settings import AYMARA_DEFAULT_URL
from client.transport import DEFAULT_TIMEOUT

DEFAULT_BASE_URL = AYMARA_DEFAULT_URL
M = TypeVar("M", bound=BaseModel)
_LISTINGS = ("evals", "runs", "reports")  # what one workspace's first stage lists
# `workspace_uuid` for every workspace of the organisation. The SDK documents: 'Use "\\**" for
# enterprise-wide access, omit for user's current workspace' (the backslash is Markdown
# escaping). So omitting the parameter (None here) asks for the key's own workspace only.
ALL_WORKSPACES = "**"


# Not in the SDK: the `manually_updated_at` the reviewer saw ("" = never reviewed). A server that
# knows it answers 409 when the response changed since; one that does not ignores the header.
EXPECTED_STATE_HEADER = "x-expected-manually-updated-at"


class _Unset:
    """An argument not given: the field is left out of the PATCH body (None sends null)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def response_id(response: ScoredResponse) -> Hashable:
    """A response's identity; the prompt and turn when the API gives no uuid."""
    return response.response_uuid or (
        response.prompt_uuid,
        response.thread_uuid,
        response.turn_number,
    )


class Endpoint(NamedTuple):
    """One listing: its path template ({id} is the parent's uuid), item model and item id."""

    path: str
    model: type[BaseModel]
    item_id: Callable[[Any], Hashable]


# Every listing the dashboard reads, in one place: the typed methods below and the many-at-once
# jobs all go through `_job`, so a path, model or id is written exactly once.
ENDPOINTS: dict[str, Endpoint] = {
    "evals": Endpoint("/v2/evals", Eval, lambda e: e.eval_uuid),
    "prompts": Endpoint("/v2/evals/{id}/prompts", EvalPrompt, lambda p: p.prompt_uuid),
    "runs": Endpoint("/v2/eval-runs", EvalRun, lambda r: r.eval_run_uuid),
    "responses": Endpoint("/v2/eval-runs/{id}/responses", ScoredResponse, response_id),
    "reports": Endpoint("/v2/eval-reports", EvalSuiteReport, lambda r: r.eval_suite_report_uuid),
    "eval-types": Endpoint("/v2/eval-types", EvalType, lambda t: t.eval_type_uuid),
}


def _job(
    endpoint: str, key: Hashable, params: dict[str, Any], parent: str | None = None
) -> ListingJob[Any]:
    """The listing job of one endpoint, its parent's uuid put in the path as one segment."""
    spec = ENDPOINTS[endpoint]
    path = spec.path.format(id=_seg(parent)) if parent is not None else spec.path
    return ListingJob(key=key, path=path, model=spec.model, params=params, item_id=spec.item_id)


class AymaraClient(APIClient):
    """Reads evals, runs, scored responses and reports; many requests in flight at once."""

    api_name = "Aymara API"
    settings_prefix = "aymara"  # AYMARA_AI_API_KEY / AYMARA_AI_BASE_URL, the SDK's own names
    default_base_url = DEFAULT_BASE_URL

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        requests_per_second: float | None = None,
        sleep: Callable[[float], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        # The injected sleep reaches the limiter too, so no test waits on the real clock.
        limiter = RateLimiter(requests_per_second, **kwargs) if requests_per_second else None
        self._connect(
            api_key,
            base_url,
            concurrency=concurrency,
            timeout=timeout,
            max_retries=max_retries,
            rate_limiter=limiter,
            sleep=sleep,
            transport=transport,
        )

    # --- reads -------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        return self.transport.get(path, params)

    def _one(self, path: str, model: type[M], workspace_uuid: str | None) -> M:
        body = self._get(path, {"workspace_uuid": workspace_uuid})
        return validate(model, body, f"from {path}")

    def _list(
        self, endpoint: str, params: dict[str, Any], parent: str | None = None
    ) -> Listing[Any]:
        job = _job(endpoint, endpoint, params, parent)
        return fetch_listing(
            self._get,
            job.path,
            job.model,
            job.params,
            item_id=job.item_id,
            concurrency=self.concurrency,
        )

    def list_evals(self, workspace_uuid: str | None = None) -> Listing[Eval]:
        """Every eval in the workspace."""
        return self._list("evals", {"workspace_uuid": workspace_uuid})

    def get_eval(self, eval_uuid: str, workspace_uuid: str | None = None) -> Eval:
        """One eval."""
        return self._one(f"/v2/evals/{_seg(eval_uuid)}", Eval, workspace_uuid)

    def list_eval_prompts(
        self, eval_uuid: str, workspace_uuid: str | None = None
    ) -> Listing[EvalPrompt]:
        """Every prompt of an eval."""
        return self._list("prompts", {"workspace_uuid": workspace_uuid}, eval_uuid)

    def list_eval_runs(
        self, workspace_uuid: str | None = None, eval_uuid: str | None = None
    ) -> Listing[EvalRun]:
        """Every run in the workspace, optionally of one eval."""
        return self._list("runs", {"workspace_uuid": workspace_uuid, "eval_uuid": eval_uuid})

    def get_eval_run(self, eval_run_uuid: str, workspace_uuid: str | None = None) -> EvalRun:
        """One run."""
        return self._one(f"/v2/eval-runs/{_seg(eval_run_uuid)}", EvalRun, workspace_uuid)

    def list_run_responses(
        self, eval_run_uuid: str, workspace_uuid: str | None = None
    ) -> Listing[ScoredResponse]:
        """Every scored response of a run."""
        return self._list("responses", {"workspace_uuid": workspace_uuid}, eval_run_uuid)

    def list_reports(self, workspace_uuid: str | None = None) -> Listing[EvalSuiteReport]:
        """Every suite report."""
        return self._list("reports", {"workspace_uuid": workspace_uuid})

    def get_report(self, report_uuid: str, workspace_uuid: str | None = None) -> EvalSuiteReport:
        """One suite report."""
        return self._one(f"/v2/eval-reports/{_seg(report_uuid)}", EvalSuiteReport, workspace_uuid)

    def get_file(self, file_uuid: str) -> FileDetail:
        """One uploaded file's details, with a presigned `file_url`."""
        return self._one(f"/v2/files/{_seg(file_uuid)}", FileDetail, None)

    def download_same_host(self, url: str, max_bytes: int = 5_000_000) -> bytes | None:
        """Bytes at a URL on the API's own host, fetched WITHOUT the key; None for other hosts.

        Only the API's host is fetched: following any URL found in API data would let that data
        make the server request internal addresses.
        """
        target = httpx.URL(url)
        base = httpx.URL(self.base_url)
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            return None
        try:
            with httpx.stream("GET", target, timeout=10, follow_redirects=False) as response:
                if response.status_code != 200:
                    return None
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        return None
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError:
            return None

    def list_eval_types(self) -> Listing[EvalType]:
        """The eval types the API offers."""
        return self._list("eval-types", {})

    # --- many at once --------------------------------------------------------------------

    @staticmethod
    def prompts_job(eval_uuid: str, workspace_uuid: str | None) -> ListingJob[EvalPrompt]:
        """The listing of one eval's prompts, keyed ("prompts", eval uuid)."""
        return _job(
            "prompts", ("prompts", eval_uuid), {"workspace_uuid": workspace_uuid}, eval_uuid
        )

    @staticmethod
    def responses_job(run_uuid: str, workspace_uuid: str | None) -> ListingJob[ScoredResponse]:
        """The listing of one run's responses, keyed ("responses", run uuid)."""
        params = {"workspace_uuid": workspace_uuid}
        return _job("responses", ("responses", run_uuid), params, run_uuid)

    def fetch_listings(
        self,
        jobs: Iterable[ListingJob[Any]],
        *,
        on_progress: Progress | None = None,
        on_listing: Callable[[Hashable, Listing[Any]], None] | None = None,
    ) -> dict[Hashable, Listing[Any]]:
        """Walk many listings at once over one pool, at most `concurrency` requests in flight."""
        return gather_listings(
            self._get,
            list(jobs),
            concurrency=self.concurrency,
            on_progress=on_progress,
            on_listing=on_listing,
        )

    def fetch_workspace_listings(
        self,
        workspace_uuid: str | None = None,
        *more_workspaces: str,
        reuse: Mapping[str, Listing[Any]] | None = None,
    ) -> tuple[Listing[Eval], Listing[EvalRun], Listing[EvalSuiteReport]]:
        """The evals, runs and reports listings of one or more workspaces, fetched side by side.

        `reuse` gives listings already read in full ("evals", "runs", "reports"): those are
        not asked again (a retry after a partial load fetches only what was missing).
        """
        spaces = [workspace_uuid, *more_workspaces]
        kept = dict(reuse or {})
        wanted = [kind for kind in _LISTINGS if kind not in kept]
        jobs: list[ListingJob[Any]] = []
        for ws in spaces:
            jobs += [_job(kind, (kind, ws), {"workspace_uuid": ws}) for kind in wanted]
        found = self.fetch_listings(jobs) if jobs else {}
        for kind in wanted:
            kept[kind] = _merge([found[(kind, ws)] for ws in spaces])
        return tuple(kept[kind] for kind in _LISTINGS)  # type: ignore[return-value]

    def fetch_run_responses(
        self,
        runs: Iterable[tuple[str, str | None]],
        *,
        on_progress: Progress | None = None,
        on_listing: Callable[[Hashable, Listing[Any]], None] | None = None,
    ) -> dict[str, Listing[ScoredResponse]]:
        """The responses of many runs, given as (run uuid, workspace uuid) pairs, concurrently.

        With `on_listing`, each run's responses are handed over as soon as they are complete.
        """
        jobs = [
            ListingJob(
                key=run_uuid,
                path=f"/v2/eval-runs/{_seg(run_uuid)}/responses",
                model=ScoredResponse,
                params={"workspace_uuid": ws},
                item_id=response_id,
            )
            for run_uuid, ws in runs
        ]
        return gather_listings(  # type: ignore[return-value]
            self._get,
            jobs,
            concurrency=self.concurrency,
            on_progress=on_progress,
            on_listing=on_listing,
        )

    def fetch_eval_prompts(
        self,
        evals: Iterable[tuple[str, str | None]],
        *,
        on_progress: Progress | None = None,
    ) -> dict[str, Listing[EvalPrompt]]:
        """The prompts of many evals, given as (eval uuid, workspace uuid) pairs, concurrently."""
        jobs = [
            ListingJob(
                key=eval_uuid,
                path=f"/v2/evals/{_seg(eval_uuid)}/prompts",
                model=EvalPrompt,
                params={"workspace_uuid": ws},
                item_id=lambda p: p.prompt_uuid,
            )
            for eval_uuid, ws in evals
        ]
        return gather_listings(  # type: ignore[return-value]
            self._get, jobs, concurrency=self.concurrency, on_progress=on_progress
        )

    # --- writes ----------------------------------------------------------------------------

    def score_responses(
        self,
        request: ScoreRequest,
        *,
        workspace_uuid: str | None = None,
        is_sandbox: bool = False,
    ) -> EvalRun:
        """Score a batch of responses as a new run. Sent once: a failure is never replayed."""
        body = self.transport.post(
            "/v2/eval-runs/-/score-responses",
            params={"workspace_uuid": workspace_uuid, "is_sandbox": is_sandbox},
            json_body=request.model_dump(mode="json", exclude_none=True),
        )
        return validate(EvalRun, body, "from score-responses")

    def update_response(
        self,
        eval_run_uuid: str,
        response_uuid: str,
        *,
        is_passed: bool | None = UNSET,
        explanation: str | None = UNSET,
        confidence: float | None = UNSET,
        workspace_uuid: str | None = None,
        expected_updated_at: str | None = UNSET,
    ) -> ScoredResponse:
        """Change a response's verdict by hand (fields not given are left as they are).

        Sent once (a ConflictError means someone else changed it first). `expected_updated_at`
        is the `manually_updated_at` the person saw (None: never reviewed); see the header.
        """
        fields = {"is_passed": is_passed, "explanation": explanation, "confidence": confidence}
        body = {name: value for name, value in fields.items() if value is not UNSET}
        headers = {}
        if expected_updated_at is not UNSET:
            headers[EXPECTED_STATE_HEADER] = expected_updated_at or ""
        path = response_path(eval_run_uuid, response_uuid)
        answer = self.transport.patch(
            path, params={"workspace_uuid": workspace_uuid}, json_body=body, headers=headers
        )
        return validate(ScoredResponse, answer, f"from {path}")

    def get_response_history(
        self, eval_run_uuid: str, response_uuid: str, workspace_uuid: str | None = None
    ) -> list[AnswerHistory]:
        """Every manual change to a response, as the API keeps them (a bare JSON array)."""
        path = response_path(eval_run_uuid, response_uuid) + "/history"
        answer = self._get(path, {"workspace_uuid": workspace_uuid})
        if not isinstance(answer, list):
            raise MalformedResponseError(f"The answer from {path} is not a list of changes.")
        return [validate(AnswerHistory, item, f"from {path}") for item in answer]


def response_path(eval_run_uuid: str, response_uuid: str) -> str:
    """The path of one scored response, each uuid one path segment."""
    return f"/v2/eval-runs/{_seg(eval_run_uuid)}/responses/{_seg(response_uuid)}"


def _merge(listings: list[Listing[Any]]) -> Listing[Any]:
    """One listing from the same listing of several workspaces."""
    if len(listings) == 1:
        return listings[0]
    merged: Listing[Any] = Listing()
    for listing in listings:
        merged.items.extend(listing.items)
        merged.skipped.extend(listing.skipped)
        merged.pages += listing.pages
        merged.error = merged.error or listing.error
        if listing.reported_count is not None:
            merged.reported_count = (merged.reported_count or 0) + listing.reported_count
    return merged
