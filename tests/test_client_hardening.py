"""Details of the client that keep data and secrets safe at the edges."""

from __future__ import annotations

import httpx
import pytest

from client.aymara import AymaraClient
from client.aymara_models import FileReference, ScoredResponse
from client.errors import APIConnectionError, APITimeoutError
from client.paging import Listing

KEY = "sk-hardening-secret-123"


def client_raising(exc: Exception) -> AymaraClient:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return AymaraClient(
        KEY, "https://api.test", transport=httpx.MockTransport(handler), sleep=lambda s: None
    )


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
    ],
)
def test_a_transport_failure_keeps_no_link_to_the_request_that_holds_the_key(exc, expected):
    with pytest.raises(expected) as caught:
        client_raising(exc).get_eval("e1")
    assert caught.value.__context__ is None
    assert caught.value.__cause__ is None


def test_content_that_names_a_file_is_a_file_reference():
    response = ScoredResponse.model_validate(
        {"prompt_uuid": "p", "content": {"file_uuid": "f1", "remote_file_path": "a/b.png"}}
    )
    assert isinstance(response.content, FileReference)
    assert response.content.file_uuid == "f1"


def test_content_of_another_shape_is_kept_as_it_came():
    response = ScoredResponse.model_validate({"prompt_uuid": "p", "content": {"foo": 1}})
    assert response.content == {"foo": 1}


def test_a_listing_short_of_its_own_count_is_not_complete():
    listing: Listing[ScoredResponse] = Listing(
        items=[ScoredResponse(prompt_uuid="p")], reported_count=3
    )
    assert listing.shortfall == 2
    assert not listing.complete
