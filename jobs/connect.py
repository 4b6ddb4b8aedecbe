"""What the jobs read: the Aymara dataset from the environment's account, errors made plain."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

import httpx
import pandas as pd

from client.aymara import AymaraClient
from client.errors import APIError
from client.settings import settings
from jobs.aymara_data import AymaraData
from jobs.aymara_fetch import fetch_aymara
from jobs.store import RunStore

USAGE_OR_API_ERROR = 2  # the exit code of a bad option, a bad key or an API that is down


class JobError(Exception):
    """A failure the user can act on: said in one message, ended with exit code 2."""


def public_url(base_url: str) -> str:
    """The base URL without any user:password part, for output that may be shared."""
    url = httpx.URL(base_url)
    return str(url.copy_with(username=None, password=None)).rstrip("/")


def aymara_client() -> AymaraClient:
    """The Aymara client of the environment (AYMARA_AI_API_KEY, AYMARA_AI_BASE_URL)."""
    try:
        return AymaraClient.from_env()
    except KeyError:
        raise JobError(
            "No Aymara API key: set AYMARA_AI_API_KEY (and AYMARA_AI_BASE_URL for another host)."
        ) from None


def load(client: AymaraClient, workspace: str | None, *, strict: bool = True) -> AymaraData:
    """The workspace's dataset; a fatal error, or with `strict` any part missing, is a JobError.

    A gate must not pass on half the data, so `check` loads strictly; a report says what is
    missing instead.
    """
    config = settings()
    store = (
        RunStore(client.base_url, client.transport.key_fingerprint)
        if config.store_enabled
        else None
    )
    try:
        data = fetch_aymara(client, workspace, store=store)
    except APIError as exc:
        raise JobError(describe(exc)) from None
    finally:
        if store is not None:
            store.wait()
    if data.fatal is not None:
        raise JobError(describe(data.fatal))
    if strict and data.problems:
        lines = "\n".join(f"- {p.what}: {p.message}" for p in data.problems)
        raise JobError(f"Part of the data did not load, so no verdict is given:\n{lines}")
    return data


def describe(error: APIError) -> str:
    """An API error as one line with its hint and request id (the key is never in it)."""
    text = error.message
    if error.hint:
        text += f" {error.hint}"
    if error.request_id:
        text += f" (request id {error.request_id})"
    return f"The Aymara API could not be read: {text}"


def production_runs(runs: pd.DataFrame, include_sandbox: bool) -> pd.DataFrame:
    """The runs the jobs count: sandbox runs only when asked (the dashboard's default too)."""
    # One small seam: point it at the shared sandbox definition once there is one.
    if include_sandbox or "is_sandbox" not in runs:
        return runs
    return runs[~runs["is_sandbox"].fillna(False).astype(bool)]


@dataclass(frozen=True)
class Scope:
    """Where the data came from, said in every output: source, workspace, sandbox runs."""

    source: str
    workspace: str | None
    include_sandbox: bool

    @property
    def workspace_label(self) -> str:
        """The workspace as said in output."""
        return self.workspace or "every workspace the key can see"

    @property
    def sandbox_label(self) -> str:
        """Whether sandbox runs count, in words."""
        return "sandbox runs included" if self.include_sandbox else "sandbox runs excluded"


def fail(message: str, stream: TextIO | None = None) -> int:
    """Say what went wrong and return the usage/API exit code."""
    print(f"error: {message}", file=stream or sys.stderr)
    return USAGE_OR_API_ERROR


def resolve_eval(evals: pd.DataFrame, wanted: str) -> str:
    """An eval's uuid from its uuid or exact name (case-insensitive); a JobError otherwise."""
    uuids = evals["eval_uuid"].astype(str)
    if (uuids == wanted).any():
        return wanted
    names = evals["eval_name"].astype(str).str.casefold()
    hits = evals.loc[(names == wanted.casefold()).to_numpy(), "eval_uuid"].tolist()
    if len(hits) == 1:
        return str(hits[0])
    if len(hits) > 1:
        raise JobError(
            f"{len(hits)} evals are named {wanted!r}: pass one's uuid ({', '.join(hits)})."
        )
    raise JobError(
        f"No eval is named or has the uuid {wanted!r} here. Known evals: "
        + ", ".join(sorted(evals["eval_name"].astype(str).unique())[:20])
    )


def resolve_run(runs: pd.DataFrame, wanted: str) -> pd.Series:
    """A run's row by uuid (or exact name when unique); a JobError otherwise."""
    by_id = runs[runs["eval_run_uuid"].astype(str) == wanted]
    if by_id.empty:
        by_id = runs[runs["run_name"].astype(str) == wanted]
    if len(by_id) == 1:
        return by_id.iloc[0]
    if len(by_id) > 1:
        raise JobError(f"{len(by_id)} runs are named {wanted!r}: pass one's uuid.")
    raise JobError(
        f"No run has the uuid or name {wanted!r} here (sandbox runs need --include-sandbox)."
    )
