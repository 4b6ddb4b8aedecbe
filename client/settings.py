"""Every environment variable the dashboard reads, in one frozen dataclass (no streamlit here)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

AYMARA_DEFAULT_URL = "https://api.aymara.ai"
FEATHER_DEFAULT_URL = "https://api-sandbox.featherhq.com"
_OFF = ("off", "0", "false", "no")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """The dashboard's configuration; the README's "Other settings" table lists each variable."""

    aymara_api_key: str | None = None  # AYMARA_AI_API_KEY (the official SDK's own name)
    aymara_base_url: str | None = None  # AYMARA_AI_BASE_URL
    feather_api_key: str | None = None  # FEATHER_API_KEY
    feather_base_url: str | None = None  # FEATHER_BASE_URL
    cache_ttl_s: float = 600.0  # EVAL_DASHBOARD_CACHE_TTL
    # EVAL_DASHBOARD_CACHE_MB: estimated MB of loaded datasets and built pages kept in memory
    # (pages get an eighth). 768 fits a 2 GB container: the cache may be full while a
    # million-response load runs, which holds its records and its frame (~400 MB each) at
    # once, and the interpreter and libraries take ~110 MB: 768 + 800 + 110 leaves ~300 MB.
    cache_mb: int = 768
    # EVAL_DASHBOARD_CACHE_ENTRIES: a cap on the count beside the bytes; high, because small
    # entries (one run's transcript, the catalog) should not push a dataset out.
    cache_entries: int = 256
    refresh_interval_s: float = 30.0  # EVAL_DASHBOARD_REFRESH_INTERVAL (one Refresh per N s)
    concurrency: int = 8  # EVAL_DASHBOARD_CONCURRENCY
    requests_per_second: float | None = None  # EVAL_DASHBOARD_REQUESTS_PER_SECOND (0 = none)
    store_enabled: bool = True  # EVAL_DASHBOARD_STORE
    cache_dir: str | None = None  # EVAL_DASHBOARD_CACHE_DIR
    lake_url: str | None = None  # EVAL_DASHBOARD_LAKE_URL (a folder or s3://bucket/prefix)
    # EVAL_DASHBOARD_LOCAL_LAKE: without a lake URL, sync into the account's own lake under
    # the cache folder and read it through DuckDB; off holds every response in memory.
    local_lake: bool = True
    lake_check_s: float = 15.0  # EVAL_DASHBOARD_LAKE_CHECK_S (how often to look for a new sync)
    # EVAL_DASHBOARD_LAKE_MEMORY_MB: DuckDB's memory limit per lake connection. Its default
    # is 80% of the machine's RAM; bounded, a large scan spills or streams instead of growing.
    lake_memory_mb: int = 384
    demo_scale: float = 1.0  # EVAL_DASHBOARD_DEMO_SCALE
    feather_max_runs: int = 50_000  # EVAL_DASHBOARD_FEATHER_MAX_RUNS
    workspaces: str | None = None  # EVAL_DASHBOARD_WORKSPACES (raw; secrets may add a fallback)
    allowed_emails: str | None = None  # EVAL_DASHBOARD_ALLOWED_EMAILS
    allowed_domains: str | None = None  # EVAL_DASHBOARD_ALLOWED_DOMAINS
    read_only: bool = False  # EVAL_DASHBOARD_READ_ONLY (1 = no reviews, no scoring)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Settings:
        """Settings from a mapping of environment variables; unset or empty means the default."""

        def get(name: str) -> str | None:
            return env.get(name) or None

        return cls(
            aymara_api_key=get("AYMARA_AI_API_KEY"),
            aymara_base_url=get("AYMARA_AI_BASE_URL"),
            feather_api_key=get("FEATHER_API_KEY"),
            feather_base_url=get("FEATHER_BASE_URL"),
            cache_ttl_s=float(get("EVAL_DASHBOARD_CACHE_TTL") or cls.cache_ttl_s),
            cache_mb=_positive_int(env, "EVAL_DASHBOARD_CACHE_MB", cls.cache_mb),
            cache_entries=_positive_int(env, "EVAL_DASHBOARD_CACHE_ENTRIES", cls.cache_entries),
            refresh_interval_s=float(
                get("EVAL_DASHBOARD_REFRESH_INTERVAL") or cls.refresh_interval_s
            ),
            concurrency=int(get("EVAL_DASHBOARD_CONCURRENCY") or cls.concurrency),
            requests_per_second=float(get("EVAL_DASHBOARD_REQUESTS_PER_SECOND") or 0) or None,
            store_enabled=(get("EVAL_DASHBOARD_STORE") or "on").lower() not in _OFF,
            cache_dir=get("EVAL_DASHBOARD_CACHE_DIR"),
            lake_url=get("EVAL_DASHBOARD_LAKE_URL"),
            local_lake=(get("EVAL_DASHBOARD_LOCAL_LAKE") or "on").lower() not in _OFF,
            lake_check_s=_seconds(env, "EVAL_DASHBOARD_LAKE_CHECK_S", cls.lake_check_s),
            lake_memory_mb=_positive_int(env, "EVAL_DASHBOARD_LAKE_MEMORY_MB", cls.lake_memory_mb),
            demo_scale=float(get("EVAL_DASHBOARD_DEMO_SCALE") or cls.demo_scale),
            feather_max_runs=int(get("EVAL_DASHBOARD_FEATHER_MAX_RUNS") or cls.feather_max_runs),
            workspaces=env.get("EVAL_DASHBOARD_WORKSPACES"),
            allowed_emails=get("EVAL_DASHBOARD_ALLOWED_EMAILS"),
            allowed_domains=get("EVAL_DASHBOARD_ALLOWED_DOMAINS"),
            read_only=(get("EVAL_DASHBOARD_READ_ONLY") or "0").lower() not in (*_OFF, ""),
        )


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole number of at least 1; anything else is logged and gives the default."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        log.warning("%s=%r is not a whole number above 0: using %d", name, raw, default)
        return default
    return value


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A number of seconds, 0 or more; anything else is logged and gives the default."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        log.warning("%s=%r is not a number of seconds: using %g", name, raw, default)
        return default
    return value


def settings() -> Settings:
    """The settings as the environment holds them now (read per call: tests change it)."""
    return Settings.from_mapping(os.environ)


def as_settings(env: Settings | Mapping[str, str]) -> Settings:
    """Settings as given, or read from a mapping of environment variables."""
    return env if isinstance(env, Settings) else Settings.from_mapping(env)
