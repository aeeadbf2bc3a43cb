"""CSV and Parquet exports round-trip through pandas; the HTML report is one self-contained file."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from chartcascade.reports.artists import artist_analytics
from chartcascade.reports.export import read_table, write_table
from chartcascade.reports.html import audience_figure, position_figure, write_html_report
from chartcascade.reports.tracks import track_analytics
from tests.reports import seed


@pytest.fixture
def world(sqlite_url: str) -> str:
    seed.analytics_world(sqlite_url)
    return sqlite_url


@pytest.mark.parametrize("report_format", ["csv", "parquet"])
@pytest.mark.parametrize("kind", ["artists", "tracks"])
def test_export_round_trips_through_pandas(
    world: str, tmp_path: Path, kind: str, report_format: str
) -> None:
    analytics = artist_analytics if kind == "artists" else track_analytics
    table = analytics(world).table()
    path = write_table(table, tmp_path / f"{kind}.{report_format}", report_format)
    back = read_table(path)
    pd.testing.assert_frame_equal(back, table.reset_index(drop=True), check_dtype=False)
    assert len(back) == 3


def test_export_of_daily_points_keeps_dates(world: str, tmp_path: Path) -> None:
    daily = track_analytics(world).daily
    back = read_table(write_table(daily, tmp_path / "daily.csv", "csv"))
    pd.testing.assert_frame_equal(back, daily, check_dtype=False)


def test_html_report_is_one_file_with_embedded_charts(world: str, tmp_path: Path) -> None:
    path = write_html_report(world, tmp_path / "out" / "report.html")
    text = path.read_text(encoding="utf-8")
    assert list(path.parent.iterdir()) == [path]
    assert re.search(r"<script[^>]*\bsrc=", text) is None
    assert get_plotlyjs()[:500] in text  # plotly.js inlined, not linked
    # plotly.js itself is inlined once, then one plot per chart drawn:
    # a1's followers and monthly listeners, and the position history of c1 and c2.
    assert text.count("Plotly.newPlot(") == 4
    assert len(text) > 1_000_000
    assert "c1: position history" in text and "Spotify monthly listeners" in text


def test_html_report_of_one_chart(world: str, tmp_path: Path) -> None:
    text = write_html_report(world, tmp_path / "r.html", charts=["c2"]).read_text("utf-8")
    assert "c2: position history" in text and "c1: position history" not in text
    assert "<h3>c2: " in text


def test_reports_of_an_empty_database(sqlite_url: str, tmp_path: Path) -> None:
    assert artist_analytics(sqlite_url).table().empty
    assert track_analytics(sqlite_url).table().empty
    text = write_html_report(sqlite_url, tmp_path / "empty.html").read_text("utf-8")
    assert "chartcascade report: no charts" in text and "Plotly.newPlot(" not in text


def test_html_audience_lines_break_at_missing_days(world: str) -> None:
    figure = audience_figure(world, artist_analytics(world), "spotify", "followers")
    assert figure is not None
    [trace] = figure.data
    values = dict(zip(pd.to_datetime(trace.x), trace.y, strict=True))
    assert len(values) == (seed.D3 - seed.START).days + 1
    assert [day.date() for day, v in values.items() if pd.isna(v)] == sorted(seed.MISSING)
    assert values[pd.Timestamp(seed.D3)] == seed.followers(seed.D3)


def test_html_position_lines_break_off_the_chart(world: str) -> None:
    figure = position_figure(track_analytics(world), "c1")
    assert figure is not None
    lines = {trace.name: list(trace.y) for trace in figure.data}
    assert list(lines) == ["T3", "T1"]  # today's order
    assert lines["T1"] == [2, 1, 3]
    assert pd.isna(lines["T3"][0]) and lines["T3"][1:] == [2, 1]
