"""HTTP transport shared by both APIs: auth header, retries with backoff, typed errors."""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from client.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    MalformedResponseError,
    error_class_for_status,
)
from client.ratelimit import RateLimiter
from client.urls import userinfo, without_userinfo

log = logging.getLogger(__name__)

# Kept on purpose: retry only what may succeed again (timeouts, 429, 5xx), honour Retry-After
# up to a cap, back off with jitter, and take the sleep as a parameter so tests never wait.
RETRYABLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))
MAX_RETRY_AFTER_S = 60.0
INITIAL_BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
REDACTED = "***"

QueryValue = str | int | float | bool | list[str] | tuple[str, ...] | None


def fingerprint(api_key: str) -> str:
    """A short one-way hash of a key: safe to use in cache keys and file names."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def encode_params(params: Mapping[str, QueryValue] | None) -> dict[str, str]:
    """Query parameters as the APIs expect: omitted when None, lowercase booleans, comma lists."""
    encoded: dict[str, str] = {}
    for name, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            encoded[name] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            encoded[name] = ",".join(str(v) for v in value)
        else:
            encoded[name] = str(value)
    return encoded


def parse_retry_after(headers: httpx.Headers, now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asks us to wait (retry-after-ms, then Retry-After), if within 0-60 s."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            seconds = float(raw_ms) / 1000.0
        except ValueError:
            seconds = None
        if seconds is not None and 0 <= seconds <= MAX_RETRY_AFTER_S:
            return seconds
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        parsed = email.utils.parsedate_tz(raw)
        if parsed is None:
            return None
        seconds = email.utils.mktime_tz(parsed) - now()
    return seconds if 0 <= seconds <= MAX_RETRY_AFTER_S else None


def backoff_seconds(retry_index: int, rand: Callable[[], float] = random.random) -> float:
    """Exponential backoff 0.5 s * 2^n capped at 8 s, with jitter of x0.75-1.0."""
    delay = min(INITIAL_BACKOFF_S * (2**retry_index), MAX_BACKOFF_S)
    return delay * (1 - 0.25 * rand())


@dataclass(frozen=True)
class ErrorDetails:
    """What an error body says, whichever API's shape it came in."""

    code: str | None
    message: str | None
    request_id: str | None
    retry_after: float | None = None


def parse_error_body(body: Any) -> ErrorDetails:
    """Read Aymara's `{error: {code, message}, request_id}`, Feather's `{error, message}`, 422s."""
    if not isinstance(body, dict):
        return ErrorDetails(None, None, None)
    error = body.get("error")
    request_id = body.get("request_id") or None
    if isinstance(error, dict):
        request_id = request_id or error.get("request_id") or None
        return ErrorDetails(_str(error.get("code")), _str(error.get("message")), _str(request_id))
    if isinstance(error, str):
        retry_after = body.get("retry_after")
        return ErrorDetails(
            error,
            _str(body.get("message")),
            _str(request_id),
            float(retry_after) if isinstance(retry_after, (int, float)) else None,
        )
    detail = body.get("detail")
    if isinstance(detail, list):
        problems = []
        for item in detail[:5]:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p not in ("query", "body"))
                problems.append(f"{loc}: {item.get('msg', 'invalid')}" if loc else item.get("msg"))
        return ErrorDetails("validation_error", "; ".join(map(str, problems)) or None, None)
    if isinstance(detail, str):
        return ErrorDetails(None, detail, _str(request_id))
    return ErrorDetails(None, _str(body.get("message")), _str(request_id))


def _requested_wait(response: httpx.Response) -> float | None:
    """The wait a server asks for: its headers, else a body's `retry_after` (Feather's 429s)."""
    seconds = parse_retry_after(response.headers)
    if seconds is not None:
        return seconds
    try:
        hinted = parse_error_body(response.json()).retry_after
    except ValueError:
        return None
    return hinted if hinted is not None and 0 <= hinted <= MAX_RETRY_AFTER_S else None


