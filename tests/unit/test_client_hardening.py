"""Details of the client that keep data and secrets safe at the edges."""

from __future__ import annotations

import httpx
import pytest

from client.aymara import ALL_WORKSPACES, AymaraClient
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


def test_an_image_on_the_apis_own_host_is_downloaded_without_the_key(simulator):
    from tests.conftest import SIMULATOR_KEY

    client = AymaraClient(SIMULATOR_KEY, simulator.base_url)
    # The images live in a workspace other than the key's own: ask for every workspace.
    runs = [r for r in client.list_eval_runs(ALL_WORKSPACES).items if r.status == "finished"]
    refs = [
        resp.content
        for run in runs
        for resp in client.list_run_responses(run.eval_run_uuid, run.workspace_uuid).items
        if isinstance(resp.content, FileReference)
    ]
    assert refs, "the demo data has image responses"
    detail = client.get_file(refs[0].file_uuid)
    assert SIMULATOR_KEY not in (detail.file_url or "")
    data = client.download_same_host(detail.file_url)
    assert data is not None and data.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",  # cloud metadata: the classic SSRF target
        "https://images.example.com/a.png",
        "file:///etc/passwd",
    ],
)
def test_a_url_on_another_host_is_never_fetched(simulator, url):
    client = AymaraClient("any-key", simulator.base_url)
    assert client.download_same_host(url) is None
