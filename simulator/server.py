"""Run the simulator on a real port: in a daemon thread, or as a separate process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import httpx
import uvicorn

from simulator.app import create_app
from simulator.settings import SimSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class RunningSimulator:
    """A simulator serving on `base_url`; `stop()` (or leaving the `with` block) shuts it down."""

    def __init__(self, host: str, port: int, stopper: Callable[[], None]) -> None:
        self.host = host
        self.port = port
        self.base_url = f"http://{host}:{port}"
        self._stopper: Callable[[], None] | None = stopper

    def stop(self) -> None:
        """Shut the server down (idempotent)."""
        stopper, self._stopper = self._stopper, None
        if stopper is not None:
            stopper()

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"RunningSimulator(base_url={self.base_url!r})"


def _wait_until_healthy(base_url: str, timeout: float, alive: Callable[[], bool]) -> None:
    """Poll `/health/` until it answers 200; fail early if the server died."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=1.0) as client:
        while time.monotonic() < deadline:
            if not alive():
                raise RuntimeError("the simulator exited before it answered /health/")
            try:
                if client.get(f"{base_url}/health/").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.02)
    raise TimeoutError(f"the simulator at {base_url} did not answer /health/ within {timeout} s")


def start_in_thread(
    settings: SimSettings, host: str = "127.0.0.1", port: int = 0, timeout: float = 15.0
) -> RunningSimulator:
    """Serve the simulator from a daemon thread; returns once `/health/` answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Binding here (port 0 = any free port) means no race between picking and listening.
    sock.bind((host, port))
    sock.listen(128)
    actual = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=actual,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"simulator:{actual}", daemon=True
    )
    thread.start()

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

    running = RunningSimulator(host, actual, stop)
    try:
        _wait_until_healthy(running.base_url, timeout, thread.is_alive)
    except BaseException:
        running.stop()
        raise
    return running


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def simulator_command(settings: SimSettings, host: str, port: int) -> list[str]:
    """The `python -m simulator` command line for these settings (the key goes by env)."""
    command = [
        sys.executable,
        "-m",
        "simulator",
        "--host",
        host,
        "--port",
        str(port),
        "--seed",
        str(settings.seed),
        "--scale",
        str(settings.scale),
        "--latency-ms",
        str(settings.latency_ms),
        "--fault-rate",
        str(settings.fault_rate),
        "--truncate-rate",
        str(settings.truncate_rate),
        "--stall-rate",
        str(settings.stall_rate),
        "--stall-s",
        str(settings.stall_s),
        "--retry-after-s",
        str(settings.retry_after_s),
        "--max-consecutive-faults",
        str(settings.max_consecutive_faults),
        "--log-level",
        "warning",
    ]
    if not settings.feather_activity:
        command.append("--no-feather-activity")
    if settings.prompts_per_eval is not None:
        command += ["--prompts-per-eval", str(settings.prompts_per_eval)]
    return command


def start_subprocess(
    settings: SimSettings, port: int | None = None, host: str = "127.0.0.1", timeout: float = 30.0
) -> RunningSimulator:
    """Run `python -m simulator` as a child process (its own GIL); returns once it answers."""
    port = port or _free_port(host)
    env = dict(os.environ)
    # The key travels in the environment, never on the command line (visible to `ps`).
    env["SIMULATOR_API_KEY"] = settings.api_key
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the child process
    proc = subprocess.Popen(
        simulator_command(settings, host, port),
        env=env,
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        errors.close()

    running = RunningSimulator(host, port, stop)
    try:
        _wait_until_healthy(running.base_url, timeout, lambda: proc.poll() is None)
    except BaseException as exc:
        errors.seek(0)
        tail = errors.read()[-2000:].decode(errors="replace")
        running.stop()
        raise RuntimeError(f"the simulator subprocess did not start: {exc}\n{tail}") from exc
    return running
