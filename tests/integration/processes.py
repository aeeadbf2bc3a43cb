"""Start and stop the real processes of an integration test: Prefect server, workers, CLI."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Processes:
    """Every process a test starts, each logging to its own file; `stop_all` ends them all."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, process))
        return process

    def run(self, name: str, args: list[str], env: dict[str, str], timeout: float) -> str:
        """Run a command to its end; its output, or an AssertionError showing it."""
        done = subprocess.run(
            args, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
        )
        output = done.stdout + done.stderr
        (self.log_dir / f"{name}.log").write_text(output)
        assert done.returncode == 0, f"{name} failed ({done.returncode}):\n{output[-4000:]}"
        return output

    def tail(self, lines: int = 30) -> str:
        """The last lines of every log, for a failure message."""
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(parts)

    def stop_all(self) -> None:
        """SIGTERM each started process, its group and its descendants; SIGKILL stragglers."""
        targets: list[int] = []
        for _, process in reversed(self.started):
            if process.poll() is None:
                targets += descendants(process.pid) + [process.pid]
        for pid in targets:
            with suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, process in self.started:
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for pid in targets:
            if alive(pid):
                with suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        for _, process in self.started:
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (read from /proc), children first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    stack = list(children.get(pid, []))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(children.get(child, []))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def wait_for_api(api_url: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    """Until the server answers its health check (or fail when it exits or times out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "the Prefect server exited during start-up"
        with suppress(httpx.HTTPError):
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise AssertionError(f"the Prefect server did not answer within {timeout:.0f} s")
