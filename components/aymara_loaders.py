"""The Aymara dataset for the pages, through the cache seam: read from a shared results lake
(EVAL_DASHBOARD_LAKE_URL), else from the account's own lake, synced here (`jobs.own_lake`),
else, with EVAL_DASHBOARD_LOCAL_LAKE=off, loaded into memory by `jobs.aymara_fetch`."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import streamlit as st

from client.aymara import ALL_WORKSPACES
from client.errors import APIError
from client.settings import settings
from components import cache
from components.connection import Source, workspace_allowlist
from jobs.aymara_data import AymaraData, ProgressFn
from jobs.aymara_fetch import fetch_aymara
from jobs.lake import LakeLocation, lake_location
from jobs.lake_data import empty_dataset, load_from_lake, snapshot_id
from jobs.own_lake import OwnSync, own_location, sync_own_lake
from jobs.problems import LoadProblem
from jobs.store import account_id


def load_aymara(
    source: Source,
    workspace: str | None,
    progress: ProgressFn | None = None,
    permitted: frozenset[str] = frozenset(),
) -> AymaraData:
    """The Aymara dataset for an account and workspace, from the cache or the API."""
    if workspace and workspace != ALL_WORKSPACES and permitted and workspace not in permitted:
        raise PermissionError("this workspace is not on the dashboard's allowlist")
    allowed = tuple(sorted(permitted))
    if settings().lake_url:
        return _from_lake(source, workspace, allowed, settings().lake_url)
    if _on_own_lake():
        return _from_own_lake(source, workspace, allowed, progress)
    key = cache.cache_key(source, workspace, allowed)
    full_ttl = cache.cache_ttl_s()

    def fetch(previous: AymaraData | None = None) -> AymaraData:
        return fetch_aymara(
            cache.aymara_client(source),
            workspace,
            progress,
            store=cache.run_store(source),
            force=previous is None and cache.take_force(source, key),  # once per Refresh
            permitted=allowed,
            previous=previous,
        )

    data = cache.dataset_cache().get_or_load(
        key,
        fetch,
        lambda data: 0.0 if data.fatal else cache.PARTIAL_TTL_S if data.partial else full_ttl,
        repair=lambda previous: fetch(previous) if previous.resume is not None else fetch(),
    )
    cache.dataset_cache().remember_names(cache.account(source), data.workspaces)
    return data


def _from_lake(
    source: Source, workspace: str | None, allowed: tuple[str, ...], url: str
) -> AymaraData:
    """The dataset of the lake's newest finished sync; reports from the API (one listing).

    Every replica reads the table one sync worker writes, so none downloads the workspace
    from the API; a newer sync is seen within EVAL_DASHBOARD_LAKE_CHECK_S (15 s) and loaded
    once per process.
    """
    location = lake_location(url)
    sync = cache.dataset_cache().get_or_load(
        cache.cache_key(source, None, "lake-sync", url),
        lambda: snapshot_id(location),
        lambda _: settings().lake_check_s,
    )

    def load() -> AymaraData:
        data = _read_lake(source, location, workspace, allowed)
        # Suite reports are not in the lake in their API form: one listing from the API.
        return data if data.fatal is not None else _with_reports(source, data, allowed)

    data = cache.dataset_cache().get_or_load(
        cache.cache_key(source, workspace, allowed, "lake", sync),
        load,
        lambda data: 0.0 if data.fatal else cache.cache_ttl_s(),
    )
    cache.dataset_cache().remember_names(cache.account(source), data.workspaces)
    return data


def _from_own_lake(
    source: Source, workspace: str | None, allowed: tuple[str, ...], progress: ProgressFn | None
) -> AymaraData:
    """The dataset from the account's own lake, synced first if it is due.

    One sync serves every workspace and session: it is kept for the cache's TTL (a partial
    one briefly), and the next read after that syncs only what moved.
    """
    client = cache.aymara_client(source)
    location = own_location(client, _demo_root() if source.demo else None)

    def keep(synced: OwnSync) -> float:
        if synced.sync_id is None:
            return 0.0  # nothing to show: the next read tries again
        if synced.written_elsewhere:
            return settings().lake_check_s  # another writer syncs: look for its next one
        return cache.PARTIAL_TTL_S if synced.partial else cache.cache_ttl_s()

    synced: OwnSync = cache.dataset_cache().get_or_load(
        _own_sync_key(source, allowed),
        lambda: sync_own_lake(client, location, allowed, progress),
        keep,
    )
    if synced.sync_id is None:
        return empty_dataset(source.base_url, workspace, synced.error)

    def load() -> AymaraData:
        data = _read_lake(source, location, workspace, allowed)
        if data.fatal is not None:
            return data
        data = replace(data, problems=(*data.problems, *synced.shown_problems()),
                       missing=synced.missing)  # fmt: skip
        if not synced.written_elsewhere:  # current as of this sync's listings
            data = replace(data, loaded_at=synced.checked_at)
        if synced.reports is not None and _spaces(workspace, allowed) == _spaces(
            ALL_WORKSPACES, allowed
        ):  # the sync listed exactly these workspaces' reports
            return replace(data, reports=synced.reports)
        return _with_reports(source, data, allowed)

    data = cache.dataset_cache().get_or_load(
        cache.cache_key(source, workspace, allowed, "own-lake", synced.sync_id, synced.attempt),
        load,
        lambda data: 0.0 if data.fatal else cache.cache_ttl_s(),
    )
    cache.dataset_cache().remember_names(cache.account(source), data.workspaces)
    return data


def _read_lake(
    source: Source, location: LakeLocation, workspace: str | None, allowed: tuple[str, ...]
) -> AymaraData:
    """A lake's newest finished sync, scoped as the API scopes it, or why it cannot be shown."""
    client = cache.aymara_client(source)
    account = account_id(client.base_url, client.transport.key_fingerprint)  # as sync does
    scope = _scope(source, workspace, allowed)
    if isinstance(scope, APIError):
        return empty_dataset(source.base_url, workspace, scope)
    data = load_from_lake(location, workspace, source.base_url, account, allowed, scope)
    if data.fatal is None and workspace not in (None, ALL_WORKSPACES) and data.evals.empty:
        # Nothing of it synced: a workspace this key cannot see is said, as the API says.
        error = client.list_evals(workspace).error
        if error is not None:
            return empty_dataset(source.base_url, workspace, error)
    return data


