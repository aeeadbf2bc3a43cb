"""The BI views: created by `chartcascade db upgrade`, the same rows as the tables and analytics."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.db import get_engine
from chartcascade.reports import frames, views
from chartcascade.reports.artists import artist_analytics
from chartcascade.reports.tracks import track_analytics
from chartcascade.settings import get_settings
from tests.reports import period_seed
from tests.reports.period_seed import R1, R2

VIEWS = {
    "bi_artist_audience_daily",
    "bi_artist_track_credits",
    "bi_chart_positions",
    "bi_track_audience_daily",
}


@pytest.fixture
def world(db_url: str) -> str:
    period_seed.period_world(db_url)
    return db_url


@pytest.fixture
def environment(empty_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", empty_db_url)
    get_settings.cache_clear()
    yield empty_db_url
    get_settings.cache_clear()


def test_db_upgrade_creates_the_views(environment: str) -> None:
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert set(inspect(get_engine(environment)).get_view_names()) == VIEWS


def test_chart_positions_with_movement(world: str) -> None:
    rows = views.chart_positions(world).sort_values(["ranking_date", "track_uuid"])
    history = track_analytics(world).history.sort_values(["date", "track_uuid"])
    columns = ["chart", "date", "track_uuid", "position", "off_chart"]
    same = rows.rename(columns={"ranking_date": "date"})[columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(same, history[columns].reset_index(drop=True), check_dtype=False)
    on_r2 = rows[rows["ranking_date"] == pd.Timestamp(R2)].set_index("track_uuid")
    # R1: s2 #1, s3 #2, s1 #3 -> R2: s1 #1, s2 #2, s3 off the chart.
    assert on_r2["movement"].tolist()[:2] == [3 - 1, 1 - 2]
    assert on_r2["movement_status"].tolist() == ["up", "down", "left"]
    assert on_r2.loc["s3", "previous_position"] == 2 and pd.isna(on_r2.loc["s3", "position"])
    assert (on_r2["previous_ranking_date"] == pd.Timestamp(R1)).all()
    on_r1 = rows[rows["ranking_date"] == pd.Timestamp(R1)]
    assert on_r1["movement_status"].isna().all() and on_r1["movement"].isna().all()


def test_track_audience_view_holds_the_stored_points(world: str) -> None:
    keys = ["track_id", "platform", "date"]
    view = views.track_audience(world)[[*keys, "value"]].sort_values(keys)
    ids = frames.tracks(world, range(1, 100))["track_id"].tolist()
    table = frames.track_points(world, ids).sort_values(keys)
    pd.testing.assert_frame_equal(
        view.reset_index(drop=True), table.reset_index(drop=True), check_dtype=False
    )
    latest = view.sort_values("date").groupby(["track_id", "platform"])["value"].last()
    audience = track_analytics(world).audience.set_index(["track_id", "platform"])["latest"]
    assert audience.to_dict() == latest.astype(float).to_dict()


def test_artist_audience_view_holds_points_countries_and_radio(world: str) -> None:
    keys = ["artist_id", "platform", "metric", "date"]
    view = views.artist_audience(world)
    counters = view[view["platform"] != "airplay"][[*keys, "value"]].sort_values(keys)
    table = frames.artist_points(world, range(1, 100)).sort_values(keys)
    pd.testing.assert_frame_equal(
        counters.reset_index(drop=True), table.reset_index(drop=True), check_dtype=False
    )
    italy = views.artist_audience(world, country="IT", platforms=["spotify"])
    assert (
        dict(zip(italy["date"].dt.date, italy["value"], strict=True))
        == (period_seed.LISTENERS["IT"])
    )  # the Milano figure is a city's
    analytics = artist_analytics(world)
    followers = analytics.audience.set_index(["artist_uuid", "metric"])["latest"]
    assert followers[("ar1", "followers")] == period_seed.fans(period_seed.LAST)


def test_credits_view_matches_the_credits(world: str) -> None:
    view = views.credits(world).sort_values(["track_id", "credit_order"])
    table = frames.credits(world, view["track_id"].unique().tolist())
    assert view[["track_id", "artist_id", "role", "credit_order"]].values.tolist() == (
        table.values.tolist()
    )
    assert list(zip(view["track_uuid"], view["artist_uuid"], view["role"], strict=True)) == [
        ("s1", "ar1", "main"),
        ("s2", "ar1", "main"),
        ("s2", "ar2", "featured"),
        ("s3", "ar2", "main"),
    ]
