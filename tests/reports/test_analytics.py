"""Artist and track analytics, checked against values computed here from the seeded series."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from chartcascade.reports.artists import artist_analytics
from chartcascade.reports.tracks import track_analytics
from tests.reports import seed
from tests.reports.seed import D2, D3, SPINS, T3_SPOTIFY, followers, listeners, streams


@pytest.fixture
def world(db_url: str) -> str:
    seed.analytics_world(db_url)
    return db_url


def row(frame: pd.DataFrame, **where: object) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    (index,) = frame.index[mask]
    return frame.loc[index]


def test_artist_best_positions_and_tracks_charting(world: str) -> None:
    summary = artist_analytics(world).summary.set_index("artist_uuid")
    # a1: t1 (c1 #2, #1, #3) and t2 (c1 #1, #3; c2 #5); charting now: t1 on c1, t2 on c2.
    assert summary.loc[
        "a1", ["charts", "best_position", "tracks_charting", "tracks_charted"]
    ].tolist() == ["c1, c2", 1, 2, 2]
    assert summary.loc["a2", ["charts", "best_position", "tracks_charting"]].tolist() == [
        "c1, c2",
        1,
        1,
    ]
    assert summary.loc["a3", ["best_position", "tracks_charting"]].tolist() == [1, 1]


def test_artist_analytics_filtered_by_chart(world: str) -> None:
    analytics = artist_analytics(world, charts=["c2"])
    summary = analytics.summary.set_index("artist_uuid")
    assert summary["best_position"].to_dict() == {"a2": 4, "a3": 5, "a1": 5}
    assert row(analytics.charts, artist_uuid="a1")["current_position"] == 5


def test_artist_level_changes_across_a_gap(world: str) -> None:
    audience = artist_analytics(world).audience
    fans = row(audience, artist_uuid="a1", platform="spotify", metric="followers")
    # 7 days before 03-03 is 02-24, not stored: the nearest earlier value (02-23) is used.
    assert fans["latest"] == followers(D3)
    assert fans["change_7d"] == followers(D3) - followers(date(2026, 2, 23))
    assert fans["base_7d"] == pd.Timestamp("2026-02-23")
    assert fans["change_28d"] == followers(D3) - followers(date(2026, 2, 3))
    monthly = row(audience, artist_uuid="a1", metric="monthly_listeners")
    assert monthly["change_28d"] == listeners(D3) - listeners(date(2026, 2, 3)) == -28_000


def test_artist_analytics_filtered_by_platform_and_date(world: str) -> None:
    audience = artist_analytics(world, platforms=["youtube"], as_of=D2).audience
    # a2's only YouTube point is on 03-03, after the date.
    assert audience.empty
    spotify = artist_analytics(world, platforms=["spotify"], as_of=D2).audience
    assert set(spotify["platform"]) == {"spotify"}
    assert row(spotify, metric="followers")["latest"] == followers(D2)


def test_artist_table_has_wide_audience_columns(world: str) -> None:
    table = artist_analytics(world).table().set_index("artist_uuid")
    assert table.loc["a1", "spotify_followers"] == followers(D3)
    assert table.loc["a1", "spotify_followers_7d"] == followers(D3) - followers(date(2026, 2, 23))
    assert table.loc["a2", "youtube_followers"] == 10
    assert math.isnan(table.loc["a2", "youtube_followers_7d"])


def test_track_cumulative_changes_across_a_gap(world: str) -> None:
    spotify = row(track_analytics(world).audience, track_uuid="t1", platform="spotify")
    assert spotify["latest"] == streams(D3)
    assert spotify["change_7d"] == streams(D3) - streams(date(2026, 2, 23))
    assert spotify["change_28d"] == streams(D3) - streams(date(2026, 2, 3))


def test_track_change_is_missing_when_the_gap_exceeds_the_tolerance(world: str) -> None:
    spotify = row(track_analytics(world).audience, track_uuid="t3", platform="spotify")
    # Stored: 02-20 and 03-03. 7 days back (02-24) has nothing within 3 days before it.
    assert spotify["latest"] == T3_SPOTIFY[D3]
    assert math.isnan(spotify["change_7d"]) and pd.isna(spotify["base_7d"])
    wider = track_analytics(world, tolerance_days=4).audience
    assert row(wider, track_uuid="t3", platform="spotify")["change_7d"] == 900 - 700


def test_track_airplay_sums_daily_spins(world: str) -> None:
    airplay = row(track_analytics(world).audience, track_uuid="t1", platform="airplay")
    assert airplay["latest"] == SPINS[D3]
    assert airplay["change_7d"] == sum(SPINS.values()) == 27
    assert airplay["base_7d"] == pd.Timestamp("2026-02-24")  # the 7 days after it
    assert math.isnan(airplay["change_28d"])  # only 7 days stored


def test_track_daily_deltas_skip_gaps(world: str) -> None:
    daily = track_analytics(world).daily
    spotify = daily[(daily["track_uuid"] == "t1") & (daily["platform"] == "spotify")]
    on = spotify.set_index("date")
    assert on.loc[pd.Timestamp(D3), "daily"] == streams(D3) - streams(D2)
    after_gap = on.loc[pd.Timestamp("2026-02-25")]
    assert math.isnan(after_gap["daily"])
    assert after_gap["delta"] == streams(date(2026, 2, 25)) - streams(date(2026, 2, 23))
    assert after_gap["days"] == 2
    airplay = daily[(daily["track_uuid"] == "t1") & (daily["platform"] == "airplay")]
    assert airplay["daily"].tolist() == list(SPINS.values())


def test_track_positions_and_days_on_chart(world: str) -> None:
    analytics = track_analytics(world)
    summary = analytics.summary.set_index("track_uuid")
    assert summary.loc["t1", ["best_position", "current_position", "days_on_chart"]].tolist() == [
        1,
        3,
        3,
    ]
    assert summary.loc[
        "t2", ["charts", "best_position", "current_position", "days_on_chart"]
    ].tolist() == ["c1, c2", 1, 5, 3]
    assert summary.loc["t2", "artists"] == "A3, A1"
    c1 = analytics.history[analytics.history["track_uuid"] == "t1"]
    assert c1["position"].tolist() == [2, 1, 3]
    t2_c1 = row(analytics.charts, track_uuid="t2", chart="c1")
    assert (t2_c1["best_position"], t2_c1["days_on_chart"]) == (1, 2)
    assert pd.isna(t2_c1["current_position"])


def test_track_analytics_as_of_a_date(world: str) -> None:
    analytics = track_analytics(world, charts=["c1"], as_of=D2)
    summary = analytics.summary.set_index("track_uuid")
    assert summary.loc["t1", ["current_position", "days_on_chart"]].tolist() == [1, 2]
    assert row(analytics.audience, track_uuid="t1", platform="spotify")["latest"] == streams(D2)
