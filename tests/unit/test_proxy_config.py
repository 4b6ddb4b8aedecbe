"""The documented nginx config (docs/deploy.md) adds what Streamlit cannot: framing headers,
metrics blocked from outside, and the upload limit. Checked by parsing it (no nginx here)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy.md"
CONFIG = ROOT / ".streamlit" / "config.toml"


def parse(text: str) -> list[Any]:
    """nginx config -> [(name, args, children or None)], comments dropped, quotes kept whole."""
    tokens = re.findall(r'"[^"]*"|\'[^\']*\'|[{};]|[^\s{};"\']+', re.sub(r"#[^\n]*", "", text))
    stack: list[list[Any]] = [[]]
    words: list[str] = []
    for token in tokens:
        if token == ";":
            stack[-1].append((words[0], words[1:], None))
            words = []
        elif token == "{":
            block: list[Any] = []
            stack[-1].append((words[0], words[1:], block))
            stack.append(block)
            words = []
        elif token == "}":
            stack.pop()
        else:
            words.append(token[1:-1] if token[0] in "\"'" else token)
    return stack[0]


def nginx_config() -> list[Any]:
    blocks = re.findall(r"```nginx\n(.*?)```", DEPLOY.read_text(), re.S)
    return parse(max(blocks, key=len))  # the full config, not the short snippets


def tls_server() -> list[Any]:
    servers = [c for n, _, c in nginx_config() if n == "server"]
    return next(c for c in servers if any(n == "listen" and "443" in a for n, a, _ in c))


def directives(block: list[Any], name: str) -> list[list[str]]:
    return [args for n, args, _ in block if n == name]


def location(block: list[Any], path: str) -> list[Any]:
    return next(c for n, a, c in block if n == "location" and a[-1] == path)


def test_every_answer_refuses_framing_by_another_site():
    headers = {args[0]: args[1:] for args in directives(tls_server(), "add_header")}
    assert headers.get("Content-Security-Policy") == ["frame-ancestors 'self'", "always"]
    assert headers.get("X-Frame-Options") == ["SAMEORIGIN", "always"]


def test_no_location_drops_the_servers_headers_with_an_add_header_of_its_own():
    # nginx inherits a server's add_header lines only into locations that have none.
    for name, args, children in tls_server():
        if name == "location":
            assert not directives(children, "add_header"), args


def test_metrics_are_refused_from_outside_and_never_proxied():
    metrics = location(tls_server(), "/_stcore/metrics")
    assert ["all"] in directives(metrics, "deny")
    assert not directives(metrics, "proxy_pass")


def test_the_proxy_caps_uploads_at_the_apps_own_limit():
    (size,) = directives(tls_server(), "client_max_body_size")
    limit = tomllib.loads(CONFIG.read_text())["server"]["maxUploadSize"]
    assert size == [f"{limit}m"]  # nginx's m is MiB, as Streamlit's maxUploadSize
