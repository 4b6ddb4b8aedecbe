"""The dashboard's dataset read from the lake equals the one the loader builds from the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from client.aymara import ALL_WORKSPACES
from client.transport import fingerprint
from jobs.aymara_data import AymaraData
from jobs.aymara_fetch import fetch_aymara
from jobs.lake import lake_location
from jobs.lake_data import LakeUnavailable, load_from_lake
from jobs.store import account_id
from jobs.sync import sync_lake
from tests.conftest import SIMULATOR_KEY
from tests.integration.test_lake_sync import client_of

KEYS = {
    "evals": ["eval_uuid"],
    "runs": ["eval_run_uuid"],
    "prompts": ["eval_uuid", "prompt_uuid"],
    "responses": ["eval_run_uuid", "response_uuid"],
}


def account_of(sim: Any) -> str:
    return account_id(sim.base_url, fingerprint(SIMULATOR_KEY))


def in_key_order(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Rows sorted by their key's text (categoricals sort by code, not value)."""
    order = frame[key].astype(str).agg("|".join, axis=1).argsort(kind="stable")
    return frame.iloc[order.to_numpy()].reset_index(drop=True)


def assert_same_dataset(got: AymaraData, want: AymaraData) -> None:
    for name, key in KEYS.items():
        a, b = getattr(got, name), getattr(want, name)
        assert list(a.columns) == list(b.columns), name
        assert {c: str(a[c].dtype) for c in a} == {c: str(b[c].dtype) for c in b}, name
        a, b = in_key_order(a, key), in_key_order(b, key)
        plain = {c: object for c in a.columns if isinstance(a[c].dtype, pd.CategoricalDtype)}
        pd.testing.assert_frame_equal(a.astype(plain), b.astype(plain), obj=name)


@pytest.fixture(scope="module")
def synced(start_simulator: Any, tmp_path_factory: Any) -> tuple[Any, Path]:
    sim = start_simulator(seed=7, scale=1)
    folder = tmp_path_factory.mktemp("lake")
    sync_lake(client_of(sim), lake_location(str(folder)))
    return sim, folder


def test_every_frame_equals_the_loaders_columns_dtypes_and_rows(synced: Any) -> None:
    sim, folder = synced
    got = load_from_lake(lake_location(str(folder)), ALL_WORKSPACES, sim.base_url, account_of(sim))
    assert got.fatal is None
    assert len(got.responses) > 1000
    assert_same_dataset(got, fetch_aymara(client_of(sim), ALL_WORKSPACES))


def test_one_workspace_holds_only_its_own_rows(synced: Any) -> None:
    sim, folder = synced
    everything = fetch_aymara(client_of(sim), ALL_WORKSPACES)
    workspace = str(everything.runs["workspace_uuid"].dropna().iloc[0])
    got = load_from_lake(lake_location(str(folder)), workspace, sim.base_url, account_of(sim))
    assert set(got.runs["workspace_uuid"].astype(str)) == {workspace}
    assert set(got.responses["workspace_uuid"].astype(str)) == {workspace}
    assert_same_dataset(got, fetch_aymara(client_of(sim), workspace))


def test_the_allowlist_limits_what_every_workspace_means(synced: Any) -> None:
    sim, folder = synced
    runs = fetch_aymara(client_of(sim), ALL_WORKSPACES).runs
    allowed = (str(runs["workspace_uuid"].dropna().iloc[-1]),)
    got = load_from_lake(
        lake_location(str(folder)), ALL_WORKSPACES, sim.base_url, account_of(sim), allowed
    )
    assert set(got.runs["workspace_uuid"].astype(str)) == set(allowed)
    assert len(got.responses) == (fetch_aymara(client_of(sim), allowed[0]).responses.shape[0])


def test_a_lake_with_no_sync_says_so_and_shows_nothing(tmp_path: Path) -> None:
    got = load_from_lake(lake_location(str(tmp_path)), None, "http://api", "acct")
    assert isinstance(got.fatal, LakeUnavailable)
    assert "has no finished sync yet" in got.fatal.message
    assert got.responses.empty and got.runs.empty


def test_a_lake_of_another_account_is_not_shown(synced: Any) -> None:
    sim, folder = synced
    got = load_from_lake(lake_location(str(folder)), None, sim.base_url, "another-account")
    assert isinstance(got.fatal, LakeUnavailable)
    assert "another account's data" in got.fatal.message
    assert got.responses.empty
