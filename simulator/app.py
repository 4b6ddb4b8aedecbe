"""The simulator's FastAPI app: both API contracts, auth, fault injection and control endpoints."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from simulator.aymara.generator import AymaraDemoAccount
from simulator.aymara.ground_truth import ground_truth as aymara_account_truth
from simulator.aymara.routes import ApiError
from simulator.aymara.routes import make_router as aymara_router
from simulator.faults import (
    Fault,
    FaultInjector,
    RequestStats,
    RuntimeConfig,
    aymara_code_for_status,
    aymara_error_body,
    feather_error_body,
)
from simulator.settings import SimSettings

try:
    from simulator.feather.routes import make_router as feather_router
except ImportError:  # the Feather half is optional: the Aymara half works on its own
    feather_router = None  # type: ignore[assignment]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("simulator")

API_PREFIXES = ("/v1/", "/v2/")
PUBLIC_PATHS = ("/health", "/docs", "/openapi.json", "/redoc")
PUBLIC_PREFIXES = ("/_sim/files/",)


@dataclass
class SimState:
    """Everything one running simulator holds: data, knobs, fault memory and counters."""

    settings: SimSettings
    config: RuntimeConfig
    injector: FaultInjector
    stats: RequestStats
    aymara: AymaraDemoAccount


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "") or "")


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def _is_feather(path: str) -> bool:
    return path.startswith("/v1/")


def _aymara_json(status: int, code: str, message: str, request_id: str, **extra: Any) -> Response:
    details = extra.pop("details", None)
    body = aymara_error_body(code, message, request_id, details)
    return JSONResponse(body, status_code=status, headers=extra.get("headers"))


def _seconds_header(value: float) -> str:
    """A Retry-After value: whole seconds when whole, else the decimal (for fast tests)."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class RouteTable:
    """Route templates by method and path, for counting requests per route (faulted ones too)."""

    def __init__(self) -> None:
        self._routes: list[tuple[frozenset[str], re.Pattern[str], str]] = []

    def add_router(self, router: APIRouter) -> None:
        """Remember every API route of a router (its paths include the router's prefix)."""
        for route in router.routes:
            if isinstance(route, APIRoute):
                regex, _, _ = compile_path(route.path)
                self._routes.append((frozenset(route.methods or ()), regex, route.path))

    def template(self, method: str, path: str) -> str:
        """`"GET /v2/eval-runs/{eval_run_uuid}"`, or `"GET <unmatched>"`."""
        for methods, regex, template in self._routes:
            if method in methods and regex.match(path):
                return f"{method} {template}"
        return f"{method} <unmatched>"


