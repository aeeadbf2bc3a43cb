"""Headless Chromium (Debian's chromium and chromium-driver) and the dashboard on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,1000",
)  # fmt: skip
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "dashboard"


def require_browser() -> None:
    """Skip when chromedriver is missing, unless CHARTCASCADE_REQUIRE_BROWSER is set (CI)."""
    if Path(CHROMEDRIVER).exists() and Path(CHROMIUM).exists():
        return
    reason = (
        f"no {CHROMEDRIVER} / {CHROMIUM}: apt-get install -y chromium chromium-driver"
        " to run the browser tests"
    )
    if os.environ.get("CHARTCASCADE_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (CHARTCASCADE_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


@contextmanager
def chromium(profile: Path, downloads: Path) -> Iterator[Any]:
    """A headless Chromium with a new empty profile; its console log is readable."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(app: Any) -> Iterator[str]:
    """`app` served by uvicorn on a free loopback port, in a thread; its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dashboard did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
