"""The frame around every page: the sidebar, the demo note, and loading with progress."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from client.aymara import ALL_WORKSPACES as API_ALL_WORKSPACES
from client.errors import APIError
from client.settings import settings
from components import aymara_loaders, cache
from components.connection import Source, read_secrets, resolve_sources, workspace_allowlist
from components.errors import show_error, show_problems
from jobs.aymara_data import AymaraData
from reporting.aymara import definitions
from reporting.text import escape_markdown, plural

# A `pages/` folder beside app.py makes Streamlit's very first run use its legacy folder-based
# navigation, which runs a deep-linked page (say /feather) without app.py. st.navigation turns
# that mode off, but only once app.py has run; turning it off on import makes a shared link work
# on a fresh server too.
PagesManager.uses_pages_directory = False

ALL_WORKSPACES = "*"  # the link's word for every workspace (also the default, no parameter)
KEY_WORKSPACE = "key"  # the link's word for the API key's own workspace
WORKSPACE_PARAM = "workspace"
REMEMBERED = "_workspace"


@dataclass(frozen=True)
class Context:
    """What every page needs to know: the accounts, and the chosen workspace."""

    sources: tuple[Source, ...]
    workspace: str | None  # None = all workspaces the key (and the allowlist) may see
    allowlist: frozenset[str]
    refused_workspace: str | None = None  # a workspace the URL asked for but may not be shown
    key_workspace: bool = False  # the key's own workspace (Aymara: no workspace_uuid sent)

    @property
    def aymara_workspace(self) -> str | None:
        """The Aymara `workspace_uuid` to send: a uuid, `**` for all, None for the key's own."""
        if self.workspace:
            return self.workspace
        if self.key_workspace or self.allowlist:  # the loader lists each permitted workspace
            return None
        return API_ALL_WORKSPACES

    @property
    def link_workspace(self) -> str | None:
        """The workspace as a link names it (None: every workspace, the default)."""
        return self.workspace or (KEY_WORKSPACE if self.key_workspace else None)

    def source(self, kind: str) -> Source | None:
        """The configured account of one API, if any."""
        return next((s for s in self.sources if s.kind == kind), None)

    @property
    def demo(self) -> bool:
        """True when showing the embedded simulator's demo data."""
        return any(s.demo for s in self.sources)


def build_context() -> Context:
    """Resolve accounts and the workspace named in the URL; called once per run by app.py."""
    sources = tuple(resolve_sources())
    allowlist = workspace_allowlist()
    asked = (st.query_params.get(WORKSPACE_PARAM) or "").strip() or None
    if asked is None and st.session_state.get(REMEMBERED):
        # Streamlit drops query parameters no widget is bound to when the page changes;
        # putting the workspace back keeps the address bar a faithful link to this view.
        asked = st.session_state[REMEMBERED]
        st.query_params[WORKSPACE_PARAM] = asked
    if asked == API_ALL_WORKSPACES:
        asked = ALL_WORKSPACES
    st.session_state[REMEMBERED] = asked if asked != ALL_WORKSPACES else None
    if asked == ALL_WORKSPACES:
        asked = None
    if asked == KEY_WORKSPACE:
        return Context(sources, None, allowlist, key_workspace=not allowlist)
    if asked and allowlist and asked not in allowlist:
        return Context(sources, None, allowlist, refused_workspace=asked)
    return Context(sources, asked, allowlist)


def secrets() -> dict[str, object]:
    """The app's secrets (empty when there is no secrets.toml)."""
    return dict(read_secrets())


def current() -> Context:
    """The context app.py built for this run (rerunning through app.py if it did not run)."""
    if "_context" not in st.session_state:
        st.rerun()  # the legacy mode ran this page alone; it is off now, so app.py runs next
    return st.session_state["_context"]


def render_sidebar(ctx: Context) -> None:
    """Where the data comes from, the workspace selector and Refresh."""
    with st.sidebar:
        if ctx.demo:
            st.caption(":material/science: **Demo data** from the bundled simulator")
        else:
            for source in ctx.sources:
                st.caption(f":material/cloud: {source.label}: `{source.shown_url}`")
        if ctx.source("aymara") is not None:
            _workspace_selector(ctx)
            _follow_sandbox_link()
            st.toggle(
                definitions.INCLUDE_SANDBOX,
                key=definitions.SANDBOX_PARAM,
                bind="query-params",
                help=definitions.INCLUDE_SANDBOX_HELP,
            )
        interval = settings().refresh_interval_s
        if st.button(
            "Refresh", icon=":material/refresh:",
            help=f"Load everything again, for everyone (at most once every {interval:.0f} s)",
        ):  # fmt: skip
            by = st.user.get("email") if st.user.get("is_logged_in") else None
            done = [cache.refresh(source, by=str(by) if by else None) for source in ctx.sources]
            st.session_state[_REFRESH_NOTE] = not any(done)
            st.rerun()
        _reload_note(ctx)


