"""Live runs: while a shown run is processing, only those runs are fetched again every 10 s.

A fragment with `run_every` reruns alone, so the rest of the page stays put. When a run
finishes, the account's data is marked stale (finished runs still come from the local store)
and the page reruns once; with nothing processing the fragment is not created and stops.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from client.aymara import AymaraClient
from client.errors import APIError
from components import cache, shell, tables
from jobs.aymara_data import AymaraData
from reporting.aymara.tables import runs_frame
from reporting.text import plural

LIVE_EVERY_S = 10
LIVE_SHARED_S = 4.0  # a refetch is shared this long: twenty viewers make one request a tick
DONE = ("finished", "failed")


def processing(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs still being scored (any status but finished or failed)."""
    status = runs["status"].astype(str).str.lower()
    return runs[~status.isin(DONE)]


def refetch(
    client: AymaraClient, runs: pd.DataFrame, evals: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """Only these runs, fetched again (one get-run each); the runs frame and what failed."""
    fresh, failed = [], []
    for row in runs.itertuples():
        try:
            fresh.append(client.get_eval_run(row.eval_run_uuid, row.workspace_uuid))
        except APIError as exc:
            failed.append(f"{row.run_name}: {exc.message}")
    return runs_frame(fresh, evals), failed


def with_processing(
    fresh: pd.DataFrame, failed: list[str]
) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """A refetch's runs and failures, with those of its runs still processing."""
    return fresh, failed, processing(fresh)


def live_runs(data: AymaraData, only: Iterable[str] | None = None) -> None:
    """A small live panel of the processing runs (of `only`, if given); nothing when none is."""
    runs = data.shared("live.processing", lambda: processing(data.runs))
    if only is not None:
        runs = runs[runs["eval_run_uuid"].isin(list(only))]
    source = shell.current().source("aymara")
    if runs.empty or source is None:
        return

    @st.fragment(run_every=LIVE_EVERY_S)
    def panel() -> None:
        # One fetch per LIVE_SHARED_S for everyone watching the same runs, not one per viewer
        # (and which of them are still processing, found once per fetch too).
        fresh, failed, still = cache.dataset_cache().get_or_load(
            cache.cache_key(source, None, "live", tuple(runs["eval_run_uuid"].astype(str))),
            lambda: with_processing(*refetch(cache.aymara_client(source), runs, data.evals)),
            lambda _: LIVE_SHARED_S,
        )
        with st.container(border=True, key="live_runs"):
            st.caption(
                f":green-badge[:material/radio_button_checked: live] updated "
                f"{datetime.now(UTC):%H:%M:%S} UTC · {plural(len(still), 'run')} processing, "
                f"checked every {LIVE_EVERY_S} s"
            )
            tables.table(
                fresh,
                {
                    "run_name": tables.text("Run", 260, pinned=True),
                    "eval_name": tables.text("Eval", 240),
                    "status": tables.text("Status", 100),
                    "num_responses_scored": tables.count("Responses scored", width=150),
                    "pass_rate": tables.percent("Pass rate so far", width=150),
                },
                key="live_table",
            )
            for line in failed:
                st.caption(f"Could not refresh {line}")
        if len(still) < len(fresh):  # one finished: load it with the rest, once
            cache.refresh(source, force=False)
            st.rerun(scope="app")

    panel()
