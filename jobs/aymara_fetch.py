"""The Aymara dataset read from the API into memory, many requests at once.

Headless (no streamlit): the dashboard's in-memory path (components/aymara_loaders.py) and the
jobs CLI both call `fetch_aymara`, so a page and a report file show the same data.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from client.aymara import ALL_WORKSPACES, AymaraClient
from client.errors import APIError
from client.paging import Listing
from jobs.aymara_data import AymaraData, ProgressFn, Resume
from jobs.problems import LoadProblem, Missing, listing_problems
from jobs.store import RunStore
from reporting.aymara.responses import (
    response_records,
    responses_frame,
    responses_frame_from_records,
)
from reporting.aymara.tables import evals_frame, prompts_frame, runs_frame


def fetch_aymara(
    client: AymaraClient,
    workspace: str | None,
    progress: ProgressFn | None = None,
    *,
    store: RunStore | None = None,
    force: bool = False,
    permitted: tuple[str, ...] = (),
    previous: AymaraData | None = None,
) -> AymaraData:
    """Load every eval, run, prompt, response and report of a workspace, many requests at once.

    Finished runs (and evals' prompts) found in the local store at the same `updated_at` are
    read from disk; everything else is fetched. `force` ignores the store (Refresh). `workspace`
    is sent as the API's `workspace_uuid`: None is the key's own workspace, `ALL_WORKSPACES`
    every workspace; with either and a `permitted` list, each permitted workspace is listed.
    """
    started_requests = client.transport.requests_sent
    say = progress or (lambda stage, done, total: None)
    problems: list[LoadProblem] = []
    now = datetime.now(UTC)

    say("Listing evals, runs and reports", 0, 1)
    every = workspace in (None, ALL_WORKSPACES)
    spaces = tuple(sorted(permitted)) if permitted and every else (workspace,)
    kept = previous.resume if previous is not None and previous.resume is not None else None
    evals, runs, reports = client.fetch_workspace_listings(
        *spaces, reuse=kept.listings if kept else None
    )
    for name, listing in (("evals", evals), ("runs", runs), ("reports", reports)):
        fatal = listing_problems(f"The list of {name}", listing, problems)
        if fatal is not None and not listing.items:
            return _empty(client, workspace, now, fatal, tuple(problems))

    eval_ws = {e.eval_uuid: e.workspace_uuid or workspace for e in evals.items if e.eval_uuid}
    eval_version = {e.eval_uuid: e.updated_at for e in evals.items if e.eval_uuid}
    # Failed and just-created runs have no responses: asking would cost a request each.
    fetchable = [r for r in runs.items if r.status not in ("failed", "created")]
    finished = {r.eval_run_uuid: r.updated_at for r in fetchable if r.status == "finished"}

    prompt_tables: dict[str, pa.Table] = {}
    record_tables: dict[str, pa.Table] = {}
    workspace_names = _workspace_names(evals.items, runs.items)
    on_disk: list[tuple[str, str, Any]] = []
    if store is not None and not force:
        workspace_names.update(_stored_names(store))
        say("Reading finished runs from the local store", 0, 1)
        wanted = [("prompts", e, v) for e, v in eval_version.items() if v is not None]
        wanted += [("responses", r, v) for r, v in finished.items()]
        on_disk = [w for w in wanted if store.has(*w)]
    run_ws = {r.eval_run_uuid: r.workspace_uuid or workspace for r in fetchable}
    if kept is not None:  # a retry: what the partial load read in full is not asked again
        prompt_tables.update({e: t for e, t in kept.prompts.items() if e in eval_ws})
        record_tables.update({r: t for r, t in kept.records.items() if r in run_ws})
    had = {("prompts", e) for e in prompt_tables} | {("responses", r) for r in record_tables}
    on_disk = [w for w in on_disk if (w[0], w[1]) not in had]
    stored = had | {(kind, item) for kind, item, _ in on_disk}
    whole = set(stored)  # (kind, item) read in full, from the store, before, or just now

    def job(kind: str, item: str) -> Any:
        if kind == "prompts":
            return client.prompts_job(item, eval_ws.get(item))
        return client.responses_job(item, run_ws.get(item))

    jobs = [job("prompts", e) for e in eval_ws if ("prompts", e) not in stored]
    jobs += [
        job("responses", r.eval_run_uuid)
        for r in fetchable
        if ("responses", r.eval_run_uuid) not in stored
    ]
    names = {r.eval_run_uuid: r.name or r.eval_run_uuid for r in runs.items}
    to_store: list[tuple[str, str, Any, pa.Table]] = []

    def on_listing(key: Any, listing: Listing[Any]) -> None:
        kind, item = key
        if kind == "prompts":
            table = pa.Table.from_pandas(prompts_frame({item: listing.items}))
            prompt_tables[item] = table
            version = eval_version.get(item)
            what = f"Prompts of eval {item}"
        else:
            table = response_records(listing.items)
            record_tables[item] = table
            workspace_names.update(_reviewer_workspaces(listing.items))
            version = finished.get(item)
            what = f"Responses of run '{names.get(item)}' ({item})"
        listing_problems(what, listing, problems)
        if listing.complete:
            whole.add(key)
        # Only complete listings of finished runs are worth keeping: the rest may change.
        if version is not None and listing.complete:
            to_store.append((kind, item, version, table))

    def on_progress(done: int, total: int, items: int) -> None:
        say(f"Fetched {done:,} of {total:,} listings ({items:,} items)", done, total)

    from_store = 0
    with ThreadPoolExecutor(max_workers=1) as reader:
        # The disk is read while the rest (runs still changing, anything not stored) is fetched:
        # a warm load then waits for the slower of the two, not for both one after the other.
        reading = (
            reader.submit(_read_many, store, on_disk) if store is not None and on_disk else None
        )
        if jobs:
            client.fetch_listings(jobs, on_progress=on_progress, on_listing=on_listing)
        unreadable: list[Any] = []
        for (kind, item, _), table in zip(
            on_disk, reading.result() if reading else [], strict=True
        ):
            if table is None:
                unreadable.append(job(kind, item))  # deleted or corrupt since: fetch it
                whole.discard((kind, item))
            elif kind == "prompts":
                prompt_tables[item] = table
            else:
                record_tables[item] = table
                from_store += 1
    if unreadable:
        client.fetch_listings(unreadable, on_progress=on_progress, on_listing=on_listing)
    if store is not None:
        named = {k: v for k, v in workspace_names.items() if v}
        if named:
            to_store.append(("meta", "workspace-names", "v1", pa.table({
                "workspace_uuid": list(named), "name": list(named.values())})))  # fmt: skip
        store.put_later(to_store)

    say("Building tables", 1, 1)
    evals_df = evals_frame(evals.items)
    runs_df = runs_frame(runs.items, evals_df)
    prompts_df = _concat_prompts(prompt_tables)
    ordered = {r.eval_run_uuid: record_tables[r.eval_run_uuid] for r in fetchable
               if r.eval_run_uuid in record_tables}  # fmt: skip
    responses_df = responses_frame_from_records(ordered, runs_df, prompts_df)
    missing = Missing(
        listings=tuple(n for n, lst in (("evals", evals), ("runs", runs), ("reports", reports))
                       if not lst.complete),
        runs=sum(("responses", r.eval_run_uuid) not in whole for r in fetchable),
        runs_total=len(fetchable),
        evals=sum(("prompts", e) not in whole for e in eval_ws),
        evals_total=len(eval_ws),
    )  # fmt: skip
    resume = None
    if missing:
        done = {n: lst for n, lst in (("evals", evals), ("runs", runs), ("reports", reports))
                if lst.complete}  # fmt: skip
        resume = Resume(
            done,
            {e: t for e, t in prompt_tables.items() if ("prompts", e) in whole},
            {r: t for r, t in record_tables.items() if ("responses", r) in whole},
        )
    return AymaraData(
        base_url=client.transport.shown_url,  # shown, so without credentials
        workspace=workspace,
        evals=evals_df,
        runs=runs_df,
        prompts=prompts_df,
        response_frame=responses_df,
        reports=tuple(reports.items),
        loaded_at=now,
        workspaces=workspace_names,
        problems=tuple(problems),
        requests=client.transport.requests_sent - started_requests,
        from_store=from_store,
        missing=missing,
        resume=resume,
    )


def _reviewer_workspaces(responses: list[Any]) -> dict[str, str]:
    """Workspace names found in reviewers' profiles."""
    found: dict[str, str] = {}
    for item in responses:
        user = item.manually_updated_by
        ws = user.workspace if user else None
        if ws and ws.workspace_uuid and ws.name:
            found[ws.workspace_uuid] = ws.name
    return found


def _stored_names(store: RunStore) -> dict[str, str]:
    """Workspace names learned on an earlier visit (responses read from disk do not carry them)."""
    table = store.get("meta", "workspace-names", "v1")
    if table is None:
        return {}
    return dict(zip(table["workspace_uuid"].to_pylist(), table["name"].to_pylist(), strict=False))


def _read_many(store: RunStore, wanted: list[tuple[str, str, Any]]) -> list[pa.Table | None]:
    """Read stored tables in parallel: Arrow reads release the GIL."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda w: store.get(*w), wanted))


def _concat_prompts(tables: dict[str, pa.Table]) -> pd.DataFrame:
    """One prompts frame from per-eval tables."""
    if not tables:
        return prompts_frame({})
    parts = [t.to_pandas() for t in tables.values() if t.num_rows]
    if not parts:
        return prompts_frame({})
    template = prompts_frame({})
    combined = pd.concat(parts, ignore_index=True)
    return combined.astype(template.dtypes.to_dict())


def _empty(
    client: AymaraClient,
    workspace: str | None,
    now: datetime,
    error: APIError,
    problems: tuple[LoadProblem, ...] = (),
) -> AymaraData:
    evals = evals_frame([])
    runs = runs_frame([], evals)
    prompts = prompts_frame({})
    return AymaraData(
        base_url=client.transport.shown_url,  # shown, so without credentials
        workspace=workspace,
        evals=evals,
        runs=runs,
        prompts=prompts,
        response_frame=responses_frame({}, runs, prompts),
        reports=(),
        loaded_at=now,
        problems=problems,
        fatal=error,
    )


def _workspace_names(evals: list[Any], runs: list[Any]) -> dict[str, str]:
    """The workspaces this load saw (uuid -> name, "" when unnamed)."""
    # v2 has no workspaces endpoint and names a workspace only inside a reviewer's profile.
    names: dict[str, str] = {e.workspace_uuid: "" for e in evals if e.workspace_uuid}
    names.update({r.workspace_uuid: "" for r in runs if r.workspace_uuid})
    return names
