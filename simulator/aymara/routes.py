"""Aymara v2 routes over the demo dataset: evals, prompts, runs, responses, reports, files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from simulator.aymara import mutations, reviews
from simulator.aymara.generator import AymaraDemoAccount
from simulator.aymara.records import EvalRecord, ReportRecord, RunRecord
from simulator.aymara.rendering import resolve_file, run_json, scored_responses
from simulator.aymara.reports import report_json
from simulator.aymara.seeding import iso
from simulator.faults import aymara_code_for_status
from simulator.images import demo_png

MAX_LIMIT = 100  # undocumented server-side cap: a larger limit is served as 100
ALL_WORKSPACES = "**"  # the SDK: 'Use "\\**" for enterprise-wide access' (Markdown escaping)

T = TypeVar("T")
Limit = Annotated[int, Query(ge=1)]
Offset = Annotated[int, Query(ge=0)]
WorkspaceParam = Annotated[str | None, Query()]


class ApiError(Exception):
    """An Aymara error answer raised by a handler; the app renders the envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        details: dict[str, Any] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or {}
        self.code = code or aymara_code_for_status(status)


class SubmittedResponse(BaseModel):
    """One response in a score-responses request (unknown fields ignored)."""

    model_config = ConfigDict(extra="ignore")

    prompt_uuid: str
    thread_uuid: str | None = None
    turn_number: int = 1
    continue_thread: bool = False
    content: str | dict[str, Any] | None = None
    content_type: str = "text"
    exclude_from_scoring: bool = False
    ai_refused: bool = False


class ScoreRequest(BaseModel):
    """The body of `POST /v2/eval-runs/-/score-responses`."""

    model_config = ConfigDict(extra="ignore")

    eval_uuid: str
    responses: list[SubmittedResponse]
    eval_run_uuid: str | None = None
    name: str | None = None
    ai_description: str | None = None
    continue_thread: bool | None = False
    eval_run_examples: list[dict[str, Any]] | None = None


def page(items: Sequence[T], limit: int, offset: int) -> tuple[list[T], int]:
    """The slice a limit/offset page asks for (limit capped) and the total count."""
    return list(items[offset : offset + min(limit, MAX_LIMIT)]), len(items)


R = TypeVar("R", EvalRecord, ReportRecord)


def newest_first(records: Sequence[R], allowed: set[str]) -> list[R]:
    """The records in the allowed workspaces, newest first (ties broken by uuid)."""
    mine = (r for r in records if r.workspace.uuid in allowed)
    return sorted(mine, key=lambda r: (r.created_at, r.uuid), reverse=True)


