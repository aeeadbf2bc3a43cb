"""`chartcascade status` and `chartcascade report` against a small seeded database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.settings import get_settings
from tests.reports import seed
from tests.reports.seed import D3, streams


@pytest.fixture
def world(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    seed.analytics_world(sqlite_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_status_prints_each_charts_audit(world: str) -> None:
    output = invoke("status")
    assert "c1: ranking of 2026-03-03" in output and "c2: ranking of 2026-03-03" in output
    assert "tracks lacking metadata" in output and "newest data" in output


def test_report_writes_parquet(world: str, tmp_path: Path) -> None:
    path = tmp_path / "tracks.parquet"
    invoke("report", "tracks", "--chart", "c1", "--format", "parquet", "--output", str(path))
    frame = pd.read_parquet(path).set_index("track_uuid")
    assert sorted(frame.index) == ["t1", "t2", "t3"]
    assert frame.loc["t1", "spotify"] == streams(D3)


def test_report_filters_by_platform_and_date(world: str, tmp_path: Path) -> None:
    path = tmp_path / "artists.csv"
    args = ["--platform", "spotify", "--as-of", "2026-03-02", "--format", "csv"]
    invoke("report", "artists", *args, "--output", str(path))
    frame = pd.read_csv(path).set_index("artist_uuid")
    assert frame.loc["a1", "spotify_followers"] == seed.followers(seed.D2)
    assert "youtube_followers" not in frame.columns


def test_report_table_lists_the_artists(world: str) -> None:
    output = invoke("report", "artists", "--chart", "c2")
    assert all(name in output for name in ("A1", "A2", "A3"))


def test_report_html_writes_one_file(world: str, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    output = invoke("report", "artists", "--format", "html", "--output", str(path))
    assert "HTML report written to" in output and path.is_file()


def test_report_rejects_a_bad_date(world: str) -> None:
    result = CliRunner().invoke(app, ["report", "tracks", "--as-of", "yesterday"])
    assert result.exit_code == 1
    assert "bad date 'yesterday'" in result.output


def test_status_without_any_chart_says_what_to_do(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["status"])
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert "no chart has been synced yet" in result.output
