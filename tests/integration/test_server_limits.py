"""Limits the server enforces itself, probed as an attacker would: straight to its endpoints.

A limit only the browser enforces (the uploader's own `max_upload_size`) fails these tests:
they post to Streamlit's real upload endpoint with the XSRF cookie and token, no browser.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from reporting.uploads.validate import MAX_BYTES, MAX_MB
from tests.appserver import AppServer, start_app
from tests.conftest import SIMULATOR_KEY
from tests.stsession import Session, open_session, rss_mb

MiB = 1024 * 1024
SERVER_BYTES = (MAX_MB + 1) * MiB  # .streamlit/config.toml: the limit plus a multipart margin


@pytest.fixture(scope="module")
def limits_app(simulator: object) -> Iterator[AppServer]:
    """The real app (`streamlit run`, the repo's config), on the shared simulator."""
    server = start_app(
        {
            "AYMARA_AI_API_KEY": SIMULATOR_KEY,
            "AYMARA_AI_BASE_URL": simulator.base_url,  # type: ignore[attr-defined]
            "EVAL_DASHBOARD_STORE": "off",
        },
        name="limits",
    )
    yield server
    server.stop()


@pytest.fixture
def session(limits_app: AppServer) -> Iterator[Session]:
    """A connected session on the Score page, as a probe holds one."""
    live = open_session(limits_app.url, page="score")
    yield live
    live.close()


def test_the_server_refuses_an_upload_beyond_the_products_limit_and_its_framing(
    session: Session,
):
    answer = session.upload(str(uuid.uuid4()), "big.csv", b"x" * (SERVER_BYTES + 1))
    assert answer.status_code == 413, f"{MAX_MB} MB limit not enforced by the server"


def test_a_file_of_exactly_the_limit_passes_the_server_and_the_parser_alike(session: Session):
    # The browser, the server and the parser all count MiB: 20 MB means 20 x 1,048,576 bytes.
    assert MAX_MB * MiB == MAX_BYTES
    answer = session.upload(str(uuid.uuid4()), "edge.csv", b"x" * MAX_BYTES)
    assert answer.status_code == 204, answer.text


def test_oversized_uploads_are_refused_before_the_server_holds_their_bytes(
    limits_app: AppServer, session: Session
):
    before = rss_mb(limits_app.process.pid)
    codes = [session.upload(str(uuid.uuid4()), "p.csv", b"x" * (60 * MiB)).status_code
             for _ in range(3)]  # fmt: skip
    after = rss_mb(limits_app.process.pid)
    print(f"RSS of the app around 3 x 60 MB uploads: {before:.0f} -> {after:.0f} MB")
    assert codes == [413, 413, 413]
    assert after - before < 60, f"the app grew {after - before:.0f} MB holding refused uploads"
