"""`chartcascade status` of a chart never synced says so in one line and fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.settings import get_settings
from tests.reports import seed
from tests.reports.seed import D3


@pytest.fixture
def one_chart(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A SQLite file holding the ranking of `c1` only."""
    seed.ranking(sqlite_url, "c1", D3, {"t1": 1})
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def test_status_of_a_chart_never_synced_fails_in_one_line(one_chart: str) -> None:
    result = CliRunner().invoke(app, ["status", "--chart", "nope"])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: nope was never synced: run `chartcascade sync nope` first"
    ]


def test_status_names_every_chart_never_synced_and_prints_no_audit(one_chart: str) -> None:
    result = CliRunner().invoke(app, ["status", "--chart", "c1", "--chart", "x", "-c", "y"])

    assert result.exit_code == 1
    assert "gap(s)" not in result.output
    assert result.stderr.splitlines() == [
        "error: x, y were never synced: run `chartcascade sync x` first"
    ]


def test_status_of_a_synced_chart_still_prints_its_audit(one_chart: str) -> None:
    result = CliRunner().invoke(app, ["status", "--chart", "c1"])

    assert result.exit_code == 0, result.output
    assert "c1: ranking of 2026-03-03" in result.stdout
