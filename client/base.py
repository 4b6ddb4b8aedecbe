"""What both API clients share: the transport, the account, and helpers for bodies and paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from client.errors import MalformedResponseError
from client.ratelimit import RateLimiter
from client.settings import settings
from client.transport import Transport

ModelT = TypeVar("ModelT", bound=BaseModel)


class APIClient:
    """What every API client shares: its transport, the account it reads, and its lifetime."""

    api_name: ClassVar[str] = "API"
    settings_prefix: ClassVar[str]  # "aymara" / "feather": the key and base URL from_env reads
    default_base_url: ClassVar[str]
    transport: Transport
    concurrency: int

    def _connect(
        self,
        api_key: str,
        base_url: str,
        *,
        concurrency: int,
        timeout: httpx.Timeout | float,
        max_retries: int,
        rate_limiter: RateLimiter | None,
        sleep: Callable[[float], None] | None,
        transport: httpx.BaseTransport | None,
    ) -> None:
        """Open the transport: one pool sized to the requests in flight, the key in its header."""
        self.concurrency = max(1, concurrency)
        kwargs: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        self.transport = Transport(
            base_url,
            api_key,
            api_name=self.api_name,
            timeout=timeout,
            max_retries=max_retries,
            max_connections=max(self.concurrency, 4),
            rate_limiter=rate_limiter,
            transport=transport,
            **kwargs,
        )

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """A client from the environment's key and base URL (names in client.settings)."""
        config = settings()
        api_key = getattr(config, f"{cls.settings_prefix}_api_key")
        if not api_key:
            raise KeyError(f"no API key configured for the {cls.api_name}")
        base_url = getattr(config, f"{cls.settings_prefix}_base_url") or cls.default_base_url
        return cls(api_key, base_url, **kwargs)  # type: ignore[call-arg]

    @property
    def base_url(self) -> str:
        """Where requests go."""
        return self.transport.base_url

    @property
    def key_fingerprint(self) -> str:
        """A hash of the API key, for cache keys."""
        return self.transport.key_fingerprint

    def close(self) -> None:
        """Close the connection pool."""
        self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def validate(model: type[ModelT], body: Any, where: str) -> ModelT:
    """The body as the model, or a MalformedResponseError naming the first misfit field."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise MalformedResponseError(
            f"The answer {where} does not fit the expected {model.__name__} "
            f"({loc}: {first['msg']})."
        ) from None


def path_segment(identifier: str) -> str:
    """A path segment: ids are opaque, so escape anything that could change the path."""
    return quote(identifier, safe="")
