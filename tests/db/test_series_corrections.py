"""Stored decreases of cumulative track series, and the track series stage that flags them."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

from chartcascade.crud.audience import (
    SeriesCorrection,
    read_checks,
    save_track_points,
    series_corrections,
)
from chartcascade.crud.tracks import upsert_track_stubs
from chartcascade.db import session_scope
from chartcascade.tasks.audience import TrackAudienceWork
from chartcascade.tasks.series import AudienceWindow, SeriesResult

TODAY = date(2024, 3, 31)
WINDOW = AudienceWindow(
    today=TODAY,
    checked_before=datetime(2024, 3, 30, tzinfo=UTC),
    lookback_days=90,
    airplay_lookback_days=7,
)


def day(n: int) -> date:
    return date(2024, 3, n)


def store(db_url: str, series: dict[tuple[str, str], dict[int, int]]) -> None:
    """Tracks and their points: (uuid, platform) -> {day of March: value}."""
    with session_scope(db_url) as session:
        ids = upsert_track_stubs(session, stubs=[{"uuid": u} for u in {u for u, _ in series}])
        points = [
            (ids[uuid], platform, day(n), value)
            for (uuid, platform), values in series.items()
            for n, value in values.items()
        ]
        save_track_points(session, points=points)


def test_corrections_are_the_stored_days_below_the_stored_day_before(db_url: str) -> None:
    store(
        db_url,
        {
            ("t1", "spotify"): {1: 100, 2: 120, 4: 90, 5: 95},  # down across a missing day
            ("t1", "youtube"): {1: 50, 2: 50, 3: 60},  # flat is not a decrease
            ("t2", "spotify"): {1: 10, 2: 9, 3: 8},
            ("t2", "airplay"): {1: 7, 2: 3},  # a daily count: allowed to go down
        },
    )

    with session_scope(db_url) as session:
        found = series_corrections(session)
        only_t2 = series_corrections(session, uuids=["t2"])
        since_3 = series_corrections(session, platforms=["spotify"], since=day(3))

    assert found == [
        SeriesCorrection("t1", "spotify", day(4), 90, day(2), 120),
        SeriesCorrection("t2", "spotify", day(2), 9, day(1), 10),
        SeriesCorrection("t2", "spotify", day(3), 8, day(2), 9),
    ]
    assert only_t2 == found[1:]
    assert since_3 == [found[0], found[2]]


def test_no_corrections_in_an_empty_database(db_url: str) -> None:
    with session_scope(db_url) as session:
        assert series_corrections(session) == []
        assert series_corrections(session, uuids=["nobody"]) == []


def test_series_stage_warns_of_a_lowered_total_it_saved(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    store(sqlite_url, {("t1", "spotify"): {1: 100}, ("t2", "spotify"): {1: 100}})
    work = TrackAudienceWork("spotify", WINDOW)
    lowered = SeriesResult("ok", [("spotify", day(2), 80), ("spotify", day(3), 85)])
    grown = SeriesResult("ok", [("spotify", day(2), 110)])

    with caplog.at_level(logging.WARNING), session_scope(sqlite_url) as session:
        work.save(session, [("t1", lowered), ("t2", grown)])

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "The API lowered the spotify total of track t1 on 2024-03-02: 80 after 100 on 2024-03-01"
    ]


def test_series_stage_saves_repeatedly_with_disjoint_results(sqlite_url: str) -> None:
    store(sqlite_url, {("t1", "spotify"): {}, ("t2", "spotify"): {}, ("t3", "spotify"): {}})
    work = TrackAudienceWork("spotify", WINDOW)
    skipped = SeriesResult(
        "ok", [("spotify", day(1), 5), ("spotify", day(3), 7)], resume_from=day(2)
    )
    whole = SeriesResult("ok", [("spotify", day(1), 5), ("spotify", day(2), 6)])
    nothing_whole = SeriesResult("ok", [], resume_from=day(4))

    with session_scope(sqlite_url) as session:
        work.save(session, [("t1", skipped)])
        work.save(session, [("t2", whole), ("t3", nothing_whole)])
    with session_scope(sqlite_url) as session:
        checks = read_checks(
            session, entity_kind="track", uuids=["t1", "t2", "t3"], series=["audience:spotify"]
        )

    assert {uuid: c.newest_date for (uuid, _), c in checks.items()} == {
        "t1": day(1),  # the next window starts at the day left out
        "t2": day(2),
        "t3": day(3),
    }


def test_a_series_window_goes_on_from_its_newest_stored_day(sqlite_url: str) -> None:
    store(sqlite_url, {("t1", "spotify"): {}, ("t2", "spotify"): {}})
    work = TrackAudienceWork("spotify", WINDOW)
    with session_scope(sqlite_url) as session:
        work.save(session, [("t1", SeriesResult("ok", [("spotify", day(20), 5)]))])
    later = TrackAudienceWork(
        "spotify", AudienceWindow(TODAY, datetime(2099, 1, 1, tzinfo=UTC), 90, 7)
    )

    with session_scope(sqlite_url) as session:
        needed = later.select(session, ["t1", "t2"])

    assert needed == {"t1": False, "t2": True}
    # The stored newest day comes again, so its identifiers are known to the days after it.
    assert later.ranges == {"t1": (day(20), TODAY), "t2": (date(2024, 1, 1), TODAY)}
