"""The Aymara dataset for the pages: `load_aymara` asks the cache seam, which calls
`jobs.aymara_data.fetch_aymara` (the one implementation, shared with the jobs CLI)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import streamlit as st

from client.aymara import ALL_WORKSPACES
from client.errors import APIError
from client.settings import settings
from components import cache
from components.connection import Source
from jobs.aymara_data import AymaraData, ProgressFn, fetch_aymara
from jobs.lake import lake_location
from jobs.lake_data import load_from_lake, snapshot_id
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
        client = cache.aymara_client(source)
        account = account_id(client.base_url, client.transport.key_fingerprint)  # as sync does
        data = load_from_lake(location, workspace, source.base_url, account, allowed)
        if data.fatal is not None:
            return data
        # Suite reports are not in the lake in their API form: one listing from the API.
        spaces = allowed if allowed and workspace in (None, ALL_WORKSPACES) else (workspace,)
        try:
            reports = [r for ws in spaces for r in client.list_reports(ws).items]
        except APIError as exc:
            problem = LoadProblem("The list of reports", exc.message)
            return replace(data, problems=(*data.problems, problem))
        return replace(data, reports=tuple(reports))

    data = cache.dataset_cache().get_or_load(
        cache.cache_key(source, workspace, allowed, "lake", sync),
        load,
        lambda data: 0.0 if data.fatal else cache.cache_ttl_s(),
    )
    cache.dataset_cache().remember_names(cache.account(source), data.workspaces)
    return data


def retry_missing(source: Source, workspace: str | None, permitted: frozenset[str]) -> bool:
    """Make the next read of a partial dataset fetch what it missed (and only that)."""
    key = cache.cache_key(source, workspace, tuple(sorted(permitted)))
    return cache.dataset_cache().expire_partial(key)


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
