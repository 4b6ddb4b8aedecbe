"""A base URL with `user:password@` never shows its password, in messages or on screen."""

from __future__ import annotations

import httpx
import pytest

from client.aymara import AymaraClient
from client.errors import APIConnectionError
from client.urls import without_userinfo
from components.connection import Source

PASSWORD = "hunter2-url-secret"
URL = f"http://admin:{PASSWORD}@api.test:8080/base"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (URL, "http://api.test:8080/base"),
        ("https://token@api.test", "https://api.test"),
        ("https://api.test/a@b", "https://api.test/a@b"),  # an @ in the path is not a login
        ("https://api.test", "https://api.test"),
    ],
)
def test_a_url_is_shown_without_its_credentials(url, shown):
    assert without_userinfo(url) == shown


def test_a_connection_error_names_the_host_but_never_the_password():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url} ({URL})")

    client = AymaraClient("sk-key", URL, transport=httpx.MockTransport(handler), sleep=lambda s: 0)
    with pytest.raises(APIConnectionError) as caught:
        client.get_eval("e1")
    said = f"{caught.value} {caught.value.url} {client.transport!r}"
    assert "api.test:8080" in said
    assert PASSWORD not in said and "admin:" not in said


def test_the_sidebars_source_line_shows_the_url_without_credentials():
    assert Source("aymara", URL, "k").shown_url == "http://api.test:8080/base"
