"""`python -m jobs sync`: the Aymara API read into the results lake, incrementally.

Listings first (evals, runs, reports); then only what moved: an eval's prompts when its
`updated_at` moved, a run's responses when its version (status, `updated_at`, responses
scored, pass rate) differs from the one the lake holds. A finished run therefore never changes
in the lake unless its `updated_at` moves, as in the local store. Each table gets at most one
commit per sync, responses before runs and prompts before evals (the runs and evals tables
record which version of each run and eval the lake holds), and the `syncs` row last, which is
what readers follow: a sync that dies part-way leaves readers on the previous one, and the next
sync finishes its work.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from deltalake.exceptions import DeltaError

from client.aymara import ALL_WORKSPACES, AymaraClient
from client.errors import APIError
from client.paging import Listing
from client.settings import settings
from jobs import lake, lake_lock
from jobs.aymara_data import ProgressFn
from jobs.connect import USAGE_OR_API_ERROR, JobError, describe, fail
from jobs.lake import LakeError, LakeLocation, sql_list
from jobs.problems import LoadProblem, Missing, listing_problems
from jobs.store import account_id
from reporting.aymara.reports import report_rows
from reporting.aymara.responses import response_records, responses_frame_from_records
from reporting.aymara.schema import PROMPT_COLUMNS, typed_frame
from reporting.aymara.tables import evals_frame, prompts_frame, runs_frame
from reporting.text import plural

_STORAGE_ERRORS = (DeltaError, OSError)  # what a folder or bucket can answer with
UNFETCHABLE = ("failed", "created")  # runs without responses: asking would cost a request each


@dataclass(frozen=True)
class SyncResult:
    """What one sync did."""

    sync_id: int | None  # the syncs row written; None when nothing had changed
    written: dict[str, int] = field(default_factory=dict)  # table -> its new version
    runs_added: tuple[str, ...] = ()
    runs_replaced: tuple[str, ...] = ()
    runs_deleted: tuple[str, ...] = ()
    prompts_fetched: int = 0  # evals whose prompts were read
    requests: int = 0
    problems: tuple[LoadProblem, ...] = ()
    missing: Missing = field(default_factory=Missing)  # what this sync could not read in full
    # The suite reports as listed (the dashboard shows them without listing them again).
    reports: tuple[Any, ...] = field(default=(), repr=False, compare=False)

    @property
    def changed(self) -> bool:
        """True when the sync committed anything."""
        return self.sync_id is not None

    def summary(self) -> str:
        """One line for the log."""
        if not self.changed:
            return f"Nothing changed ({plural(self.requests, 'request')}); nothing written."
        tables = ", ".join(f"{name} v{version}" for name, version in self.written.items())
        line = (
            f"Sync {self.sync_id}: {len(self.runs_added)} runs added, "
            f"{len(self.runs_replaced)} replaced, {len(self.runs_deleted)} deleted; "
            f"{plural(self.requests, 'request')}; wrote {tables or 'the syncs row only'}."
        )
        if self.problems:
            line += f" {plural(len(self.problems), 'part')} did not load (tried next sync)."
        return line


def run_version(status: Any, updated_at: Any, scored: Any, pass_rate: Any) -> str:
    """A run's version: what moves when its responses may have changed."""
    stamp = "" if pd.isna(updated_at) else str(pd.Timestamp(updated_at).value)
    scored_text = "" if pd.isna(scored) else str(int(scored))
    rate = "" if pd.isna(pass_rate) else repr(float(pass_rate))
    return f"{status}|{stamp}|{scored_text}|{rate}"


def versions_of_runs(runs_df: pd.DataFrame) -> dict[str, str]:
    """Every run's version (run_version), by run uuid."""
    columns = ("eval_run_uuid", "status", "updated_at", "num_responses_scored", "pass_rate_raw")
    return {row[0]: run_version(*row[1:]) for row in zip(*(runs_df[c] for c in columns),
                                                         strict=True)}  # fmt: skip


def eval_version(updated_at: Any) -> str:
    """An eval's version: its prompts are read again when it moves."""
    return "" if pd.isna(updated_at) else str(pd.Timestamp(updated_at).value)


def permitted_workspaces() -> tuple[str, ...]:
    """EVAL_DASHBOARD_WORKSPACES as a tuple (empty: any); others are never requested."""
    raw = settings().workspaces or ""
    return tuple(sorted({s.strip() for s in raw.replace(";", ",").split(",") if s.strip()}))


def _previous(location: LakeLocation, name: str) -> pd.DataFrame:
    return lake.read_table(location, name).to_pandas()


