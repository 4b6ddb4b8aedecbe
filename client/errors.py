"""One small tree of typed errors for every API the dashboard reads."""

from __future__ import annotations


class APIError(Exception):
    """Base of every error the client raises; safe to show to a user (never holds the key)."""

    #: What a person can do about it; shown under the message.
    hint = "Try again in a moment. If it keeps happening, check the API's status."

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        url: str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id or None
        self.url = url
        self.retryable = retryable

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"(HTTP {self.status}{', ' + self.code if self.code else ''})")
        if self.request_id:
            parts.append(f"[request id {self.request_id}]")
        return " ".join(parts)


class APIStatusError(APIError):
    """The API answered with an error status."""


class BadRequestError(APIStatusError):
    """400 or 422: the request did not fit what the API accepts."""

    hint = "The dashboard sent something the API rejected; the details say which parameter."


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or expired."""

    hint = "Check the API key (is it current, for this base URL?) and restart the dashboard."


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but may not read this."""

    hint = "Ask an admin to grant this key access, or choose another workspace."


class NotFoundError(APIStatusError):
    """404: the workspace, eval, run or report does not exist (or was deleted)."""

    hint = "It may have been deleted, or belong to another workspace. Refresh the data."


class ConflictError(APIStatusError):
    """409: the resource is in a state that does not allow this."""


class RateLimitError(APIStatusError):
    """429: too many requests."""

    hint = "The API is rate limiting this account. Wait a minute, then press Refresh."


class ServerError(APIStatusError):
    """5xx: the API failed."""

    hint = "The API had a problem on its side. Press Refresh in a minute."


class APIConnectionError(APIError):
    """The API could not be reached (refused, DNS, TLS, connection dropped)."""

    hint = "Check the base URL and the network, then press Refresh."


class APITimeoutError(APIConnectionError):
    """The API did not answer in time."""

    hint = "The API is slow or unreachable. Press Refresh to try again."


class MalformedResponseError(APIError):
    """The API answered 2xx with a body that is not JSON or does not fit the schema."""

    hint = "The API returned data the dashboard could not read. Refresh; report it if it persists."


class PagingError(APIError):
    """A listing's pages did not add up (e.g. a cursor that repeats)."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
}


def error_class_for_status(status: int) -> type[APIStatusError]:
    """The typed error for an HTTP status."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIStatusError)
