"""Upserts compiled once per shape (JSON, tuples, a shape sent twice) and read-only sessions."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DataError
from sqlmodel import select

from chartcascade import upserts
from chartcascade.crud.artists import upsert_artist_stubs
from chartcascade.crud.countries import ArtistCountryRow
from chartcascade.crud.failures import record_failures
from chartcascade.db import get_engine, read_scope, session_scope
from chartcascade.models import (
    ArtistAudienceCountry,
    Chart,
    FailedItem,
    Track,
    TrackAudiencePoint,
)
from chartcascade.upserts import upsert, upsert_values


def test_json_lists_and_null_round_trip(db_url: str) -> None:
    genres = [{"root": "pop", "sub": ["k-pop", "dance"]}]
    rows = [{"uuid": "t1", "genres": genres, "labels": ["A", "B"]}]
    with session_scope(db_url) as session:
        upsert(session, Track, rows, keys=["uuid"])
        upsert(session, Chart, [{"slug": "c", "sync_options": None}], keys=["slug"])
    with session_scope(db_url) as session:
        track = session.exec(select(Track)).one()
        chart = session.exec(select(Chart)).one()
    assert (track.genres, track.labels, chart.sync_options) == (genres, ["A", "B"], None)


def test_the_same_shape_twice_writes_new_rows_each_time(db_url: str) -> None:
    with session_scope(db_url) as session:
        upsert_values(session, Track, ("uuid",), [("t1",)], keys=["uuid"])
        track_id = session.exec(select(Track.id)).one()
        columns = ("track_id", "platform", "date", "value")
        first = [(track_id, "spotify", date(2026, 1, day), day) for day in (1, 2)]
        second = [
            (track_id, "spotify", date(2026, 1, 2), 20),
            (track_id, "spotify", date(2026, 1, 3), 3),
        ]
        written = [
            upsert_values(session, TrackAudiencePoint, columns, rows, keys=columns[:3])
            for rows in (first, second)
        ]
    with session_scope(db_url) as session:
        stored = session.exec(
            select(TrackAudiencePoint.date, TrackAudiencePoint.value).order_by(
                TrackAudiencePoint.date  # type: ignore[arg-type]
            )
        ).all()
    assert written == [2, 2]
    assert stored == [(date(2026, 1, 1), 1), (date(2026, 1, 2), 20), (date(2026, 1, 3), 3)]


def test_named_tuples_in_field_order_and_the_last_duplicate_wins(db_url: str) -> None:
    with session_scope(db_url) as session:
        artist_id = upsert_artist_stubs(session, stubs=[{"uuid": "a1"}])["a1"]
        rows = [
            ArtistCountryRow(artist_id, "spotify", "listeners", date(2026, 1, 1), "FR", "", 1),
            ArtistCountryRow(artist_id, "spotify", "listeners", date(2026, 1, 1), "FR", "", 2),
            ArtistCountryRow(artist_id, "spotify", "listeners", date(2026, 1, 1), "FR", "Paris", 3),
        ]
        keys = ["artist_id", "platform", "metric", "date", "country_code", "city"]
        written = upsert_values(
            session, ArtistAudienceCountry, ArtistCountryRow._fields, rows, keys=keys
        )
    with session_scope(db_url) as session:
        stored = session.exec(
            select(ArtistAudienceCountry.city, ArtistAudienceCountry.value).order_by(
                ArtistAudienceCountry.city  # type: ignore[arg-type]
            )
        ).all()
    assert (written, stored) == (2, [("", 2), ("Paris", 3)])


def test_a_read_scope_reads_while_another_thread_writes(sqlite_url: str) -> None:
    with session_scope(sqlite_url) as session:
        upsert(session, Chart, [{"slug": "before"}], keys=["slug"])
    writing, release = threading.Event(), threading.Event()

    def writer() -> None:
        with session_scope(sqlite_url) as session:
            upsert(session, Chart, [{"slug": "during"}], keys=["slug"])
            writing.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        with read_scope(sqlite_url) as session:  # neither lock is taken: no wait for the writer
            during = session.exec(select(Chart.slug)).all()
            mode = session.exec(text("PRAGMA journal_mode")).one()  # type: ignore[call-overload]
        assert not release.is_set()
    finally:
        release.set()
        thread.join(10)
    with read_scope(sqlite_url) as session:
        after = sorted(session.exec(select(Chart.slug)).all())
    assert (during, mode[0], after) == (["before"], "wal", ["before", "during"])


def test_dict_rows_with_their_keys_in_another_order_keep_their_columns(db_url: str) -> None:
    rows = [
        {"uuid": "t1", "name": "N1", "isrc": "I1"},
        {"uuid": "t2", "isrc": "I2", "name": "N2"},
    ]
    with session_scope(db_url) as session:
        upsert(session, Track, rows, keys=["uuid"])
    with session_scope(db_url) as session:
        stored = session.exec(select(Track.uuid, Track.name, Track.isrc).order_by(Track.uuid)).all()
    assert stored == [("t1", "N1", "I1"), ("t2", "N2", "I2")]


@pytest.mark.postgres
def test_postgres_rejects_a_value_too_long_for_its_column_instead_of_cutting_it(
    postgres_url: str,
) -> None:
    long_uuid = "x" * 64 + "-A"
    with pytest.raises(DataError, match="value too long"), session_scope(postgres_url) as session:
        upsert(session, Track, [{"uuid": long_uuid, "name": "A"}], keys=["uuid"])
    with session_scope(postgres_url) as session:
        assert session.exec(select(Track.uuid)).all() == []


def test_a_sqlite_with_the_old_limit_of_999_parameters_takes_every_save(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite before 3.32 allows 999 parameters a statement: 111 failures of 9 columns plus
    the `attempts + 1` constant must be split, not sent as 1,000 parameters."""
    engine = get_engine(sqlite_url)
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _old_limit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    monkeypatch.setattr(upserts, "SQLITE_PARAMETERS", 999)
    errors = {f"u{n:04}": "timeout" for n in range(111)}
    for _ in range(2):
        with session_scope(sqlite_url) as session:
            assert record_failures(session, stage="s", errors=errors, run_id="r") == 111
    with session_scope(sqlite_url) as session:
        attempts = set(session.exec(select(FailedItem.attempts)).all())
    assert attempts == {2}
