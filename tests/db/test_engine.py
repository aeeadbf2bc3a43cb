"""Engines, sessions, timestamps read back, and the generic upsert."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import col, func, select

from chartcascade.db import (
    as_utc,
    dispose_engines,
    get_engine,
    normalize_url,
    safe_url,
    session_scope,
)
from chartcascade.models import Chart, FailedItem, RankingSnapshot, Track
from chartcascade.upserts import upsert


def test_get_engine_returns_one_engine_per_url(sqlite_url: str) -> None:
    assert get_engine(sqlite_url) is get_engine(sqlite_url)


def test_get_engine_creates_sqlite_parent_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'a' / 'b' / 'x.db').as_posix()}"
    with get_engine(url).connect() as connection:
        connection.execute(text("SELECT 1"))
    dispose_engines(url)
    assert (tmp_path / "a" / "b" / "x.db").is_file()


def test_get_engine_sqlite_connection_settings(sqlite_url: str) -> None:
    with get_engine(sqlite_url).connect() as connection:
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    assert (journal, busy, foreign_keys) == ("wal", 30000, 1)


@pytest.mark.postgres
def test_get_engine_postgres_pool_settings(postgres_url: str) -> None:
    engine = get_engine(postgres_url)
    assert (engine.pool.size(), engine.pool._max_overflow, engine.pool._pre_ping) == (20, 20, True)  # type: ignore[attr-defined]


def test_normalize_url_maps_plain_postgres_to_psycopg() -> None:
    assert normalize_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def test_safe_url_hides_password() -> None:
    assert safe_url("postgresql+psycopg://u:s3cret@h/d") == "postgresql+psycopg://u:***@h/d"


def test_as_utc_treats_naive_as_utc_and_converts_aware() -> None:
    assert as_utc(datetime(2024, 1, 1, 12)) == datetime(2024, 1, 1, 12, tzinfo=UTC)
    paris = timezone(timedelta(hours=1))
    assert as_utc(datetime(2024, 1, 1, 12, tzinfo=paris)).hour == 11


def test_session_scope_commits_on_success(db_url: str) -> None:
    with session_scope(db_url) as session:
        session.add(Chart(slug="top-50"))
    with session_scope(db_url) as session:
        assert session.exec(select(Chart.slug)).all() == ["top-50"]


def test_session_scope_rolls_back_on_error(db_url: str) -> None:
    with pytest.raises(RuntimeError), session_scope(db_url) as session:
        session.add(Chart(slug="top-50"))
        session.flush()
        raise RuntimeError("boom")
    with session_scope(db_url) as session:
        assert session.exec(select(func.count()).select_from(Chart)).one() == 0


def test_timestamps_read_back_timezone_aware(db_url: str) -> None:
    written = datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    with session_scope(db_url) as session:
        session.add(Track(uuid="t1", metadata_fetched_at=written))
    with session_scope(db_url) as session:
        track = session.exec(select(Track)).one()
        session.refresh(track)
        assert track.metadata_fetched_at == written
        assert track.created_at.tzinfo is not None


def test_upsert_keeps_last_row_of_duplicate_keys(db_url: str) -> None:
    rows = [
        {"slug": "a", "name": "first"},
        {"slug": "b", "name": "b"},
        {"slug": "a", "name": "last"},
    ]
    with session_scope(db_url) as session:
        written = upsert(session, Chart, rows, keys=["slug"])
    with session_scope(db_url) as session:
        names = session.exec(select(Chart.slug, Chart.name).order_by(Chart.slug)).all()
    assert (written, names) == (2, [("a", "last"), ("b", "b")])


def test_upsert_with_empty_update_does_nothing_on_conflict(db_url: str) -> None:
    with session_scope(db_url) as session:
        upsert(session, Chart, [{"slug": "a", "name": "kept"}], keys=["slug"])
        written = upsert(session, Chart, [{"slug": "a", "name": "new"}], keys=["slug"], update=())
        assert written == 0
    with session_scope(db_url) as session:
        assert session.exec(select(Chart.name)).one() == "kept"


def test_upsert_writes_batches_larger_than_one_statement(db_url: str) -> None:
    rows = [{"stage": "s", "item_uuid": f"i{n:05d}", "error": "e"} for n in range(2_500)]
    with session_scope(db_url) as session:
        assert upsert(session, FailedItem, rows, keys=["stage", "item_uuid"]) == 2_500
    with session_scope(db_url) as session:
        assert session.exec(select(func.count()).select_from(FailedItem)).one() == 2_500


def test_upsert_rejects_rows_with_different_columns(sqlite_url: str) -> None:
    rows = [{"slug": "a", "name": "x"}, {"slug": "b"}]
    with (
        pytest.raises(ValueError, match="must all have the columns"),
        session_scope(sqlite_url) as session,
    ):
        upsert(session, Chart, rows, keys=["slug"])


def test_upsert_refreshes_updated_at_on_update(db_url: str) -> None:
    with session_scope(db_url) as session:
        upsert(session, Chart, [{"slug": "a", "name": "x"}], keys=["slug"])
    with session_scope(db_url) as session:
        first = session.exec(select(Chart)).one().updated_at
    with session_scope(db_url) as session:
        upsert(session, Chart, [{"slug": "a", "name": "y"}], keys=["slug"])
    with session_scope(db_url) as session:
        chart = session.exec(select(Chart)).one()
    assert chart.name == "y"
    assert chart.updated_at > first


def test_upsert_of_dates_round_trips(db_url: str) -> None:
    with session_scope(db_url) as session:
        upsert(session, Chart, [{"slug": "a"}], keys=["slug"])
        chart_id = session.exec(select(Chart.id)).one()
        rows = [{"chart_id": chart_id, "ranking_date": date(2024, 1, 2), "entry_count": 3}]
        upsert(session, RankingSnapshot, rows, keys=["chart_id", "ranking_date"])
    with session_scope(db_url) as session:
        assert session.exec(select(col(RankingSnapshot.ranking_date))).one() == date(2024, 1, 2)


def test_upsert_stores_offset_datetimes_as_utc(db_url: str) -> None:
    at = datetime(2024, 1, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    with session_scope(db_url) as session:
        upsert(session, Track, [{"uuid": "t1", "metadata_fetched_at": at}], keys=["uuid"])
    with session_scope(db_url) as session:
        stored = session.exec(select(Track)).one().metadata_fetched_at
    assert stored == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert stored is not None and stored.utcoffset() == timedelta(0)
