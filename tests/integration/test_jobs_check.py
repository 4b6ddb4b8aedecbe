"""`python -m jobs check` against the simulator over real HTTP: the seeded real regression
(0.88 -> 0.62 on 100 shared prompts) fails the gate, the noise-only change (0.80 -> 0.77) does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from jobs.cli import main
from tests.conftest import SIMULATOR_KEY

REGRESSION = "Support bot - harmful requests"
NOISE = "Help-center answer accuracy"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def aymara_env(simulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AYMARA_AI_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", simulator.base_url)
    monkeypatch.delenv("FEATHER_API_KEY", raising=False)
    return simulator


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_seeded_regression_fails_the_gate_with_exit_1(aymara_env: Any, capsys: Any) -> None:
    code, out, _ = run(capsys, "--eval", REGRESSION, "--json")
    body = json.loads(out)
    assert code == 1 and body["status"] == "regressed" and body["exit_code"] == 1
    (result,) = body["evals"]
    assert result["verdict"] == "regressed" and result["test"] == "mcnemar"
    assert result["pass_rate_baseline"] == pytest.approx(0.88)
    assert result["pass_rate_newest"] == pytest.approx(0.62)
    assert result["shared_prompts"] == 100 and result["p_value"] < 0.001


def test_the_noise_only_change_passes_the_gate_with_exit_0(aymara_env: Any, capsys: Any) -> None:
    code, out, _ = run(capsys, "--eval", NOISE, "--json")
    (result,) = json.loads(out)["evals"]
    assert code == 0
    assert result["verdict"] == "within noise"
    assert (result["pass_rate_baseline"], result["pass_rate_newest"]) == pytest.approx((0.80, 0.77))
    assert result["p_value"] > 0.05


def test_every_eval_by_default_prints_a_markdown_summary(aymara_env: Any, capsys: Any) -> None:
    code, out, _ = run(capsys)
    assert code == 1
    assert out.startswith("### 🔴 Aymara eval check: 1 eval regressed beyond noise")
    lines = [line for line in out.splitlines() if line.startswith("| ")]
    assert "regressed" in lines[1] and "harmful requests" in lines[1]  # worst first
    assert "sandbox runs excluded" in out and SIMULATOR_KEY not in out
    assert "(sandbox)" not in out  # the sandbox eval is left out by default


def test_a_min_drop_larger_than_the_drop_lets_it_pass(aymara_env: Any, capsys: Any) -> None:
    code, out, _ = run(capsys, "--eval", REGRESSION, "--min-drop", "30", "--json")
    assert code == 0 and json.loads(out)["evals"][0]["verdict"] == "below min drop"


def test_a_stricter_alpha_still_catches_the_regression(aymara_env: Any, capsys: Any) -> None:
    code, _, _ = run(capsys, "--eval", REGRESSION, "--alpha", "0.001")
    assert code == 1


def test_a_baseline_run_is_compared_with_the_newest(aymara_env: Any, capsys: Any) -> None:
    _, out, _ = run(capsys, "--eval", REGRESSION, "--json")
    newest = json.loads(out)["evals"][0]["newest_run"]
    baseline = json.loads(out)["evals"][0]["baseline_run"]
    code, out, _ = run(capsys, "--baseline", baseline, "--json")  # the run names its eval
    (result,) = json.loads(out)["evals"]
    assert code == 1 and (result["baseline_run"], result["newest_run"]) == (baseline, newest)
    code, _, err = run(capsys, "--baseline", newest)
    assert code == 2 and "is the newest finished run itself" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--eval", "no such eval"], "No eval is named or has the uuid 'no such eval'"),
        (["--baseline", "no-such-run"], "No run has the uuid or name 'no-such-run'"),
        (["--alpha", "1.5"], "--alpha must be between 0 and 1"),
        (["--min-drop", "-1"], "--min-drop must be 0 or more"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    aymara_env: Any, capsys: Any, argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err


def test_a_bad_key_exits_2_and_never_prints_the_key(
    aymara_env: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AYMARA_AI_API_KEY", "sk-wrong-key-1234567")
    code, out, err = run(capsys)
    assert code == 2 and "Invalid API key" in err and "sk-wrong-key" not in out + err


def test_an_api_that_is_down_exits_2(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.appserver import free_port

    monkeypatch.setenv("AYMARA_AI_API_KEY", SIMULATOR_KEY)
    monkeypatch.setenv("AYMARA_AI_BASE_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("EVAL_DASHBOARD_STORE", "off")
    code, _, err = run(capsys)
    assert code == 2 and "could not be read" in err


def test_no_key_at_all_exits_2(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AYMARA_AI_API_KEY", raising=False)
    code, _, err = run(capsys)
    assert code == 2 and "set AYMARA_AI_API_KEY" in err


def test_the_real_command_line_exits_1_then_0(aymara_env: Any) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    failing = subprocess.run(
        [sys.executable, "-m", "jobs", "check", "--eval", REGRESSION],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    passing = subprocess.run(
        [sys.executable, "-m", "jobs", "check", "--eval", NOISE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    usage = subprocess.run(
        [sys.executable, "-m", "jobs", "check", "--alpha"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert (failing.returncode, passing.returncode, usage.returncode) == (1, 0, 2), failing.stderr
    assert "regressed beyond noise" in failing.stdout
    print(f"check: exit 1 in {elapsed:.1f} s (process start included)")
