"""Every report table and export names the base date of each 7/28-day change."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.reports.html import report_html
from chartcascade.settings import get_settings
from tests.reports import seed
from tests.reports.seed import D3

# Stored days, by their distance from the latest (D3 = 2026-03-03). Nothing 7 or 8 days back:
# the 7-day change starts from the value 9 days back (within the 3-day tolerance).
VALUES = {28: 1_000, 20: 2_000, 9: 5_000, 1: 8_000, 0: 9_000}
BASE_7D, BASE_28D = "2026-02-22", "2026-02-03"  # D3 - 9 days, D3 - 28 days, by hand


@pytest.fixture
def world(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    seed.ranking(sqlite_url, "c1", D3, {"t1": 1})
    seed.credit(sqlite_url, "t1", ["a1"])
    series = {D3 - timedelta(days=back): value for back, value in VALUES.items()}
    seed.track_series(sqlite_url, "t1", "spotify", series)
    seed.artist_series(sqlite_url, "a1", "spotify", "followers", series)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    return result.output


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("kind", "name"), [("tracks", "spotify"), ("artists", "spotify_followers")]
)
def test_csv_export_has_base_dates_next_to_the_changes(
    world: str, tmp_path: Path, kind: str, name: str
) -> None:
    path = tmp_path / f"{kind}.csv"
    invoke("report", kind, "--format", "csv", "--output", str(path))

    (row,) = csv_rows(path)
    columns = list(row)
    at = columns.index(f"{name}_7d")
    assert columns[at : at + 4] == [
        f"{name}_7d",
        f"{name}_base_7d",
        f"{name}_28d",
        f"{name}_base_28d",
    ]
    assert (row[f"{name}_latest_date"], row[f"{name}_base_7d"], row[f"{name}_base_28d"]) == (
        "2026-03-03",
        BASE_7D,
        BASE_28D,
    )
    assert float(row[f"{name}_7d"]) == 9_000 - 5_000
    assert float(row[f"{name}_28d"]) == 9_000 - 1_000


def test_terminal_table_shows_the_7_day_base_date(world: str) -> None:
    output = invoke("report", "tracks", "--wide")

    header = [line for line in output.splitlines() if "spotify base 7d" in line]
    assert header, output  # --wide: every column at its natural width, headers unfolded
    (row,) = [line for line in output.splitlines() if line.startswith("│ T1")]
    assert BASE_7D in row
    assert BASE_7D in output


def test_html_report_tables_show_the_base_dates(world: str) -> None:
    page = report_html(world)

    assert "spotify_base_7d" in page and "spotify_base_28d" in page
    assert f"<td>{BASE_7D}</td>" in page and f"<td>{BASE_28D}</td>" in page