def _listings(
    client: AymaraClient, workspace: str | None, permitted: tuple[str, ...]
) -> tuple[tuple[Listing[Any], Listing[Any], Listing[Any]], list[LoadProblem]]:
    """The three listings, and what each missed (a half-read listing deletes nothing)."""
    every = workspace in (None, ALL_WORKSPACES)
    spaces = permitted if permitted and every else (workspace,)
    listings = client.fetch_workspace_listings(*spaces)
    problems: list[LoadProblem] = []
    for name, listing in zip(("evals", "runs", "reports"), listings, strict=True):
        listing_problems(f"The list of {name}", listing, problems)
    if not any(listing.items for listing in listings) and problems:
        # Nothing read at all (a bad key, the API down): say the API's own error.
        error = next((lst.error for lst in listings if lst.error is not None), None)
        if error is not None:
            raise error
    return listings, problems


def _with_unlisted(
    location: LakeLocation, name: str, fresh: pa.Table, key: str, complete: bool
) -> pa.Table:
    """A table as listed now, plus, when its listing stopped short, the held rows it missed.

    A run (or eval) missing from a half-read listing is not known to be gone, so it is kept
    until a listing read in full leaves it out.
    """
    if complete:
        return fresh
    held = lake.read_table(location, name)
    listed = pa.compute.is_in(held[key], value_set=pa.array(fresh[key].to_pylist(), pa.string()))
    return pa.concat_tables([fresh, held.filter(pa.compute.invert(listed))])


