"""The "Download report" button: the page's data as one self-contained HTML file (jobs.report)."""

from __future__ import annotations

import re

import streamlit as st

from components import cache, shell
from jobs.aymara_data import AymaraData
from jobs.connect import JobError, Scope, public_url
from jobs.report import ReportRequest, build_report
from jobs.report_html import Page

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def report_button(
    data: AymaraData, request: ReportRequest, name: str, *, key: str, include_sandbox: bool = False
) -> None:
    """A download button that builds the report only when pressed."""
    ctx = shell.current()
    source = ctx.source("aymara")
    scope = Scope(public_url(data.base_url), ctx.workspace, include_sandbox)

    def build() -> str:
        client = cache.aymara_client(source) if source is not None else None
        try:
            return build_report(data, scope, request, client=client)
        except JobError as exc:  # e.g. the run is no longer in the data: a file that says so
            page = Page("Report not made")
            page.note(str(exc), "bad")
            return page.render()

    st.download_button(
        "Download report",
        data=build,
        file_name=f"{_UNSAFE.sub('-', name).strip('-')[:80] or 'report'}.html",
        mime="text/html",
        icon=":material/download:",
        on_click="ignore",
        key=key,
        help="One HTML file with these tables, charts and failing responses; it opens offline.",
    )
