"""`python -m jobs watch`: post to a Slack-compatible webhook once per new event.

Events: an Aymara eval whose newest finished run regressed beyond noise (the regression board,
McNemar), and a Feather run of a critical check that failed. What was sent is remembered in a
small JSON state file under the dashboard's cache folder (there is no results table yet; once
`sync` writes one, the file belongs next to it). Posts carry only names, rates and ids: never
an API key. A failed post is retried with capped backoff, then reported loudly on stderr and
left unsent, so the next look tries it again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from client.aymara import AymaraClient
from client.errors import APIError
from client.feather import FeatherClient, RunFilters
from client.settings import settings
from jobs.connect import JobError, Scope, load, production_runs, public_url
from jobs.store import default_root
from reporting.aymara.regressions import regression_board
from reporting.feather.tables import evaluator_labels, runs_frame
from reporting.stats import REGRESSED, p_label

FEATHER_LOOKBACK_DAYS = 7  # critical failures older than this are not news
RETRY_DELAYS_S = (1.0, 4.0, 16.0)  # then give up
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$")


def parse_every(text: str) -> float:
    """'30s', '10m', '1h' or plain seconds -> seconds (at least 1)."""
    match = _EVERY.match(text)
    if not match or float(match.group(1)) < 1:
        raise JobError(f"--every must look like 30s, 10m or 1h, got {text!r}.")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def slack_text(value: Any) -> str:
    """API text for Slack mrkdwn: &, < and > escaped (so no link, mention or <!channel>)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Event:
    """One thing worth a message, with an id that never changes."""

    id: str
    text: str


def aymara_events(runs: pd.DataFrame, responses: pd.DataFrame) -> list[Event]:
    """Evals whose newest finished run regressed beyond noise, one event per such run."""
    board = regression_board(runs, responses)
    events = []
    for row in board[board["verdict"] == REGRESSED].itertuples():
        flips = "" if pd.isna(row.newly_failed) else f", {row.newly_failed} prompts newly failed"
        text = (
            f":red_circle: Aymara: *{slack_text(row.eval_name)}* regressed beyond noise: "
            f"{row.pass_rate_a:.1%} → {row.pass_rate_b:.1%} ({row.change * 100:+.1f} pp, "
            f"{'McNemar' if row.test == 'mcnemar' else 'two-proportion'} p {p_label(row.p_value)}"
            f"{flips}) in run “{slack_text(row.run_b_name)}” ({row.run_b}), "
            f"against “{slack_text(row.run_a_name)}”."
        )
        events.append(Event(f"aymara:regressed:{row.run_b}", text))
    return events


def feather_events(runs: pd.DataFrame, names: dict[str, str]) -> list[Event]:
    """Failed runs of critical checks, one event per run."""
    failed = runs[(runs["outcome"] == "failed") & runs["is_critical"].astype(bool)]
    events = []
    for row in failed.itertuples():
        name = names.get(row.evaluator_id) or f"Evaluator {str(row.evaluator_id)[:8]}"
        text = (
            f":rotating_light: Feather: critical check *{slack_text(name)}* failed "
            f"(severity {slack_text(row.severity or 'unknown')}) in run {row.run_id}, "
            f"session {row.session_id}, {row.created_at:%Y-%m-%d %H:%M} UTC."
        )
        events.append(Event(f"feather:critical:{row.run_id}", text))
    return events


