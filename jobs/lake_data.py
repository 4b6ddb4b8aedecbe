"""The dashboard's dataset read from the results lake instead of the API.

With `EVAL_DASHBOARD_LAKE_URL` set, every replica reads the table one sync worker writes
(`python -m jobs sync --every 10m`): no replica downloads a workspace from the API, they all
show the same finished sync, and a newer sync is picked up within the cache's TTL. The frames
have exactly the loader's columns and dtypes, so every page works on them unchanged.
"""

from __future__ import annotations

import math
import threading
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from client.aymara import ALL_WORKSPACES
from client.errors import APIError
from jobs import lake
from jobs.aymara_data import AymaraData
from jobs.lake import LakeLocation, LakeSnapshot, open_snapshot
from reporting.aymara import sql
from reporting.aymara.definitions import sandbox_view
from reporting.aymara.response_rows import LakeRows
from reporting.aymara.responses import arrow_bools, arrow_category, arrow_strings
from reporting.aymara.schema import (
    EVAL_COLUMNS,
    PROMPT_COLUMNS,
    RESPONSE_COLUMNS,
    RUN_COLUMNS,
    UTC_TS,
    VERDICTS,
    category_array,
    utc_series,
)

# Columns the loader holds as categoricals (reporting.aymara.responses builds them so).
CATEGORICAL = {
    "eval_run_uuid", "eval_uuid", "eval_name", "eval_type", "run_name", "workspace_uuid",
    "prompt_uuid", "prompt_content", "prompt_category", "content_type",
}  # fmt: skip
STRINGS = {"response_uuid", "response_text", "file_uuid", "file_path", "explanation"}
PLAIN_BOOLS = {"ai_refused", "exclude_from_scoring", "manually_updated", "confidence_valid",
               "verdict_overridden"}  # fmt: skip
NULLABLE_BOOLS = {"is_passed", "original_is_passed"}
FLOATS = {"confidence", "original_confidence"}
# What a review queue lists of each response: the page reads the one it shows in full.
QUEUE_KEYS = ("eval_run_uuid", "response_uuid", "manually_updated")
# What the calibration page's list shows, and the keys to read a chosen one in full.
LIST_COLUMNS = ("eval_run_uuid", "response_uuid", "run_created_at", "confidence", "eval_name",
                "prompt_content", "thread_uuid")  # fmt: skip


def _typed(frame: pd.DataFrame, schema: dict[str, Any]) -> pd.DataFrame:
    """The frame with exactly the schema's columns and dtypes, as the loader builds them."""
    out: dict[str, Any] = {}
    for name, dtype in schema.items():
        values = frame[name] if name in frame.columns else pd.Series([None] * len(frame))
        out[name] = utc_series(values) if dtype == UTC_TS else values.astype(dtype)
    return pd.DataFrame(out).reset_index(drop=True)