_LONE_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _replace_surrogates(value: Any) -> Any:
    """The same JSON value with unpaired surrogates replaced by U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, list):
        return [_replace_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    return value


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


class Transport:
    """Sends requests to one API with its key in the `x-api-key` header and nowhere else."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        api_name: str = "API",
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        max_connections: int = 16,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("an API key is required")
        self.base_url = base_url.rstrip("/")
        self.shown_url = without_userinfo(self.base_url)  # what messages and logs may say
        self._userinfo = userinfo(self.base_url)
        self.api_name = api_name
        self.key_fingerprint = fingerprint(api_key)
        self.max_retries = max_retries
        self.rate_limiter = rate_limiter
        self._api_key = api_key
        self._sleep = sleep
        self._lock = threading.Lock()
        self.requests_sent = 0
        headers = {"x-api-key": api_key, "accept": "application/json"}
        headers.update(extra_headers or {})
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=False,  # a redirect could carry the key header to another host
        )

    def __repr__(self) -> str:
        return f"Transport({self.shown_url!r}, key=sha256:{self.key_fingerprint})"

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def get(self, path: str, params: Mapping[str, QueryValue] | None = None) -> Any:
        """GET a path and return its decoded JSON body."""
        return self.request("GET", path, params=params)

    def post(
        self, path: str, params: Mapping[str, QueryValue] | None = None, json_body: Any = None
    ) -> Any:
        """POST a JSON body; not replayed once it may have reached the server."""
        return self.request("POST", path, params=params, json_body=json_body)

    def patch(
        self,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """PATCH a JSON body; like POST, not replayed once it may have reached the server.

        A PATCH sets values, but each one the API accepts adds a history entry, and a 409 means
        someone else changed the item: the caller shows theirs and asks the person again.
        """
        return self.request("PATCH", path, params=params, json_body=json_body, headers=headers)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send with retries; return decoded JSON or raise a typed APIError."""
        idempotent = method.upper() in ("GET", "HEAD", "OPTIONS", "DELETE", "PUT")
        query = encode_params(params)
        retry = 0
        while True:
            if self.rate_limiter is not None:
                self.rate_limiter.acquire()
            with self._lock:
                self.requests_sent += 1
            response, failure, reached = self._send(method, path, query, json_body, retry, headers)
            if failure is not None:
                # Raised outside the `except` that caught httpx's exception, so the error has no
                # __context__ pointing at the request (whose headers hold the key).
                if (idempotent or not reached) and retry < self.max_retries:
                    self._wait(retry, None)
                    retry += 1
                    continue
                raise failure
            assert response is not None

            should_retry = self._should_retry(response, method, idempotent)
            if response.is_success:
                try:
                    return self._decode(response, path)
                except MalformedResponseError:
                    # A truncated body on a safe request is worth another try.
                    if idempotent and retry < self.max_retries:
                        self._wait(retry, None)
                        retry += 1
                        continue
                    raise
            if should_retry and retry < self.max_retries:
                self._wait(retry, _requested_wait(response))
                retry += 1
                continue
            raise self._status_error(response, path)

    def _send(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        json_body: Any,
        retry: int,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[httpx.Response | None, APIError | None, bool]:
        """One attempt: a response, or a typed error and whether the request reached the API."""
        try:
            response = self._http.request(
                method,
                path,
                params=query,
                json=json_body,
                headers={**(headers or {}), "x-stainless-retry-count": str(retry)},
            )
        except httpx.TimeoutException as exc:
            # A read timeout means the server may have acted on the request.
            reached = not isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
            message = f"{self.api_name} did not answer in time ({type(exc).__name__})."
            return None, APITimeoutError(message, url=self._safe_url(path), retryable=True), reached
        except httpx.TransportError as exc:
            reached = not isinstance(exc, httpx.ConnectError)
            message = (
                f"Could not reach {self.api_name} at {self.shown_url} "
                f"({type(exc).__name__}: {self._scrub(str(exc)) or 'no details'})."
            )
            error = APIConnectionError(message, url=self._safe_url(path), retryable=True)
            return None, error, reached
        return response, None, True

    def _should_retry(self, response: httpx.Response, method: str, idempotent: bool) -> bool:
        header = response.headers.get("x-should-retry", "").lower()
        if header == "true":
            return True
        if header == "false" or response.is_success:
            return False
        if not idempotent:
            # The POST reached the server: replaying it could score the same responses twice.
            return False
        # 409 on a read is a passing state conflict; the SDK retries it too.
        return response.status_code in RETRYABLE_STATUSES or (
            response.status_code == 409 and method.upper() == "GET"
        )

    def _wait(self, retry: int, retry_after: float | None) -> None:
        self._sleep(retry_after if retry_after is not None else backoff_seconds(retry))

    def _decode(self, response: httpx.Response, path: str) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            raise MalformedResponseError(
                f"{self.api_name} sent a response that is not valid JSON "
                f"({len(response.content)} bytes; it may have been cut off).",
                status=response.status_code,
                request_id=response.headers.get("x-request-id"),
                url=self._safe_url(path),
                retryable=True,
            ) from None
        if _LONE_SURROGATE_ESCAPE.search(response.content):
            # "\ud800" is valid JSON but no valid text: it would break every later encode.
            body = _replace_surrogates(body)
        return body

    def _status_error(self, response: httpx.Response, path: str) -> APIStatusError:
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        details = parse_error_body(body)
        request_id = details.request_id or response.headers.get("x-request-id")
        status = response.status_code
        cls = error_class_for_status(status)
        default = f"{self.api_name} answered HTTP {status} {response.reason_phrase}".strip()
        message = self._scrub(details.message or default)
        if len(message) > 500:
            message = message[:500] + "…"
        return cls(
            message,
            status=status,
            code=self._scrub(details.code) if details.code else None,
            request_id=self._scrub(request_id) if request_id else None,
            url=self._safe_url(path),
            retryable=status in RETRYABLE_STATUSES,
        )

    def _scrub(self, text: str) -> str:
        """Remove the key (and a base URL's password) from text that came from elsewhere."""
        if self._userinfo and self._userinfo in text:
            text = text.replace(f"{self._userinfo}@", "").replace(self._userinfo, REDACTED)
        return text.replace(self._api_key, REDACTED) if self._api_key in text else text

    def _safe_url(self, path: str) -> str:
        return self._scrub(f"{self.shown_url}{path}")
