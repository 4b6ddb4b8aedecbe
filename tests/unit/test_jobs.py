"""The jobs' pure parts: summaries, escaping, the webhook's retries (httpx.MockTransport)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pandas as pd
import pytest

from jobs.check import CheckResult, EvalCheck, to_json, to_markdown
from jobs.connect import JobError, Scope, production_runs, public_url
from jobs.report_html import Page
from jobs.watch import RETRY_DELAYS_S, Event, State, Watcher, parse_every, post, slack_text

HOSTILE = (
    "<script>window.__pwned=1</script> | <img src=x onerror=alert(1)> ![t](http://x.invalid/p.png)"
)
SCOPE = Scope("http://127.0.0.1:1", None, False)


def result(name: str = HOSTILE) -> CheckResult:
    e = EvalCheck("e1", name, "regressed", "rb", "B", "ra", "A", 0.88, 0.62, -26.0, 1e-5,
                  "mcnemar", 100, 27, 1)  # fmt: skip
    return CheckResult(SCOPE, 0.05, 0.0, "latest-finished", [e])


def test_the_markdown_summary_escapes_eval_names_so_a_table_cell_stays_one_cell() -> None:
    text = to_markdown(result())
    row = next(line for line in text.splitlines() if line.startswith("| 🔴"))
    assert row.count(" | ") == 6  # the name's own "|" is escaped
    assert "<script>" not in text and "![t](" not in text
    assert "88.0% → 62.0%" in row and "-26.0 pp" in row and "< 0.001" in row


def test_the_json_summary_says_the_same_and_the_exit_code() -> None:
    body = json.loads(to_json(result("Plain")))
    assert body["status"] == "regressed" and body["exit_code"] == 1
    assert body["evals"][0]["newly_failed"] == 27 and body["include_sandbox"] is False


def test_sandbox_runs_are_left_out_unless_included() -> None:
    runs = pd.DataFrame({"eval_run_uuid": ["a", "b", "c"],
                         "is_sandbox": pd.array([True, False, None], dtype="boolean")})  # fmt: skip
    assert list(production_runs(runs, False)["eval_run_uuid"]) == ["b", "c"]
    assert len(production_runs(runs, True)) == 3


def test_a_base_url_with_credentials_is_shown_without_them() -> None:
    assert public_url("https://user:pw@api.example.com/") == "https://api.example.com"


def test_report_pages_escape_every_text_and_json_block() -> None:
    page = Page(HOSTILE)
    page.note(HOSTILE)
    page.table(pd.DataFrame({"a": [HOSTILE]}), {"a": HOSTILE})
    page.texts([(HOSTILE, [("Response", HOSTILE)])])
    import plotly.graph_objects as go

    page.figure(go.Figure(go.Bar(x=[1], y=["</script><script>alert(1)</script>"])))
    html = page.render()
    assert "<script>window" not in html and "<img src=x" not in html
    assert "</script><script>alert" not in html
    assert html.count("<script nonce=") == 1 and "default-src 'none'" in html


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("10m", 600), ("1h", 3600), ("45", 45)])
def test_every_reads_seconds_minutes_and_hours(text: str, seconds: float) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["soon", "0s", "-5m", "10 minutes"])
def test_a_bad_every_is_a_job_error(text: str) -> None:
    with pytest.raises(JobError):
        parse_every(text)


def test_slack_text_escapes_links_and_mentions() -> None:
    assert (
        slack_text("<!channel> <http://x|y> & co") == "&lt;!channel&gt; &lt;http://x|y&gt; &amp; co"
    )


def test_a_post_is_retried_on_connection_errors_and_5xx_then_delivered() -> None:
    answers = [httpx.ConnectError("down"), 502, 200]
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer)

    waits: list[float] = []
    assert post("https://hooks.example/x", "hi", transport=httpx.MockTransport(handler),
                sleep=waits.append)  # fmt: skip
    assert waits == list(RETRY_DELAYS_S[:2]) and json.loads(seen[-1]) == {"text": "hi"}


def test_a_post_gives_up_after_the_last_retry(capsys: pytest.CaptureFixture[str]) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(500))
    assert not post(
        "https://hooks.example/T/B/secret", "hi", transport=transport, sleep=lambda s: None
    )
    err = capsys.readouterr().err
    assert "hooks.example" in err and "secret" not in err and "HTTP 500" in err


def test_a_new_event_after_a_silent_first_look_is_posted_once(tmp_path: Path) -> None:
    posted: list[str] = []
    transport = httpx.MockTransport(
        lambda r: (posted.append(json.loads(r.content)["text"]), httpx.Response(200))[1]
    )
    current = [Event("a", "old")]
    w = Watcher("https://hooks.example/x", State(tmp_path / "s.json"), SCOPE, transport=transport)
    w.events = lambda: list(current)  # type: ignore[method-assign]
    assert w.look_and_post() == 0 and posted == []  # what was there is remembered
    current.append(Event("b", "new regression"))
    assert w.look_and_post() == 0 and w.look_and_post() == 0
    assert posted == ["new regression"]


def test_an_unreadable_state_file_is_a_job_error(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text("{not json")
    with pytest.raises(JobError, match="does not read"):
        State(tmp_path / "s.json")


def test_the_jobs_never_import_streamlit_or_components() -> None:
    import subprocess
    import sys

    code = (
        "import sys, jobs.cli, jobs.check, jobs.report, jobs.watch, jobs.aymara_data;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'components')];"
        "sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, timeout=120).returncode == 0
