"""`python -m jobs watch` against the simulator, posting to a webhook receiver on loopback."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import queue
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from jobs.cli import build_parser, main
from jobs.watch import RETRY_DELAYS_S, Watcher
from tests.conftest import SIMULATOR_KEY

NEWEST_FEATHER_DAY = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)  # the seeded data's last day


class Receiver:
    """A Slack-style incoming webhook: records every POST, answers with planned statuses."""

    def __init__(self) -> None:
        self.posts: queue.Queue[dict[str, Any]] = queue.Queue()
        self.statuses: list[int] = []  # answered in order; 200 once empty
        self.raw: list[bytes] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.raw.append(body + str(dict(self.headers)).encode())
                if status == 200:
                    receiver.posts.put(json.loads(body))
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/B000/secret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def drain(self) -> list[dict[str, Any]]:
        """Every post delivered so far (the watcher has returned, so none is in flight)."""
        out = []
        while not self.posts.empty():
            out.append(self.posts.get_nowait())
        return out


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def both_apis(simulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    for prefix in ("AYMARA_AI", "FEATHER"):
        monkeypatch.setenv(f"{prefix}_API_KEY", SIMULATOR_KEY)
        monkeypatch.setenv(f"{prefix}_BASE_URL", simulator.base_url)
    return simulator


def watcher(receiver: Receiver, state: Path, *extra: str) -> Watcher:
    args = build_parser().parse_args(
        ["watch", "--webhook", receiver.url, "--state", str(state), "--once", *extra]
    )
    w = Watcher.from_args(args)
    w.now = lambda: NEWEST_FEATHER_DAY
    w.sleep = lambda s: None
    return w


def test_each_event_is_posted_exactly_once(
    both_apis: Any, receiver: Receiver, tmp_path: Path
) -> None:
    state = tmp_path / "watch.json"
    w = watcher(receiver, state, "--post-existing")
    assert w.look_and_post() == 0
    first = receiver.drain()
    texts = [p["text"] for p in first]
    regressions = [t for t in texts if t.startswith(":red_circle: Aymara")]
    critical = [t for t in texts if t.startswith(":rotating_light: Feather")]
    assert len(regressions) == 1 and "Support bot - harmful requests" in regressions[0]
    assert "88.0% → 62.0%" in regressions[0]
    assert len(critical) >= 1 and len(regressions) + len(critical) == len(texts)
    assert max(Counter(texts).values()) == 1
    # A second look, and a new watcher reading the same state file, post nothing again.
    assert w.look_and_post() == 0
    assert watcher(receiver, state).look_and_post() == 0
    assert receiver.drain() == []
    assert sorted(json.loads(state.read_text())["sent"])[0].startswith("aymara:regressed:")
    assert all(SIMULATOR_KEY.encode() not in raw for raw in receiver.raw)
    print(f"watch: {len(regressions)} regression post(s), {len(critical)} critical-failure posts")


def test_the_first_look_remembers_what_is_there_without_posting(
    both_apis: Any, receiver: Receiver, tmp_path: Path
) -> None:
    state = tmp_path / "watch.json"
    assert watcher(receiver, state).look_and_post() == 0
    assert receiver.drain() == [] and json.loads(state.read_text())["sent"]


def test_a_failing_webhook_is_retried_with_backoff_then_delivered_once(
    both_apis: Any, receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FEATHER_API_KEY")  # one event: the Aymara regression
    waits: list[float] = []
    w = watcher(receiver, tmp_path / "s.json", "--post-existing")
    w.sleep = waits.append
    receiver.statuses = [500, 503]
    assert w.look_and_post() == 0
    assert len(receiver.drain()) == 1 and waits == list(RETRY_DELAYS_S[:2])


def test_a_webhook_that_keeps_failing_is_given_up_loudly_and_tried_next_time(
    both_apis: Any, receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("FEATHER_API_KEY")
    state = tmp_path / "s.json"
    w = watcher(receiver, state, "--post-existing")
    receiver.statuses = [500] * (len(RETRY_DELAYS_S) + 1)
    assert w.look_and_post() == 1
    err = capsys.readouterr().err
    assert "refused a post after 4 attempt(s) (HTTP 500)" in err and "secret" not in err
    assert receiver.drain() == [] and json.loads(state.read_text())["sent"] == []
    assert w.look_and_post() == 0 and len(receiver.drain()) == 1  # the receiver is back


def test_a_4xx_answer_is_not_retried(
    both_apis: Any, receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FEATHER_API_KEY")
    waits: list[float] = []
    w = watcher(receiver, tmp_path / "s.json", "--post-existing")
    w.sleep = waits.append
    receiver.statuses = [404]
    assert w.look_and_post() == 1 and waits == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--webhook", "ftp://example.invalid/x"], "--webhook must be an http(s) URL"),
        (["--webhook", "http://127.0.0.1:9/x", "--every", "soon"], "--every must look like"),
    ],
)
def test_bad_watch_options_exit_2(
    both_apis: Any, capsys: Any, argv: list[str], message: str
) -> None:
    assert main(["watch", "--once", *argv]) == 2
    assert message in capsys.readouterr().err


def test_watch_once_from_the_command_line_posts_and_exits_0(
    both_apis: Any, receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FEATHER_API_KEY")
    state = tmp_path / "s.json"
    argv = ["watch", "--webhook", receiver.url, "--state", str(state), "--once", "--post-existing"]
    assert main(argv) == 0
    assert len(receiver.drain()) == 1
    assert main(argv) == 0 and receiver.drain() == []
    assert isinstance(build_parser().parse_args(argv), argparse.Namespace)