def make_router(account: AymaraDemoAccount) -> APIRouter:
    """The Aymara v2 API (plus the simulator's image files) over one dataset.

    Handlers return `JSONResponse` themselves: the data is plain JSON already, and FastAPI's
    generic encoder would cost several times what generating a run's responses does.
    """
    router = APIRouter()

    def scope(workspace_uuid: str | None) -> set[str]:
        """The workspaces a request may see: absent = the key's own, `**` = the whole org."""
        if not workspace_uuid:
            return {account.key_workspace.uuid}
        if workspace_uuid == ALL_WORKSPACES:
            return set(account.workspace_by_uuid)
        if workspace_uuid in account.workspace_by_uuid:
            return {workspace_uuid}
        raise ApiError(404, f"Workspace {workspace_uuid} not found.")

    def find_eval(eval_uuid: str, workspace_uuid: str | None) -> EvalRecord:
        allowed = scope(workspace_uuid)
        ev = account.eval_by_uuid.get(eval_uuid)
        if ev is None or ev.workspace.uuid not in allowed:
            raise ApiError(404, f"Eval {eval_uuid} not found.")
        return ev

    def find_run(eval_run_uuid: str, workspace_uuid: str | None) -> RunRecord:
        allowed = scope(workspace_uuid)
        run = account.run_by_uuid.get(eval_run_uuid)
        if run is None or run.uuid in account.deleted or run.workspace_uuid not in allowed:
            raise ApiError(404, f"Eval run {eval_run_uuid} not found.")
        return run

    @router.get("/v2/evals")
    async def list_evals(
        workspace_uuid: WorkspaceParam = None, limit: Limit = 100, offset: Offset = 0
    ) -> Response:
        allowed = scope(workspace_uuid)
        evals = newest_first(account.evals, allowed)
        items, count = page(evals, limit, offset)
        return JSONResponse({"items": [e.json for e in items], "count": count})

    @router.get("/v2/evals/{eval_uuid}")
    async def get_eval(eval_uuid: str, workspace_uuid: WorkspaceParam = None) -> Response:
        return JSONResponse(find_eval(eval_uuid, workspace_uuid).json)

    @router.get("/v2/evals/{eval_uuid}/prompts")
    async def list_prompts(
        eval_uuid: str,
        workspace_uuid: WorkspaceParam = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response:
        ev = find_eval(eval_uuid, workspace_uuid)
        items, count = page(ev.prompts, limit, offset)
        return JSONResponse({"items": [p.as_json() for p in items], "count": count})

    @router.get("/v2/eval-runs")
    async def list_runs(
        eval_uuid: str | None = None,
        workspace_uuid: WorkspaceParam = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response:
        allowed = scope(workspace_uuid)
        runs = [
            r
            for r in account.live_runs()
            if r.workspace_uuid in allowed and (eval_uuid is None or r.eval.uuid == eval_uuid)
        ]
        items, count = page(runs, limit, offset)
        return JSONResponse({"items": [run_json(account, r) for r in items], "count": count})

    @router.post("/v2/eval-runs/-/score-responses")
    async def score_responses(
        body: ScoreRequest, workspace_uuid: WorkspaceParam = None, is_sandbox: bool = False
    ) -> Response:
        ev = find_eval(body.eval_uuid, workspace_uuid)
        if ev.spec.status != "finished" or not ev.prompts:
            raise ApiError(409, f"Eval {ev.uuid} is still {ev.spec.status}; try again later.")
        if not body.responses:
            raise ApiError(
                422,
                "responses must not be empty.",
                {"field": "responses"},
                "validation.invalid_request",
            )
        known = {p.prompt_uuid for p in ev.prompts}
        bad = [i for i, r in enumerate(body.responses) if r.prompt_uuid not in known]
        if bad:
            raise ApiError(
                422,
                f"responses[{bad[0]}].prompt_uuid is not a prompt of eval {ev.uuid}.",
                {"field": f"responses[{bad[0]}].prompt_uuid", "index": bad[0], "indices": bad},
                "validation.invalid_request",
            )
        if body.eval_run_uuid and body.eval_run_uuid in account.run_by_uuid:
            raise ApiError(409, f"Eval run {body.eval_run_uuid} already exists.")
        run = mutations.add_scored_run(
            account,
            ev,
            [r.model_dump() for r in body.responses],
            name=body.name,
            ai_description=body.ai_description,
            is_sandbox=is_sandbox,
            eval_run_uuid=body.eval_run_uuid,
        )
        return JSONResponse(run_json(account, run, with_responses=True))

    @router.get("/v2/eval-runs/{eval_run_uuid}")
    async def get_run(eval_run_uuid: str, workspace_uuid: WorkspaceParam = None) -> Response:
        return JSONResponse(run_json(account, find_run(eval_run_uuid, workspace_uuid)))

    @router.delete("/v2/eval-runs/{eval_run_uuid}", status_code=204)
    async def delete_run(eval_run_uuid: str, workspace_uuid: WorkspaceParam = None) -> Response:
        mutations.delete_run(account, find_run(eval_run_uuid, workspace_uuid))
        return Response(status_code=204)

    @router.get("/v2/eval-runs/{eval_run_uuid}/responses")
    async def list_responses(
        eval_run_uuid: str,
        workspace_uuid: WorkspaceParam = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response:
        run = find_run(eval_run_uuid, workspace_uuid)
        items, count = page(scored_responses(account, run), limit, offset)
        return JSONResponse({"items": items, "count": count})

    @router.patch("/v2/eval-runs/{eval_run_uuid}/responses/{response_uuid}")
    async def update_response(
        eval_run_uuid: str,
        response_uuid: str,
        request: Request,
        workspace_uuid: WorkspaceParam = None,
    ) -> Response:
        run = find_run(eval_run_uuid, workspace_uuid)
        try:
            body = await request.json()
        except ValueError:
            body = None
        expected = request.headers.get(reviews.EXPECTED_STATE_HEADER)
        try:
            item = reviews.update(account, run, response_uuid, body, expected)
        except reviews.ReviewError as exc:
            code = "validation.invalid_request" if exc.status == 422 else None
            raise ApiError(exc.status, exc.message, exc.details, code) from None
        return JSONResponse(item)

    @router.get("/v2/eval-runs/{eval_run_uuid}/responses/{response_uuid}/history")
    async def response_history(
        eval_run_uuid: str, response_uuid: str, workspace_uuid: WorkspaceParam = None
    ) -> Response:
        run = find_run(eval_run_uuid, workspace_uuid)
        try:
            return JSONResponse(reviews.history(account, run, response_uuid))
        except reviews.ReviewError as exc:
            raise ApiError(exc.status, exc.message, exc.details) from None

    @router.get("/v2/eval-reports")
    async def list_reports(
        workspace_uuid: WorkspaceParam = None, limit: Limit = 100, offset: Offset = 0
    ) -> Response:
        allowed = scope(workspace_uuid)
        reports = newest_first(account.reports, allowed)
        items, count = page(reports, limit, offset)
        return JSONResponse({"items": [report_json(account, r) for r in items], "count": count})

    @router.get("/v2/eval-reports/{report_uuid}")
    async def get_report(report_uuid: str, workspace_uuid: WorkspaceParam = None) -> Response:
        allowed = scope(workspace_uuid)
        for report in account.reports:
            if report.uuid == report_uuid and report.workspace.uuid in allowed:
                return JSONResponse(report_json(account, report))
        raise ApiError(404, f"Eval report {report_uuid} not found.")

    @router.get("/v2/eval-types")
    async def list_eval_types(limit: Limit = 100, offset: Offset = 0) -> Response:
        items, count = page(account.eval_types, limit, offset)
        return JSONResponse({"items": items, "count": count})

    @router.get("/v2/eval-types/{eval_type_uuid}")
    async def get_eval_type(eval_type_uuid: str) -> Response:
        for item in account.eval_types:
            if item["eval_type_uuid"] == eval_type_uuid:
                return JSONResponse(item)
        raise ApiError(404, f"Eval type {eval_type_uuid} not found.")

    @router.get("/v2/files/{file_uuid}")
    async def get_file(file_uuid: str, request: Request) -> Response:
        found = resolve_file(account, file_uuid)
        if found is None:
            raise ApiError(404, f"File {file_uuid} not found.")
        run = found[0]
        base = str(request.base_url).rstrip("/")
        detail = {
            "file_uuid": file_uuid,
            "content_type": "image/png",
            "file_type": "image",
            "organization_uuid": account.org_uuid,
            "workspace_uuid": run.workspace_uuid,
            "remote_file_path": f"evals/{run.eval.uuid}/runs/{run.uuid}/{file_uuid}.png",
            "file_url": f"{base}/_sim/files/{file_uuid}.png",
            "original_file_url": None,
            "file_size_bytes": len(demo_png(file_uuid)),
            "uploaded_by_uuid": None,
            "video_metadata": None,
            "created_at": iso(run.updated_at),
            "updated_at": iso(run.updated_at),
        }
        return JSONResponse(detail)

    # Stands in for the presigned storage URL: like one, it needs no API key.
    @router.get("/_sim/files/{file_name}", include_in_schema=False)
    async def file_bytes(file_name: str) -> Response:
        file_uuid = file_name.removesuffix(".png")
        if not file_name.endswith(".png") or resolve_file(account, file_uuid) is None:
            return Response("Not found", status_code=404, media_type="text/plain")
        return Response(
            demo_png(file_uuid),
            media_type="image/png",
            headers={"cache-control": "private, max-age=1800"},
        )

    return router
