"""Shared fixtures: one read-only world per session, a fresh sandbox and client per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from chartcascade.sandbox import Sandbox, SandboxConfig, SandboxWorld

AS_OF = date(2026, 11, 26)
BASE_URL = "https://customer.api.soundcharts.com"
LEGACY = {"x-app-id": "soundcharts", "x-api-key": "soundcharts"}


@pytest.fixture(scope="session")
def world() -> SandboxWorld:
    """The default-sized world (charts of 200), fixed on AS_OF."""
    return SandboxWorld(seed=42, as_of=AS_OF)


@pytest.fixture
def sandbox(world: SandboxWorld) -> Sandbox:
    return Sandbox(world, SandboxConfig())


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=BASE_URL, transport=sandbox.transport(), headers=LEGACY) as made:
        yield made


def follow_all(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of a collection, following `page.next` verbatim."""
    pages = [client.get(path, params=params).json()]
    while pages[-1]["page"]["next"] is not None:
        pages.append(client.get(pages[-1]["page"]["next"]).json())
    return pages
