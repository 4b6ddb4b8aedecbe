"""Where the data comes from: the user's API keys, or the embedded demo simulator."""

from __future__ import annotations

import secrets as token_source
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import streamlit as st

from client.settings import AYMARA_DEFAULT_URL, FEATHER_DEFAULT_URL, Settings, as_settings, settings
from client.transport import fingerprint
from client.urls import without_userinfo

SourceKind = Literal["aymara", "feather"]
SOURCE_LABELS: dict[str, str] = {"aymara": "Aymara", "feather": "Feather"}


@dataclass(frozen=True)
class Source:
    """One API account the dashboard reads from."""

    kind: SourceKind
    base_url: str
    api_key: str = field(repr=False)
    demo: bool = False

    @property
    def key_fingerprint(self) -> str:
        """A hash of the key: what caches and stores are keyed by, never the key itself."""
        return fingerprint(self.api_key)

    @property
    def shown_url(self) -> str:
        """The base URL as it may be shown: without any `user:password@`."""
        return without_userinfo(self.base_url)

    @property
    def label(self) -> str:
        """How the sidebar names it."""
        return SOURCE_LABELS[self.kind]


def _section(secrets: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = secrets.get(name) if secrets else None
    return value if isinstance(value, Mapping) else {}


def sources_from_config(
    env: Settings | Mapping[str, str], secrets: Mapping[str, Any]
) -> list[Source]:
    """Configured accounts from the environment, then `.streamlit/secrets.toml` sections."""
    found: list[Source] = []
    config = as_settings(env)
    aymara = _section(secrets, "aymara")
    key = config.aymara_api_key or aymara.get("api_key")
    if key:
        url = config.aymara_base_url or aymara.get("base_url") or AYMARA_DEFAULT_URL
        found.append(Source("aymara", str(url).rstrip("/"), str(key)))
    feather = _section(secrets, "feather")
    key = config.feather_api_key or feather.get("api_key")
    if key:
        url = config.feather_base_url or feather.get("base_url") or FEATHER_DEFAULT_URL
        found.append(Source("feather", str(url).rstrip("/"), str(key)))
    return found


def allowed_workspaces(
    env: Settings | Mapping[str, str], secrets: Mapping[str, Any]
) -> frozenset[str]:
    """EVAL_DASHBOARD_WORKSPACES: the only workspaces this dashboard may show (empty = any)."""
    raw: Any = as_settings(env).workspaces
    if raw is None:
        raw = secrets.get("EVAL_DASHBOARD_WORKSPACES") if secrets else None
        raw = raw if raw is not None else _section(secrets, "access").get("workspaces")
    if raw is None:
        return frozenset()
    items = raw if isinstance(raw, (list, tuple)) else str(raw).replace(";", ",").split(",")
    return frozenset(s.strip() for s in items if str(s).strip())


@st.cache_resource(show_spinner="Starting the demo API…")
def _demo_simulator(scale: float) -> Any:
    """The bundled simulator on a free loopback port, started once per process."""
    from simulator.server import start_in_thread
    from simulator.settings import SimSettings

    # A fresh random key per process: the demo speaks to the simulator exactly like to a vendor.
    settings = SimSettings(api_key="demo-" + token_source.token_urlsafe(18), scale=scale)
    return start_in_thread(settings), settings.api_key


_SECRETS_TTL_S = 5.0
_secrets_read: list[tuple[float, int, Mapping[str, Any]]] = []


def read_secrets() -> Mapping[str, Any]:
    """st.secrets as a dict; with no secrets file, the miss is remembered for a few seconds.

    Without a secrets.toml Streamlit looks for one, and fails, on every access: a tenth of a
    page view's time when many people view at once. Loaded secrets are Streamlit's own cache
    (a new object once the file changes or a test sets them), so only the miss is kept here.
    """
    now = time.monotonic()
    loaded = id(getattr(st.secrets, "_secrets", None))
    if _secrets_read:
        at, same, found = _secrets_read[0]
        if same == loaded and now - at < _SECRETS_TTL_S:
            return found
    try:
        found = dict(st.secrets)
    except Exception:  # noqa: BLE001 - no secrets.toml, or a malformed one: treat as absent
        found = {}
    _secrets_read[:] = [(now, id(getattr(st.secrets, "_secrets", None)), found)]
    return found


def resolve_sources() -> list[Source]:
    """The accounts to show; the demo simulator (both APIs) when none is configured."""
    configured = sources_from_config(settings(), read_secrets())
    if configured:
        return configured
    running, key = _demo_simulator(settings().demo_scale)
    return [
        Source("aymara", running.base_url, key, demo=True),
        Source("feather", running.base_url, key, demo=True),
    ]


def workspace_allowlist() -> frozenset[str]:
    """The configured workspace allowlist for this process."""
    return allowed_workspaces(settings(), read_secrets())
