"""Deployment configuration: Streamlit hardened (and really loaded), and a safe container image.

There is no container engine here, so the Dockerfile is checked by reading it: a non-root user,
a health check on Streamlit's own endpoint, the requirements installed, and no secret copied in.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from reporting.uploads.validate import MAX_MB

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".streamlit" / "config.toml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


# --------------------------------------------------------------------------- .streamlit/config.toml


def assert_hardened(config: dict[str, Any]) -> None:
    """The settings that keep internals and other sites away from viewers."""
    client = config.get("client", {})
    server = config.get("server", {})
    browser = config.get("browser", {})
    assert client.get("showErrorDetails") in ("none", False), "tracebacks would reach viewers"
    assert client.get("toolbarMode") in ("viewer", "minimal")
    assert server.get("enableXsrfProtection") is True
    assert server.get("enableCORS") is True, "CORS protection off means any origin"
    assert "*" not in (server.get("corsAllowedOrigins") or [])
    assert browser.get("gatherUsageStats") is False


def test_the_config_file_hardens_streamlit():
    assert_hardened(tomllib.loads(CONFIG.read_text()))


def streamlit_config_show(tmp_path: Path) -> dict[str, Any]:
    """The options `streamlit config show` reports as set, run from the repo root.

    A clean HOME and no STREAMLIT_* variables: only the repo's config file can set anything.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env["HOME"] = str(tmp_path)
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    # The output is TOML whose defaults are commented out; keep the sections and set values.
    lines = [line for line in shown.splitlines() if re.match(r"^(\[[\w.]+\]|\w+ = .+)$", line)]
    return tomllib.loads("\n".join(lines))


def test_streamlit_loads_the_hardened_config_from_the_repo_root(tmp_path):
    effective = streamlit_config_show(tmp_path)
    assert_hardened(effective)
    assert effective["server"].get("headless") is True
    assert effective["server"].get("fileWatcherType") == "none"
    assert effective["server"].get("maxUploadSize") == MAX_MB + 1


def test_the_server_limits_uploads_to_the_products_limit_plus_its_framing():
    # Streamlit compares the whole multipart body with maxUploadSize (in MiB, as validate.py
    # counts): one MiB more lets a file of exactly MAX_MB through and nothing much larger.
    server = tomllib.loads(CONFIG.read_text())["server"]
    assert server.get("maxUploadSize") == MAX_MB + 1, "the server would accept 200 MB uploads"


def test_a_deployed_dashboard_does_not_watch_its_own_files():
    # runOnSave = false leaves the watcher running; under 20 sessions it stalled the health
    # check for 20-30 s.
    assert tomllib.loads(CONFIG.read_text())["server"].get("fileWatcherType") == "none"


def test_a_script_run_does_not_end_in_a_full_garbage_collection(tmp_path):
    # Streamlit's gc.collect(2) after each run walked the loaded dataset's objects: 0.10 CPU-s
    # per page view, most of a view's cost, so twenty viewers queued behind each other.
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env["HOME"] = str(tmp_path)
    loaded = subprocess.run(
        [sys.executable, "-c", "from streamlit import config; "
         "print(config.get_option('runner.postScriptGC'))"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert loaded.strip() == "False"


# --------------------------------------------------------------------------- Dockerfile


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def first(kind: str) -> int:
    return next(i for i, (word, _) in enumerate(instructions()) if word == kind)


def test_the_image_builds_on_python_311_slim():
    assert instructions()[0] == ("FROM", "python:3.11-slim")


def test_the_image_runs_as_a_user_that_is_not_root():
    users = [args for word, args in instructions() if word == "USER"]
    assert users, "no USER: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert first("USER") < first("CMD")
    created = " ".join(args for word, args in instructions() if word == "RUN")
    assert re.search(rf"(useradd|adduser)\b.*\b{re.escape(user)}\b", created)


def test_the_image_installs_the_requirements_before_copying_the_code():
    steps = instructions()
    copy_requirements = next(
        i for i, (w, a) in enumerate(steps) if w == "COPY" and "requirements.txt" in a
    )
    install = next(i for i, (w, a) in enumerate(steps) if w == "RUN" and "-r requirements.txt" in a)
    assert "pip install" in steps[install][1]
    copy_code = max(i for i, (w, _) in enumerate(steps) if w == "COPY")
    assert copy_requirements < install < copy_code


def test_the_health_check_asks_streamlit_without_curl():
    checks = [args for word, args in instructions() if word == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "http://localhost:8501/_stcore/health" in checks[0]
    assert "python" in checks[0] and "urllib" in checks[0]
    assert "curl" not in checks[0] and "wget" not in checks[0]


def test_the_image_serves_streamlit_on_8501_on_every_interface():
    steps = dict(instructions())
    assert steps["EXPOSE"] == "8501"
    command = steps["CMD"]
    assert re.search(r'"streamlit",\s*"run",\s*"app.py"', command)
    assert re.search(r'"--server.address",\s*"0.0.0.0"', command)


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore leaves a path out (enough of its syntax for these checks)."""
    for pattern in patterns:
        bare = pattern.removeprefix("**/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(Path(path).name, bare):
            return True
        if path == pattern or path.startswith(pattern.rstrip("/") + "/"):
            return True
    return False


@pytest.fixture(scope="module")
def ignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    "secret",
    [".streamlit/secrets.toml", "deploy/secrets.toml", ".env", ".env.production", ".git/config"],
)
def test_secrets_and_git_history_are_never_copied_into_the_image(ignore_patterns, secret):
    assert ignored(secret, ignore_patterns)


def test_everything_the_app_runs_is_copied_into_the_image(ignore_patterns):
    pages = re.findall(r'st\.Page\(\s*"([^"]+)"', (ROOT / "app.py").read_text())
    assert pages
    needed = ["app.py", "requirements.txt", ".streamlit/config.toml", *pages]
    needed += [f"{package}/__init__.py" for package in ("client", "components", "reporting")]
    needed += ["simulator/server.py"]  # the demo data when no key is set
    for path in needed:
        assert (ROOT / path).exists(), path
        assert not ignored(path, ignore_patterns), path