def typed_responses(frame: pd.DataFrame) -> pd.DataFrame:
    """A SQL result's responses rows with the loader's dtypes (a page of them, for the card)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema = lake.SCHEMAS["responses"]
    for name in RESPONSE_COLUMNS:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, schema.field(name).type))
    wanted = pa.schema([schema.field(c) for c in RESPONSE_COLUMNS])
    return responses_from_lake(table.select(list(RESPONSE_COLUMNS)).cast(wanted))


def responses_from_lake(table: pa.Table) -> pd.DataFrame:
    """The lake's responses rows as the loader's responses frame (same columns and dtypes)."""
    cols: dict[str, Any] = {}
    for name in RESPONSE_COLUMNS:
        column = table[name]
        if name == "workspace_uuid":  # the lake's partition stand-in for "no workspace"
            column = pa.chunked_array(
                [pa.compute.if_else(pa.compute.equal(c, lake.NO_WORKSPACE), None, c)
                 for c in column.chunks], type=column.type,
            )  # fmt: skip
        if name in CATEGORICAL:
            cols[name] = arrow_category(column)
        elif name in STRINGS:
            cols[name] = arrow_strings(column)
        elif name in PLAIN_BOOLS:
            cols[name] = arrow_bools(column)[0]
        elif name in NULLABLE_BOOLS:
            values, missing = arrow_bools(column)
            cols[name] = pd.arrays.BooleanArray(values, missing)
        elif name in FLOATS:
            cols[name] = column.to_numpy().astype(float)
        elif name == "run_created_at":
            cols[name] = utc_series(column.to_pandas()).array
        elif name == "verdict":
            cols[name] = pd.Categorical(column.to_pylist(), categories=list(VERDICTS))
        elif name == "thread_uuid":
            cols[name] = category_array(np.asarray(column.to_pylist(), dtype=object))
        elif name == "turn_number":
            cols[name] = pd.array(column.to_pylist(), dtype="Int64")
        else:
            cols[name] = column.to_pandas()
    return pd.DataFrame(cols, copy=False)


def dataset_from_snapshot(
    snapshot: LakeSnapshot,
    workspace: str | None,
    base_url: str,
    permitted: tuple[str, ...] = (),
    scope: list[str] | None = None,
) -> AymaraData:
    """One workspace (or all, or the allowlist's) as of the snapshot's sync, as the loader's.

    Its responses are read when a page first needs them all; Overview, Responses and
    Regressions ask SQL for theirs instead.
    """
    queries = LakeQueries(
        snapshot, scope if scope is not None else _workspaces(workspace, permitted)
    )
    evals, runs, prompts = queries.frames
    names = {str(ws): "" for ws in runs["workspace_uuid"].dropna().unique() if str(ws) != ""}
    return AymaraData(
        base_url=base_url,
        workspace=workspace,
        evals=evals,
        runs=runs,
        prompts=prompts,
        response_frame=None,
        reports=(),
        loaded_at=_utc(snapshot.finished_at),
        workspaces=names,
        lake_sync=snapshot.sync_id,
        lake=queries,
    )


def _workspaces(workspace: str | None, permitted: tuple[str, ...]) -> list[str] | None:
    """The workspaces a dataset holds (as _scope): one, the allowlist's, or None for all."""
    if workspace not in (None, ALL_WORKSPACES):
        return [str(workspace)]
    return list(permitted) if permitted else None


class LakeQueries:
    """SQL over one snapshot, scoped to a dataset's workspaces: what AymaraData.lake asks.

    The Responses page and the regression board ask it for exactly their rows and counts;
    a page that needs every response reads the frame once (`responses`), on first use.
    """

    def __init__(self, snapshot: LakeSnapshot, workspaces: list[str] | None) -> None:
        self.snapshot = snapshot
        self.workspaces = workspaces  # the views hold only these (None: every workspace)
        self._con = snapshot.connect(workspaces=workspaces)
        self._own = threading.local()  # S3: one connection per thread (see cursor)
        self._own.con = self._con
        con = self._con
        self.frames = (  # the dataset's evals, runs and prompts, as the loader's
            _typed(con.execute("SELECT * FROM evals ORDER BY created_at, eval_uuid").df(),
                   EVAL_COLUMNS),
            _typed(con.execute("SELECT * FROM runs ORDER BY created_at, eval_run_uuid").df(),
                   RUN_COLUMNS),
            _typed(con.execute(
                "SELECT * FROM prompts WHERE eval_uuid IN (SELECT eval_uuid FROM evals) "
                "ORDER BY eval_uuid, turn_number, prompt_uuid").df(), PROMPT_COLUMNS),
        )  # fmt: skip

    def cursor(self) -> Any:
        """A connection of its own to the snapshot's tables, for this thread's queries.

        A local lake's tables are views in the database, which every cursor sees. On S3 they
        are registered pyarrow datasets, which only the connection that registered them
        sees, so each thread opens the snapshot once for itself.
        """
        if not self.snapshot.location.is_s3:
            return self._con.cursor()
        con = getattr(self._own, "con", None)
        if con is None:
            con = self._own.con = self.snapshot.connect(workspaces=self.workspaces)
        return con

    def empty_responses(self) -> pd.DataFrame:
        return responses_from_lake(lake.SCHEMAS["responses"].empty_table())

    def responses(self, include_sandbox: bool | None) -> pd.DataFrame:
        """Every response in scope as the loader's frame, the sandbox view applied if asked."""
        relation = self.cursor().sql(
            f"SELECT {', '.join(RESPONSE_COLUMNS)} FROM responses "
            f"ORDER BY {', '.join(sql.ROW_ORDER)}"
        )
        responses = responses_from_lake(sql.to_arrow(relation))
        if include_sandbox is None:
            return responses
        evals, runs, prompts = self.frames
        return sandbox_view(evals, runs, prompts, responses, include_sandbox)[3]

    def rows(self, include_sandbox: bool | None) -> LakeRows:
        """The Responses page's rows and counts, as SQL."""
        include = include_sandbox is not False
        total = sql.count_responses(self.cursor(), include_sandbox=include)
        return LakeRows(self.cursor, include, total, typed=typed_responses)

    def summary(self, include_sandbox: bool | None) -> tuple[dict[str, Any], pd.DataFrame]:
        """(verdict counts, failing categories) from one grouped scan."""
        counts, _, failing = sql.overview(
            self.cursor(), include_sandbox=include_sandbox is not False
        )
        return counts, failing

    def flips(self, run_a: str, run_b: str, include_sandbox: bool | None) -> pd.DataFrame:
        """Two runs' flip table, reading only their responses."""
        return sql.flips(self.cursor(), run_a, run_b, include_sandbox is not False)

    def has_confidences(self, include_sandbox: bool | None) -> bool:
        """True when some response in scope carries a judge confidence."""
        some = sql.Filters(confidence=(-math.inf, math.inf))
        return sql.count_responses(self.cursor(), some, include_sandbox is not False) > 0

    def bands(self, include_sandbox: bool | None, label: str | None) -> pd.DataFrame:
        """The calibration bands per eval type, or of every response under `label`."""
        return sql.confidence_bands(
            self.cursor(), include_sandbox=include_sandbox is not False, eval_type=label
        )

    def review_queue(
        self, include_sandbox: bool | None, kind: str, eval_uuid: str | None,
        verdict: str | None, limit: int,
    ) -> tuple[pd.DataFrame, int]:  # fmt: skip
        """A review queue's first `limit` responses' keys, and its length.

        The queue's page reads its current response in full (AymaraData.run_responses).
        """
        rows, total = sql.review_queue(
            self.cursor(), kind, eval_uuid=eval_uuid, verdict=verdict,
            include_sandbox=include_sandbox is not False, limit=limit, columns=QUEUE_KEYS,
        )  # fmt: skip
        return typed_responses(rows), total

    def low_confidence_failures(
        self, include_sandbox: bool | None, below: float, eval_type: str | None, limit: int
    ) -> tuple[pd.DataFrame, int]:
        """The calibration page's list: its first `limit` rows (what the table shows), count."""
        rows, total = sql.low_confidence_failures(
            self.cursor(), below, eval_type=eval_type,
            include_sandbox=include_sandbox is not False, limit=limit, columns=LIST_COLUMNS,
        )  # fmt: skip
        return typed_responses(rows), total

    def board(self, include_sandbox: bool | None) -> pd.DataFrame:
        """The regression board, reading only each eval's two latest runs' keys and verdicts."""
        return sql.regression_board(self.cursor(), include_sandbox is not False)


def _utc(moment: pd.Timestamp) -> datetime:
    stamp = moment.tz_localize(UTC) if moment.tzinfo is None else moment.tz_convert(UTC)
    return stamp.to_pydatetime()


class LakeUnavailable(APIError):
    """The lake cannot be read, or holds nothing this dashboard may show."""

    @property
    def headline(self) -> str:
        """The error box's first line: what is wrong with the lake, not 'the request failed'."""
        return self.message

    hint = (
        "The dashboard reads the lake that `python -m jobs sync --lake <URL> --every 10m` "
        "writes (EVAL_DASHBOARD_LAKE_URL). Check that the worker runs with the same URL and "
        "API key, or unset EVAL_DASHBOARD_LAKE_URL to read the API directly."
    )


def empty_dataset(
    base_url: str, workspace: str | None, fatal: APIError | None = None
) -> AymaraData:
    """A dataset holding nothing (with the error that left it so)."""
    nothing = pd.DataFrame()
    return AymaraData(
        base_url, workspace, _typed(nothing, EVAL_COLUMNS), _typed(nothing, RUN_COLUMNS),
        _typed(nothing, PROMPT_COLUMNS), responses_from_lake(lake.SCHEMAS["responses"]
                                                              .empty_table()),
        (), datetime.now(UTC), fatal=fatal,
    )  # fmt: skip


def load_from_lake(
    location: LakeLocation,
    workspace: str | None,
    base_url: str,
    account: str,
    permitted: tuple[str, ...] = (),
    scope: list[str] | None = None,
) -> AymaraData:
    """The newest finished sync's dataset for this account; a fatal error saying why not.

    `scope` names the workspaces to hold when the caller knows them better (this key's own).

    A lake written for another account is refused (its data is not this key's to show), and
    so is a workspace outside the allowlist, exactly as the API path refuses them.
    """
    try:
        row = lake.last_sync(location)
    except Exception as exc:  # noqa: BLE001 - delta-rs and object stores raise many kinds
        return empty_dataset(base_url, workspace, LakeUnavailable(f"{location.url}: {exc}"[:500]))
    if row is None:
        return empty_dataset(base_url, workspace, LakeUnavailable(
            f"The results lake at {location.url} has no finished sync yet."))  # fmt: skip
    if row["account"] != account:
        return empty_dataset(base_url, workspace, LakeUnavailable(
            f"The results lake at {location.url} holds another account's data "
            f"({row['source']}), not this API key's."))  # fmt: skip
    snapshot = open_snapshot(location)
    assert snapshot is not None  # a sync row was just read
    return dataset_from_snapshot(snapshot, workspace, base_url, permitted, scope)


def snapshot_id(location: LakeLocation) -> int | None:
    """The newest finished sync's id (what a cache key needs to see a new sync)."""
    row = lake.last_sync(location)
    return None if row is None else int(row["sync_id"])
