"""crud.charts: charts, ranking snapshots and their entries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, func, select

from chartcascade.crud.charts import (
    chart_by_slug,
    latest_snapshot,
    replace_entries,
    upsert_chart,
    upsert_snapshot,
)
from chartcascade.crud.tracks import upsert_track_stubs
from chartcascade.db import session_scope
from chartcascade.models import Chart, RankingEntry, RankingSnapshot


def entry(track_id: int, position: int, **fields: Any) -> dict[str, Any]:
    return {"track_id": track_id, "position": position, **fields}


def test_upsert_chart_twice_keeps_one_row_and_id(db_url: str) -> None:
    with session_scope(db_url) as session:
        first = upsert_chart(session, slug="top-50", name="Top 50", platform="spotify")
        second = upsert_chart(session, slug="top-50", name="Top 50", platform="spotify")
        count = session.exec(select(func.count()).select_from(Chart)).one()
    assert (first, second, count) == (first, first, 1)


def test_upsert_chart_none_keeps_known_values(db_url: str) -> None:
    with session_scope(db_url) as session:
        upsert_chart(session, slug="top-50", name="Top 50", max_results_count=50)
        upsert_chart(session, slug="top-50", frequency="daily")
    with session_scope(db_url) as session:
        chart = chart_by_slug(session, "top-50")
    assert chart is not None
    assert (chart.name, chart.max_results_count, chart.frequency) == ("Top 50", 50, "daily")


def test_chart_by_slug_unknown_is_none(db_url: str) -> None:
    with session_scope(db_url) as session:
        assert chart_by_slug(session, "nope") is None


def test_upsert_snapshot_updates_in_place_and_sets_fetched_at(db_url: str) -> None:
    before = datetime.now(UTC)
    with session_scope(db_url) as session:
        chart_id = upsert_chart(session, slug="top-50")
        first = upsert_snapshot(
            session,
            chart_id=chart_id,
            ranking_date=date(2024, 3, 1),
            ranking_datetime=None,
            entry_count=10,
        )
        second = upsert_snapshot(
            session,
            chart_id=chart_id,
            ranking_date=date(2024, 3, 1),
            ranking_datetime="2024-03-01T00:00:00+00:00",
            entry_count=50,
        )
    with session_scope(db_url) as session:
        snapshot = session.exec(select(RankingSnapshot)).one()
    assert second == first == snapshot.id
    assert (snapshot.entry_count, snapshot.ranking_datetime) == (50, "2024-03-01T00:00:00+00:00")
    assert snapshot.fetched_at is not None and snapshot.fetched_at >= before


def test_latest_snapshot_is_the_newest_ranking_date(db_url: str) -> None:
    with session_scope(db_url) as session:
        chart_id = upsert_chart(session, slug="top-50")
        for day in (3, 9, 5):
            upsert_snapshot(
                session,
                chart_id=chart_id,
                ranking_date=date(2024, 3, day),
                ranking_datetime=None,
                entry_count=day,
            )
        latest = latest_snapshot(session, chart_id=chart_id)
        assert latest is not None and latest.ranking_date == date(2024, 3, 9)
        assert latest_snapshot(session, chart_id=chart_id + 1) is None


def _snapshot_with_tracks(db_url: str, count: int) -> tuple[int, list[int]]:
    with session_scope(db_url) as session:
        chart_id = upsert_chart(session, slug="top-50")
        snapshot_id = upsert_snapshot(
            session,
            chart_id=chart_id,
            ranking_date=date(2024, 3, 1),
            ranking_datetime=None,
            entry_count=count,
        )
        ids = upsert_track_stubs(session, stubs=[{"uuid": f"t{n}"} for n in range(count)])
    return snapshot_id, [ids[f"t{n}"] for n in range(count)]


def _entries(db_url: str, snapshot_id: int) -> list[tuple[int, int, int | None]]:
    with session_scope(db_url) as session:
        statement = (
            select(RankingEntry.track_id, RankingEntry.position, RankingEntry.metric)
            .where(RankingEntry.snapshot_id == snapshot_id)
            .order_by(col(RankingEntry.position))
        )
        return list(session.exec(statement).all())


def test_replace_entries_makes_the_entries_exactly_these(db_url: str) -> None:
    snapshot_id, (a, b, c) = _snapshot_with_tracks(db_url, 3)
    with session_scope(db_url) as session:
        replace_entries(session, snapshot_id=snapshot_id, entries=[entry(a, 1), entry(b, 2)])
    with session_scope(db_url) as session:
        written = replace_entries(
            session, snapshot_id=snapshot_id, entries=[entry(c, 1, metric=9), entry(a, 2)]
        )
    assert written == 2
    assert _entries(db_url, snapshot_id) == [(c, 1, 9), (a, 2, None)]


def test_replace_entries_twice_is_idempotent(db_url: str) -> None:
    snapshot_id, (a, b) = _snapshot_with_tracks(db_url, 2)
    entries = [entry(a, 1, old_position=2, time_on_chart=3, time_on_chart_unit="day"), entry(b, 2)]
    for _ in range(2):
        with session_scope(db_url) as session:
            replace_entries(session, snapshot_id=snapshot_id, entries=entries)
    assert _entries(db_url, snapshot_id) == [(a, 1, None), (b, 2, None)]
    with session_scope(db_url) as session:
        stored = session.exec(select(RankingEntry).where(RankingEntry.track_id == a)).one()
    assert (stored.old_position, stored.time_on_chart, stored.time_on_chart_unit) == (2, 3, "day")