_REFRESH_NOTE = "_refresh_debounced"


def _reload_note(ctx: Context) -> None:
    """When the data was last reloaded (and by whom, with sign-in), and a refused Refresh."""
    reloads = [r for r in (cache.last_reload(s) for s in ctx.sources) if r is not None]
    if not reloads:
        return
    last = max(reloads, key=lambda r: r.at)
    who = f" by {escape_markdown(last.by)}" if last.by else ""
    if st.session_state.pop(_REFRESH_NOTE, False):
        wait = max(0.0, settings().refresh_interval_s - (time.monotonic() - last.at))
        st.caption(
            f":material/schedule: Already reloaded {_ago(last.when)}{who}; Refresh is possible "
            f"again in {wait:.0f} s."
        )
    else:
        st.caption(f"Reloaded {_ago(last.when)}{who}")


def _follow_sandbox_link() -> None:
    """A link that says sandbox=true|false wins over the switch's state from an earlier page."""
    asked = str(st.query_params.get(definitions.SANDBOX_PARAM, "")).lower()
    if asked in ("true", "false"):
        st.session_state[definitions.SANDBOX_PARAM] = asked == "true"


def _workspace_selector(ctx: Context) -> None:
    source = ctx.source("aymara")
    assert source is not None
    known = aymara_loaders.known_workspaces(source)
    if ctx.allowlist:
        known = {k: v for k, v in known.items() if k in ctx.allowlist}
        known.update({k: known.get(k, "") for k in ctx.allowlist})
    own = [] if ctx.allowlist else [KEY_WORKSPACE]  # the key's own may be outside the allowlist
    options = [ALL_WORKSPACES, *own, *sorted(known, key=lambda k: (known[k] or "~", k))]
    if ctx.workspace and ctx.workspace not in options:
        options.append(ctx.workspace)

    def label(ws: str) -> str:
        if ws == ALL_WORKSPACES:
            return "All workspaces" if not ctx.allowlist else "All permitted workspaces"
        if ws == KEY_WORKSPACE:
            return "This key's workspace"
        return known.get(ws) or f"Workspace {ws[:8]}"

    current_ws = ctx.link_workspace or ALL_WORKSPACES
    st.selectbox(
        "Workspace",
        options,
        index=options.index(current_ws),
        format_func=label,
        help="All workspaces: every workspace of the organisation the key can see. "
        "This key's workspace: only the workspace the API key belongs to.",
        key=f"_ws_select_{current_ws}",  # a new key per workspace: the URL decides the value
        on_change=_choose_workspace,
        args=(f"_ws_select_{current_ws}",),
    )
    st.text_input(
        "Or paste a workspace uuid",
        key="_ws_paste",
        placeholder="e.g. 3f0c…",
        max_chars=64,
        on_change=_choose_workspace,
        args=("_ws_paste",),
    )


def _choose_workspace(widget_key: str) -> None:
    """Put the chosen or pasted workspace in the URL (callbacks may reset widget values)."""
    target = (st.session_state.get(widget_key) or "").strip()
    st.session_state["_ws_paste"] = ""
    if not target:
        return
    if target == ALL_WORKSPACES:
        st.query_params.pop(WORKSPACE_PARAM, None)
        st.session_state[REMEMBERED] = None
    else:
        st.query_params[WORKSPACE_PARAM] = target
        st.session_state[REMEMBERED] = target


def demo_note(ctx: Context) -> None:
    """One quiet line on demo data that says how to connect a real account."""
    if ctx.demo:
        st.caption(
            ":material/info: You are looking at demo data from the bundled simulator. "
            "To see your own results set `AYMARA_AI_API_KEY` (and/or `FEATHER_API_KEY`) "
            "and restart; see the README."
        )


