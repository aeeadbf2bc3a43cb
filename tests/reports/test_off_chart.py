"""Off-chart entries (position 0) in the reports: kept in the history, never a position."""

from __future__ import annotations

import pandas as pd
import pytest

from chartcascade.reports.artists import artist_analytics
from chartcascade.reports.html import position_figure
from chartcascade.reports.presence import top_artists
from chartcascade.reports.tracks import track_analytics
from tests.reports import seed
from tests.reports.seed import D1, D2, D3


@pytest.fixture
def world(db_url: str) -> str:
    """c1, by date (position 0: listed as off the chart):
    D1 t1 #1, t2 #2 · D2 t2 0, t1 #2, t4 0 · D3 t1 0, t2 #3, t4 0. Credits: t1 a1, t2 a2, t4 a4.
    """
    seed.ranking(db_url, "c1", D1, {"t1": 1, "t2": 2})
    seed.ranking(db_url, "c1", D2, {"t2": 0, "t1": 2, "t4": 0})
    seed.ranking(db_url, "c1", D3, {"t1": 0, "t2": 3, "t4": 0})
    for track, artist in [("t1", "a1"), ("t2", "a2"), ("t4", "a4")]:
        seed.credit(db_url, track, [artist])
    seed.fetch_artists(db_url, ["a1", "a2", "a4"])
    return db_url


def test_track_positions_ignore_off_chart_entries(world: str) -> None:
    summary = track_analytics(world).summary.set_index("track_uuid")
    columns = ["best_position", "current_position", "days_on_chart"]

    assert summary.loc["t1", ["best_position", "days_on_chart"]].tolist() == [1, 2]
    assert pd.isna(summary.loc["t1", "current_position"])  # off the chart on D3
    assert summary.loc["t2", columns].tolist() == [2, 3, 2]
    assert pd.isna(summary.loc["t4", "best_position"])
    assert pd.isna(summary.loc["t4", "current_position"])
    assert summary.loc["t4", "days_on_chart"] == 0
    assert list(summary.index) == ["t1", "t2", "t4"]  # by best position, off-chart-only last


def test_track_chart_rows_ignore_off_chart_entries(world: str) -> None:
    charts = track_analytics(world).charts.set_index("track_uuid")

    assert charts.loc["t2", ["best_position", "current_position", "days_on_chart"]].tolist() == [
        2,
        3,
        2,
    ]
    assert charts.loc["t2", "last_date"] == pd.Timestamp(D3)
    assert charts.loc["t1", "last_date"] == pd.Timestamp(D2)  # off the chart on D3
    assert pd.isna(charts.loc["t4", "first_date"])


def test_history_keeps_off_chart_entries_without_a_position(world: str) -> None:
    history = track_analytics(world).history
    t1 = history[history["track_uuid"] == "t1"]

    assert t1["date"].tolist() == [pd.Timestamp(D1), pd.Timestamp(D2), pd.Timestamp(D3)]
    assert t1["off_chart"].tolist() == [False, False, True]
    assert t1["position"].tolist()[:2] == [1, 2]
    assert pd.isna(t1["position"].tolist()[2])
    assert (history["position"].dropna() > 0).all()


def test_artist_positions_and_charting_ignore_off_chart_entries(world: str) -> None:
    summary = artist_analytics(world).summary.set_index("artist_uuid")
    columns = ["best_position", "tracks_charting", "tracks_charted"]

    assert summary.loc["a1", columns].tolist() == [1, 0, 1]  # t1 is off the chart on D3
    assert summary.loc["a2", columns].tolist() == [2, 1, 1]
    assert pd.isna(summary.loc["a4", "best_position"])
    assert summary.loc["a4", ["tracks_charting", "tracks_charted"]].tolist() == [0, 0]


def test_presence_counts_only_charted_entries(world: str) -> None:
    table = top_artists(world)

    assert table[["artist", "entries", "best_position"]].values.tolist() == [["A2", 1, 3]]


def test_position_figure_draws_only_charted_tracks_and_breaks_off_chart(world: str) -> None:
    figure = position_figure(track_analytics(world), "c1")

    assert figure is not None
    (trace,) = figure.data  # t2 only: t1 and t4 are off the chart on the newest ranking
    values = list(trace.y)
    assert values[0] == 2 and values[2] == 3
    assert pd.isna(values[1])