class State:
    """The ids already posted, in a JSON file written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.existed = path.exists()
        self.sent: set[str] = set()
        if self.existed:
            try:
                self.sent = set(json.loads(path.read_text())["sent"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise JobError(f"The watch state file {path} does not read ({exc}).") from None

    def save(self) -> None:
        """Write the file (a crash mid-write leaves the old one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            json.dump({"version": 1, "sent": sorted(self.sent)}, out)
        os.replace(tmp, self.path)


def default_state_path(webhook: str, sources: list[str]) -> Path:
    """One state file per webhook and account set, named by a hash (the URL is a secret)."""
    digest = hashlib.sha256("\x1f".join([webhook, *sources]).encode()).hexdigest()[:24]
    return default_root() / "watch" / f"{digest}.json"


def post(
    webhook: str,
    text: str,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """POST {"text": ...}; retried with backoff on errors, 429 and 5xx. True when delivered."""
    with httpx.Client(transport=transport, timeout=10, follow_redirects=False) as client:
        for attempt, delay in enumerate((*RETRY_DELAYS_S, None)):
            problem = ""
            try:
                response = client.post(webhook, json={"text": text})
                if response.is_success:
                    return True
                problem = f"HTTP {response.status_code}"
                retryable = response.status_code == 429 or response.status_code >= 500
            except httpx.HTTPError as exc:
                problem, retryable = type(exc).__name__, True
            if delay is None or not retryable:
                host = httpx.URL(webhook).host
                print(
                    f"error: the webhook at {host} refused a post after {attempt + 1} attempt(s) "
                    f"({problem}); it stays unsent and is tried again at the next look.",
                    file=sys.stderr,
                )
                return False
            sleep(delay)
    return False  # pragma: no cover


@dataclass
class Watcher:
    """Looks at both APIs, posts what is new, remembers it."""

    webhook: str
    state: State
    scope: Scope
    aymara: AymaraClient | None = None
    feather: FeatherClient | None = None
    post_existing: bool = False
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Watcher:
        """A watcher from the command line and the environment's accounts."""
        url = httpx.URL(args.webhook)
        if url.scheme not in ("http", "https") or not url.host:
            raise JobError("--webhook must be an http(s) URL.")
        config = settings()
        aymara = AymaraClient.from_env() if config.aymara_api_key else None
        feather = FeatherClient.from_env() if config.feather_api_key else None
        if aymara is None and feather is None:
            raise JobError("No API key: set AYMARA_AI_API_KEY and/or FEATHER_API_KEY.")
        sources = [public_url(c.base_url) for c in (aymara, feather) if c is not None]
        path = args.state or default_state_path(args.webhook, [args.workspace or "", *sources])
        scope = Scope(", ".join(sources), args.workspace, args.include_sandbox)
        return cls(args.webhook, State(path), scope, aymara, feather, args.post_existing)

    def events(self) -> list[Event]:
        """Every current event of both APIs (a JobError when an API cannot be read)."""
        found: list[Event] = []
        if self.aymara is not None:
            data = load(self.aymara, self.scope.workspace, strict=True)
            runs = production_runs(data.runs, self.scope.include_sandbox)
            kept = data.responses[data.responses["eval_run_uuid"].isin(runs["eval_run_uuid"])]
            found += aymara_events(runs, kept)
        if self.feather is not None:
            since = self.now() - dt.timedelta(days=FEATHER_LOOKBACK_DAYS)
            filters = RunFilters(outcome="failed", is_critical=True, created_from=since)
            try:
                listing = self.feather.list_eval_runs(filters)
                names = evaluator_labels(self.feather.list_evaluators().items)
            except APIError as exc:
                raise JobError(f"The Feather API could not be read: {exc.message}") from None
            if listing.error is not None:
                raise JobError(f"The Feather API could not be read: {listing.error.message}")
            found += feather_events(runs_frame(listing.items), names)
        return found

    def look_and_post(self) -> int:
        """One look: post each new event once; the number of posts that failed."""
        events = self.events()
        new = [e for e in events if e.id not in self.state.sent]
        if not self.state.existed and not self.post_existing:
            self.state.sent.update(e.id for e in new)
            self.state.save()
            self.state.existed = True
            print(f"watch: {len(new)} existing event(s) remembered; new ones will be posted.")
            return 0
        failed = 0
        for event in new:
            if post(self.webhook, event.text, transport=self.transport, sleep=self.sleep):
                self.state.sent.add(event.id)
                self.state.save()  # after each post: a crash never re-sends what went out
            else:
                failed += 1
        self.state.existed = True
        self.state.save()
        print(
            f"watch: {len(new) - failed} posted, {failed} failed, {len(events)} current event(s)."
        )
        return failed