def sync_lake(
    client: AymaraClient,
    location: LakeLocation,
    workspace: str | None = ALL_WORKSPACES,
    *,
    permitted: tuple[str, ...] = (),
    progress: ProgressFn | None = None,
) -> SyncResult:
    """Bring the lake up to date with the API; the caller holds the writer lock."""
    say = progress or (lambda stage, done, total: None)
    started = datetime.now(UTC)
    sent_before = client.transport.requests_sent
    account = account_id(client.base_url, client.transport.key_fingerprint)
    last = lake.last_sync(location)
    if last is not None and last["account"] != account:
        raise LakeError(
            f"The lake at {location.url} holds another account's data ({last['source']}); "
            "give each account its own lake URL."
        )

    say("Listing evals, runs and reports", 0, 1)
    (evals, runs, reports), problems = _listings(client, workspace, permitted)
    evals_df = evals_frame(evals.items)
    runs_df = runs_frame(runs.items, evals_df)

    # --- prompts: only of evals that are new or whose updated_at moved
    old_evals = _previous(location, "evals")
    old_prompts = _previous(location, "prompts")
    held_eval = dict(zip(old_evals["eval_uuid"], old_evals["prompts_version"], strict=True))
    eval_ws = {e.eval_uuid: e.workspace_uuid or workspace for e in evals.items if e.eval_uuid}
    versions = {u: eval_version(t) for u, t in zip(evals_df["eval_uuid"], evals_df["updated_at"],
                                                    strict=True)}  # fmt: skip
    stale = [e for e in eval_ws if held_eval.get(e) != versions.get(e)]
    fetched_prompts: dict[str, Listing[Any]] = {}
    if stale:
        say(f"Reading the prompts of {plural(len(stale), 'eval')}", 0, len(stale))
        got = client.fetch_listings([client.prompts_job(e, eval_ws[e]) for e in stale])
        for (_, eval_uuid), listing in got.items():
            listing_problems(f"Prompts of eval {eval_uuid}", listing, problems)
            if listing.complete:
                fetched_prompts[eval_uuid] = listing
    unlisted_evals = set() if evals.complete else set(old_evals["eval_uuid"]) - set(eval_ws)
    kept = old_prompts[
        old_prompts["eval_uuid"]
        .isin((set(eval_ws) - set(fetched_prompts)) | unlisted_evals)
        .to_numpy(dtype=bool)
    ]
    new_prompts = prompts_frame({e: lst.items for e, lst in fetched_prompts.items()})
    prompts_df = _concat(kept, new_prompts)
    held_prompts = set(old_prompts["eval_uuid"])  # a new eval's prompts reword nothing
    reworded = {
        e for e in fetched_prompts
        if e in held_prompts and not _same_prompts(old_prompts, new_prompts, e)
    }  # fmt: skip

    # --- responses: only of runs whose version moved (or whose eval's prompts changed)
    old_runs = _previous(location, "runs")
    held_run = dict(zip(old_runs["eval_run_uuid"], old_runs["responses_version"], strict=True))
    run_versions = versions_of_runs(runs_df)
    fetchable = [r for r in runs.items if r.status not in UNFETCHABLE]
    fetchable_ids = {r.eval_run_uuid for r in fetchable}
    wanted = [
        r
        for r in fetchable
        if held_run.get(r.eval_run_uuid) != run_versions[r.eval_run_uuid] or r.eval_uuid in reworded
    ]
    records: dict[str, pa.Table] = {}
    if wanted:
        total = len(wanted)

        def on_progress(done: int, _total: int, items: int) -> None:
            say(f"Fetched {done:,} of {total:,} runs' responses ({items:,} items)", done, total)

        jobs = [client.responses_job(r.eval_run_uuid, r.workspace_uuid or workspace)
                for r in wanted]  # fmt: skip
        got = client.fetch_listings(jobs, on_progress=on_progress)
        for r in wanted:
            listing = got[("responses", r.eval_run_uuid)]
            listing_problems(f"Responses of run {r.eval_run_uuid}", listing, problems)
            if listing.complete:  # a half-read run keeps its old rows and is tried next time
                records[r.eval_run_uuid] = response_records(listing.items)
    gone = sorted(
        r for r, v in held_run.items()
        if isinstance(v, str) and r not in fetchable_ids and runs.complete
    )  # fmt: skip
    added = tuple(r for r in records if not isinstance(held_run.get(r), str))
    replaced = tuple(r for r in records if isinstance(held_run.get(r), str))

    missing = Missing(
        listings=tuple(n for n, lst in (("evals", evals), ("runs", runs), ("reports", reports))
                       if not lst.complete),
        runs=len(wanted) - len(records),
        runs_total=len(fetchable),
        evals=len(stale) - len(fetched_prompts),
        evals_total=len(eval_ws),
    )  # fmt: skip

    # --- commits: responses, prompts, evals, runs, reports, then the syncs row
    say("Writing the lake", 0, 1)
    written: dict[str, int] = {}
    rows = _response_rows(records, runs_df, prompts_df, run_versions, workspace)
    version = _write_responses(location, rows, added, replaced, tuple(gone), runs_df)
    if version is not None:
        written["responses"] = version
    synced_evals = {e: versions.get(e) for e in fetched_prompts}
    evals_out = evals_df.assign(
        prompts_version=[synced_evals.get(e, held_eval.get(e)) for e in evals_df["eval_uuid"]]
    )
    synced = {r: run_versions[r] for r in records}
    runs_out = runs_df.assign(
        responses_version=[
            synced.get(r, held_run.get(r) if r in fetchable_ids else None)
            for r in runs_df["eval_run_uuid"]
        ]
    )
    tables = {
        "prompts": lake.arrow_of(prompts_df, "prompts"),
        "evals": _with_unlisted(
            location, "evals", lake.arrow_of(evals_out, "evals"), "eval_uuid", evals.complete
        ),
        "runs": _with_unlisted(
            location, "runs", lake.arrow_of(runs_out, "runs"), "eval_run_uuid", runs.complete
        ),
    }
    if reports.complete:  # a half-read list of reports keeps the held one
        tables["reports"] = lake.arrow_of(report_rows(list(reports.items), runs_df), "reports")
    for name, table in tables.items():
        version = _replace_if_changed(location, name, table)
        if version is not None:
            written[name] = version

    for name in written:
        lake.tidy(location, name)
    requests = client.transport.requests_sent - sent_before
    sync_id = lake.record_sync(
        location,
        last,
        started=started,
        source=client.transport.shown_url,
        account=account,
        workspace=workspace,
        runs_fetched=len(records),
        requests=requests,
    )
    if sync_id is None:
        return SyncResult(
            None, requests=requests, problems=tuple(problems), missing=missing,
            reports=tuple(reports.items),
        )  # fmt: skip
    say("Done", 1, 1)
    return SyncResult(
        sync_id,
        written,
        runs_added=added,
        runs_replaced=replaced,
        runs_deleted=tuple(gone),
        prompts_fetched=len(fetched_prompts),
        requests=requests,
        problems=tuple(problems),
        missing=missing,
        reports=tuple(reports.items),
    )