class SimulatorMiddleware:
    """Per request: path normalisation, request id, stats, outage, auth, latency and faults."""

    def __init__(self, app: ASGIApp, state: SimState, routes: RouteTable) -> None:
        self.app = app
        self.state = state
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            # Both `/v2/evals` and `/v2/evals/` are served directly: no redirect to follow.
            path = path.rstrip("/") or "/"
            scope = dict(scope, path=path, raw_path=path.encode())
        request_id = f"req_{uuid.uuid4().hex[:24]}"
        scope.setdefault("state", {})["request_id"] = request_id
        send = _with_request_id(send, request_id)
        state = self.state
        cfg = state.config
        api = _is_api(path)
        if api:
            state.stats.count_request(self.routes.template(scope["method"], path))
            if cfg.down:
                state.stats.count_fault("down")
                await self._error(scope, send, 503, request_id, "The service is unavailable.")
                return
            if cfg.down_after > 0:
                cfg.down_after -= 1
                cfg.down = cfg.down_after == 0  # this one is served; the next is refused
        if self._needs_key(path):
            denied = self._check_key(scope, request_id)
            if denied is not None:
                await denied(scope, receive, send)
                return
        if not api:
            await self._call_app(scope, receive, send, request_id)
            return
        if cfg.latency_ms > 0:
            await asyncio.sleep(cfg.latency_ms / 1000)
        query = scope.get("query_string", b"").decode("latin-1")
        fault = state.injector.decide(scope["method"], path, query)
        if fault is None:
            await self._call_app(scope, receive, send, request_id)
            return
        if fault.kind == "error":
            state.stats.count_fault(f"error_{fault.status}")
            await self._error(scope, send, fault.status, request_id, _FAULT_MESSAGES[fault.status])
            return
        if fault.kind == "stall":
            state.stats.count_fault("stall")
            await asyncio.sleep(cfg.stall_s)
            await self._call_app(scope, receive, send, request_id)
            return
        await self._call_app(scope, receive, self._truncating(send, fault), request_id)

    async def _call_app(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        """Run the app; a crash becomes a 500 in the API's envelope, with the request id."""
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            if started:
                raise
            log.exception("Unhandled error on %s %s", scope["method"], scope["path"])
            await self._error(scope, send, 500, request_id, "Internal server error.")

    def _needs_key(self, path: str) -> bool:
        # /v1 authenticates inside the Feather router, with Feather's own error shape.
        if _is_feather(path) or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return False
        return path.startswith(("/v2/", "/_sim/"))

    def _check_key(self, scope: Scope, request_id: str) -> ASGIApp | None:
        given = b""
        for name, value in scope.get("headers", []):
            if name == b"x-api-key":
                given = value
                break
        expected = self.state.settings.api_key.encode()
        if given and hmac.compare_digest(given, expected):
            return None
        if not given:
            code, message = "auth.invalid_key", "Missing API key: send it in the x-api-key header."
        elif given.startswith(b"expired-"):
            code, message = "auth.expired_key", "The API key has expired. Create a new key."
        else:
            code, message = "auth.invalid_key", "Invalid API key."
        return _aymara_json(401, code, message, request_id)

    async def _error(
        self, scope: Scope, send: Send, status: int, request_id: str, msg: str
    ) -> None:
        retry_after = self.state.config.retry_after_s
        headers = {"retry-after": _seconds_header(retry_after)} if status == 429 else None
        response: Response
        if _is_feather(scope["path"]):
            body = feather_error_body(
                status, msg, retryable=True, retry_after=round(retry_after) if headers else None
            )
            response = JSONResponse(body, status_code=status, headers=headers)
        else:
            code = aymara_code_for_status(status)
            response = _aymara_json(status, code, msg, request_id, headers=headers)

        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, no_body, send)

    def _truncating(self, send: Send, fault: Fault) -> Send:
        """A send that cuts a 200 JSON body to half its length (and fixes Content-Length)."""
        held: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                is_json = b"json" in headers.get(b"content-type", b"")
                if message["status"] == 200 and is_json:
                    held["start"] = message
                    return
                self.state.injector.not_applied(fault)
                held["pass"] = True
                await send(message)
                return
            if message["type"] != "http.response.body" or "pass" in held:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            cut = body[: len(body) // 2]
            start = held["start"]
            start["headers"] = [
                (k, str(len(cut)).encode() if k == b"content-length" else v)
                for k, v in start.get("headers", [])
            ]
            self.state.stats.count_fault("truncate")
            await send(start)
            await send({"type": "http.response.body", "body": cut, "more_body": False})

        return wrapped


_FAULT_MESSAGES = {
    500: "The server encountered an internal error. Please retry.",
    503: "The service is temporarily unavailable. Please retry.",
    429: "Rate limit exceeded. Retry after the time given in Retry-After.",
}


def _with_request_id(send: Send, request_id: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
            headers.append((b"x-request-id", request_id.encode()))
            message["headers"] = headers
        await send(message)

    return wrapped


def create_app(settings: SimSettings) -> FastAPI:
    """A simulator app serving the seeded demo data for these settings."""
    config = RuntimeConfig.from_settings(settings)
    state = SimState(
        settings=settings,
        config=config,
        injector=FaultInjector(settings.seed, config),
        stats=RequestStats(),
        aymara=AymaraDemoAccount(settings),
    )
    app = FastAPI(
        title="Eval API simulator",
        description="Aymara v2 and Feather v1 contracts over a seeded demo dataset.",
        redirect_slashes=False,
    )
    app.state.sim = state
    routes = RouteTable()
    routers = [aymara_router(state.aymara)]
    if feather_router is not None:
        routers.append(feather_router(settings))
    for router in routers:
        routes.add_router(router)
        app.include_router(router)
    _add_control_routes(app, state)
    _add_error_handlers(app)
    app.add_middleware(SimulatorMiddleware, state=state, routes=routes)
    return app


def _add_control_routes(app: FastAPI, state: SimState) -> None:
    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/_sim/stats", include_in_schema=False)
    async def stats() -> dict[str, Any]:
        return state.stats.as_dict()

    @app.post("/_sim/reset-stats", include_in_schema=False)
    async def reset_stats() -> dict[str, Any]:
        # Forgetting seen requests too makes a repeated sequence meet the same faults again.
        state.stats.reset()
        state.injector.reset()
        return state.stats.as_dict()

    @app.get("/_sim/config", include_in_schema=False)
    async def get_config() -> dict[str, Any]:
        return state.config.as_dict()

    @app.post("/_sim/config", include_in_schema=False)
    async def set_config(request: Request) -> dict[str, Any]:
        try:
            changes = json.loads(await request.body() or b"{}")
            if not isinstance(changes, dict):
                raise ValueError("the body must be a JSON object")
            state.config.update(changes)
        except ValueError as exc:
            raise ApiError(422, str(exc), code="validation.invalid_request") from exc
        return state.config.as_dict()

    @app.get("/_sim/ground-truth", include_in_schema=False)
    async def ground_truth() -> dict[str, Any]:
        # The live server's truth: runs added or deleted at runtime are included.
        result: dict[str, Any] = {"aymara": aymara_account_truth(state.aymara)}
        try:
            from simulator.feather.ground_truth import feather_ground_truth
        except ImportError:
            return result
        result["feather"] = feather_ground_truth(state.settings)
        return result


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return _aymara_json(
            exc.status, exc.code, exc.message, _request_id(request), details=exc.details
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _is_feather(request.url.path):
            return await request_validation_exception_handler(request, exc)
        # Echo where and what, never the input: it could hold anything the client sent.
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(part) for part in first["loc"][1:]) or "request"
        return _aymara_json(
            422,
            "validation.invalid_request",
            f"Invalid {where}: {first['msg']}",
            _request_id(request),
            details={"errors": errors},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_feather(request.url.path):
            return await http_exception_handler(request, exc)
        message = "Not found." if exc.status_code == 404 else str(exc.detail)
        return _aymara_json(
            exc.status_code, aymara_code_for_status(exc.status_code), message, _request_id(request)
        )
