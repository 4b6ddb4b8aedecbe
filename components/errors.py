"""The one place errors and partial loads are shown to a person."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from client.errors import APIError, AuthenticationError, NotFoundError, PermissionDeniedError
from reporting.text import code_span, escape_markdown, plural


def show_error(
    error: APIError, *, what: str = "The data could not be loaded", headline: str | None = None
) -> None:
    """A clear message: what happened, what to do, and the API's request id."""
    lines = [f"**{what}.** {headline or _headline(error)}", "", error.hint]
    if error.request_id:
        lines += ["", f"Request id: `{code_span(error.request_id)[:120]}` (quote it to support)."]
    st.error("\n".join(lines), icon=":material/error:")
    st.caption("Details")
    st.text(str(error))


def _headline(error: APIError) -> str:
    if getattr(error, "headline", None):  # an error that says for itself what failed
        return str(error.headline)
    if isinstance(error, AuthenticationError):
        return "The API key was refused (missing, wrong or expired)."
    if isinstance(error, PermissionDeniedError):
        return "The API key may not read this workspace."
    if isinstance(error, NotFoundError):
        return "The API says it does not exist."
    return "The request to the API failed."


def show_problems(
    problems: Sequence[object],
    *,
    noun: str = "items",
    missing: Sequence[str] = (),
    retry_key: str | None = None,
) -> bool:
    """Say, open on the page, that the data is partial and what is missing; list each problem.

    With `retry_key`, a Try again button fetches only what is missing; True when pressed.
    """
    if not problems:
        return False
    what = "; ".join(missing) if missing else f"{plural(len(problems), 'part')} of the {noun}"
    st.warning(
        f"**Partial data: {escape_markdown(what)} did not load.** Every number marked "
        "*partial* leaves that out; the rest of the page is as loaded.",
        icon=":material/warning:",
    )
    pressed = False
    if retry_key is not None:
        pressed = st.button(
            "Try again", icon=":material/refresh:", key=retry_key,
            help="Fetch only what did not load; everything else is kept",
        )  # fmt: skip
    with st.expander(f"What did not load ({len(problems)})", expanded=len(problems) <= 3):
        for problem in problems:
            what = getattr(problem, "what", "")
            message = getattr(problem, "message", str(problem))
            request_id = getattr(problem, "request_id", None)
            hint = getattr(problem, "hint", "")
            st.text(f"• {what}: {message}" + (f" [request id {request_id}]" if request_id else ""))
            if hint:
                st.caption(hint)
        if retry_key is None:
            st.caption("Press Refresh in the sidebar to try the missing parts again.")
    return pressed