def refused_note(ctx: Context) -> bool:
    """Refuse a workspace outside the allowlist with a clear message; True when refused."""
    if ctx.refused_workspace:
        st.error(
            "This dashboard is not allowed to show the workspace named in the link. "
            "Ask its owner for access, or choose one of the workspaces in the sidebar.",
            icon=":material/block:",
        )
        return True
    return False


def include_sandbox() -> bool:
    """True when the viewer switched "Include sandbox runs" on (it is bound to the URL)."""
    asked = str(st.query_params.get(definitions.SANDBOX_PARAM, "")).lower()
    if asked in ("true", "false"):  # the link decides, even where no sidebar was drawn
        return asked == "true"
    return bool(st.session_state.get(definitions.SANDBOX_PARAM))


def aymara_page(title: str, *, sandbox: bool | None = None) -> AymaraData:
    """Open an Aymara page: its title, the demo note, and its data (stopping when none loaded).

    The data leaves sandbox runs out unless the viewer included them (`sandbox` overrides the
    switch, e.g. True on a page that lets the viewer pick a sandbox run explicitly).
    """
    ctx = current()
    st.title(title)
    demo_note(ctx)
    data = aymara_data(ctx)
    if data is None:
        st.stop()
    included = include_sandbox() if sandbox is None else sandbox
    view = data.view(included)
    sandbox_note(view)
    return view


def with_view_params(params: dict[str, str], *, sandbox: bool | None = None) -> dict[str, str]:
    """A link's query parameters plus the view's workspace and sandbox choice, so it shows
    what the viewer sees (`sandbox` True forces sandbox runs in, e.g. to open one)."""
    out = dict(params)
    workspace = current().link_workspace
    if workspace:
        out[WORKSPACE_PARAM] = workspace
    if include_sandbox() if sandbox is None else sandbox:
        out[definitions.SANDBOX_PARAM] = "true"
    return out


def sandbox_note(data: AymaraData) -> None:
    """One quiet line saying whether sandbox runs are in what the page shows."""
    if data.sandbox_hidden:
        st.caption(
            f":material/science: {plural(data.sandbox_hidden, 'sandbox run')} left out of every "
            f"number here. Switch on **{definitions.INCLUDE_SANDBOX}** in the sidebar to see them."
        )
    elif data.sandbox_included and data.sandbox_run_count:
        st.caption(
            f":material/science: Including {plural(data.sandbox_run_count, 'sandbox run')}, marked "
            f'"{definitions.SANDBOX_MARK.strip()}" after their name.'
        )


def aymara_data(ctx: Context) -> AymaraData | None:
    """Load the Aymara data with a progress bar; show errors; None when nothing loaded."""
    source = ctx.source("aymara")
    if source is None:
        st.info("No Aymara account is configured. Set `AYMARA_AI_API_KEY` to see Aymara evals.")
        return None
    if refused_note(ctx):
        return None
    bar = st.empty()

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 0.0, text=stage)

    try:
        data = aymara_loaders.load_aymara(source, ctx.aymara_workspace, progress, ctx.allowlist)
    except APIError as exc:  # a bug-free loader returns errors in data; this is a last guard
        bar.empty()
        show_error(exc)
        return None
    bar.empty()
    stored = f", {data.from_store:,} runs from the local store" if data.from_store else ""
    if data.lake_sync is not None and settings().lake_url:
        st.sidebar.caption(
            f"Data from the results lake: sync {data.lake_sync:,}, finished {_ago(data.loaded_at)}"
        )
    elif data.lake_sync is not None:
        st.sidebar.caption(f"Data synced {_ago(data.loaded_at)} (sync {data.lake_sync:,})")
    else:
        st.sidebar.caption(f"Data loaded {_ago(data.loaded_at)}{stored}")
    if data.fatal is not None:
        show_error(data.fatal)
        if st.button("Try again", icon=":material/refresh:", key="_retry_load"):
            st.rerun()  # a failed load is not kept, so the next read asks again
        return None
    if show_problems(data.problems, missing=data.missing.parts(), retry_key="_retry_missing"):
        aymara_loaders.retry_missing(source, ctx.aymara_workspace, ctx.allowlist)
        st.rerun()
    return data


def _ago(when: datetime) -> str:
    seconds = int((datetime.now(UTC) - when).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"at {when:%H:%M} UTC"


def images() -> aymara_loaders.ImageLoader | None:
    """What response cards call to show image responses, for this page's Aymara account."""
    return aymara_loaders.image_loader(current().source("aymara"))