def _concat(kept: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """The prompts frame: rows kept from the lake and rows just fetched, in the frame schema."""
    columns = {name: [*kept[name].tolist(), *fresh[name].tolist()] for name in PROMPT_COLUMNS}
    return typed_frame(columns, PROMPT_COLUMNS)


def _same_prompts(old: pd.DataFrame, new: pd.DataFrame, eval_uuid: str) -> bool:
    """True when an eval's prompts read now equal those in the lake."""
    names = list(PROMPT_COLUMNS)

    def rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
        mine = frame[frame["eval_uuid"] == eval_uuid][names].astype(object)
        return sorted(map(tuple, mine.where(mine.notna(), None).to_numpy().tolist()), key=str)

    return rows(old) == rows(new)


def _response_rows(
    records: dict[str, pa.Table],
    runs_df: pd.DataFrame,
    prompts_df: pd.DataFrame,
    run_versions: dict[str, str],
    workspace: str | None,
) -> pa.Table:
    """The fetched runs' rows as the responses table stores them (the frame, plus order)."""
    return responses_table(responses_frame_from_records(records, runs_df, prompts_df),
                           run_versions, workspace)  # fmt: skip


def responses_table(
    frame: pd.DataFrame, run_versions: dict[str, str], workspace: str | None = None
) -> pa.Table:
    """A responses frame as the lake's rows: its API order kept, its run's version stamped."""
    runs = frame["eval_run_uuid"].astype(object).to_numpy()
    starts = np.flatnonzero(np.r_[True, runs[1:] != runs[:-1]]) if len(runs) else np.array([])
    sizes = np.diff(np.r_[starts, len(runs)]).astype(np.int64)
    row_index = np.arange(len(runs), dtype=np.int64) - np.repeat(starts, sizes)
    versions = pd.Series(runs, dtype=object).map(run_versions).to_numpy()
    ws = frame["workspace_uuid"].astype(object)
    fill = workspace if workspace not in (None, ALL_WORKSPACES) else lake.NO_WORKSPACE
    return lake.arrow_of(
        frame.assign(workspace_uuid=ws.where(ws.notna(), fill)),
        "responses",
        row_index=row_index,
        run_version=versions,
    )


def _write_responses(
    location: LakeLocation,
    rows: pa.Table,
    added: tuple[str, ...],
    replaced: tuple[str, ...],
    gone: tuple[str, ...],
    runs_df: pd.DataFrame,
) -> int | None:
    """At most one commit: the new runs appended, the moved ones replaced, the gone deleted."""
    if lake.delta_table(location, "responses") is None:
        return lake.commit(location, "responses", rows, mode="append")
    touched = sorted({*replaced, *gone})
    if not touched:
        return lake.commit(location, "responses", rows, mode="append") if added else None
    # The eval partitions involved, so delta-rs rewrites only their files.
    runs_in = sorted({*touched, *added})
    old = lake.read_table(location, "runs").to_pandas()
    evals = sorted(
        {
            *runs_df.loc[runs_df["eval_run_uuid"].isin(runs_in), "eval_uuid"].dropna(),
            *old.loc[old["eval_run_uuid"].isin(gone), "eval_uuid"].dropna(),
        }
    )
    where = f"eval_uuid IN {sql_list(evals)} AND eval_run_uuid IN {sql_list(runs_in)}"
    if not rows.num_rows:
        return lake.delete_rows(location, "responses", where)
    return lake.commit(location, "responses", rows, mode="overwrite", predicate=where)


def _replace_if_changed(location: LakeLocation, name: str, table: pa.Table) -> int | None:
    """Overwrite a small table when its content differs from the lake's (else no commit)."""
    fresh = lake.sorted_table(table, name)
    if lake.delta_table(location, name) is not None:
        held = lake.sorted_table(lake.read_table(location, name), name)
        if held.equals(fresh):
            return None
    return lake.commit(location, name, fresh, mode="overwrite")


def run_syncs(
    client: AymaraClient,
    url: str | None,
    workspace: str | None,
    every: float | None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    rounds: int | None = None,
) -> int:
    """`python -m jobs sync [--every]`: hold the writer lock, sync, print, repeat.

    Exit code 0 when everything loaded, 2 when a part did not (it is tried again next sync).
    With `every`, an API or lake failure is said and tried again at the next interval.
    """
    account = account_id(client.base_url, client.transport.key_fingerprint)
    location = lake.lake_location(url, account=account)
    lock = lake_lock.WriterLock(location, ttl_s=max(1800.0, 3 * (every or 0)))
    try:
        lock.acquire()
    except (LakeError, *_STORAGE_ERRORS) as exc:
        raise JobError(_lake_message(location, exc)) from None
    done = 0
    try:
        while True:
            code = USAGE_OR_API_ERROR
            try:
                result = sync_lake(client, location, workspace, permitted=permitted_workspaces())
                print(result.summary(), flush=True)
                for problem in result.problems:
                    fail(f"{problem.what}: {problem.message}")
                code = USAGE_OR_API_ERROR if result.problems else 0
            except APIError as exc:
                if every is None:
                    raise JobError(describe(exc)) from None
                fail(f"{describe(exc)} (trying again in {every:g} s)")
            except (LakeError, *_STORAGE_ERRORS) as exc:
                if every is None or isinstance(exc, lake.LakeLocked):
                    raise JobError(_lake_message(location, exc)) from None
                fail(f"{_lake_message(location, exc)} (trying again in {every:g} s)")
            done += 1
            if every is None or (rounds is not None and done >= rounds):
                return code
            sleep(every)
            lock.renew()
    finally:
        lock.release()


def _lake_message(location: LakeLocation, exc: BaseException) -> str:
    """A lake failure in one line (storage options, and so credentials, never in it)."""
    if isinstance(exc, LakeError):
        return str(exc)
    return f"The lake at {location.url} could not be read or written: {exc}"
