"""crud.audience: audience points and the last check of each series."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from chartcascade.crud.artists import upsert_artist_stubs
from chartcascade.crud.audience import (
    read_checks,
    record_checks,
    save_artist_points,
    save_track_points,
)
from chartcascade.crud.tracks import upsert_track_stubs
from chartcascade.db import session_scope
from chartcascade.models import ArtistAudiencePoint, TrackAudiencePoint

CHECKED = datetime(2024, 6, 1, 8, tzinfo=UTC)


def check(newest_date: date | None, status: str = "ok", **fields: object) -> dict[str, object]:
    return {
        "entity_kind": "track",
        "entity_uuid": "t1",
        "series": "audience:spotify",
        "status": status,
        "newest_date": newest_date,
        "checked_at": CHECKED,
        **fields,
    }


def test_save_track_points_twice_keeps_one_row_per_day(db_url: str) -> None:
    with session_scope(db_url) as session:
        track_id = upsert_track_stubs(session, stubs=[{"uuid": "t1"}])["t1"]
    points = [(track_id, "spotify", date(2024, 1, d), 100 * d) for d in (1, 2)]
    for _ in range(2):
        with session_scope(db_url) as session:
            assert save_track_points(session, points=points) == 2
    with session_scope(db_url) as session:
        statement = select(col(TrackAudiencePoint.date), TrackAudiencePoint.value)
        rows = session.exec(statement.order_by(col(TrackAudiencePoint.date))).all()
    assert rows == [(date(2024, 1, 1), 100), (date(2024, 1, 2), 200)]


def test_save_track_points_updates_the_value(db_url: str) -> None:
    with session_scope(db_url) as session:
        track_id = upsert_track_stubs(session, stubs=[{"uuid": "t1"}])["t1"]
        save_track_points(session, points=[(track_id, "spotify", date(2024, 1, 1), 5)])
        save_track_points(session, points=[(track_id, "spotify", date(2024, 1, 1), 3_000_000_000)])
    with session_scope(db_url) as session:
        assert session.exec(select(TrackAudiencePoint.value)).all() == [3_000_000_000]


def test_save_artist_points_keeps_metrics_apart_and_updates_values(db_url: str) -> None:
    with session_scope(db_url) as session:
        artist_id = upsert_artist_stubs(session, stubs=[{"uuid": "a1"}])["a1"]
        day = date(2024, 1, 1)
        save_artist_points(
            session,
            points=[
                (artist_id, "spotify", "followers", day, 10),
                (artist_id, "spotify", "monthly_listeners", day, 7),
            ],
        )
        save_artist_points(session, points=[(artist_id, "spotify", "followers", day, 11)])
    with session_scope(db_url) as session:
        statement = select(ArtistAudiencePoint.metric, ArtistAudiencePoint.value)
        rows = session.exec(statement.order_by(col(ArtistAudiencePoint.metric))).all()
    assert rows == [("followers", 11), ("monthly_listeners", 7)]


def test_record_checks_keeps_the_newest_date(db_url: str) -> None:
    with session_scope(db_url) as session:
        record_checks(session, checks=[check(date(2024, 5, 10))])
        record_checks(session, checks=[check(date(2024, 5, 3), status="empty")])
    with session_scope(db_url) as session:
        stored = read_checks(
            session, entity_kind="track", uuids=["t1"], series=["audience:spotify"]
        )
    found = stored[("t1", "audience:spotify")]
    assert (found.newest_date, found.status, found.checked_at) == (
        date(2024, 5, 10),
        "empty",
        CHECKED,
    )


def test_record_checks_takes_a_later_date(db_url: str) -> None:
    with session_scope(db_url) as session:
        record_checks(session, checks=[check(None)])
        record_checks(session, checks=[check(date(2024, 5, 3))])
        record_checks(session, checks=[check(date(2024, 5, 20))])
        stored = read_checks(
            session, entity_kind="track", uuids=["t1"], series=["audience:spotify"]
        )
    assert stored[("t1", "audience:spotify")].newest_date == date(2024, 5, 20)


def test_record_checks_none_keeps_the_stored_date(db_url: str) -> None:
    with session_scope(db_url) as session:
        record_checks(session, checks=[check(date(2024, 5, 10))])
        record_checks(session, checks=[check(None, status="no_account")])
        stored = read_checks(
            session, entity_kind="track", uuids=["t1"], series=["audience:spotify"]
        )
    found = stored[("t1", "audience:spotify")]
    assert (found.newest_date, found.status) == (date(2024, 5, 10), "no_account")


def test_read_checks_keys_by_uuid_and_series(db_url: str) -> None:
    with session_scope(db_url) as session:
        record_checks(
            session,
            checks=[
                check(date(2024, 5, 1)),
                check(date(2024, 5, 2), series="airplay"),
                check(None, entity_uuid="t2", series="airplay", status="empty"),
                check(date(2024, 5, 4), entity_kind="artist"),
            ],
        )
        stored = read_checks(
            session, entity_kind="track", uuids=["t1", "t2", "t3"], series=["airplay", "other"]
        )
    assert sorted(stored) == [("t1", "airplay"), ("t2", "airplay")]
    assert stored[("t2", "airplay")].status == "empty"


def test_record_checks_rejects_an_unknown_status(sqlite_url: str) -> None:
    with pytest.raises(ValueError, match="invalid audience check"), session_scope(sqlite_url) as s:
        record_checks(s, checks=[check(None, status="broken")])
