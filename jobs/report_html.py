"""The report file's HTML: one page, every API text escaped, plotly inlined once, no other host.

Safety by construction, then a second lock: every cell and text goes through `html.escape`;
figures travel as JSON in non-executable `application/json` blocks (with `<`, `>` and `&`
written as JSON escapes, so no text can close the block); the only script that runs carries a
per-file nonce, and the Content-Security-Policy allows nothing else, no request to any host
(`default-src 'none'`) and images only as `data:` URIs. plotly.js (4.8 MB) is stored gzipped and
base64-encoded (1.9 MB) and unpacked in the browser with DecompressionStream.
"""

from __future__ import annotations

import base64
import gzip
import html
import math
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

Cell = Callable[[Any], str]
MAX_TABLE_ROWS = 1000  # a longer table is cut, and says so


class Markup(str):
    """HTML built here from escaped parts; `esc` passes it through unchanged."""


def esc(value: Any) -> str:
    """API text as HTML text: escaped, and an em dash for a missing value."""
    if isinstance(value, Markup):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    try:
        if pd.isna(value):
            return "—"
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def percent(value: Any) -> str:
    """A fraction as a percentage."""
    return "—" if value is None or pd.isna(value) else f"{float(value):.1%}"


def when(value: Any) -> str:
    """A timestamp as 'YYYY-MM-DD HH:MM UTC'."""
    return "—" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M} UTC"


@lru_cache(maxsize=1)
def _plotly_packed() -> str:
    """plotly.js gzipped and base64-encoded, built once per process."""
    return base64.b64encode(gzip.compress(get_plotlyjs().encode(), 9, mtime=0)).decode()


