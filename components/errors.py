"""The one place errors and partial loads are shown to a person."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from client.errors import APIError, AuthenticationError, NotFoundError, PermissionDeniedError
from reporting.text import code_span, plural


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
    if isinstance(error, AuthenticationError):
        return "The API key was refused (missing, wrong or expired)."
    if isinstance(error, PermissionDeniedError):
        return "The API key may not read this workspace."
    if isinstance(error, NotFoundError):
        return "The API says it does not exist."
    return "The request to the API failed."


def show_problems(problems: Sequence[object], *, noun: str = "items") -> None:
    """List what did not load, so a partial page never passes for a complete one."""
    if not problems:
        return
    with st.expander(
        f":material/warning: Partial data: {plural(len(problems), 'part')} did not load. "
        "Everything else on this page is complete.",
        expanded=len(problems) <= 3,
    ):
        for problem in problems:
            what = getattr(problem, "what", "")
            message = getattr(problem, "message", str(problem))
            request_id = getattr(problem, "request_id", None)
            hint = getattr(problem, "hint", "")
            st.text(f"• {what}: {message}" + (f" [request id {request_id}]" if request_id else ""))
            if hint:
                st.caption(hint)
        st.caption("Press Refresh in the sidebar to try the missing parts again.")
