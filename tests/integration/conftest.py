"""Integration tests: real Prefect server, workers and PostgreSQL."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "integration: starts a real Prefect server, workers and the sandbox (slow, minutes)",
    )
