"""Run the real `chartcascade` command in a subprocess, as a new user would, at 80 columns."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

COMMAND = [str(Path(sys.executable).parent / "chartcascade")]
ISOLATED_PREFIXES = ("SOUNDCHARTS_", "CHARTCASCADE_", "DATABASE_URL", "PREFECT_")


@dataclass
class Finished:
    """A command that ran to its end."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def last_line(self) -> str:
        lines = [line for line in self.output.splitlines() if line.strip()]
        return lines[-1] if lines else ""


def user_env(home: Path, **values: str) -> dict[str, str]:
    """A fresh user's environment: no project or Prefect variables but these, its own
    PREFECT_HOME under `home`, a terminal 80 columns wide."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ISOLATED_PREFIXES)}
    env |= {"COLUMNS": "80", "LINES": "50", "PREFECT_HOME": str(home / "prefect-home")}
    env |= {"CHARTCASCADE_DATA_DIR": str(home / "data")}
    return env | values


def sandbox_env(home: Path, base_url: str, **values: str) -> dict[str, str]:
    """`user_env` with the sandbox's URL and credentials and a SQLite file under `home`."""
    sandbox = {
        "SOUNDCHARTS_APP_ID": "soundcharts",
        "SOUNDCHARTS_API_KEY": "soundcharts",
        "SOUNDCHARTS_BASE_URL": base_url,
        "SOUNDCHARTS_TOKEN_URL": f"{base_url}/oauth/token",
        "CHARTCASCADE_RATE_LIMIT_PER_SECOND": "500",
        "CHARTCASCADE_RATE_LIMIT_BURST": "100",
    }
    return user_env(home, **(sandbox | values))


def run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 240) -> Finished:
    """Run `chartcascade ARGS` to its end."""
    done = subprocess.run(
        COMMAND + args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    return Finished(done.returncode, done.stdout, done.stderr)


def interrupt_when(
    args: list[str],
    env: dict[str, str],
    cwd: Path,
    ready: Callable[[], bool],
    timeout: float,
    *,
    whole_group: bool = False,
) -> Finished:
    """Start `chartcascade ARGS`, press Ctrl-C (SIGINT) once `ready()` holds, and wait.

    `whole_group`: as a terminal does, to the command's whole process group (the temporary
    Prefect API it started included); otherwise to the command's process only."""
    process = subprocess.Popen(
        COMMAND + args,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=whole_group,
    )
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            assert process.poll() is None, "the command ended before it could be interrupted"
            assert time.monotonic() < deadline, "the command never got far enough to interrupt"
            time.sleep(0.2)
        if whole_group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return Finished(process.returncode, stdout, stderr)


def free_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_one_line_error(result: Finished, message: str, code: int = 1) -> None:
    """The command failed with `code`, no traceback, and its last line is the error."""
    assert "Traceback" not in result.output, result.output
    assert result.code == code, result.output
    last = result.last_line()
    assert last.startswith("error: "), result.output
    assert message in last, f"{message!r} not in the last line {last!r}"