def _with_reports(source: Source, data: AymaraData, allowed: tuple[str, ...]) -> AymaraData:
    """The dataset with its suite reports, listed per workspace (a report names none)."""
    client = cache.aymara_client(source)
    try:
        spaces = _spaces(data.workspace, allowed)
        reports = tuple(r for ws in spaces for r in client.list_reports(ws).items)
    except APIError as exc:
        problem = LoadProblem("The list of reports", exc.message)
        return replace(data, problems=(*data.problems, problem))
    return replace(data, reports=reports)


def _scope(
    source: Source, workspace: str | None, allowed: tuple[str, ...]
) -> list[str] | APIError | None:
    """The lake workspaces a dataset holds when only the API knows them: this key's own.

    No workspace and no allowlist means what a listing without `workspace_uuid` returns;
    anything else the lake reader scopes by itself (None).
    """
    if workspace is not None or allowed:
        return None
    own = key_workspaces(source)
    return own if isinstance(own, APIError) else list(own)


def key_workspaces(source: Source) -> tuple[str, ...] | APIError:
    """The workspaces a list without `workspace_uuid` returns (the key's own), cached."""

    def ask() -> tuple[str, ...] | APIError:
        listing = cache.aymara_client(source).list_evals(None)
        if listing.error is not None and not listing.items:
            return listing.error
        return tuple(sorted({e.workspace_uuid for e in listing.items if e.workspace_uuid}))

    return cache.dataset_cache().get_or_load(
        cache.cache_key(source, None, "key-workspaces"),
        ask,
        lambda found: 0.0 if isinstance(found, APIError) else cache.cache_ttl_s(),
    )


def _on_own_lake() -> bool:
    """True when the dashboard syncs and reads its own lake (no shared lake, not turned off)."""
    return not settings().lake_url and settings().local_lake


def _own_sync_key(source: Source, allowed: tuple[str, ...]) -> tuple[object, ...]:
    return cache.cache_key(source, None, allowed, "own-lake-sync")


def _spaces(workspace: str | None, allowed: tuple[str, ...]) -> tuple[str | None, ...]:
    return allowed if allowed and workspace in (None, ALL_WORKSPACES) else (workspace,)


@st.cache_resource(show_spinner=False)
def _demo_root() -> Path:
    """The demo's lakes: a folder of this process, removed at exit (its key is new per run)."""
    folder = tempfile.mkdtemp(prefix="eval-dashboard-demo-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return Path(folder)


def retry_missing(source: Source, workspace: str | None, permitted: frozenset[str]) -> bool:
    """Make the next read of a partial dataset fetch what it missed (and only that)."""
    allowed = tuple(sorted(permitted))
    if _on_own_lake():
        return cache.dataset_cache().expire_partial(_own_sync_key(source, allowed))
    key = cache.cache_key(source, workspace, allowed)
    return cache.dataset_cache().expire_partial(key)


def sync_soon(source: Source) -> None:
    """After a change through the API (a review): the next read syncs the own lake."""
    if _on_own_lake():
        allowed = tuple(sorted(workspace_allowlist()))
        cache.dataset_cache().expire(_own_sync_key(source, allowed))


def known_workspaces(source: Source) -> dict[str, str]:
    """Workspace uuid -> name (or "") for the selector: from the evals listing, cached."""

    def discover() -> dict[str, str]:
        try:
            listing = cache.aymara_client(source).list_evals(ALL_WORKSPACES)
        except APIError:
            return {}
        return {e.workspace_uuid: "" for e in listing.items if e.workspace_uuid}

    found = dict(
        cache.dataset_cache().get_or_load(
            cache.cache_key(source, None, "workspaces"), discover, lambda _: cache.cache_ttl_s()
        )
    )
    for uuid, name in cache.dataset_cache().names(cache.account(source)).items():
        if name or uuid not in found:
            found[uuid] = name
    return found


IMAGE_MAX_BYTES = 2_000_000  # a thumbnail's source; larger files show as their reference only


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _image_bytes(base_url: str, key_fingerprint: str, file_uuid: str, _source: Source) -> bytes:
    """An image response's bytes, from the API's own host only ("" when not available).

    Cached by account and file (never by key): at most 64 images of 2 MB, about 128 MB.
    """
    client = cache.aymara_client(_source)
    try:
        url = client.get_file(file_uuid).file_url
    except APIError:
        return b""
    if not url:
        return b""
    return client.download_same_host(url, max_bytes=IMAGE_MAX_BYTES) or b""


ImageLoader = Callable[[str], bytes | None]


def image_loader(source: Source | None) -> ImageLoader | None:
    """What a response card calls to show an image response (None without an account)."""
    if source is None:
        return None
    return lambda file_uuid: (
        _image_bytes(source.base_url, source.key_fingerprint, file_uuid, source) or None
    )
