"""Who may open the dashboard, and which workspaces it may show."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components import cache
from components.access import email_allowed, sign_in_config
from components.connection import allowed_workspaces, sources_from_config
from tests.conftest import SIMULATOR_KEY

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.mark.parametrize(
    ("email", "emails", "domains", "allowed"),
    [
        ("ana@acme.com", set(), set(), True),  # no list: the identity provider decides
        ("ana@acme.com", {"ana@acme.com"}, set(), True),
        ("ANA@Acme.com", {"ana@acme.com"}, set(), True),
        ("bob@acme.com", {"ana@acme.com"}, set(), False),
        ("bob@acme.com", set(), {"acme.com"}, True),
        ("bob@acme.com.evil.io", set(), {"acme.com"}, False),
        ("bob@evil.io", set(), {"@acme.com"}, False),
        (None, set(), set(), False),
        ("not-an-email", set(), set(), False),
    ],
)
def test_email_allowlist(email, emails, domains, allowed):
    assert email_allowed(email, emails, domains) is allowed


def test_sign_in_is_off_without_an_auth_section():
    assert sign_in_config({}, {}) is None
    secrets = {"auth": {"client_id": "x"}, "access": {"allowed_domains": ["acme.com"]}}
    assert sign_in_config(secrets, {}) == {"emails": frozenset(), "domains": {"acme.com"}}


def test_workspace_allowlist_from_env_or_secrets():
    assert allowed_workspaces({"EVAL_DASHBOARD_WORKSPACES": "a, b;c"}, {}) == {"a", "b", "c"}
    assert allowed_workspaces({}, {"EVAL_DASHBOARD_WORKSPACES": ["x"]}) == {"x"}
    assert allowed_workspaces({}, {"access": {"workspaces": ["y"]}}) == {"y"}
    assert allowed_workspaces({}, {}) == frozenset()


def test_keys_come_from_their_own_secrets_sections_not_top_level():
    found = sources_from_config({}, {"aymara": {"api_key": "k1"}, "FEATHER_API_KEY": "k2"})
    assert [s.kind for s in found] == ["aymara"]


def test_a_signed_out_viewer_sees_only_the_sign_in_page():
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback"}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric  # no data shown


@pytest.fixture
def app_on_simulator(simulator, monkeypatch):
    monkeypatch.setenv("AYMARA_AI_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", simulator.base_url)
    monkeypatch.delenv("FEATHER_API_KEY", raising=False)
    cache.dataset_cache().clear()
    yield simulator
    cache.dataset_cache().clear()


def test_the_allowlist_limits_all_workspaces_to_the_permitted_ones(app_on_simulator, monkeypatch):
    from simulator.ground_truth import aymara_ground_truth
    from simulator.settings import SimSettings

    truth = aymara_ground_truth(SimSettings(api_key=SIMULATOR_KEY, seed=7, scale=1))
    permitted = sorted(truth["workspaces"])[0]
    monkeypatch.setenv("EVAL_DASHBOARD_WORKSPACES", permitted)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    finished = truth["workspaces"][permitted]["production"]["runs_by_status"]["finished"]
    assert tiles["Finished runs"] == f"{finished:,}"  # sandbox runs are left out by default
    assert truth["workspaces"][permitted]["runs"] < truth["totals"]["runs"]


def test_a_link_to_a_workspace_off_the_allowlist_is_refused(app_on_simulator, monkeypatch):
    monkeypatch.setenv("EVAL_DASHBOARD_WORKSPACES", "only-this-one")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["workspace"] = "another-workspace"
    at.run()
    assert not at.exception
    assert any("not allowed to show the workspace" in e.value for e in at.error)
    assert not at.metric