def _json_block(text: str) -> str:
    """JSON made safe inside a <script type="application/json"> block."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass
class Page:
    """A report page being built: sections of HTML, figures as JSON."""

    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, already-escaped value)
    parts: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        """A section heading from plain text."""
        self.parts.append(f"<h{level}>{esc(text)}</h{level}>")

    def note(self, text: str, kind: str = "note") -> None:
        """A paragraph of plain text (kind: note, good, bad, warn)."""
        self.parts.append(f'<p class="{kind}">{esc(text)}</p>')

    def raw(self, markup: str) -> None:
        """Markup built here from escaped parts (never API text as is)."""
        self.parts.append(markup)

    def figure(self, fig: go.Figure, caption: str = "") -> None:
        """A plotly figure, drawn in the browser from its JSON."""
        index = len(self.figures)
        self.figures.append(_json_block(fig.to_json()))
        label = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
        self.parts.append(
            f'<figure><div class="chart" data-figure="{index}"></div>{label}</figure>'
        )

    def table(
        self,
        frame: pd.DataFrame,
        columns: Mapping[str, str],
        formats: Mapping[str, Cell] | None = None,
        row_class: Callable[[Any], str] | None = None,
    ) -> None:
        """A table of the given columns (name -> header), every cell escaped."""
        formats = formats or {}
        shown = frame.head(MAX_TABLE_ROWS)
        head = "".join(f"<th>{esc(h)}</th>" for h in columns.values())
        body = []
        for row in shown.itertuples(index=False):
            values = row._asdict()
            cells = "".join(f"<td>{formats.get(c, esc)(values.get(c))}</td>" for c in columns)
            css = f' class="{row_class(values)}"' if row_class else ""
            body.append(f"<tr{css}>{cells}</tr>")
        self.parts.append(
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>"
        )
        if len(frame) > len(shown):
            self.note(f"The first {len(shown):,} of {len(frame):,} rows are shown.")

    def texts(self, items: Iterable[tuple[str, Iterable[tuple[str, Any]]]]) -> None:
        """Cards of labelled texts (a prompt, a response, the judge's explanation), escaped."""
        for title, fields in items:
            rows = "".join(
                f"<dt>{esc(label)}</dt><dd>"
                + (value if isinstance(value, Markup) else f"<pre>{esc(value)}</pre>")
                + "</dd>"
                for label, value in fields
            )
            self.parts.append(
                f'<article class="card"><h3>{esc(title)}</h3><dl>{rows}</dl></article>'
            )

    def render(self) -> str:
        """The whole file."""
        nonce = secrets.token_urlsafe(18)
        csp = (
            "default-src 'none'; "
            f"script-src 'nonce-{nonce}' 'unsafe-eval'; "  # plotly.js is unpacked with eval
            "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
            "base-uri 'none'; form-action 'none'"
        )
        facts = "".join(f"<div><dt>{esc(k)}</dt><dd>{v}</dd></div>" for k, v in self.facts)
        figures = "".join(
            f'<script type="application/json" id="figure-{i}">{body}</script>'
            for i, body in enumerate(self.figures)
        )
        plotly = (
            f'<script type="application/octet-stream" id="plotly-gz">{_plotly_packed()}</script>'
            if self.figures
            else ""
        )
        return (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            '<meta name="referrer" content="no-referrer">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(self.title)}</title><style>{STYLE}</style></head><body>"
            f'<header><h1>{esc(self.title)}</h1><dl class="facts">{facts}</dl></header>'
            f"<main>{''.join(self.parts)}</main>"
            "<footer>Made by the eval dashboard (python -m jobs report). This file asks no host "
            "for anything: charts are drawn from data inside it.</footer>"
            f'{figures}{plotly}<script nonce="{nonce}">{LOADER}</script></body></html>\n'
        )


STYLE = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2430;--muted:#5b6170;--line:#d9dce3;
--card:#f6f7f9;--bad:#b42318;--good:#067647;--warn:#9a6700}
@media (prefers-color-scheme:dark){:root{--bg:#0e1117;--fg:#e6e8ee;--muted:#a3a8b4;
--line:#30343e;--card:#161a22;--bad:#ff7b72;--good:#56d364;--warn:#e3b341}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 20px}
header{padding-top:24px;border-bottom:1px solid var(--line)}
h1{font-size:1.6rem;margin:0 0 8px}h2{font-size:1.25rem;margin:28px 0 8px}
h3{font-size:1rem;margin:0 0 6px}
.facts{display:flex;flex-wrap:wrap;gap:4px 24px;margin:0 0 16px;color:var(--muted)}
.facts div{display:flex;gap:6px}.facts dt{font-weight:600}.facts dd{margin:0}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--card);position:sticky;top:0}
tr.regressed td:first-child,.bad{color:var(--bad);font-weight:600}
tr.improved td:first-child,.good{color:var(--good);font-weight:600}.warn{color:var(--warn)}
.note{color:var(--muted)}
figure{margin:12px 0;border:1px solid var(--line);border-radius:8px;padding:8px;
background:#fff}figcaption{color:#5b6170;font-size:.85rem;padding:4px 8px}
.chart{width:100%;min-height:360px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px;
margin:10px 0}
.card dl{margin:0}.card dt{font-weight:600;color:var(--muted);font-size:.85rem;margin-top:6px}
.card dd{margin:0}pre{white-space:pre-wrap;word-break:break-word;margin:2px 0;
font:inherit}
.card img{max-width:320px;height:auto;border-radius:6px}
footer{color:var(--muted);font-size:.85rem;padding:24px 20px}
@media (max-width:600px){header,main,footer{padding:0 10px}body{font-size:14px}
.facts{display:block}}
"""

# Unpack plotly.js, then draw each figure; all data is read from JSON blocks, never executed.
LOADER = """
(async () => {
  const packed = document.getElementById('plotly-gz');
  if (!packed) return;
  const bytes = Uint8Array.from(atob(packed.textContent.trim()), c => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  (0, eval)(await new Response(stream).text());
  const config = {displaylogo: false, responsive: true};
  for (const div of document.querySelectorAll('.chart[data-figure]')) {
    const fig = JSON.parse(document.getElementById('figure-' + div.dataset.figure).textContent);
    fig.layout = Object.assign(fig.layout || {}, {autosize: true});
    await Plotly.newPlot(div, fig.data, fig.layout, config);
    div.dataset.drawn = 'yes';
  }
  document.body.dataset.charts = 'drawn';
})().catch(err => { document.body.dataset.charts = 'failed: ' + err; });
"""
