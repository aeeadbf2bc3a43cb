"""Each chart's choices: stored by a sync, read back, merged for items on several charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from chartcascade.crud.chart_choices import (
    chart_choices,
    chart_members,
    remember_choices,
    strictest,
)
from chartcascade.crud.charts import upsert_chart
from chartcascade.db import session_scope
from chartcascade.models import Chart
from chartcascade.options import RefreshOptions, SyncOptions
from tests.reports import seed
from tests.reports.seed import D2, D3


def test_remember_choices_stores_the_platforms_and_windows_only(db_url: str) -> None:
    with session_scope(db_url) as session:
        upsert_chart(session, slug="c1")
    options = SyncOptions(
        track_platforms=["spotify"],
        artist_platforms=["spotify"],
        audience_max_age_hours=6,
        top_n=5,
        max_api_calls=100,
    )
    before = datetime.now(UTC)

    with session_scope(db_url) as session:
        remember_choices(session, chart="c1", options=options)

    with session_scope(db_url) as session:
        row = session.exec(select(Chart).where(Chart.slug == "c1")).one()
    assert row.sync_options == {
        "track_platforms": ["spotify"],
        "artist_platforms": ["spotify"],
        "listening_platforms": ["spotify"],
        "metadata_max_age_days": 7.0,
        "audience_max_age_hours": 6.0,
        "lookback_days": 90,
        "airplay_lookback_days": 7,
        "local_streaming_platforms": [],
        "store_cities": False,
    }
    assert row.last_synced_at is not None
    assert row.last_synced_at.replace(tzinfo=UTC) >= before - timedelta(seconds=1)


def test_chart_choices_read_back_and_default_when_never_recorded(db_url: str) -> None:
    with session_scope(db_url) as session:
        for slug in ("old", "new"):
            upsert_chart(session, slug=slug)
        remember_choices(session, chart="new", options=RefreshOptions(track_platforms=["youtube"]))

    with session_scope(db_url) as session:
        found = chart_choices(session)
        only = chart_choices(session, charts=["new", "absent"])

    assert found == {
        "new": RefreshOptions(track_platforms=["youtube"]),
        "old": RefreshOptions(),
    }
    assert list(only) == ["new"]


def test_chart_choices_ignore_fields_they_do_not_know(db_url: str) -> None:
    with session_scope(db_url) as session:
        upsert_chart(session, slug="c1")
        row = session.exec(select(Chart).where(Chart.slug == "c1")).one()
        row.sync_options = {"track_platforms": ["shazam"], "some_later_option": 3}
        session.add(row)

    with session_scope(db_url) as session:
        assert chart_choices(session)["c1"] == RefreshOptions(track_platforms=["shazam"])


def test_remember_choices_of_an_unknown_chart_says_so(db_url: str) -> None:
    with session_scope(db_url) as session, pytest.raises(LookupError, match="'nope'"):
        remember_choices(session, chart="nope", options=RefreshOptions())


def test_chart_members_of_tracks_and_of_artists_through_credits(db_url: str) -> None:
    seed.ranking(db_url, "c1", D2, {"t1": 1, "t2": 2})
    seed.ranking(db_url, "c1", D3, {"t2": 1})
    seed.ranking(db_url, "c2", D3, {"t2": 3, "t3": 1})
    seed.credit(db_url, "t1", ["a1"])
    seed.credit(db_url, "t3", ["a1", "a2"])

    with session_scope(db_url) as session:
        tracks = chart_members(session, entity_kind="track")
        artists = chart_members(session, entity_kind="artist")

    assert tracks == {"t1": {"c1"}, "t2": {"c1", "c2"}, "t3": {"c2"}}
    assert artists == {"a1": {"c1", "c2"}, "a2": {"c2"}}


def test_strictest_unites_platforms_and_takes_the_tightest_windows() -> None:
    one = RefreshOptions(
        track_platforms=["spotify", "airplay"],
        artist_platforms=[],
        audience_max_age_hours=20,
        metadata_max_age_days=3,
        lookback_days=30,
        airplay_lookback_days=7,
    )
    two = RefreshOptions(
        track_platforms=["youtube", "spotify"],
        artist_platforms=["tiktok"],
        listening_platforms=[],
        audience_max_age_hours=2,
        metadata_max_age_days=7,
        lookback_days=90,
        airplay_lookback_days=3,
    )

    merged = strictest([one, two])

    assert merged == RefreshOptions(
        track_platforms=["spotify", "airplay", "youtube"],
        artist_platforms=["tiktok"],
        listening_platforms=["spotify"],
        audience_max_age_hours=2,
        metadata_max_age_days=3,
        lookback_days=90,
        airplay_lookback_days=7,
    )
